// The one answers writer (core/ceremony/answers-writer.ts): what it writes, parseAnswers reads
// back as the same participants, tokens, paths and dice; no name or path a person types can add
// a key, a participant or a PIN to the file, whatever characters it holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseAnswers, type TrusteeAnswers } from '../../../core/ceremony/answers.ts';
import { encodeAnswers, type AnswersDocument } from '../../../core/ceremony/answers-writer.ts';
import { isKeyriteError } from '../../../core/errors.ts';
import { bytes, parseScriptText, REHEARSAL, RECOVERY, shippedScriptText } from './helpers.ts';

const root = parseScriptText(shippedScriptText(REHEARSAL));
const recovery = parseScriptText(shippedScriptText(RECOVERY));
const TRUSTEES = [1, 2, 3, 4, 5].map((i) => `trustee-${i}`);

function rootDoc(names: readonly string[], outputs: readonly string[] = TRUSTEES.map((id) => `trustees/${id}`)): AnswersDocument {
  return {
    scriptSha256: root.hashHex,
    ceremonyId: '00112233445566778899aabbccddeeff',
    clock: '2026-01-01T09:00:00Z',
    participants: [
      { id: 'admin', name: 'Alice Admin', role: 'administrator' },
      ...TRUSTEES.map((id, i) => ({ id, name: names[i]!, role: 'trustee' as const, token: { software: `tokens/${id}.keyrite-token` }, pin: { env: `PIN_${i + 1}` }, output: outputs[i]!, dice: '3 6 1 4 2 5 '.repeat(9).trim() })),
      { id: 'witness', name: 'Grace Witness', role: 'witness' },
    ],
    master: { token: { software: 'tokens/master.keyrite-token' }, pin: { prompt: true } },
    confirm: root.script.steps.filter((s) => s.witness).map((s) => s.id),
  };
}

test('a root ceremony\'s answers are read back exactly', () => {
  const names = ['Bob "Bobby" O\'Brien', 'Carol: Trustee #2', '- Dave', 'true', '123'];
  const a = parseAnswers(bytes(encodeAnswers(rootDoc(names))), root);
  const trustees = a.participants.filter((p): p is TrusteeAnswers => p.role === 'trustee');
  assert.deepEqual(trustees.map((t) => t.name), names);
  assert.deepEqual(trustees.map((t) => t.output), TRUSTEES.map((id) => `trustees/${id}`));
  assert.deepEqual(trustees.map((t) => t.token), TRUSTEES.map((id) => ({ kind: 'software', path: `tokens/${id}.keyrite-token` })));
  assert.deepEqual(trustees[0]!.pin, { kind: 'env', name: 'PIN_1' });
  assert.equal(trustees[0]!.dice!.length, 54);
  assert.deepEqual(a.master!.pin, { kind: 'prompt' });
  assert.equal(a.ceremonyId, '00112233445566778899aabbccddeeff');
  assert.equal(a.clock, '2026-01-01T09:00:00Z');
  assert.deepEqual(a.confirm, rootDoc(names).confirm);
});

test('a recovery\'s answers: keyrings, envelopes, a card scan, a PKCS#11 URI, the bundle and its trust anchor', () => {
  const text = encodeAnswers({
    participants: [
      { id: 'admin', name: 'Alice', role: 'administrator' },
      { id: 'trustee-1', name: 'Bob', role: 'trustee', token: { uri: 'pkcs11:token=Trustee%201;serial=0001' }, pin: { env: 'P1' }, keyring: 'k1.json', envelope: 'e1.json' },
      { id: 'trustee-2', name: 'Carol', role: 'trustee', token: { uri: 'pkcs11:token=Trustee%202;serial=0002' }, pin: { env: 'P2' }, keyring: 'k2.json', envelopeCard: 'card2.txt' },
      { id: 'trustee-3', name: 'Dave', role: 'trustee', token: { uri: 'pkcs11:token=Trustee%203;serial=0003' }, pin: { env: 'P3' }, keyring: 'k3.json', envelope: 'e3.json' },
      { id: 'witness', name: 'Grace', role: 'witness' },
    ],
    master: { token: { uri: 'pkcs11:token=Keyrite%20Root;serial=00ff' }, pin: { env: 'PM' } },
    bundle: { path: 'bundle', trust: '8047 4608 95e4 5caa f54a 2be0 33a6 aa94 7ac2 0e4f 4dc4 84f0 892b 5200 5038 a27a' },
  });
  const a = parseAnswers(bytes(text), recovery);
  const t2 = a.participants.find((p) => p.id === 'trustee-2') as TrusteeAnswers;
  assert.equal(t2.envelopeCard, 'card2.txt');
  assert.deepEqual(t2.token, { kind: 'pkcs11', match: { token: 'Trustee 2', serial: '0002' }, uri: 'pkcs11:token=Trustee%202;serial=0002' });
  assert.equal(a.bundle!.path, 'bundle');
  assert.equal(a.bundle!.trust!.kind, 'full');
});

test('property: whatever a name or a path holds, it is read back as itself or the file is refused; it never becomes structure', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 20 })), { minLength: 5, maxLength: 5 }), fc.string({ maxLength: 30 }), (names, path) => {
      let a;
      try {
        a = parseAnswers(bytes(encodeAnswers(rootDoc(names, TRUSTEES.map((id, i) => (i === 0 ? path : `trustees/${id}`))))), root);
      } catch (e) {
        assert.ok(isKeyriteError(e), String(e));
        return;
      }
      const trustees = a.participants.filter((p): p is TrusteeAnswers => p.role === 'trustee');
      assert.deepEqual(trustees.map((t) => t.name), names);
      assert.equal(trustees[0]!.output, path);
      assert.equal(a.participants.length, 7);
      assert.deepEqual(trustees.map((t) => t.pin), [1, 2, 3, 4, 5].map((i) => ({ kind: 'env', name: `PIN_${i}` })));
    }),
    { numRuns: 300 },
  );
});
