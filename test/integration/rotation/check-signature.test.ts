/**
 * A relying party anchored on the ROOT fingerprint checks documents over the chain
 * (`keyrite check-signature DOC --signature ENV --trust ROOT --chain ROOT_BUNDLE --chain ROTATION`):
 * a document the root key signed before the rotation is good while that key is deprecated
 * (within its grace) and refused once the grace has ended (retired); a document the root key
 * signed after it was rotated out is refused; a broken chain is refused before any document is
 * judged. One `keyrite demo` output (cheapest scrypt): a signing rehearsal, the rotation, then a
 * second signing rehearsal with the rotated-out key.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, runInProcess, type CliRun } from '../../helpers/cli.ts';
import { DemoCopies, trustedFingerprint } from '../recovery/helpers.ts';
import { demoPins, sign } from '../signing/helpers.ts';

let copies: DemoCopies;
let d: string;
let root: string;
let until: string;

before(async () => {
  copies = await DemoCopies.make('keyrite-rotation-check-signature-');
  d = copies.demo;
  root = trustedFingerprint(d);
  const pins = demoPins(d);
  const m = /^([A-Z0-9_]+)='([^']*)'$/m.exec(readFileSync(join(d, 'rotation', 'REHEARSAL-ONLY-passphrase.env'), 'utf8'))!;
  pins[m[1]!] = m[2]!;
  const before = await sign(d, 'sign-before', pins);
  assert.equal(before.code, 0, before.stdout + before.stderr);
  const rotation = await runInProcess(['ceremony', 'run', join(repoRoot, 'ceremony-scripts/rotation-rehearsal.yaml'), '--answers', join(d, 'rotation-answers.yaml'), '--out', join(d, 'rot'), '--json'], undefined, pins);
  assert.equal(rotation.code, 0, rotation.stdout + rotation.stderr);
  until = JSON.parse(rotation.stdout).previous.until;
  const afterRotation = await sign(d, 'sign-after', pins);
  assert.equal(afterRotation.code, 0, afterRotation.stdout + afterRotation.stderr);
});
after(() => copies?.remove());

function checkSignature(run: string, extra: string[] = [], chain = [join(d, 'bundle'), join(d, 'rot', 'bundle')]): Promise<CliRun> {
  const doc = join(d, run, 'signed', 'endorsed-keys.jwks.json');
  return runInProcess(['check-signature', doc, '--signature', `${doc}.dsse.json`, '--trust', root, ...chain.flatMap((b) => ['--chain', b]), '--json', ...extra]);
}

function chainCheck(r: CliRun): { ok: boolean; detail: string } {
  return JSON.parse(r.stdout).checks.find((c: { name: string }) => c.name === 'chain');
}

test('signed by the root key before the rotation: good within the grace period, refused once it has ended', async () => {
  const good = await checkSignature('sign-before');
  assert.equal(good.code, 0, good.stdout + good.stderr);
  assert.match(chainCheck(good).detail, /while it was active; it is deprecated \(verify-only\) until /);
  const lateAt = new Date(Date.parse(until) + 24 * 3600 * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const late = await checkSignature('sign-before', ['--at', lateAt]);
  assert.equal(late.code, 1, late.stdout);
  assert.equal(chainCheck(late).ok, false);
  assert.match(chainCheck(late).detail, /is retired \(its grace ended /);
});

test('signed by the root key after it was rotated out: refused', async () => {
  const r = await checkSignature('sign-after');
  assert.equal(r.code, 1, r.stdout);
  assert.match(chainCheck(r).detail, /was rotated out at .* \(deprecated: verify-only\), and this was signed at .*, after that/);
  assert.match(r.stderr, /failed at "chain"/);
});

test('a chain that does not verify is refused before the document is judged; one bundle is not a chain', async () => {
  const wrongOrder = await checkSignature('sign-before', [], [join(d, 'rot', 'bundle'), join(d, 'bundle')]);
  assert.equal(wrongOrder.code, 1, wrongOrder.stdout);
  const checks = JSON.parse(wrongOrder.stdout).checks;
  assert.deepEqual(checks.map((c: { name: string }) => c.name), ['chain']);
  assert.match(checks[0].detail, /^The chain does not verify from the root fingerprint \(chain-root: /);
  const one = await checkSignature('sign-before', [], [join(d, 'bundle')]);
  assert.equal(one.code, 2);
});
