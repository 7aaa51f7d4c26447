/**
 * Master-seed mixing (DESIGN.md, "Master key"): S = HKDF-Extract (RFC 5869 §2.2) with
 * SHA-256, salt = UTF-8 'keyrite/v1/entropy-mix', over an unambiguous encoding of the
 * sources in the order given:
 *   IKM = u16(count) || for each source: u16(len(name)) || name (ASCII) || u32(len(bytes)) || bytes
 * (big-endian lengths), so no two different source lists encode to the same IKM.
 * S is as strong as the strongest source as long as any one of them is unpredictable.
 * The transcript records only names and lengths (describeSources), never the bytes.
 */
import { KeyriteError } from '../errors.ts';
import { concatBytes, equalBytes, uintBE, utf8 } from '../bytes.ts';
import { assertBytes } from './checks.ts';
import { hkdfExtract } from './hkdf.ts';
import { wipe } from './wipe.ts';

export const ENTROPY_MIX_SALT = 'keyrite/v1/entropy-mix';
export const MIN_SOURCES = 2;
export const MAX_SOURCES = 64;
export const MIN_STRONG_SOURCE_LENGTH = 32;
export const MAX_SOURCE_LENGTH = 1024 * 1024;
const NAME_PATTERN = /^[\x21-\x7e](?:[\x20-\x7e]{0,62}[\x21-\x7e])?$/;
// A source this long whose bytes are all one value is a broken generator, not entropy.
const STUCK_CHECK_LENGTH = 16;
const SALT = utf8(ENTROPY_MIX_SALT);

export interface EntropySource {
  /** Printable ASCII, 1-64 characters, no leading or trailing space; recorded in the transcript. */
  name: string;
  bytes: Uint8Array;
}

export interface EntropySourceDescription {
  name: string;
  length: number;
}

function validateSources(sources: unknown): asserts sources is EntropySource[] {
  if (!Array.isArray(sources)) throw new KeyriteError('INVALID_INPUT', 'The entropy sources must be a list.');
  if (sources.length < MIN_SOURCES || sources.length > MAX_SOURCES) {
    throw new KeyriteError('INVALID_INPUT', `Between ${MIN_SOURCES} and ${MAX_SOURCES} entropy sources are needed, got ${sources.length}.`);
  }
  const names = new Set<string>();
  let strong = false;
  for (const s of sources as unknown[]) {
    if (s === null || typeof s !== 'object') throw new KeyriteError('INVALID_INPUT', 'Each entropy source must be an object with a name and bytes.');
    const { name, bytes } = s as { name?: unknown; bytes?: unknown };
    if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
      throw new KeyriteError('INVALID_INPUT', 'Each entropy source needs a name of 1 to 64 printable ASCII characters.');
    }
    if (names.has(name)) throw new KeyriteError('INVALID_INPUT', `Two entropy sources are both named "${name}"; names must be distinct.`);
    names.add(name);
    assertBytes(bytes, `The bytes of entropy source "${name}"`);
    if (bytes.length === 0 || bytes.length > MAX_SOURCE_LENGTH) {
      throw new KeyriteError('INVALID_LENGTH', `Entropy source "${name}" must give 1 to ${MAX_SOURCE_LENGTH} bytes, got ${bytes.length}.`);
    }
    if (bytes.length >= STUCK_CHECK_LENGTH && bytes.every((b) => b === bytes[0])) {
      throw new KeyriteError('INVALID_INPUT', `Entropy source "${name}" looks broken: all of its ${bytes.length} bytes have the same value.`);
    }
    if (bytes.length >= MIN_STRONG_SOURCE_LENGTH) strong = true;
  }
  if (!strong) {
    throw new KeyriteError('INVALID_INPUT', `At least one entropy source must give ${MIN_STRONG_SOURCE_LENGTH} bytes or more (a hardware or operating-system generator).`);
  }
  const list = sources as EntropySource[];
  for (let i = 0; i < list.length; i++) {
    for (let j = i + 1; j < list.length; j++) {
      if (list[i]!.bytes.length >= STUCK_CHECK_LENGTH && equalBytes(list[i]!.bytes, list[j]!.bytes)) {
        throw new KeyriteError('INVALID_INPUT', `Entropy sources "${list[i]!.name}" and "${list[j]!.name}" gave identical bytes; at least one of them is broken.`);
      }
    }
  }
}

/** The 32-byte master seed S from at least two sources, one of them 32 bytes or more. */
export function mixEntropy(sources: EntropySource[]): Uint8Array {
  validateSources(sources);
  const parts: Uint8Array[] = [uintBE(sources.length, 2)];
  for (const s of sources) {
    const name = utf8(s.name);
    parts.push(uintBE(name.length, 2), name, uintBE(s.bytes.length, 4), s.bytes);
  }
  const ikm = concatBytes(...parts);
  try {
    return hkdfExtract('sha256', ikm, SALT);
  } finally {
    wipe(ikm);
  }
}

/** Names and byte counts only, for the transcript; validates exactly as mixEntropy does. */
export function describeSources(sources: EntropySource[]): EntropySourceDescription[] {
  validateSources(sources);
  return sources.map((s) => ({ name: s.name, length: s.bytes.length }));
}
