/**
 * `keyrite recover` refuses bad shares at the command line: exit 1, the trustee who offered
 * the share named with the reason, and nothing restored (the new master token holds no key).
 * A share from another ceremony (a second demo), a share presented twice (by a second
 * trustee), an envelope re-signed by a foreign key, and only two shares.
 * The same trustee's exact duplicate (dropped), the same index with other bytes (tampering)
 * and a share from an earlier epoch cannot be offered through the CLI without forging the
 * master key's signature or the answers' unique trustee ids; they are tested with test-built
 * escrows in test/unit/escrow/recovery.test.ts.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { runInProcess, type CliRun } from '../../helpers/cli.ts';
import { fromUtf8 } from '../../../core/bytes.ts';
import { deriveMasterKeys } from '../../../core/crypto/derive.ts';
import { softwareHybridSigner } from '../../../core/crypto/hybrid.ts';
import { encodeEnvelope, envelopeSigningMessage, parseEnvelope } from '../../../core/escrow/envelope.ts';
import { assertVerifiesAnchored } from '../ceremony/helpers.ts';
import { DemoCopies, loadPins, makeTestDemo, recoveryEntries, REHEARSAL_RECOVERY, setAnswers, trustedFingerprint } from './helpers.ts';

let copies: DemoCopies;
let otherDemo: string;

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyrite-recover-refusals-'));
  const demo = join(dir, 'demo');
  otherDemo = join(dir, 'other-demo');
  await makeTestDemo(demo);
  await makeTestDemo(otherDemo, 'another');
  copies = new DemoCopies(dir, demo, loadPins(demo));
});
after(() => {
  if (copies) rmSync(copies.dir, { recursive: true, force: true });
});

async function assertRefused(d: string, r: CliRun, who: RegExp, reason: RegExp): Promise<void> {
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const res = JSON.parse(r.stdout);
  assert.equal(res.ok, false);
  assert.equal(res.code, 'SHARE_REJECTED');
  assert.match(res.message, who);
  assert.match(res.message, reason);
  assert.match(res.message, /Nothing was combined or restored/);
  assert.equal(await copies.newTokenHoldsKey(d), false, 'a key was restored');
}

test('a share from another ceremony is refused naming the trustee', async () => {
  const d = copies.copy();
  copyFileSync(join(otherDemo, 'trustees', 'trustee-2', 'share-envelope.json'), join(d, 'trustees', 'trustee-2', 'share-envelope.json'));
  await assertRefused(d, await copies.recover(d), /the share of Carol Trustee \(trustee-2\) was refused/, /belongs to another ceremony/);
});

test('a share presented twice (a second trustee offers the same envelope) is refused naming who offered it', async () => {
  const d = copies.copy();
  // (The answers file itself refuses two trustees naming the same envelope path.)
  copyFileSync(join(d, 'trustees', 'trustee-2', 'share-envelope.json'), join(d, 'trustees', 'trustee-3', 'share-envelope.json'));
  await assertRefused(d, await copies.recover(d), /the share of .* \(trustee-3\) was refused/, /addressed to trustee "trustee-2", not to this trustee/);
});

test('an envelope re-signed by a foreign key is refused naming the trustee', async () => {
  const d = copies.copy();
  const file = join(d, 'trustees', 'trustee-1', 'share-envelope.json');
  const env = parseEnvelope(fromUtf8(readFileSync(file)).trim());
  const foreign = deriveMasterKeys(randomBytes(32));
  const signer = softwareHybridSigner(foreign.ed25519.seed, foreign.mldsa65.secretKey, foreign.mldsa65.publicKey);
  writeFileSync(file, `${encodeEnvelope({ ...env, signature: await signer.sign(envelopeSigningMessage(env.header, env.sealed)) })}\n`);
  await assertRefused(d, await copies.recover(d), /the share of .* \(trustee-1\) was refused/, /signature does not verify with this escrow's master key/);
});

test('only 2 shares offered: refused before anything is opened, nothing restored', async () => {
  const d = copies.copy();
  setAnswers(d, (a) => a.replace(/ {2}- id: trustee-3\n(?: {4}.*\n)+/, ''));
  const r = await copies.recover(d);
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stdout + r.stderr, /the script needs 3 trustees; the answers file lists 2/);
  assert.equal(await copies.newTokenHoldsKey(d), false);
});

test('a trustee of another ceremony is refused at check-in, naming them, before they co-sign anything or any share is opened; once she brings her own keyring, token and envelope, as the message says, the same recovery finishes with a bundle that verifies', async () => {
  const d = copies.copy();
  // trustee-3 brings a whole identity of another ceremony: its token, keyring and envelope.
  for (const f of ['token.keyrite-token', 'keyring.json', 'share-envelope.json']) copyFileSync(join(otherDemo, 'trustees', 'trustee-3', f), join(d, 'trustees', 'trustee-3', f));
  const pins = { ...copies.pins, KEYRITE_REHEARSAL_PIN_TRUSTEE_3: loadPins(otherDemo).KEYRITE_REHEARSAL_PIN_TRUSTEE_3 };
  const out = join(d, 'rec-stranger');
  const r = await runInProcess(['recover', REHEARSAL_RECOVERY, '--bundle', join(d, 'bundle'), '--answers', join(d, 'recovery-answers.yaml'), '--out', out, '--json'], undefined, pins);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const res = JSON.parse(r.stdout) as { code: string; message: string };
  assert.equal(res.code, 'VERIFY_FAILED');
  assert.match(res.message, /Dave Trustee \(trustee-3\) is not a trustee of the original ceremony/);
  const entries = recoveryEntries(out);
  assert.equal(entries.filter((e) => e.type === 'checkpoint.sign').length, 0, 'nothing was co-signed');
  assert.equal(entries.filter((e) => e.type === 'share.accepted' || e.type === 'share.rejected').length, 0, 'no share was opened');
  assert.equal(entries.some((e) => e.type === 'participant.check-in' && e.body.participantId === 'trustee-3'), false, 'the stranger was never recorded as checked in');
  assert.equal(await copies.newTokenHoldsKey(d), false);
  assert.match(res.message, /check the answers file and the keyring, token and envelope this trustee brought\.$/);
  for (const f of ['token.keyrite-token', 'keyring.json', 'share-envelope.json']) copyFileSync(join(copies.demo, 'trustees', 'trustee-3', f), join(d, 'trustees', 'trustee-3', f));
  const own = await runInProcess(['recover', REHEARSAL_RECOVERY, '--bundle', join(d, 'bundle'), '--answers', join(d, 'recovery-answers.yaml'), '--out', out, '--json'], undefined, copies.pins);
  assert.equal(own.code, 0, own.stdout + own.stderr);
  assert.equal(JSON.parse(own.stdout).resumed, true);
  await assertVerifiesAnchored(join(out, 'bundle'), trustedFingerprint(d));
});

test('a --bundle folder that does not exist, or a file given as it, is named as such before anything else', async () => {
  const d = copies.copy();
  for (const [bundle, message] of [
    [join(d, 'nope'), /^keyrite: Could not find the original bundle \(--bundle\) at .*nope: it does not exist\.\n$/],
    [join(d, 'recovery-answers.yaml'), /^keyrite: .*recovery-answers\.yaml is a file, but the original bundle \(--bundle\) is a folder/],
  ] as const) {
    const r = await runInProcess(['recover', REHEARSAL_RECOVERY, '--bundle', bundle, '--answers', join(d, 'recovery-answers.yaml'), '--out', join(d, 'rec-nope')], undefined, copies.pins);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
  }
});
