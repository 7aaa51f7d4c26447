/**
 * Readable fingerprints: a 32-byte value (a SHA-256 output) shown so that people can
 * compare it aloud at a ceremony.
 *  - hex form: 64 lowercase hex digits in 16 groups of 4, "3f2a 9c01 … 77e0";
 *  - word form: the first 16 bytes (128 bits) as 16 words of the PGP word list
 *    (pgp-words.ts), even positions from the two-syllable list, odd positions from the
 *    three-syllable list, so a missing, repeated or swapped word is detected.
 * parseFingerprint reads either form back and says which it matched, because the word
 * form only covers a 16-byte prefix and must be compared as such.
 *
 * Principal fingerprint (docs/FORMATS.md): the identity of a hybrid key pair (master key
 * or trustee) is SHA-256 over the UTF-8 bytes of the RFC 8785 canonical JSON of
 *   {"classical": <RFC 7638 thumbprint of the classical JWK>,
 *    "pq": <RFC 7638 thumbprint of the ML-DSA-65 JWK>,
 *    "v": "keyrite/principal/v1"}
 */
import { sha256 } from '../crypto/hash.ts';
import { KeyriteError } from '../errors.ts';
import { equalBytes } from '../bytes.ts';
import { toHex } from './hex.ts';
import { canonicalBytes } from './jcs.ts';
import { PGP_WORDS_EVEN, PGP_WORDS_ODD } from './pgp-words.ts';
import { parsePublicJwk } from './thumbprint.ts';

declare const fingerprintBrand: unique symbol;
/** A 32-byte fingerprint. Made by {@link fingerprint}, which copies and checks the length. */
export type Fingerprint = Uint8Array & { readonly [fingerprintBrand]: true };

export const FINGERPRINT_LENGTH = 32;
/** Bytes covered by the word form. */
export const FINGERPRINT_WORDS_PREFIX = 16;
export const PRINCIPAL_FINGERPRINT_VERSION = 'keyrite/principal/v1';

/** A fingerprint value from 32 bytes (copied, so later changes to `bytes` do not affect it). */
export function fingerprint(bytes: Uint8Array): Fingerprint {
  if (!(bytes instanceof Uint8Array)) throw new KeyriteError('INVALID_INPUT', 'A fingerprint must be made from a byte array.');
  if (bytes.length !== FINGERPRINT_LENGTH) throw new KeyriteError('INVALID_LENGTH', `A fingerprint must be ${FINGERPRINT_LENGTH} bytes, got ${bytes.length}.`);
  return Uint8Array.from(bytes) as Fingerprint;
}

function checked(fp: Uint8Array): Uint8Array {
  if (!(fp instanceof Uint8Array) || fp.length !== FINGERPRINT_LENGTH) {
    throw new KeyriteError('INVALID_INPUT', `A fingerprint must be ${FINGERPRINT_LENGTH} bytes.`);
  }
  return fp;
}

/** "3f2a 9c01 …": 64 lowercase hex digits in 16 space-separated groups of 4. */
export function formatFingerprintHex(fp: Fingerprint): string {
  const hex = toHex(checked(fp));
  const groups: string[] = [];
  for (let i = 0; i < hex.length; i += 4) groups.push(hex.slice(i, i + 4));
  return groups.join(' ');
}

/** The 16 PGP words for the first 16 bytes, in order (join with spaces to show them). */
export function fingerprintWords(fp: Fingerprint): string[] {
  const bytes = checked(fp);
  const words: string[] = [];
  for (let i = 0; i < FINGERPRINT_WORDS_PREFIX; i++) {
    words.push((i % 2 === 0 ? PGP_WORDS_EVEN : PGP_WORDS_ODD)[bytes[i]!]!);
  }
  return words;
}

export type ParsedFingerprint =
  /** All 32 bytes were given (hex form). */
  | { kind: 'full'; bytes: Uint8Array }
  /** Only the first 16 bytes were given (word form). */
  | { kind: 'words-prefix'; prefix: Uint8Array };

const EVEN_INDEX = new Map<string, number>();
const ODD_INDEX = new Map<string, number>();
PGP_WORDS_EVEN.forEach((w, i) => EVEN_INDEX.set(w.toLowerCase(), i));
PGP_WORDS_ODD.forEach((w, i) => ODD_INDEX.set(w.toLowerCase(), i));
// Some copies of the list write the odd word for 0xFF with an accent.
ODD_INDEX.set('yucatán', 0xff);

/**
 * Reads a fingerprint typed or pasted by a person: either 64 hex digits (any case, with or
 * without spaces, tabs, newlines or colons between them) or the 16-word form (any case,
 * words separated by whitespace). Anything else is refused with the reason.
 */
export function parseFingerprint(text: string): ParsedFingerprint {
  if (typeof text !== 'string') throw new KeyriteError('INVALID_INPUT', 'A fingerprint must be given as text.');
  if (text.length > 1000) throw new KeyriteError('INVALID_ENCODING', 'The fingerprint text is far too long.');
  const trimmed = text.trim();
  if (trimmed.length === 0) throw new KeyriteError('INVALID_ENCODING', 'The fingerprint is empty.');
  if (/^[0-9A-Fa-f:\s]+$/.test(trimmed)) {
    const hex = trimmed.replace(/[:\s]/g, '');
    if (hex.length !== 2 * FINGERPRINT_LENGTH) {
      throw new KeyriteError('INVALID_LENGTH', `A fingerprint has 64 hex digits, this one has ${hex.length}.`);
    }
    const bytes = new Uint8Array(FINGERPRINT_LENGTH);
    for (let i = 0; i < FINGERPRINT_LENGTH; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
    return { kind: 'full', bytes };
  }
  const words = trimmed.split(/\s+/);
  const lower = words.map((w) => w.toLowerCase());
  const unknownAt = lower.findIndex((w) => !EVEN_INDEX.has(w) && !ODD_INDEX.has(w));
  if (unknownAt >= 0) {
    throw new KeyriteError('INVALID_ENCODING', `The fingerprint is neither 64 hex digits nor ${FINGERPRINT_WORDS_PREFIX} fingerprint words: word ${unknownAt + 1} is not in the PGP word list.`);
  }
  if (words.length !== FINGERPRINT_WORDS_PREFIX) {
    throw new KeyriteError('INVALID_LENGTH', `The word form of a fingerprint has ${FINGERPRINT_WORDS_PREFIX} words, this one has ${words.length}.`);
  }
  const prefix = new Uint8Array(FINGERPRINT_WORDS_PREFIX);
  for (let i = 0; i < FINGERPRINT_WORDS_PREFIX; i++) {
    const even = i % 2 === 0;
    const value = (even ? EVEN_INDEX : ODD_INDEX).get(lower[i]!);
    if (value === undefined) {
      throw new KeyriteError(
        'INVALID_ENCODING',
        `Word ${i + 1} ("${words[i]}") is one of the words used at positions ${even ? '2, 4, 6' : '1, 3, 5'}, …, so it cannot be word ${i + 1}: a word is probably missing, repeated or swapped.`,
      );
    }
    prefix[i] = value;
  }
  return { kind: 'words-prefix', prefix };
}

/**
 * Whether a fingerprint agrees with what a person entered: all 32 bytes for the hex form,
 * the first 16 bytes for the word form. Callers must show which one was compared.
 */
export function fingerprintMatches(fp: Fingerprint, parsed: ParsedFingerprint): boolean {
  const bytes = checked(fp);
  if (parsed.kind === 'full') return equalBytes(bytes, parsed.bytes);
  return equalBytes(bytes.subarray(0, FINGERPRINT_WORDS_PREFIX), parsed.prefix);
}

/**
 * The principal fingerprint of a hybrid key pair: a classical JWK (Ed25519 or P-256) and
 * an ML-DSA-65 JWK, both validated strictly (parsePublicJwk: a kid, if present, must be the
 * thumbprint). See the module comment for the exact input.
 */
export function principalFingerprint(classicalJwk: unknown, pqJwk: unknown): Fingerprint {
  const classical = parsePublicJwk(classicalJwk);
  if (classical.alg !== 'Ed25519' && classical.alg !== 'P-256') {
    throw new KeyriteError('INVALID_KEY', `The classical key of a principal must be Ed25519 or P-256, got ${classical.alg}.`);
  }
  const pq = parsePublicJwk(pqJwk);
  if (pq.alg !== 'ML-DSA-65') throw new KeyriteError('INVALID_KEY', `The post-quantum key of a principal must be ML-DSA-65, got ${pq.alg}.`);
  const input = { classical: classical.thumbprint, pq: pq.thumbprint, v: PRINCIPAL_FINGERPRINT_VERSION };
  return fingerprint(sha256(canonicalBytes(input)));
}
