/** Lowercase hexadecimal (RFC 4648 base16). Decoding is strict: even length, [0-9a-fA-F] only. */
import { KeyriteError } from '../errors.ts';

const HEX = '0123456789abcdef';

export function toHex(bytes: Uint8Array): string {
  if (!(bytes instanceof Uint8Array)) throw new KeyriteError('INVALID_INPUT', 'Hex encoding needs a byte array.');
  let s = '';
  for (const b of bytes) s += HEX[b >> 4]! + HEX[b & 15]!;
  return s;
}

export function fromHex(hex: string, what = 'hex value'): Uint8Array {
  if (typeof hex !== 'string') throw new KeyriteError('INVALID_ENCODING', `The ${what} must be a string of hex digits.`);
  if (hex.length % 2 !== 0) throw new KeyriteError('INVALID_ENCODING', `The ${what} has an odd number of hex digits.`);
  if (!/^[0-9a-fA-F]*$/.test(hex)) throw new KeyriteError('INVALID_ENCODING', `The ${what} contains characters that are not hex digits.`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
