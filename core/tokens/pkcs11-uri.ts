/**
 * Token matching with RFC 7512 PKCS#11 URIs: `pkcs11:token=…;serial=…;manufacturer=…;model=…`.
 *
 * Keyrite selects tokens by what the token says about itself (CK_TOKEN_INFO label,
 * serialNumber, manufacturerID, model) and optionally by the library (CK_INFO), never by
 * slot: slot ids are renumbered by modules (SoftHSM does it on every init) and slot
 * descriptions name the reader, not the token. So this parser:
 *  - accepts the token attributes `token`, `serial`, `manufacturer`, `model` and the
 *    library attributes `library-manufacturer`, `library-description`, `library-version`;
 *  - rejects `slot-id`, `slot-description`, `slot-manufacturer` (never select by slot);
 *  - rejects object attributes `object`, `type`, `id` (a URI here names a token; objects are
 *    chosen by Keyrite labels, so a URI must not silently select less than it says);
 *  - rejects `pin-value` and `pin-source`: URIs end up in ceremony scripts, transcripts,
 *    logs and on screen; a PIN in one would be written down forever, and pin-source would
 *    make Keyrite read a file or run a command named by a script. PINs come from the
 *    answers (environment variable or prompt) only;
 *  - rejects `module-name` and `module-path`: which native library is loaded is chosen by
 *    the operator (--module / KEYRITE_PKCS11_MODULE), never by a URI inside a script;
 *  - rejects unknown and vendor (`x-…`) attributes, duplicates, fragments, bad percent-encoding
 *    and characters RFC 7512 requires to be percent-encoded.
 * Values are percent-decoded as UTF-8 and compared exactly, after removing the blank padding
 * PKCS#11 puts in fixed-width fields.
 */
import { KeyriteError } from '../errors.ts';
import type { LibraryIdentity, TokenIdentity } from './token.ts';

export interface TokenMatch {
  /** CK_TOKEN_INFO.label */
  token?: string;
  /** CK_TOKEN_INFO.manufacturerID */
  manufacturer?: string;
  /** CK_TOKEN_INFO.serialNumber */
  serial?: string;
  /** CK_TOKEN_INFO.model */
  model?: string;
  /** CK_INFO.manufacturerID */
  libraryManufacturer?: string;
  /** CK_INFO.libraryDescription */
  libraryDescription?: string;
  /** CK_INFO.libraryVersion, "M" or "M.m" */
  libraryVersion?: string;
}

const MAX_URI_LENGTH = 4096;

// RFC 7512 §2.3: pk11-pchar = unreserved / pk11-res-avail / pct-encoded, where
// pk11-res-avail = ":" / "[" / "]" / "@" / "!" / "$" / "'" / "(" / ")" / "*" / "+" / "," / "=",
// and "&" is also allowed unencoded in the path.
const PATH_CHAR = /^[A-Za-z0-9\-._~:[\]@!$'()*+,=&]$/;
// Characters formatTokenUri leaves as they are; everything else is percent-encoded.
const FORMAT_SAFE = /^[A-Za-z0-9\-._~:[\]@!$'()*+,=]$/;

const TOKEN_ATTRS: Record<string, keyof TokenMatch> = {
  token: 'token',
  manufacturer: 'manufacturer',
  serial: 'serial',
  model: 'model',
  'library-manufacturer': 'libraryManufacturer',
  'library-description': 'libraryDescription',
  'library-version': 'libraryVersion',
};

const SLOT_ATTRS = new Set(['slot-id', 'slot-description', 'slot-manufacturer']);
const OBJECT_ATTRS = new Set(['object', 'type', 'id']);
const PIN_ATTRS = new Set(['pin-value', 'pin-source']);
const MODULE_ATTRS = new Set(['module-name', 'module-path']);

function bad(message: string): KeyriteError {
  return new KeyriteError('INVALID_INPUT', message);
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

function percentDecode(raw: string, attr: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '%') {
      const hex = raw.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw bad(`The PKCS#11 URI has a broken percent-encoding in "${attr}" (a "%" must be followed by two hex digits).`);
      bytes.push(parseInt(hex, 16));
      i += 2;
      continue;
    }
    if (!PATH_CHAR.test(c)) {
      throw bad(`The PKCS#11 URI has the character ${JSON.stringify(c)} in "${attr}"; RFC 7512 requires it to be percent-encoded (for example a space is %20).`);
    }
    bytes.push(c.charCodeAt(0));
  }
  try {
    return utf8Decoder.decode(new Uint8Array(bytes));
  } catch {
    throw bad(`The value of "${attr}" in the PKCS#11 URI is not valid UTF-8 after percent-decoding.`);
  }
}

/** Parses an RFC 7512 URI that selects a token. Throws INVALID_INPUT with a reason on anything else. */
export function parseTokenUri(uri: string): TokenMatch {
  if (typeof uri !== 'string') throw bad('A PKCS#11 URI must be text.');
  if (uri.length > MAX_URI_LENGTH) throw bad(`The PKCS#11 URI is too long (over ${MAX_URI_LENGTH} characters).`);
  if (!/^pkcs11:/i.test(uri)) throw bad('A token URI must start with "pkcs11:" (RFC 7512), for example pkcs11:token=Trustee%201;serial=0123.');
  const rest = uri.slice('pkcs11:'.length);
  if (rest.includes('#')) throw bad('A PKCS#11 URI has no fragment ("#…"); remove it.');
  const q = rest.indexOf('?');
  const path = q >= 0 ? rest.slice(0, q) : rest;
  const query = q >= 0 ? rest.slice(q + 1) : undefined;

  if (query !== undefined) {
    // Only the attribute names matter: every query attribute is refused, each for its own
    // reason, a PIN first (values are never repeated in messages).
    const names = query.split('&').map((part) => part.split('=', 1)[0]!.toLowerCase());
    const pin = names.find((n) => PIN_ATTRS.has(n));
    if (pin) {
      throw bad(`The PKCS#11 URI carries "${pin}". Keyrite refuses PINs in URIs: URIs are stored in scripts and transcripts and shown on screen. Give the PIN when asked, or through the answers file's environment variable.`);
    }
    const mod = names.find((n) => MODULE_ATTRS.has(n));
    if (mod) {
      throw bad(`The PKCS#11 URI carries "${mod}". Keyrite loads the PKCS#11 module named by --module or KEYRITE_PKCS11_MODULE only, never one chosen by a URI.`);
    }
    if (query.length > 0) throw bad('The PKCS#11 URI has a query part ("?…") Keyrite does not use; select the token with path attributes only.');
    throw bad('The PKCS#11 URI ends with an empty query ("?"); remove it.');
  }

  const match: TokenMatch = {};
  if (path.length === 0) return match;
  const seen = new Set<string>();
  for (const part of path.split(';')) {
    if (part.length === 0) throw bad('The PKCS#11 URI has an empty attribute (two ";" in a row, or a trailing ";").');
    const eq = part.indexOf('=');
    if (eq <= 0) throw bad('A PKCS#11 URI attribute has no "name=value" form.');
    const rawName = part.slice(0, eq);
    const name = rawName.toLowerCase();
    if (seen.has(name)) throw bad(`The PKCS#11 URI gives "${name}" more than once (RFC 7512 allows each attribute once).`);
    seen.add(name);
    if (SLOT_ATTRS.has(name)) {
      throw bad(`The PKCS#11 URI selects by "${name}". Keyrite never selects by slot (slot numbers change; SoftHSM renumbers them on every initialisation): use token=, serial=, manufacturer= and model=.`);
    }
    if (OBJECT_ATTRS.has(name)) {
      throw bad(`The PKCS#11 URI names an object ("${name}"). Here a URI selects a token only; Keyrite finds its keys by their Keyrite labels.`);
    }
    if (PIN_ATTRS.has(name) || MODULE_ATTRS.has(name)) {
      throw bad(`"${name}" is a query attribute in RFC 7512 and Keyrite refuses it anywhere in a URI.`);
    }
    const key = TOKEN_ATTRS[name];
    if (key === undefined) {
      if (/^x-/.test(name)) throw bad(`The PKCS#11 URI has the vendor attribute "${rawName}", which Keyrite does not understand; it refuses rather than ignore part of a selection.`);
      throw bad(`The PKCS#11 URI has the unknown attribute "${rawName.slice(0, 40)}"; RFC 7512 token attributes are token, serial, manufacturer and model.`);
    }
    const value = percentDecode(part.slice(eq + 1), name);
    if (key === 'libraryVersion' && !/^\d+(\.\d+)?$/.test(value)) throw bad('"library-version" in a PKCS#11 URI must be "major" or "major.minor", for example 2.6.');
    match[key] = value;
  }
  return match;
}

function encodeValue(value: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(value)) {
    const c = String.fromCharCode(byte);
    out += byte < 0x80 && FORMAT_SAFE.test(c) ? c : '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** Removes the blank padding of PKCS#11 fixed-width fields. */
export function unpad(field: string): string {
  return field.replace(/[ \0]+$/, '');
}

/** The URI that selects this token, in the order p11tool prints them (model, manufacturer, serial, token). */
export function formatTokenUri(t: TokenIdentity): string {
  const parts: string[] = [];
  const add = (name: string, v: string) => {
    parts.push(`${name}=${encodeValue(unpad(v))}`);
  };
  add('model', t.model);
  add('manufacturer', t.manufacturer);
  add('serial', t.serial);
  add('token', t.label);
  return 'pkcs11:' + parts.join(';');
}

/** Formats a match back into a URI (for messages). Only attributes present are written. */
export function formatTokenMatch(m: TokenMatch): string {
  const parts: string[] = [];
  for (const [name, key] of Object.entries(TOKEN_ATTRS)) {
    const v = m[key];
    if (v !== undefined) parts.push(`${name}=${encodeValue(v)}`);
  }
  return 'pkcs11:' + parts.join(';');
}

function versionMatches(want: string, have: string): boolean {
  const [wMaj, wMin] = want.split('.');
  const [hMaj, hMin] = have.split('.');
  if (Number(wMaj) !== Number(hMaj)) return false;
  return wMin === undefined || Number(wMin) === Number(hMin ?? '0');
}

/** True when every attribute of the match equals the token's (padding removed). An empty match matches everything. */
export function tokenMatches(match: TokenMatch, token: TokenIdentity, library?: LibraryIdentity): boolean {
  if (match.token !== undefined && unpad(token.label) !== match.token) return false;
  if (match.serial !== undefined && unpad(token.serial) !== match.serial) return false;
  if (match.manufacturer !== undefined && unpad(token.manufacturer) !== match.manufacturer) return false;
  if (match.model !== undefined && unpad(token.model) !== match.model) return false;
  const wantsLibrary = match.libraryManufacturer !== undefined || match.libraryDescription !== undefined || match.libraryVersion !== undefined;
  if (wantsLibrary) {
    if (!library) return false;
    if (match.libraryManufacturer !== undefined && unpad(library.manufacturer) !== match.libraryManufacturer) return false;
    if (match.libraryDescription !== undefined && unpad(library.description) !== match.libraryDescription) return false;
    if (match.libraryVersion !== undefined && !versionMatches(match.libraryVersion, library.version)) return false;
  }
  return true;
}

/** Accepts a URI string or an already parsed match. */
export function toTokenMatch(selector: string | TokenMatch): TokenMatch {
  return typeof selector === 'string' ? parseTokenUri(selector) : selector;
}

/**
 * Picks the one token a selector names. None → TOKEN_NOT_FOUND listing what is there;
 * several → TOKEN_ERROR naming the candidates by label and serial.
 */
export function selectToken<T extends TokenIdentity & { library?: LibraryIdentity }>(tokens: readonly T[], selector: string | TokenMatch): T {
  const match = toTokenMatch(selector);
  const found = tokens.filter((t) => tokenMatches(match, t, t.library));
  const shown = formatTokenMatch(match);
  const name = (t: TokenIdentity) => `"${unpad(t.label)}" (serial ${unpad(t.serial) || 'none'})`;
  if (found.length === 1) return found[0]!;
  if (found.length === 0) {
    const present = tokens.length === 0 ? 'No token is present.' : `Tokens present: ${tokens.map(name).join(', ')}.`;
    throw new KeyriteError('TOKEN_NOT_FOUND', `No token matches ${shown}. ${present}`);
  }
  throw new KeyriteError('TOKEN_ERROR', `${found.length} tokens match ${shown}: ${found.map(name).join(', ')}. Add serial= to the URI so it names exactly one.`);
}
