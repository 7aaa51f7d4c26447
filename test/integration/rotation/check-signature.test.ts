/**
 * A relying party anchored on the ROOT fingerprint checks documents over the chain
 * (`keyrite check-signature DOC --signature ENV --trust ROOT --chain ROOT_BUNDLE --chain ROTATION`):
 * a document the root key signed before the rotation is good while that key is deprecated
 * (within its grace) and refused once the grace has ended (retired); a document the root key
 * signed after it was rotated out is refused; a broken chain is refused before any document is
 * judged; a document the NEW key signed (a signing ceremony built on the rotation bundle, unlocked
 * by the trustees' shares of the new key, the classical half on the rotation token) is good. One
 * `keyrite demo` output (cheapest scrypt) with a signing rehearsal and the rotation
 * (makeRotatedDemo, shared by the run), then a second signing rehearsal with the rotated-out key,
 * and one with the new key.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInProcess, type CliRun } from '../../helpers/cli.ts';
import { trustedFingerprint } from '../recovery/helpers.ts';
import { makeRotatedDemo } from './helpers.ts';
import { REHEARSAL_SIGNING, sign } from '../signing/helpers.ts';

let work: string;
let d: string;
let root: string;
let until: string;
let pins: Record<string, string>;
let next: string;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'keyrite-rotation-check-signature-'));
  d = join(work, 'demo');
  const made = await makeRotatedDemo(d);
  root = trustedFingerprint(d);
  pins = made.pins;
  until = made.rotation.previous.until;
  next = made.rotation.master.fingerprint;
  const afterRotation = await sign(d, 'sign-after', pins);
  assert.equal(afterRotation.code, 0, afterRotation.stdout + afterRotation.stderr);
});
after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

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

test('signed by the new key (a signing ceremony on the rotation bundle): the rotation bundle verifies it, and the relying party anchored on the root accepts it over the chain', async () => {
  // The shipped signing rehearsal, with the new key's label (a site's copy names its own key).
  const script = join(d, 'signing-next.yaml');
  writeFileSync(script, readFileSync(REHEARSAL_SIGNING, 'utf8').replace('key-label: keyrite-root-rehearsal', 'key-label: keyrite-root-next-rehearsal'));
  const answers = readFileSync(join(d, 'signing-answers.yaml'), 'utf8')
    .replace(/envelope: trustees\/(trustee-\d)\/share-envelope\.json/g, 'envelope: rotation/trustees/$1/share-envelope.json')
    .replace('software: master/master.keyrite-token', 'software: rotation/new-master.keyrite-token')
    .replace('KEYRITE_REHEARSAL_PIN_MASTER', 'KEYRITE_REHEARSAL_PIN_ROTATION')
    .replace(/^( {2}path: )bundle$/m, '$1rot/bundle')
    .replace(/^( {2}trust: )[0-9a-f]{64}$/m, `$1${next}`);
  writeFileSync(join(d, 'signing-next-answers.yaml'), answers);
  const r = await runInProcess(['ceremony', 'run', script, '--answers', join(d, 'signing-next-answers.yaml'), '--out', join(d, 'sign-next'), '--json'], undefined, pins);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(JSON.parse(r.stdout).original.masterFingerprint, next);
  assert.equal((await runInProcess(['verify', join(d, 'sign-next', 'bundle'), '--trust', next])).code, 0);
  const good = await checkSignature('sign-next');
  assert.equal(good.code, 0, good.stdout + good.stderr);
  assert.match(chainCheck(good).detail, /by the chain's active key /);
  assert.equal(JSON.parse(good.stdout).issuerFingerprint, next);
  // Without the chain, anchored on the root, the same document is not the root key's.
  const doc = join(d, 'sign-next', 'signed', 'endorsed-keys.jwks.json');
  assert.equal((await runInProcess(['check-signature', doc, '--signature', `${doc}.dsse.json`, '--trust', root])).code, 1);
});
