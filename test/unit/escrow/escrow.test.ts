import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  binomial,
  createEscrow,
  createReceipt,
  encodeEnvelope,
  encodeReceipt,
  openEscrowBlob,
  parseEnvelope,
  parseReceipt,
  verifyEnvelopeSignature,
  verifyReceipt,
  type CreateEscrowInput,
  type ShareReceipt,
} from '../../../core/escrow/escrow.ts';
import { combineShares } from '../../../core/crypto/shamir.ts';
import { isKeyriteError } from '../../../core/errors.ts';
import { assertRejectsKeyrite, escrowTrustees, fiveTrustees, flip, lyingEnvelope, makeEscrow, makeMaster, makeTrustee, offer, seed, subsets } from './helpers.ts';

const master = makeMaster(1);
const trustees = fiveTrustees();
const created = makeEscrow(master, trustees);

test('createEscrow: 5 envelopes and a manifest, after checking all 10 subsets and 5 signatures', async () => {
  const c = await created;
  assert.equal(c.envelopes.length, 5);
  assert.deepEqual(c.verification, { subsetsChecked: 10, envelopeSignaturesChecked: 5 });
  assert.equal(c.manifest.n, 5);
  assert.equal(c.manifest.t, 3);
  assert.equal(c.manifest.masterFingerprint, master.fingerprint);
  assert.deepEqual(master.S, seed(1), 'S is not modified');
  for (const [i, env] of c.envelopes.entries()) {
    assert.ok(verifyEnvelopeSignature(parseEnvelope(encodeEnvelope(env)), master.publicKey).valid);
    assert.equal(env.header.trusteeId, trustees[i]!.id);
    assert.equal(env.header.x, c.manifest.trustees[i]!.x);
  }
  // Independently of createEscrow's own check: every triple of opened shares opens E to S.
  const shares = trustees.map((_, i) => offer(c, trustees, i).share);
  for (const triple of subsets(shares, 3)) {
    const K = await combineShares(triple, 3, 32);
    assert.deepEqual(openEscrowBlob(K, c.manifest.blob), master.S);
  }
  // Two shares are never combined (the library alone would return a wrong key).
  for (const pair of subsets(shares, 2)) await assert.rejects(combineShares(pair, 3, 32), (e) => isKeyriteError(e, 'SHARE_REJECTED'));
});

test('createEscrow refuses bad parameters before splitting anything', async () => {
  const base: CreateEscrowInput = {
    S: master.S,
    masterSigner: master.signer,
    masterFingerprint: master.fingerprint,
    trustees: escrowTrustees(trustees),
    n: 5,
    t: 3,
    ceremonyId: '00112233445566778899aabbccddeeff',
    epoch: 1,
  };
  const other = makeMaster(2);
  const cases: Array<[string, Partial<CreateEscrowInput>, RegExp]> = [
    ['S of another key', { S: other.S }, /does not derive the master public keys/],
    ['wrong master fingerprint', { masterFingerprint: other.fingerprint }, /not the master signer's fingerprint/],
    ['4 trustees for n = 5', { trustees: escrowTrustees(trustees.slice(0, 4)) }, /exactly n = 5/],
    ['t > n', { t: 6 }, /cannot exceed/],
    ['t = 1', { t: 1 }, /at least 2/],
    ['duplicate ids', { trustees: escrowTrustees(trustees).map((t, i) => (i === 1 ? { ...t, id: 'trustee-1' } : t)) }, /same id/],
    ['duplicate fingerprints', { trustees: escrowTrustees(trustees).map((t, i) => (i === 1 ? { ...t, fingerprint: trustees[0]!.fingerprint } : t)) }, /same key fingerprint/],
    ['duplicate X-Wing keys', { trustees: escrowTrustees(trustees).map((t, i) => (i === 1 ? { ...t, xwingPublicKey: trustees[0]!.xwingPublicKey } : t)) }, /X-Wing/],
    ['short ceremony id', { ceremonyId: '0011' }, /ceremony id/],
    ['negative epoch', { epoch: -1 }, /epoch/i],
    ['S too short', { S: master.S.subarray(1) }, /32 bytes/],
  ];
  for (const [name, over, reason] of cases) {
    await assert.rejects(createEscrow({ ...base, ...over }), (e) => isKeyriteError(e) && reason.test((e as Error).message), name);
  }
  assert.equal(binomial(5, 3), 10);
  assert.equal(binomial(255, 128, 50000), Infinity);
  await assertRejectsKeyrite(createEscrow({ ...base, n: 40, t: 20, trustees: escrowTrustees(Array.from({ length: 40 }, (_, i) => ({ ...trustees[0]!, id: `t${i}`, fingerprint: i.toString(16).padStart(64, '0'), xwingPublicKey: flip(trustees[0]!.xwingPublicKey, i, 1 + (i % 255)) }))) }), 'UNSUPPORTED', /combinations/);
});

test('receipts: every trustee opens their envelope and signs; the ceremony verifies all five', async () => {
  const c = await created;
  const receipts: ShareReceipt[] = [];
  for (const [i, tr] of trustees.entries()) {
    const r = await createReceipt({ envelope: c.envelopes[i]!, manifest: c.manifest, masterPublicKey: master.publicKey, trusteeSigner: tr.signer, trusteeXWingSecretKey: tr.xwingSecretKey });
    assert.equal(r.body.commitmentCheck, 'match');
    assert.equal(r.body.blobCheck, 'match');
    assert.equal(r.body.sig, i === 4 ? 'ES256+ML-DSA-65' : 'Ed25519+ML-DSA-65');
    const reread = parseReceipt(encodeReceipt(r));
    assert.equal(encodeReceipt(reread), encodeReceipt(r));
    const v = verifyReceipt({ receipt: reread, envelope: c.envelopes[i]!, manifest: c.manifest, trusteePublicKey: tr.publicKey });
    assert.deepEqual(v.problems, []);
    assert.ok(v.valid);
    receipts.push(r);
  }
  // A receipt checked against the wrong trustee key, envelope or altered body is not valid.
  const wrongKey = verifyReceipt({ receipt: receipts[0]!, envelope: c.envelopes[0]!, manifest: c.manifest, trusteePublicKey: trustees[1]!.publicKey });
  assert.equal(wrongKey.valid, false);
  assert.ok(wrongKey.problems.some((p) => /signature/.test(p)));
  const wrongEnvelope = verifyReceipt({ receipt: receipts[0]!, envelope: c.envelopes[1]!, manifest: c.manifest, trusteePublicKey: trustees[0]!.publicKey });
  assert.ok(wrongEnvelope.problems.some((p) => /different envelope|another trustee/.test(p)));
  const altered = verifyReceipt({ receipt: { ...receipts[0]!, body: { ...receipts[0]!.body, commitmentCheck: 'match', x: receipts[0]!.body.x === 1 ? 2 : 1 } }, envelope: c.envelopes[0]!, manifest: c.manifest, trusteePublicKey: trustees[0]!.publicKey });
  assert.equal(altered.valid, false);
});

test('receipts: a trustee refuses a forged envelope, and records a share that does not match', async () => {
  const c = await created;
  const tr = trustees[0]!;
  const forger = makeMaster(3);
  const env = c.envelopes[0]!;
  await assertRejectsKeyrite(
    createReceipt({ envelope: { ...env, signature: await forger.signer.sign(new Uint8Array([1])) }, manifest: c.manifest, masterPublicKey: master.publicKey, trusteeSigner: tr.signer, trusteeXWingSecretKey: tr.xwingSecretKey }),
    'SHARE_REJECTED',
    /not signed by the master key/,
  );
  await assertRejectsKeyrite(
    createReceipt({ envelope: env, manifest: c.manifest, masterPublicKey: master.publicKey, trusteeSigner: trustees[1]!.signer, trusteeXWingSecretKey: trustees[1]!.xwingSecretKey }),
    'SHARE_REJECTED',
    /another trustee's keys/,
  );
  // The envelope is genuine but the published manifest lists another commitment for this trustee.
  const m2 = { ...c.manifest, trustees: c.manifest.trustees.map((t, i) => (i === 0 ? { ...t, commitment: flip(t.commitment) } : t)) };
  await assertRejectsKeyrite(
    createReceipt({ envelope: env, manifest: m2, masterPublicKey: master.publicKey, trusteeSigner: tr.signer, trusteeXWingSecretKey: tr.xwingSecretKey }),
    'SHARE_REJECTED',
    /does not agree with the escrow manifest/,
  );
  // A master-signed envelope whose sealed share is not the committed one: the receipt says so.
  const lying = await lyingEnvelope(env, { x: env.header.x, y: seed(99) }, seed(98), c.manifest.blob, tr.xwingPublicKey, master.signer);
  const mismatch = await createReceipt({ envelope: lying, manifest: c.manifest, masterPublicKey: master.publicKey, trusteeSigner: tr.signer, trusteeXWingSecretKey: tr.xwingSecretKey });
  assert.equal(mismatch.body.commitmentCheck, 'mismatch');
  const v = verifyReceipt({ receipt: mismatch, envelope: lying, manifest: c.manifest, trusteePublicKey: tr.publicKey });
  assert.equal(v.signature.valid, true);
  assert.equal(v.valid, false);
  assert.ok(v.problems.some((p) => /does not match its published commitment/.test(p)));
  const stranger = makeTrustee(7);
  await assertRejectsKeyrite(
    createReceipt({ envelope: env, manifest: c.manifest, masterPublicKey: master.publicKey, trusteeSigner: stranger.signer, trusteeXWingSecretKey: stranger.xwingSecretKey }),
    'SHARE_REJECTED',
  );
  await assert.rejects(
    createReceipt({ envelope: env, manifest: c.manifest, masterPublicKey: master.publicKey, trusteeSigner: tr.signer, trusteeXWingSecretKey: trustees[1]!.xwingSecretKey }),
    (e) => isKeyriteError(e, 'DECRYPTION_FAILED'),
  );
});

test('receipt files are read strictly', async () => {
  const c = await created;
  const tr = trustees[0]!;
  const r = await createReceipt({ envelope: c.envelopes[0]!, manifest: c.manifest, masterPublicKey: master.publicKey, trusteeSigner: tr.signer, trusteeXWingSecretKey: tr.xwingSecretKey });
  const good = JSON.parse(encodeReceipt(r)) as { body: Record<string, unknown>; signature: Record<string, unknown> };
  for (const bad of [
    { ...good, extra: 1 },
    { ...good, body: { ...good.body, commitmentCheck: 'ok' } },
    { ...good, body: { ...good.body, envelopeSha256: 'zz' } },
    { ...good, body: { ...good.body, format: 'keyrite/share-receipt/v0' } },
    { ...good, signature: { classical: good.signature.classical } },
    { body: good.body },
  ]) {
    assert.throws(() => parseReceipt(JSON.stringify(bad)), (e) => isKeyriteError(e));
  }
});
