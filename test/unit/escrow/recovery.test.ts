import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  ShareRejectedError,
  assertSeedMatchesMasterKey,
  checkOffer,
  checkSeedMatchesMasterKey,
  createEnvelope,
  envelopeSigningMessage,
  recoverFromShares,
  shareCommitment,
  type CreatedEscrow,
  type EscrowManifest,
  type OfferedShare,
  type RecoveryResult,
  type ShareEnvelope,
} from '../../../core/escrow/escrow.ts';
import { splitSecret } from '../../../core/crypto/shamir.ts';
import { fromHex, toHex } from '../../../core/encoding/hex.ts';
import { CEREMONY_A, CEREMONY_B, assertKeyrite, assertRejectsKeyrite, fiveTrustees, flip, makeEscrow, makeMaster, offer, seed, subsets, type Master, type Trustee } from './helpers.ts';

const master = makeMaster(1);
const foreign = makeMaster(2);
const trustees = fiveTrustees();
// The escrow under test: ceremony A, epoch 2. B: another ceremony. Earlier: the same ceremony's epoch 1.
const escrowA = makeEscrow(master, trustees, CEREMONY_A, 2);
const escrowB = makeEscrow(master, trustees, CEREMONY_B, 2);
const earlier = makeEscrow(master, trustees, CEREMONY_A, 1);

async function recover(c: CreatedEscrow, offered: OfferedShare[], manifest: EscrowManifest = c.manifest): Promise<RecoveryResult> {
  return recoverFromShares({ manifest, masterPublicKey: master.publicKey, offered });
}

function offers(c: CreatedEscrow, indices: number[]): OfferedShare[] {
  return indices.map((i) => offer(c, trustees, i));
}

async function rejection(p: Promise<unknown>, pattern?: RegExp): Promise<ShareRejectedError> {
  const e = await assertRejectsKeyrite(p, 'SHARE_REJECTED', pattern);
  assert.ok(e instanceof ShareRejectedError);
  return e;
}

test('all 10 triples recover S, and S re-derives exactly the published master keys', async () => {
  const c = await escrowA;
  const triples = subsets([0, 1, 2, 3, 4], 3);
  assert.equal(triples.length, 10);
  for (const triple of triples) {
    const r = await recover(c, offers(c, triple));
    assert.deepEqual(r.seed, master.S);
    assert.deepEqual(r.used, triple.map((i) => trustees[i]!.id));
    assert.deepEqual(r.rejected, []);
    assert.equal(r.subsetsTried, 1);
    assert.ok(checkSeedMatchesMasterKey(r.seed, master.publicKey));
    assertSeedMatchesMasterKey(r.seed, master.publicKey);
  }
  assert.equal(checkSeedMatchesMasterKey(master.S, foreign.publicKey), false);
  assertKeyrite(() => assertSeedMatchesMasterKey(foreign.S, master.publicKey), 'VERIFY_FAILED');
});

test('all five shares recover, every one confirmed; pq-only and classical-only modes work as asked', async () => {
  const c = await escrowA;
  const r = await recover(c, offers(c, [4, 3, 2, 1, 0]));
  assert.deepEqual(r.seed, master.S);
  assert.equal(r.used.length, 5);
  for (const mode of ['pq-only', 'classical-only'] as const) {
    const m = await recoverFromShares({ manifest: c.manifest, masterPublicKey: master.publicKey, offered: offers(c, [0, 1, 2]), mode });
    assert.deepEqual(m.seed, master.S);
  }
});

let freeIndex = 0;
void escrowA.then((c) => {
  const used = new Set(c.manifest.trustees.map((t) => t.x));
  freeIndex = [...Array(255).keys()].map((i) => i + 1).find((x) => !used.has(x))!;
});

type Tamper = [string, (o: OfferedShare) => OfferedShare, RegExp, string];

function header(o: OfferedShare, h: Partial<ShareEnvelope['header']>): OfferedShare {
  return { ...o, envelope: { ...o.envelope, header: { ...o.envelope.header, ...h } } };
}

const tampers: Tamper[] = [
  ['share byte', (o) => ({ ...o, share: { x: o.share.x, y: flip(o.share.y, 7) } }), /does not match its published commitment/, 'commitment-mismatch'],
  ['salt byte', (o) => ({ ...o, salt: flip(o.salt, 31, 0x80) }), /does not match its published commitment/, 'commitment-mismatch'],
  // An index no trustee of this escrow has (indices are random), so it cannot be mistaken for tampering with another offer.
  ['share index', (o) => ({ ...o, share: { x: freeIndex, y: o.share.y } }), /the share has index \d+, but its envelope says/, 'index-mismatch'],
  ['forged x = 0', (o) => ({ ...o, share: { x: 0, y: o.share.y } }), /index 0/, 'forged-index'],
  ['header epoch', (o) => header(o, { epoch: 3 }), /epoch 3, not this escrow's epoch 2/, 'header-mismatch'],
  ['header ceremony id', (o) => header(o, { ceremonyId: CEREMONY_B }), /another ceremony/, 'header-mismatch'],
  ['header master fingerprint', (o) => header(o, { masterFingerprint: foreign.fingerprint }), /another master key/, 'header-mismatch'],
  ['header n', (o) => header(o, { n: 4 }), /3-of-4 split/, 'header-mismatch'],
  ['header t', (o) => header(o, { t: 2 }), /2-of-5 split/, 'header-mismatch'],
  ['header x', (o) => header(o, { x: o.envelope.header.x === 255 ? 254 : o.envelope.header.x + 1 }), /share index/, 'header-mismatch'],
  ['header trustee id', (o) => header(o, { trusteeId: 'trustee-5' }), /addressed to trustee "trustee-5"/, 'header-mismatch'],
  ['header trustee fingerprint', (o) => header(o, { trusteeFingerprint: trustees[4]!.fingerprint }), /other trustee keys/, 'header-mismatch'],
  ['header commitment', (o) => header(o, { commitment: toHex(flip(fromHex(o.envelope.header.commitment))) }), /another share commitment/, 'header-mismatch'],
  ['header suites', (o) => header(o, { suites: { ...o.envelope.header.suites, sig: 'ES256+ML-DSA-65' } }), /other algorithms/, 'header-mismatch'],
  ['kem ciphertext byte', (o) => ({ ...o, envelope: { ...o.envelope, sealed: { ...o.envelope.sealed, kemCiphertext: flip(o.envelope.sealed.kemCiphertext, 500) } } }), /signature does not verify/, 'bad-signature'],
  ['sealed nonce byte', (o) => ({ ...o, envelope: { ...o.envelope, sealed: { ...o.envelope.sealed, nonce: flip(o.envelope.sealed.nonce, 3) } } }), /signature does not verify/, 'bad-signature'],
  ['sealed ciphertext byte', (o) => ({ ...o, envelope: { ...o.envelope, sealed: { ...o.envelope.sealed, ciphertext: flip(o.envelope.sealed.ciphertext, 100) } } }), /signature does not verify/, 'bad-signature'],
  ['classical signature byte', (o) => ({ ...o, envelope: { ...o.envelope, signature: { ...o.envelope.signature, classical: flip(o.envelope.signature.classical, 10) } } }), /signature does not verify/, 'bad-signature'],
  ['ML-DSA signature byte', (o) => ({ ...o, envelope: { ...o.envelope, signature: { ...o.envelope.signature, pq: flip(o.envelope.signature.pq, 2000) } } }), /signature does not verify/, 'bad-signature'],
  ['truncated envelope', (o) => ({ ...o, envelope: { ...o.envelope, sealed: { ...o.envelope.sealed, nonce: o.envelope.sealed.nonce.subarray(1) } } }), /envelope is damaged/, 'malformed'],
  ['unknown trustee', (o) => ({ ...o, trusteeId: 'mallory' }), /not a trustee of this escrow/, 'unknown-trustee'],
];

test('a flipped byte in any field of one of 3 offers: that trustee is named and nothing is combined', async () => {
  const c = await escrowA;
  for (const [name, tamper, reason, kind] of tampers) {
    const offered = offers(c, [0, 1, 2]);
    offered[1] = tamper(offered[1]!);
    const e = await rejection(recover(c, offered), /needs 3 valid shares; only 2 were accepted/);
    assert.equal(e.rejections.length, 1, name);
    const r = e.rejections[0]!;
    assert.equal(r.kind, kind, name);
    assert.match(r.reason, reason, name);
    if (kind !== 'unknown-trustee') {
      assert.equal(r.label, 'Bob (trustee-2)', name);
      assert.ok(e.message.includes(`Bob (trustee-2): ${r.reason}`), name);
    }
  }
});

test('4 shares with one corrupted: the corrupted one is named and recovery succeeds', async () => {
  const c = await escrowA;
  for (const [name, tamper, , kind] of tampers) {
    const offered = offers(c, [0, 1, 2, 3]);
    offered[2] = tamper(offered[2]!);
    const r = await recover(c, offered);
    assert.deepEqual(r.seed, master.S, name);
    assert.equal(r.rejected.length, 1, name);
    assert.equal(r.rejected[0]!.kind, kind, name);
    if (kind !== 'unknown-trustee') assert.equal(r.rejected[0]!.trusteeId, 'trustee-3', name);
    assert.deepEqual(r.used, ['trustee-1', 'trustee-2', 'trustee-4'], name);
  }
});

test('random corruption of a share or salt is always caught before combining (property)', async () => {
  const c = await escrowA;
  const base = offers(c, [0, 1, 2]);
  await fc.assert(
    fc.asyncProperty(fc.nat(2), fc.boolean(), fc.nat(31), fc.integer({ min: 1, max: 255 }), async (who, inSalt, at, mask) => {
      const offered = [...base];
      const o = offered[who]!;
      offered[who] = inSalt ? { ...o, salt: flip(o.salt, at, mask) } : { ...o, share: { x: o.share.x, y: flip(o.share.y, at, mask) } };
      const e = await rejection(recover(c, offered));
      assert.deepEqual(e.rejections.map((r) => [r.trusteeId, r.kind]), [[trustees[who]!.id, 'commitment-mismatch']]);
    }),
    { numRuns: 40 },
  );
});

test('a share from another ceremony, and one from an earlier epoch, are named', async () => {
  const [a, b, old] = await Promise.all([escrowA, escrowB, earlier]);
  const fromB = offers(b, [0])[0]!;
  const e1 = await rejection(recover(a, [fromB, ...offers(a, [1, 2])]));
  assert.equal(e1.rejections[0]!.label, 'Alice (trustee-1)');
  assert.match(e1.rejections[0]!.reason, /belongs to another ceremony \(id ffeeddcc…, this escrow is 00112233…\)/);
  const fromOld = offers(old, [0])[0]!;
  const e2 = await rejection(recover(a, [fromOld, ...offers(a, [1, 2])]));
  assert.match(e2.rejections[0]!.reason, /from epoch 1, an earlier split that this escrow \(epoch 2\) replaced/);
  // With a fourth genuine share, recovery goes on without them.
  const r = await recover(a, [fromB, fromOld, ...offers(a, [1, 2, 3])]);
  assert.deepEqual(r.seed, master.S);
  assert.deepEqual(r.rejected.map((x) => x.kind), ['header-mismatch', 'header-mismatch']);
  // The old epoch's share inside the current envelope: commitment mismatch.
  const current = offers(a, [0])[0]!;
  const mixed = { ...current, share: { x: current.share.x, y: fromOld.share.y }, salt: fromOld.salt };
  const e3 = await rejection(recover(a, [mixed, ...offers(a, [1, 2])]));
  assert.equal(e3.rejections[0]!.kind, 'commitment-mismatch');
});

test('an envelope re-signed by a foreign key is rejected', async () => {
  const c = await escrowA;
  const o = offers(c, [0])[0]!;
  const env = o.envelope;
  const resigned = { ...o, envelope: { ...env, signature: await foreign.signer.sign(envelopeSigningMessage(env.header, env.sealed)) } };
  const e = await rejection(recover(c, [resigned, ...offers(c, [1, 2])]));
  assert.equal(e.rejections[0]!.kind, 'bad-signature');
  assert.match(e.rejections[0]!.reason, /signed by another key/);
  // Recovery against the foreign key as "master" is refused up front.
  await assertRejectsKeyrite(recoverFromShares({ manifest: c.manifest, masterPublicKey: foreign.publicKey, offered: offers(c, [0, 1, 2]) }), 'INVALID_KEY', /not the one this escrow manifest names/);
});

test('exact duplicates are dropped; the same index with different bytes is tampering naming both', async () => {
  const c = await escrowA;
  const [o1, o2, o3] = offers(c, [0, 1, 2]) as [OfferedShare, OfferedShare, OfferedShare];
  const r = await recover(c, [o1, o1, o2, { ...o2 }, o3]);
  assert.deepEqual(r.seed, master.S);
  assert.deepEqual(r.duplicatesDropped, ['trustee-1', 'trustee-2']);
  assert.deepEqual(r.used, ['trustee-1', 'trustee-2', 'trustee-3']);
  // A duplicate does not count twice toward the threshold.
  await rejection(recover(c, [o1, o1, o2]), /only 2 were accepted/);
  // Bob offers a share with Alice's index but other bytes.
  const e = await rejection(recover(c, [o1, { ...o2, share: { x: o1.share.x, y: o2.share.y } }, o3]), /Alice \(trustee-1\) and Bob \(trustee-2\): two different shares claim the same index/);
  assert.deepEqual(e.rejections.map((x) => [x.trusteeId, x.kind]), [['trustee-1', 'tampering'], ['trustee-2', 'tampering']]);
  // The same trustee twice with different bytes.
  await rejection(recover(c, [o1, { ...o1, salt: flip(o1.salt) }, o2, o3]), /Alice \(trustee-1\) and Alice \(trustee-1\)/);
});

test('only 2 shares: never combined', async () => {
  const c = await escrowA;
  const e = await rejection(recover(c, offers(c, [3, 4])), /needs 3 valid shares; only 2 were accepted\. Collect more/);
  assert.deepEqual(e.rejections, []);
  await rejection(recover(c, []), /none was accepted/);
});

test('checkOffer checks one share alone, for progress k/t', async () => {
  const c = await escrowA;
  const o = offers(c, [0])[0]!;
  const ok = checkOffer(c.manifest, master.publicKey, o);
  assert.ok(ok.ok);
  const bad = checkOffer(c.manifest, master.publicKey, { ...o, share: { x: 0, y: o.share.y } });
  assert.equal(bad.ok, false);
});

/**
 * A ceremony machine that lies: trustee `bad` (0-based) receives a share that is not on the
 * polynomial, with a matching commitment and a master-signed envelope. Only the subset
 * search can find it.
 */
async function maliciousEscrow(m: Master, ts: Trustee[], bad: number): Promise<CreatedEscrow> {
  const good = await makeEscrow(m, ts, CEREMONY_A, 5);
  const opened = ts.map((_, i) => offer(good, ts, i));
  const wrongY = (await splitSecret(seed(77), { n: 5, t: 3 }))[0]!.y;
  const salt = seed(78);
  const commitment = shareCommitment({ ceremonyId: fromHex(CEREMONY_A), epoch: 5, x: opened[bad]!.share.x, salt, share: wrongY });
  const envelope = await createEnvelope({
    header: { ...good.envelopes[bad]!.header, commitment: toHex(commitment) },
    share: { x: opened[bad]!.share.x, y: wrongY },
    salt,
    blob: good.manifest.blob,
    trusteeXWingPublicKey: ts[bad]!.xwingPublicKey,
    masterSigner: m.signer,
  });
  return {
    ...good,
    envelopes: good.envelopes.map((e, i) => (i === bad ? envelope : e)),
    manifest: { ...good.manifest, trustees: good.manifest.trustees.map((t, i) => (i === bad ? { ...t, commitment } : t)) },
  };
}

test('more than t shares: a share that passes every check but does not fit is found by subsets', async () => {
  const c = await maliciousEscrow(master, trustees, 3);
  // The bad share is offered first, so the first subsets tried contain it.
  const r = await recover(c, offers(c, [3, 0, 1, 2]));
  assert.deepEqual(r.seed, master.S);
  assert.deepEqual(r.rejected.map((x) => [x.label, x.kind]), [['Dave (trustee-4)', 'inconsistent-share']]);
  assert.deepEqual(r.used, ['trustee-1', 'trustee-2', 'trustee-3']);
  assert.ok(r.subsetsTried > 1);
  const all = await recover(c, offers(c, [0, 1, 2, 3, 4]));
  assert.deepEqual(all.rejected.map((x) => x.trusteeId), ['trustee-4']);
  assert.equal(all.used.length, 4);
  // Exactly t shares with the bad one among them: E does not open, nothing is returned.
  await rejection(recover(c, offers(c, [0, 1, 3])), /do not open the escrow blob, although each matched its commitment/);
});
