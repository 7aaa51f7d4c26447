import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyriteError, isKeyriteError } from '../../core/errors.ts';

test('KeyriteError carries a code and a message', () => {
  const e = new KeyriteError('INVALID_INPUT', 'bad');
  assert.equal(e.code, 'INVALID_INPUT');
  assert.ok(isKeyriteError(e, 'INVALID_INPUT'));
  assert.ok(!isKeyriteError(e, 'USAGE'));
  assert.ok(!isKeyriteError(new Error('x')));
});
