/**
 * base64url without padding (RFC 4648 §5), as JOSE and DSSE use it, plus standard
 * base64 for PEM. Decoding is strict: wrong alphabet, bad length or non-canonical
 * trailing bits are rejected, so every byte string has exactly one encoding.
 */
import { KeyriteError } from '../errors.ts';

const STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Character code (below 128) → its value in `alphabet`, or -1: one lookup per character when decoding. */
function valuesOf(alphabet: string): Int8Array {
  const table = new Int8Array(128).fill(-1);
  for (let v = 0; v < alphabet.length; v++) table[alphabet.charCodeAt(v)] = v;
  return table;
}
const STD_VALUES = valuesOf(STD);
const URL_VALUES = valuesOf(URL);

function encode(bytes: Uint8Array, alphabet: string, pad: boolean): string {
  if (!(bytes instanceof Uint8Array)) throw new KeyriteError('INVALID_INPUT', 'Base64 encoding needs a byte array.');
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]! + alphabet[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + (pad ? '==' : '');
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]! + (pad ? '=' : '');
  }
  return out;
}

function decode(text: string, table: Int8Array, padded: boolean, what: string): Uint8Array {
  if (typeof text !== 'string') throw new KeyriteError('INVALID_ENCODING', `The ${what} must be a string.`);
  let s = text;
  if (padded) {
    if (s.length % 4 !== 0) throw new KeyriteError('INVALID_ENCODING', `The ${what} is not valid base64 (length).`);
    if (s.endsWith('==')) s = s.slice(0, -2);
    else if (s.endsWith('=')) s = s.slice(0, -1);
  }
  if (s.length % 4 === 1) throw new KeyriteError('INVALID_ENCODING', `The ${what} is not valid base64 (length).`);
  const values = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    const v = code < 128 ? table[code]! : -1;
    if (v < 0) throw new KeyriteError('INVALID_ENCODING', `The ${what} contains a character that is not base64${padded ? '' : 'url'}.`);
    values[i] = v;
  }
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let o = 0;
  let i = 0;
  for (; i + 3 < s.length; i += 4) {
    const n = (values[i]! << 18) | (values[i + 1]! << 12) | (values[i + 2]! << 6) | values[i + 3]!;
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 255;
    out[o++] = n & 255;
  }
  const rest = s.length - i;
  if (rest === 2) {
    if ((values[i + 1]! & 15) !== 0) throw new KeyriteError('INVALID_ENCODING', `The ${what} is not canonical base64.`);
    out[o] = (values[i]! << 2) | (values[i + 1]! >> 4);
  } else if (rest === 3) {
    if ((values[i + 2]! & 3) !== 0) throw new KeyriteError('INVALID_ENCODING', `The ${what} is not canonical base64.`);
    const n = (values[i]! << 18) | (values[i + 1]! << 12) | (values[i + 2]! << 6);
    out[o] = n >> 16;
    out[o + 1] = (n >> 8) & 255;
  }
  return out;
}

export function toBase64url(bytes: Uint8Array): string {
  return encode(bytes, URL, false);
}

export function fromBase64url(text: string, what = 'base64url value'): Uint8Array {
  return decode(text, URL_VALUES, false, what);
}

export function toBase64(bytes: Uint8Array): string {
  return encode(bytes, STD, true);
}

export function fromBase64(text: string, what = 'base64 value'): Uint8Array {
  return decode(text, STD_VALUES, true, what);
}
