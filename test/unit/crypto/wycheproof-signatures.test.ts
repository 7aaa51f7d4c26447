// Wycheproof Ed25519 verification vectors through core/crypto/ed25519.ts (strict RFC 8032).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ed25519Verify } from '../../../core/crypto/ed25519.ts';
import { CaseCounter, hexField, label, loadWycheproof } from './helpers.ts';

test('Wycheproof ed25519_test.json: every case through ed25519Verify', (t) => {
  const file = loadWycheproof('ed25519_test.json');
  const counter = new CaseCounter();
  for (const group of file.testGroups) {
    counter.groups++;
    assert.equal(group.type, 'EddsaVerify');
    const pk = hexField(group.publicKey as Record<string, unknown>, 'pk');
    for (const tc of group.tests) {
      const ok = ed25519Verify(pk, hexField(tc, 'msg'), hexField(tc, 'sig'));
      // The file has no 'acceptable' cases; an invalid one must give false, never throw.
      assert.equal(ok, tc.result === 'valid', label('ed25519', tc));
      counter.add(tc.result);
    }
  }
  counter.assertComplete(file);
  assert.ok((counter.counts.valid ?? 0) > 0 && (counter.counts.invalid ?? 0) > 0);
  t.diagnostic(`ed25519: ${JSON.stringify(counter.counts)}`);
});
