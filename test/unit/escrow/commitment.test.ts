import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { checkShareCommitment, commitmentPreimage, shareCommitment, SHARE_COMMIT_LABEL } from '../../../core/escrow/commitment.ts';
import { fromHex, toHex } from '../../../core/encoding/hex.ts';
import { isKeyriteError } from '../../../core/errors.ts';

const base = {
  ceremonyId: fromHex('00112233445566778899aabbccddeeff'),
  epoch: 0x0102030405,
  x: 0xa7,
  salt: Uint8Array.from({ length: 32 }, (_, i) => 0x40 + i),
  share: Uint8Array.from({ length: 32 }, (_, i) => 0x80 + i),
};

test('the preimage is label ‖ ceremony id (16) ‖ epoch (8, big-endian) ‖ x (1) ‖ salt (32) ‖ share (32)', () => {
  const pre = commitmentPreimage(base);
  assert.equal(pre.length, 23 + 16 + 8 + 1 + 32 + 32);
  assert.equal(new TextDecoder().decode(pre.subarray(0, 23)), SHARE_COMMIT_LABEL);
  assert.equal(toHex(pre.subarray(23, 39)), '00112233445566778899aabbccddeeff');
  assert.equal(toHex(pre.subarray(39, 47)), '0000000102030405');
  assert.equal(pre[47], 0xa7);
  assert.deepEqual(pre.subarray(48, 80), base.salt);
  assert.deepEqual(pre.subarray(80, 112), base.share);
});

test('C = SHA-256 of the preimage, checked against an independent SHA-256 (node:crypto)', () => {
  const manual = Buffer.concat([
    Buffer.from('keyrite/share-commit/v1', 'ascii'),
    Buffer.from('00112233445566778899aabbccddeeff', 'hex'),
    Buffer.from('0000000102030405', 'hex'),
    Buffer.from([0xa7]),
    Buffer.from(base.salt),
    Buffer.from(base.share),
  ]);
  assert.equal(toHex(shareCommitment(base)), createHash('sha256').update(manual).digest('hex'));
});

test('every field changes the commitment, and the check compares exactly', () => {
  const c = shareCommitment(base);
  assert.ok(checkShareCommitment(base, c));
  fc.assert(
    fc.property(fc.constantFrom('ceremonyId', 'salt', 'share'), fc.nat(31), fc.integer({ min: 1, max: 255 }), (field, at, mask) => {
      const b = Uint8Array.from(base[field]);
      b[at % b.length]! ^= mask;
      assert.equal(checkShareCommitment({ ...base, [field]: b }, c), false);
    }),
  );
  assert.equal(checkShareCommitment({ ...base, epoch: base.epoch + 1 }, c), false);
  assert.equal(checkShareCommitment({ ...base, x: 0xa6 }, c), false);
  const other = Uint8Array.from(c);
  other[31]! ^= 1;
  assert.equal(checkShareCommitment(base, other), false);
});

test('lengths and ranges are enforced', () => {
  const bad: Array<Partial<typeof base> & Record<string, unknown>> = [
    { ceremonyId: new Uint8Array(15) },
    { salt: new Uint8Array(31) },
    { share: new Uint8Array(33) },
    { x: 0 },
    { x: 256 },
    { epoch: -1 },
    { epoch: 1.5 },
    { epoch: 2 ** 53 },
  ];
  for (const b of bad) assert.throws(() => shareCommitment({ ...base, ...b } as typeof base), (e) => isKeyriteError(e));
  assert.throws(() => checkShareCommitment(base, new Uint8Array(31)), (e) => isKeyriteError(e, 'INVALID_LENGTH'));
});
