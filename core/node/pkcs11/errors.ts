/**
 * Maps PKCS#11 return values (pkcs11js Pkcs11Error: message "CKR_NAME", numeric `code`)
 * to KeyriteError with sentences a trustee can act on. The table is in docs/TOKENS.md.
 * PIN messages say only what the token's flags say: PKCS#11 has no standard "tries left"
 * counter, just CKF_USER_PIN_COUNT_LOW ("few") and CKF_USER_PIN_FINAL_TRY ("one").
 * Messages never contain the PIN or any other secret; the native error is kept as `cause`
 * (it carries only the CKR name and the function called).
 */
import { KeyriteError } from '../../errors.ts';
import { CKF_TOKEN, CKR, ckrName } from './constants.ts';

export interface Pkcs11ErrorContext {
  /** Token label, for messages. */
  token?: string;
  /** What Keyrite was doing, as a verb phrase: "logging in", "signing with key \"x\"". */
  operation: string;
  /** Mechanism name when the operation used one. */
  mechanism?: string;
  /** CK_TOKEN_INFO.flags read after the failure (PIN errors). */
  tokenFlags?: number;
  /** PIN length bounds, for CKR_PIN_LEN_RANGE. */
  pinLength?: { min: number; max: number };
}

/** The CKR code of a pkcs11js error, or undefined when `e` is not one. */
export function pkcs11ErrorCode(e: unknown): number | undefined {
  if (!(e instanceof Error)) return undefined;
  const code = (e as { code?: unknown }).code;
  if (typeof code !== 'number') return undefined;
  if (e.name === 'Pkcs11Error' || /^CKR_/.test(e.message)) return code;
  return undefined;
}

/** The message part for a wrong PIN, from the flags the token reports after the failure. */
export function triesLeftSentence(flags: number | undefined): string {
  if (flags === undefined) return 'The token did not say how many tries are left.';
  if (flags & CKF_TOKEN.USER_PIN_FINAL_TRY) return 'One try left: the next wrong PIN locks the token.';
  if (flags & CKF_TOKEN.USER_PIN_COUNT_LOW) return 'The token reports few tries left (it does not say how many); check the PIN before trying again.';
  return 'The token does not report how many tries are left.';
}

export function pinLockedMessage(token: string): string {
  return `The user PIN of token "${token}" is locked after too many wrong PINs. Keyrite cannot unlock it: the token's security officer must reset the user PIN with the SO PIN (the vendor's tool, or pkcs11-tool --init-pin --login --login-type so), or the token must be re-initialised, which erases its keys. Use another token or stop the ceremony and record why.`;
}

export function mapPkcs11Error(e: unknown, ctx: Pkcs11ErrorContext): KeyriteError {
  if (e instanceof KeyriteError) return e;
  const code = pkcs11ErrorCode(e);
  const token = ctx.token ?? 'the token';
  const t = ctx.token ? `token "${ctx.token}"` : 'the token';
  const T = ctx.token ? `Token "${ctx.token}"` : 'The token';
  const cause = { cause: e };
  if (code === undefined) {
    return new KeyriteError('TOKEN_ERROR', `${T} failed while ${ctx.operation}: ${e instanceof Error ? e.message.split('\n')[0] : 'unknown error'}.`, cause);
  }
  const name = ckrName(code);
  switch (code) {
    case CKR.PIN_INCORRECT: {
      const flags = ctx.tokenFlags;
      if (flags !== undefined && flags & CKF_TOKEN.USER_PIN_LOCKED) return new KeyriteError('PIN_LOCKED', pinLockedMessage(token), cause);
      return new KeyriteError('PIN_INCORRECT', `Wrong PIN for token "${token}". ${triesLeftSentence(flags)}`, cause);
    }
    case CKR.PIN_LOCKED:
      return new KeyriteError('PIN_LOCKED', pinLockedMessage(token), cause);
    case CKR.PIN_LEN_RANGE:
    case CKR.PIN_INVALID: {
      const bounds = ctx.pinLength ? ` (it accepts ${ctx.pinLength.min} to ${ctx.pinLength.max} characters)` : '';
      return new KeyriteError('PIN_INCORRECT', `The PIN for token "${token}" has a length or characters the token does not accept${bounds}. Nothing was tried against the PIN counter.`, cause);
    }
    case CKR.PIN_EXPIRED:
      return new KeyriteError('TOKEN_ERROR', `The PIN of ${t} has expired. Change it with the token vendor's tool, then try again.`, cause);
    case CKR.USER_PIN_NOT_INITIALIZED:
      return new KeyriteError('TOKEN_ERROR', `${T} has no user PIN yet. Set one with the token vendor's tool first.`, cause);
    case CKR.TOKEN_NOT_PRESENT:
    case CKR.DEVICE_REMOVED:
    case CKR.SESSION_HANDLE_INVALID:
    case CKR.SESSION_CLOSED:
    case CKR.SLOT_ID_INVALID:
    case CKR.TOKEN_NOT_RECOGNIZED:
      return new KeyriteError('TOKEN_REMOVED', `${T} was removed, or its session ended, while ${ctx.operation} (${name}). Plug it in again and select it again; the interrupted step did not complete.`, cause);
    case CKR.MECHANISM_INVALID:
    case CKR.MECHANISM_PARAM_INVALID:
    case CKR.FUNCTION_NOT_SUPPORTED:
    case CKR.CURVE_NOT_SUPPORTED:
    case CKR.DOMAIN_PARAMS_INVALID:
      return new KeyriteError('MECHANISM_UNSUPPORTED', `${T} does not support ${ctx.mechanism ?? 'the mechanism needed'} (${name}) for ${ctx.operation}.`, cause);
    case CKR.USER_NOT_LOGGED_IN:
      return new KeyriteError('TOKEN_ERROR', `Log in to ${t} first (enter its PIN) before ${ctx.operation}.`, cause);
    case CKR.DEVICE_MEMORY:
      return new KeyriteError('TOKEN_ERROR', `${T} is full: it has no room left for ${ctx.operation}.`, cause);
    case CKR.TOKEN_WRITE_PROTECTED:
    case CKR.SESSION_READ_ONLY:
      return new KeyriteError('TOKEN_ERROR', `${T} is write-protected; it refused ${ctx.operation}.`, cause);
    case CKR.ATTRIBUTE_SENSITIVE:
      return new KeyriteError('TOKEN_ERROR', `${T} refused to reveal a protected value while ${ctx.operation} (as a sensitive key should).`, cause);
    case CKR.TEMPLATE_INCONSISTENT:
    case CKR.TEMPLATE_INCOMPLETE:
    case CKR.ATTRIBUTE_VALUE_INVALID:
    case CKR.ATTRIBUTE_TYPE_INVALID:
    case CKR.KEY_TYPE_INCONSISTENT:
    case CKR.KEY_SIZE_RANGE:
      return new KeyriteError('UNSUPPORTED', `${T} refused the key template for ${ctx.operation} (${name}); it may not support this key type with the protections Keyrite requires.`, cause);
    case CKR.KEY_HANDLE_INVALID:
    case CKR.OBJECT_HANDLE_INVALID:
      return new KeyriteError('TOKEN_ERROR', `The key is no longer on ${t} (${name}) while ${ctx.operation}.`, cause);
    case CKR.KEY_FUNCTION_NOT_PERMITTED:
      return new KeyriteError('TOKEN_ERROR', `The key on ${t} is not allowed to be used for ${ctx.operation} (${name}).`, cause);
    case CKR.FUNCTION_CANCELED:
    case CKR.CANCEL:
      return new KeyriteError('TOKEN_ERROR', `${ctx.operation[0]!.toUpperCase() + ctx.operation.slice(1)} on ${t} was cancelled.`, cause);
    case CKR.DEVICE_ERROR:
    case CKR.GENERAL_ERROR:
    case CKR.FUNCTION_FAILED:
    case CKR.HOST_MEMORY:
      return new KeyriteError('TOKEN_ERROR', `${T} reported a device failure (${name}) while ${ctx.operation}. Unplug and re-insert it; if it persists, use another token.`, cause);
    default:
      return new KeyriteError('TOKEN_ERROR', `${T} reported ${name} while ${ctx.operation}.`, cause);
  }
}
