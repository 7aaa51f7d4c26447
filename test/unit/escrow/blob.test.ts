import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  ESCROW_BLOB_FORMAT,
  encodeEscrowBlob,
  escrowBlobAad,
  openEscrowBlob,
  parseEscrowBlob,
  sealEscrowBlob,
  type EscrowBlobHeader,
} from '../../../core/escrow/blob.ts';
import { escrowSuites } from '../../../core/escrow/fields.ts';
import { xchachaSeal } from '../../../core/crypto/aead.ts';
import { isKeyriteError } from '../../../core/errors.ts';
import { assertKeyrite, flip, seed } from './helpers.ts';

const K = seed(7);
const S = seed(8);
const header: EscrowBlobHeader = {
  format: ESCROW_BLOB_FORMAT,
  suites: escrowSuites('Ed25519+ML-DSA-65'),
  ceremonyId: '00112233445566778899aabbccddeeff',
  epoch: 3,
  masterFingerprint: 'ab'.repeat(32),
};

test('seal then open gives S back; the blob file is canonical JSON and reads back strictly', () => {
  const blob = sealEscrowBlob(K, S, header);
  assert.equal(blob.nonce.length, 24);
  assert.equal(blob.ciphertext.length, 48);
  assert.deepEqual(openEscrowBlob(K, blob), S);
  const text = encodeEscrowBlob(blob);
  assert.match(text, /^\{"ciphertext":"[A-Za-z0-9_-]{64}","header":\{"ceremonyId":"00112233445566778899aabbccddeeff","epoch":3,"format":"keyrite\/escrow-blob\/v1","masterFingerprint":"(ab){32}","suites":\{"aead":"XChaCha20-Poly1305","kem":"X-Wing","sig":"Ed25519\+ML-DSA-65","sss":"Shamir-GF\(2\^8\)"\}\},"nonce":"[A-Za-z0-9_-]{32}"\}$/);
  assert.deepEqual(openEscrowBlob(K, parseEscrowBlob(text)), S);
  assert.equal(encodeEscrowBlob(parseEscrowBlob(text)), text);
});

test('E is XChaCha20-Poly1305(K, S) with the canonical header as associated data', () => {
  const nonce = seed(9).subarray(0, 24);
  const blob = sealEscrowBlob(K, S, header, { nonce });
  assert.deepEqual(blob.ciphertext, xchachaSeal(K, nonce, S, escrowBlobAad(header)));
  assert.equal(new TextDecoder().decode(escrowBlobAad(header)), JSON.stringify(JSON.parse(encodeEscrowBlob(blob)).header));
});

test('any change to the header, nonce or ciphertext, or a wrong K, fails to open', () => {
  const blob = sealEscrowBlob(K, S, header);
  const variants: EscrowBlobHeader[] = [
    { ...header, ceremonyId: 'ff112233445566778899aabbccddeeff' },
    { ...header, epoch: 2 },
    { ...header, masterFingerprint: 'ac' + 'ab'.repeat(31) },
    { ...header, suites: escrowSuites('ES256+ML-DSA-65') },
  ];
  for (const h of variants) assertKeyrite(() => openEscrowBlob(K, { ...blob, header: h }), 'DECRYPTION_FAILED');
  fc.assert(
    fc.property(fc.nat(47), fc.integer({ min: 1, max: 255 }), (at, mask) => {
      assertKeyrite(() => openEscrowBlob(K, { ...blob, ciphertext: flip(blob.ciphertext, at, mask) }), 'DECRYPTION_FAILED');
      assertKeyrite(() => openEscrowBlob(K, { ...blob, nonce: flip(blob.nonce, at, mask) }), 'DECRYPTION_FAILED');
      assertKeyrite(() => openEscrowBlob(flip(K, at, mask), blob), 'DECRYPTION_FAILED');
    }),
    { numRuns: 100 },
  );
});

test('inputs are checked: key and seed lengths, header fields', () => {
  assertKeyrite(() => sealEscrowBlob(K.subarray(1), S, header), 'INVALID_LENGTH');
  assertKeyrite(() => sealEscrowBlob(K, new Uint8Array(33), header), 'INVALID_LENGTH');
  for (const h of [
    { ...header, format: 'keyrite/escrow-blob/v2' },
    { ...header, ceremonyId: '0011' },
    { ...header, ceremonyId: header.ceremonyId.toUpperCase() },
    { ...header, epoch: -1 },
    { ...header, epoch: 1.5 },
    { ...header, masterFingerprint: 'xyz' },
    { ...header, suites: { ...header.suites, aead: 'AES-256-GCM' } },
    { ...header, extra: 1 },
  ]) {
    assert.throws(() => sealEscrowBlob(K, S, h as EscrowBlobHeader), (e) => isKeyriteError(e));
  }
});

test('strict parsing: exact members, canonical base64url, exact lengths, whole numbers', () => {
  const good = JSON.parse(encodeEscrowBlob(sealEscrowBlob(K, S, header))) as Record<string, unknown>;
  const h = good.header as Record<string, unknown>;
  const cases: unknown[] = [
    { ...good, extra: true },
    { header: good.header, nonce: good.nonce },
    { ...good, nonce: `${good.nonce as string}A` },
    { ...good, nonce: (good.nonce as string).slice(1) },
    { ...good, ciphertext: `${(good.ciphertext as string).slice(0, -1)}=` },
    { ...good, ciphertext: (good.ciphertext as string).replace(/./, '+') },
    { ...good, header: { ...h, epoch: '3' } },
    { ...good, header: { ...h, unknown: 1 } },
    { ...good, header: [] },
    [],
    null,
  ];
  for (const c of cases) assert.throws(() => parseEscrowBlob(JSON.stringify(c)), (e) => isKeyriteError(e), JSON.stringify(c).slice(0, 80));
  assertKeyrite(() => parseEscrowBlob(`${JSON.stringify(good).slice(0, -1)},"header":{}}`), 'INVALID_JSON');
  assertKeyrite(() => parseEscrowBlob(JSON.stringify({ ...good, header: { ...h, epoch: 3.0e0 } }).replace('"epoch":3', '"epoch":3.0')), 'INVALID_JSON');
});

test('garbage never escapes as anything but a KeyriteError', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.json(), fc.jsonValue().map((v) => JSON.stringify(v))), (text) => {
      assert.throws(() => parseEscrowBlob(text), (e) => isKeyriteError(e));
    }),
    { numRuns: 300 },
  );
});
