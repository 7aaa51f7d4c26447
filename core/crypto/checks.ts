/**
 * Input checks shared by the crypto wrappers (internal to core/crypto).
 * Error codes: a value that is not a byte array -> INVALID_INPUT; a key of the wrong
 * length -> INVALID_KEY; any other fixed-length value (seed, nonce, randomness,
 * ciphertext) of the wrong length -> INVALID_LENGTH.
 */
import { KeyriteError } from '../errors.ts';
import { assertBytes } from '../bytes.ts';

export { assertBytes };

/** Asserts `value` is a byte array of exactly `length` bytes; a wrong length is INVALID_KEY. */
export function assertKey(value: unknown, what: string, length: number): asserts value is Uint8Array {
  assertBytes(value, what);
  if (value.length !== length) {
    throw new KeyriteError('INVALID_KEY', `${what} must be ${length} bytes, got ${value.length}.`);
  }
}

/** A detached plain Uint8Array copy (never a Buffer, never a view of caller memory). */
export function copyOf(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length);
  out.set(b);
  return out;
}

/**
 * Asserts an optional options argument is undefined or an object with only `allowed` keys:
 * a misspelt option (`{ ctx }` for `{ context }`) must not be silently ignored.
 */
export function assertOptions(opts: unknown, what: string, allowed: readonly string[]): void {
  if (opts === undefined) return;
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
    throw new KeyriteError('INVALID_INPUT', `The options for ${what} must be an object.`);
  }
  for (const key of Object.keys(opts)) {
    if (!allowed.includes(key)) {
      throw new KeyriteError('INVALID_INPUT', `Unknown option ${JSON.stringify(key)} for ${what}; allowed: ${allowed.join(', ')}.`);
    }
  }
}
