/**
 * A demo rotated once, for the tests that need "a root bundle and its rotation" and not the
 * rotation run itself (rotation.test.ts runs and checks that): the run's shared demo
 * (makeTestDemo), a signing rehearsal with the root key (run folder sign-before/), then the
 * rehearsal rotation (rot/, its --json output in rot-run.json), and the rehearsal revocation of
 * the root key made by README.md's copy-paste commands run as written (bash; revocation-1/, their
 * exit status and output in revocation-readme.json: root → revocation-1 is a chain of its own, a
 * fork of root → rot), made once per test run (test/helpers/run-cache.ts) and copied.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, runInProcess } from '../../helpers/cli.ts';
import { sharedFixture } from '../../helpers/run-cache.ts';
import { makeTestDemo, trustedFingerprint } from '../recovery/helpers.ts';
import { demoPins, sign } from '../signing/helpers.ts';

export const REHEARSAL_ROTATION = join(repoRoot, 'ceremony-scripts/rotation-rehearsal.yaml');

/** Every PIN of a demo copy, the rotation token's included. */
export function rotationPins(d: string): Record<string, string> {
  const pins = demoPins(d);
  const m = /^([A-Z0-9_]+)='([^']*)'$/m.exec(readFileSync(join(d, 'rotation', 'REHEARSAL-ONLY-passphrase.env'), 'utf8'))!;
  pins[m[1]!] = m[2]!;
  return pins;
}

/** Copies the rotated demo to `dir`; returns its PINs and the rotation's --json output. */
export async function makeRotatedDemo(dir: string): Promise<{ pins: Record<string, string>; rotation: { previous: { until: string }; master: { fingerprint: string } } }> {
  const made = await sharedFixture('rotated-demo', async (folder) => {
    await makeTestDemo(folder);
    const pins = rotationPins(folder);
    const signed = await sign(folder, 'sign-before', pins);
    assert.equal(signed.code, 0, signed.stdout + signed.stderr);
    const rotation = await runInProcess(['ceremony', 'run', REHEARSAL_ROTATION, '--answers', join(folder, 'rotation-answers.yaml'), '--out', join(folder, 'rot'), '--json'], undefined, pins);
    assert.equal(rotation.code, 0, rotation.stdout + rotation.stderr);
    writeFileSync(join(folder, 'rot-run.json'), rotation.stdout);
    // What the master token was before the revocation, which must never open it.
    writeFileSync(join(folder, 'master-token-before-rev.sha256'), createHash('sha256').update(readFileSync(join(folder, 'master', 'master.keyrite-token'))).digest('hex'));
    const commands = /Rehearse an emergency revocation\*\*[\s\S]*?```sh\n([\s\S]*?)\n```/.exec(readFileSync(join(repoRoot, 'README.md'), 'utf8'))?.[1];
    assert.ok(commands, 'the revocation commands are in README.md');
    // As written, but npx's start-up (seconds of CPU per command) left out: the same bin, run by node.
    const run = commands.replaceAll('/tmp/keyrite-demo', folder).replaceAll('<the ROOT master fingerprint>', trustedFingerprint(folder)).replaceAll('npx keyrite ', 'node bin/keyrite.mjs ');
    const r = spawnSync('bash', ['-euc', run], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    writeFileSync(join(folder, 'revocation-readme.json'), JSON.stringify({ status: r.status, stdout: r.stdout, stderr: r.stderr }));
  });
  cpSync(made, dir, { recursive: true });
  return { pins: rotationPins(dir), rotation: JSON.parse(readFileSync(join(dir, 'rot-run.json'), 'utf8')) };
}
