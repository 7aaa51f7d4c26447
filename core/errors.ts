/**
 * Every error Keyrite raises on bad input or a failed check is a KeyriteError:
 * a stable machine-readable `code` plus a sentence a trustee can act on.
 * Messages never contain secret material (seeds, shares, PINs, private keys).
 */
export type ErrorCode =
  | 'INVALID_INPUT'
  | 'INVALID_LENGTH'
  | 'INVALID_ENCODING'
  | 'INVALID_JSON'
  | 'INVALID_KEY'
  | 'INVALID_SIGNATURE'
  | 'DECRYPTION_FAILED'
  | 'SHARE_REJECTED'
  | 'SELFTEST_FAILED'
  | 'UNSUPPORTED'
  | 'TOKEN_ERROR'
  | 'PIN_INCORRECT'
  | 'PIN_LOCKED'
  | 'TOKEN_NOT_FOUND'
  | 'TOKEN_REMOVED'
  | 'MECHANISM_UNSUPPORTED'
  | 'OBJECT_EXISTS'
  | 'IO_ERROR'
  | 'SCRIPT_INVALID'
  | 'ANSWERS_INVALID'
  | 'CEREMONY_ERROR'
  | 'VERIFY_FAILED'
  | 'REQUEST_REFUSED'
  | 'AUDIT_SCRIPT_ERROR'
  | 'USAGE';

export class KeyriteError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KeyriteError';
    this.code = code;
  }
}

export function isKeyriteError(e: unknown, code?: ErrorCode): e is KeyriteError {
  return e instanceof KeyriteError && (code === undefined || e.code === code);
}
