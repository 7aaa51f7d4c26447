/**
 * Optional paper backup of one escrow share as words (DESIGN.md, Escrow; docs/FORMATS.md,
 * "Escrow — paper words"). SLIP-39's word encoding and RS1024 checksum, with Keyrite's own
 * customization string, so a Keyrite card can never be read as a SLIP-39 share:
 *
 *   words  1–4   the first 5 bytes (40 bits) of the ceremony id
 *   word   5     the share index x (1..255) as a 10-bit value
 *   words  6–31  4 zero bits then the 32-byte share y (260 bits), big-endian
 *   words 32–34  RS1024 checksum over words 1–31, customization string "keyrite-share-v1"
 *
 * 34 words from the 1024-word SLIP-39 list (slip39-words.ts), each word 10 bits, big-endian.
 * The checksum detects any error in up to 3 words. Decoding never corrects: an unknown
 * word is reported by its position, a checksum failure asks the trustee to re-check the
 * card, and nothing is guessed. Error messages never repeat the words (they are secret).
 * The salt of the share commitment is not on the card: a share typed from paper is checked
 * by its ceremony words and index here, and by the escrow blob when the quorum combines.
 */
import { KeyriteError } from '../errors.ts';
import { assertBytes, equalBytes } from '../bytes.ts';
import { toHex, fromHex } from '../encoding/hex.ts';
import type { Share } from '../crypto/shamir.ts';
import { wipe } from '../crypto/wipe.ts';
import { rs1024CreateChecksum, rs1024VerifyChecksum, RS1024_CHECKSUM_LENGTH } from './rs1024.ts';
import { SLIP39_WORDS, slip39WordIndex } from './slip39-words.ts';

export const PAPER_WORDS_CUSTOMIZATION = 'keyrite-share-v1';
/** Bytes of the ceremony id carried by the first words. */
export const PAPER_CEREMONY_PREFIX_LENGTH = 5;
export const PAPER_SHARE_LENGTH = 32;
const CEREMONY_WORDS = 4; // 40 bits
const INDEX_WORDS = 1;
const SHARE_WORDS = 26; // 4 padding bits + 256 bits
const SHARE_PADDING_BITS = 4;
const DATA_WORDS = CEREMONY_WORDS + INDEX_WORDS + SHARE_WORDS;
export const PAPER_WORD_COUNT = DATA_WORDS + RS1024_CHECKSUM_LENGTH;

export interface PaperShare {
  /** First 5 bytes of the ceremony id, lowercase hex (10 digits). */
  ceremonyIdPrefix: string;
  share: Share;
}

export interface PaperDecodeOptions {
  /** The ceremony id (16 bytes, or 32 hex digits) the words must belong to. */
  ceremonyId?: string | Uint8Array;
}

/** Big-endian bits of `bytes`, after `padBits` zero bits, cut into 10-bit values. */
function bytesToWordValues(bytes: Uint8Array, padBits: number): number[] {
  const out: number[] = [];
  let acc = 0;
  let bits = padBits;
  for (const byte of bytes) {
    acc = ((acc << 8) | byte) & 0x3ffff; // at most 17 meaningful bits are ever pending
    bits += 8;
    if (bits >= 10) {
      bits -= 10;
      out.push((acc >>> bits) & 1023);
    }
  }
  if (bits !== 0) throw new Error('bytesToWordValues: bit count is not a multiple of 10');
  return out;
}

/** Inverse of bytesToWordValues; returns null when a padding bit is set. */
function wordValuesToBytes(values: readonly number[], padBits: number, length: number): Uint8Array | null {
  const out = new Uint8Array(length);
  let acc = 0;
  let bits = 0;
  let o = 0;
  let skip = padBits;
  for (const v of values) {
    acc = ((acc << 10) | v) & 0x3ffff;
    bits += 10;
    if (skip > 0) {
      bits -= skip;
      if ((acc >>> bits) !== 0) return null;
      acc &= (1 << bits) - 1;
      skip = 0;
    }
    while (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 255;
    }
    acc &= (1 << bits) - 1;
  }
  return o === length && bits === 0 ? out : null;
}

function ceremonyBytes(id: string | Uint8Array, what: string): Uint8Array {
  if (typeof id === 'string') {
    if (!/^[0-9a-f]{32}$/.test(id)) throw new KeyriteError('INVALID_INPUT', `The ${what} must be 32 lowercase hex digits (16 bytes).`);
    return fromHex(id);
  }
  assertBytes(id, `The ${what}`, 16);
  return id;
}

function assertShare(share: unknown): asserts share is Share {
  if (share === null || typeof share !== 'object') throw new KeyriteError('INVALID_INPUT', 'The share must be an object {x, y}.');
  const { x, y } = share as Partial<Share>;
  if (!Number.isInteger(x) || (x as number) < 1 || (x as number) > 255) {
    throw new KeyriteError('INVALID_INPUT', 'The share index must be a whole number from 1 to 255.');
  }
  assertBytes(y, 'The share', PAPER_SHARE_LENGTH);
}

/** The 34 words of a paper backup of `share`, for the ceremony `ceremonyId` (16 bytes or 32 hex digits). */
export function shareToWords(ceremonyId: string | Uint8Array, share: Share): string[] {
  const id = ceremonyBytes(ceremonyId, 'ceremony id');
  assertShare(share);
  const data = [
    ...bytesToWordValues(id.subarray(0, PAPER_CEREMONY_PREFIX_LENGTH), 0),
    share.x,
    ...bytesToWordValues(share.y, SHARE_PADDING_BITS),
  ];
  const all = [...data, ...rs1024CreateChecksum(PAPER_WORDS_CUSTOMIZATION, data)];
  const words = all.map((v) => SLIP39_WORDS[v]!);
  all.fill(0);
  data.fill(0);
  return words;
}

function listPositions(positions: number[]): string {
  if (positions.length === 1) return `Word ${positions[0]} is`;
  const shown = positions.slice(0, 8);
  const more = positions.length > shown.length ? ` and ${positions.length - shown.length} more` : '';
  return `Words ${shown.slice(0, -1).join(', ')}${shown.length > 1 && more === '' ? ' and ' : ', '}${shown[shown.length - 1]}${more} are`;
}

/** Splits typed or scanned text into words: any run of whitespace separates, letter case is ignored. */
export function normalizePaperWords(input: string | readonly string[]): string[] {
  if (typeof input === 'string') return input.trim().toLowerCase().split(/\s+/).filter((w) => w.length > 0);
  if (!Array.isArray(input) || input.some((w) => typeof w !== 'string')) {
    throw new KeyriteError('INVALID_INPUT', 'The paper backup must be given as text or as a list of words.');
  }
  return input.flatMap((w) => normalizePaperWords(w));
}

/**
 * Reads a paper backup. Raises INVALID_ENCODING when a word is not in the list (naming its
 * position) or the checksum fails, INVALID_LENGTH for a wrong number of words, and
 * SHARE_REJECTED when the words belong to another ceremony than `opts.ceremonyId`.
 */
export function wordsToShare(input: string | readonly string[], opts: PaperDecodeOptions = {}): PaperShare {
  const words = normalizePaperWords(input);
  const values = words.map((w) => slip39WordIndex(w));
  const unknown = values.flatMap((v, i) => (v < 0 ? [i + 1] : []));
  if (unknown.length > 0) {
    throw new KeyriteError('INVALID_ENCODING', `${listPositions(unknown)} not in the word list. Re-check ${unknown.length === 1 ? 'it' : 'them'} against the card; Keyrite does not guess corrections.`);
  }
  if (words.length !== PAPER_WORD_COUNT) {
    throw new KeyriteError('INVALID_LENGTH', `A Keyrite paper share has exactly ${PAPER_WORD_COUNT} words; ${words.length} were given. Re-check that no word is missing or repeated.`);
  }
  try {
    if (!rs1024VerifyChecksum(PAPER_WORDS_CUSTOMIZATION, values)) {
      throw new KeyriteError('INVALID_ENCODING', 'The words do not match their checksum: at least one word is wrong (or the words are not a Keyrite share). Re-check every word against the card; Keyrite does not guess corrections.');
    }
    const prefix = wordValuesToBytes(values.slice(0, CEREMONY_WORDS), 0, PAPER_CEREMONY_PREFIX_LENGTH)!;
    const x = values[CEREMONY_WORDS]!;
    const y = wordValuesToBytes(values.slice(CEREMONY_WORDS + INDEX_WORDS, DATA_WORDS), SHARE_PADDING_BITS, PAPER_SHARE_LENGTH);
    if (y === null || x < 1 || x > 255) {
      if (y !== null) wipe(y);
      throw new KeyriteError('INVALID_ENCODING', 'The words pass their checksum but do not encode a Keyrite share (bad share number or padding).');
    }
    if (opts.ceremonyId !== undefined) {
      const expected = ceremonyBytes(opts.ceremonyId, 'expected ceremony id').subarray(0, PAPER_CEREMONY_PREFIX_LENGTH);
      if (!equalBytes(expected, prefix)) {
        wipe(y);
        throw new KeyriteError('SHARE_REJECTED', `These words belong to another ceremony (their first words encode ${toHex(prefix)}…, this escrow's ceremony id starts ${toHex(expected)}…).`);
      }
    }
    return { ceremonyIdPrefix: toHex(prefix), share: { x, y } };
  } finally {
    values.fill(0);
  }
}
