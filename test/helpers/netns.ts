/**
 * An empty network namespace, for the tests where the live air-gap check must genuinely pass
 * and for the air-gap reader's own test: `unshare -rn` (util-linux) runs a command as root of a
 * new user namespace with its own network namespace, whose only interface is a loopback that is
 * down. Where it cannot run, the test fails here saying what to install or enable; no test falls
 * back to a weaker air-gap setting.
 */
import { spawnSync } from 'node:child_process';

/** The command prefix that runs a command in an empty network namespace; throws when unshare cannot make one. */
export function emptyNetworkNamespace(): string[] {
  const probe = spawnSync('unshare', ['-rn', process.execPath, '--version'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    const why = probe.error ? probe.error.message : `exit ${probe.status ?? probe.signal}: ${probe.stderr.trim()}`;
    throw new Error(
      `This test runs in an empty network namespace (\`unshare -rn\`), and none could be made here (${why}). ` +
        'Install util-linux (it provides unshare) and allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, or user.max_user_namespaces > 0).',
    );
  }
  return ['unshare', '-rn'];
}
