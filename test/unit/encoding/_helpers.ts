/** Shared assertions for the encoding tests. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isKeyriteError, type ErrorCode } from '../../../core/errors.ts';

/** Asserts that `fn` throws a KeyriteError with `code` (and a message matching `message`, if given). */
export function throwsKeyrite(fn: () => unknown, code: ErrorCode, message?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isKeyriteError(e), `expected a KeyriteError, got ${String(e)}`);
    assert.equal(e.code, code, `wrong code for: ${e.message}`);
    if (message) assert.match(e.message, message);
    return true;
  });
}

/** Runs `fn`; it must either return or throw a KeyriteError (never another error type). */
export function onlyKeyriteErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!isKeyriteError(e)) throw e;
  }
}

export function fixtureText(path: string): string {
  return readFileSync(new URL(`../../fixtures/${path}`, import.meta.url), 'utf8');
}
