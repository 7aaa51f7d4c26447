import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ESCROW_BLOB_FORMAT, sealEscrowBlob, sameEscrowBlob, type EscrowBlob } from '../../../core/escrow/blob.ts';
import { shareCommitment } from '../../../core/escrow/commitment.ts';
import {
  ENVELOPE_SIGNATURE_CONTEXT,
  createEnvelope,
  encodeEnvelope,
  envelopeAad,
  envelopeHash,
  envelopeSigningMessage,
  openEnvelope,
  parseEnvelope,
  verifyEnvelopeSignature,
  type CreateEnvelopeInput,
  type ShareEnvelope,
} from '../../../core/escrow/envelope.ts';
import { escrowSuites } from '../../../core/escrow/fields.ts';
import { fromHex, toHex } from '../../../core/encoding/hex.ts';
import { canonicalBytes } from '../../../core/encoding/jcs.ts';
import { verifyHybrid } from '../../../core/crypto/hybrid.ts';
import { openSealed } from '../../../core/crypto/seal.ts';
import { isKeyriteError } from '../../../core/errors.ts';
import { assertKeyrite, flip, lyingEnvelope, makeMaster, makeTrustee, seed } from './helpers.ts';

const master = makeMaster(1);
const foreign = makeMaster(2);
const trustee = makeTrustee(1);
const other = makeTrustee(2);
const ceremonyId = '00112233445566778899aabbccddeeff';
const suites = escrowSuites('Ed25519+ML-DSA-65');
const blob: EscrowBlob = sealEscrowBlob(seed(50), master.S, { format: ESCROW_BLOB_FORMAT, suites, ceremonyId, epoch: 1, masterFingerprint: master.fingerprint });
const share = { x: 42, y: seed(51) };
const salt = seed(52);
const commitment = toHex(shareCommitment({ ceremonyId: fromHex(ceremonyId), epoch: 1, x: 42, salt, share: share.y }));

function input(over: Partial<CreateEnvelopeInput> = {}): CreateEnvelopeInput {
  return {
    header: { suites, ceremonyId, epoch: 1, masterFingerprint: master.fingerprint, n: 5, t: 3, x: 42, trusteeId: trustee.id, trusteeFingerprint: trustee.fingerprint, commitment },
    share,
    salt,
    blob,
    trusteeXWingPublicKey: trustee.xwingPublicKey,
    masterSigner: master.signer,
    ...over,
  };
}

const envPromise = createEnvelope(input());

test('create, write, read, verify and open an envelope', async () => {
  const env = await envPromise;
  const text = encodeEnvelope(env);
  const reread = parseEnvelope(text);
  assert.equal(encodeEnvelope(reread), text);
  assert.deepEqual(envelopeHash(reread), envelopeHash(env));
  const v = verifyEnvelopeSignature(reread, master.publicKey);
  assert.deepEqual(v, { valid: true, mode: 'hybrid', classical: 'pass', pq: 'pass' });
  const opened = openEnvelope(reread, trustee.xwingSecretKey);
  assert.deepEqual(opened.share, share);
  assert.deepEqual(opened.salt, salt);
  assert.ok(sameEscrowBlob(opened.blob, blob));
  const parsed = JSON.parse(text) as { header: Record<string, unknown> };
  assert.deepEqual(Object.keys(parsed), ['header', 'sealed', 'signature']);
  assert.deepEqual(Object.keys(parsed.header), ['ceremonyId', 'commitment', 'epoch', 'format', 'masterFingerprint', 'n', 'suites', 't', 'trusteeFingerprint', 'trusteeId', 'x']);
});

test('the signature covers prefix ‖ 0x00 ‖ JCS({header, sealed}); the sealed payload is bound to JCS(header)', async () => {
  const env = await envPromise;
  const obj = JSON.parse(encodeEnvelope(env)) as { header: unknown; sealed: unknown };
  const msg = envelopeSigningMessage(env.header, env.sealed);
  const prefix = new TextEncoder().encode(`${ENVELOPE_SIGNATURE_CONTEXT}\u0000`);
  assert.deepEqual(msg.subarray(0, prefix.length), prefix);
  assert.deepEqual(msg.subarray(prefix.length), canonicalBytes({ header: obj.header, sealed: obj.sealed }));
  assert.ok(verifyHybrid(master.publicKey, msg, env.signature).valid);
  const payload = openSealed(env.sealed, trustee.xwingSecretKey, envelopeAad(env.header));
  assert.equal(payload[0], 1);
  assert.equal(payload[1], 42);
  assert.deepEqual(payload.subarray(2, 34), share.y);
  assert.deepEqual(payload.subarray(34, 66), salt);
});

test('a flipped byte anywhere in the file breaks the signature or the parse', async () => {
  const env = await envPromise;
  const fields: Array<[string, (e: ShareEnvelope, at: number) => ShareEnvelope]> = [
    ['kemCiphertext', (e, at) => ({ ...e, sealed: { ...e.sealed, kemCiphertext: flip(e.sealed.kemCiphertext, at) } })],
    ['nonce', (e, at) => ({ ...e, sealed: { ...e.sealed, nonce: flip(e.sealed.nonce, at) } })],
    ['ciphertext', (e, at) => ({ ...e, sealed: { ...e.sealed, ciphertext: flip(e.sealed.ciphertext, at) } })],
    ['classical signature', (e, at) => ({ ...e, signature: { ...e.signature, classical: flip(e.signature.classical, at) } })],
    ['pq signature', (e, at) => ({ ...e, signature: { ...e.signature, pq: flip(e.signature.pq, at) } })],
    ['epoch', (e) => ({ ...e, header: { ...e.header, epoch: 2 } })],
    ['x', (e) => ({ ...e, header: { ...e.header, x: 43 } })],
    ['trusteeId', (e) => ({ ...e, header: { ...e.header, trusteeId: 'trustee-9' } })],
    ['t', (e) => ({ ...e, header: { ...e.header, t: 2 } })],
    ['commitment', (e) => ({ ...e, header: { ...e.header, commitment: toHex(flip(fromHex(e.header.commitment))) } })],
  ];
  for (const [name, mutate] of fields) {
    for (const at of [0, 17, 1000]) {
      const bad = mutate(env, at);
      assert.equal(verifyEnvelopeSignature(bad, master.publicKey).valid, false, name);
    }
  }
  // Header or sealed-part changes also stop the trustee from opening it.
  assertKeyrite(() => openEnvelope({ ...env, header: { ...env.header, epoch: 9 } }, trustee.xwingSecretKey), 'DECRYPTION_FAILED');
  assertKeyrite(() => openEnvelope({ ...env, sealed: { ...env.sealed, ciphertext: flip(env.sealed.ciphertext, 5) } }, trustee.xwingSecretKey), 'DECRYPTION_FAILED');
});

test('another key: a foreign master signature, the wrong trustee key, verify modes', async () => {
  const env = await envPromise;
  assert.equal(verifyEnvelopeSignature(env, foreign.publicKey).valid, false);
  const resigned: ShareEnvelope = { ...env, signature: await foreign.signer.sign(envelopeSigningMessage(env.header, env.sealed)) };
  assert.equal(verifyEnvelopeSignature(resigned, master.publicKey).valid, false);
  assert.equal(verifyEnvelopeSignature(resigned, foreign.publicKey).valid, true);
  assertKeyrite(() => openEnvelope(env, other.xwingSecretKey), 'DECRYPTION_FAILED');
  const classicalOnly = verifyEnvelopeSignature({ ...env, signature: { ...env.signature, pq: flip(env.signature.pq) } }, master.publicKey, 'classical-only');
  assert.deepEqual(classicalOnly, { valid: true, mode: 'classical-only', classical: 'pass', pq: 'not-checked' });
  // A hybrid key of the other suite (ES256 trustee key) never validates an Ed25519-suite envelope.
  assert.equal(verifyEnvelopeSignature(env, makeTrustee(3, true).publicKey).valid, false);
});

test('createEnvelope refuses inconsistent input', async () => {
  const h = input().header;
  const bad: Array<Partial<CreateEnvelopeInput>> = [
    { share: { x: 41, y: share.y } },
    { share: { x: 42, y: new Uint8Array(31) } },
    { salt: new Uint8Array(16) },
    { header: { ...h, suites: escrowSuites('ES256+ML-DSA-65') } },
    { header: { ...h, t: 6 } },
    { header: { ...h, x: 0 } },
    { header: { ...h, ceremonyId: 'ff'.repeat(16) } },
    { header: { ...h, trusteeId: 'not an id' } },
    { header: { ...h, extra: 1 } as typeof h },
    { trusteeXWingPublicKey: new Uint8Array(1215) },
  ];
  for (const over of bad) await assert.rejects(createEnvelope(input(over)), (e) => isKeyriteError(e), JSON.stringify(Object.keys(over)));
});

test('the share inside must agree with the header: index, commitment, escrow blob', async () => {
  const genuine = await envPromise;
  // createEnvelope refuses a header commitment that is not this share's.
  await assert.rejects(createEnvelope(input({ header: { ...input().header, commitment: 'ab'.repeat(32) } })), (e) => isKeyriteError(e, 'INVALID_INPUT') && /not the commitment of this share/.test((e as Error).message));
  // A lying creator seals another share, or another index, under a genuine-looking signed header.
  const otherShare = await lyingEnvelope(genuine, { x: 42, y: seed(60) }, salt, blob, trustee.xwingPublicKey, master.signer);
  assert.ok(verifyEnvelopeSignature(otherShare, master.publicKey).valid);
  assertKeyrite(() => openEnvelope(otherShare, trustee.xwingSecretKey), 'SHARE_REJECTED', /commitment in the envelope header/);
  const otherIndex = await lyingEnvelope(genuine, { x: 43, y: share.y }, salt, blob, trustee.xwingPublicKey, master.signer);
  assertKeyrite(() => openEnvelope(otherIndex, trustee.xwingSecretKey), 'SHARE_REJECTED', /index 43 but the envelope header says 42/);
  const otherBlob = sealEscrowBlob(seed(50), master.S, { format: ESCROW_BLOB_FORMAT, suites, ceremonyId: 'ff'.repeat(16), epoch: 1, masterFingerprint: master.fingerprint });
  const wrongBlob = await lyingEnvelope(genuine, share, salt, otherBlob, trustee.xwingPublicKey, master.signer);
  assertKeyrite(() => openEnvelope(wrongBlob, trustee.xwingSecretKey), 'SHARE_REJECTED', /another ceremony, epoch or master key/);
});

test('strict parsing of envelope files', async () => {
  const good = JSON.parse(encodeEnvelope(await envPromise)) as Record<string, Record<string, unknown>>;
  const cases: unknown[] = [
    { ...good, extra: 1 },
    { header: good.header, sealed: good.sealed },
    { ...good, header: { ...good.header, x: 0 } },
    { ...good, header: { ...good.header, x: 256 } },
    { ...good, header: { ...good.header, n: 1 } },
    { ...good, header: { ...good.header, t: 6 } },
    { ...good, header: { ...good.header, format: 'keyrite/share-envelope/v2' } },
    { ...good, header: { ...good.header, suites: { ...good.header!.suites!, kem: 'ML-KEM-768' } } },
    { ...good, header: { ...good.header, commitment: 'AB'.repeat(32) } },
    { ...good, sealed: { ...good.sealed, nonce: 'AAAA' } },
    { ...good, sealed: { ...good.sealed, kemCiphertext: `${good.sealed!.kemCiphertext as string}AA` } },
    { ...good, signature: { ...good.signature, pq: 'AA' } },
    { ...good, signature: { classical: good.signature!.classical } },
    { ...good, sealed: [] },
  ];
  for (const c of cases) assert.throws(() => parseEnvelope(JSON.stringify(c)), (e) => isKeyriteError(e), JSON.stringify(c).slice(0, 100));
  const text = JSON.stringify(good);
  assertKeyrite(() => parseEnvelope(`${text.slice(0, -1)},"header":{}}`), 'INVALID_JSON', /duplicate|twice|more than once/i);
  assertKeyrite(() => parseEnvelope(`\uFEFF${text}`), 'INVALID_JSON');
  assertKeyrite(() => parseEnvelope(text + 'x'), 'INVALID_JSON');
});

test('garbage JSON never parses as an envelope', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.json(), fc.jsonValue().map((v) => JSON.stringify({ header: v, sealed: v, signature: v }))), (text) => {
      assert.throws(() => parseEnvelope(text), (e) => isKeyriteError(e));
    }),
    { numRuns: 300 },
  );
});
