/** Runs the CLI in-process (runCli) or as the built `keyrite` binary, capturing its output. */
import { spawnSync } from 'node:child_process';
import { runCli } from '../../cli/main.ts';
import type { Command } from '../../cli/command.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export const repoRoot = new URL('../..', import.meta.url).pathname;

export async function runInProcess(argv: string[], commands?: readonly Command[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(
    argv,
    { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env, cwd: process.cwd() },
    commands,
  );
  return { code, stdout, stderr };
}

/**
 * Documented commands as a test runs them: `npx keyrite` becomes `node bin/keyrite.mjs`, the
 * file npx resolves it to, which saves npx's own start-up (about 2 s of CPU per call). One test
 * still runs npx itself: the README's paper-share commands (test/integration/recovery/paper-share.test.ts).
 */
export function withBuiltCli(commands: string): string {
  return commands.replaceAll('npx keyrite ', `${JSON.stringify(process.execPath)} ${JSON.stringify(`${repoRoot}bin/keyrite.mjs`)} `);
}

/** Runs bin/keyrite.mjs (the built CLI bundle) in a child process. */
export function runBinary(argv: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): CliRun {
  const r = spawnSync(process.execPath, [`${repoRoot}bin/keyrite.mjs`, ...argv], {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, ...options.env },
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
