/** Byte-array helpers shared by every core module. Uint8Array only, never Buffer. */
import { KeyriteError } from './errors.ts';

/**
 * Returns a plain Uint8Array view-copy of `b`. Some libraries (shamir-secret-sharing)
 * reject Uint8Array subclasses such as Node's Buffer, so inputs are normalised here.
 */
export function toPlainBytes(b: Uint8Array): Uint8Array {
  return new Uint8Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
}

export function assertBytes(value: unknown, what: string, length?: number): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new KeyriteError('INVALID_INPUT', `${what} must be a byte array.`);
  }
  if (length !== undefined && value.length !== length) {
    throw new KeyriteError('INVALID_LENGTH', `${what} must be ${length} bytes, got ${value.length}.`);
  }
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Constant-time for equal lengths; lengths themselves are not secret here. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

export function fromUtf8(b: Uint8Array): string {
  try {
    return strictDecoder.decode(b);
  } catch {
    throw new KeyriteError('INVALID_ENCODING', 'Text is not valid UTF-8.');
  }
}

/** Big-endian unsigned integer of `bytes` bytes. */
export function uintBE(value: number, bytes: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0 || value >= 2 ** (8 * bytes)) {
    throw new KeyriteError('INVALID_INPUT', `Value ${value} does not fit in ${bytes} bytes.`);
  }
  const out = new Uint8Array(bytes);
  let v = value;
  for (let i = bytes - 1; i >= 0; i--) {
    out[i] = v % 256;
    v = Math.floor(v / 256);
  }
  return out;
}
