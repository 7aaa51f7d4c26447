/**
 * RS1024: the Reed-Solomon checksum over GF(1024) of SLIP-0039 ("Checksum"), step by step:
 *
 *   rs1024_polymod(values):
 *     GEN = [0xe0e040, 0x1c1c080, 0x3838100, 0x7070200, 0xe0e0009,
 *            0x1c0c2412, 0x38086c24, 0x3090fc48, 0x21b1f890, 0x3f3f120]
 *     chk = 1
 *     for v in values:
 *       b = chk >> 20
 *       chk = (chk & 0xfffff) << 10 ^ v
 *       for i in 0..9: chk ^= GEN[i] if (b >> i) & 1 else 0
 *     return chk
 *   verify(cs, data)  = rs1024_polymod([ord(c) for c in cs] + data) == 1
 *   create(cs, data)  = polymod = rs1024_polymod([ord(c) for c in cs] + data + [0,0,0]) ^ 1
 *                       return [(polymod >> 10*(2-i)) & 1023 for i in 0..2]
 *
 * Three checksum words detect any error in up to 3 words (the code is MDS, distance 4, for
 * up to 1023 symbols in all) and miss a random error with probability below 1e-9.
 * The customization string (cs) separates uses: SLIP-39 uses "shamir"; Keyrite's paper
 * backup uses its own string (paper-words.ts), so a Keyrite share never passes as a SLIP-39
 * share or the other way round. cs must be printable US-ASCII (each character is one value).
 * This module only computes and checks; it never corrects (SLIP-39: "Implementations SHOULD
 * NOT implement correction").
 */
import { KeyriteError } from '../errors.ts';

export const RS1024_CHECKSUM_LENGTH = 3;
/** Longest codeword the guarantee covers: customization string + data + checksum, in symbols. */
export const RS1024_MAX_SYMBOLS = 1023;

const GEN: readonly number[] = [0xe0e040, 0x1c1c080, 0x3838100, 0x7070200, 0xe0e0009, 0x1c0c2412, 0x38086c24, 0x3090fc48, 0x21b1f890, 0x3f3f120];

/** The polynomial remainder of SLIP-0039's rs1024_polymod. Every value must be a 10-bit integer. */
export function rs1024Polymod(values: readonly number[]): number {
  let chk = 1;
  for (const v of values) {
    const b = chk >>> 20;
    // chk < 2^30, so (chk & 0xfffff) << 10 stays below 2^30 and in the positive int32 range.
    chk = ((chk & 0xfffff) << 10) ^ v;
    for (let i = 0; i < 10; i++) {
      if ((b >>> i) & 1) chk ^= GEN[i]!;
    }
  }
  return chk;
}

function customizationValues(cs: string): number[] {
  if (typeof cs !== 'string' || !/^[\x20-\x7e]+$/.test(cs)) {
    throw new KeyriteError('INVALID_INPUT', 'The RS1024 customization string must be non-empty printable US-ASCII.');
  }
  return Array.from(cs, (c) => c.charCodeAt(0));
}

function assertWords(data: readonly number[], what: string): void {
  if (!Array.isArray(data)) throw new KeyriteError('INVALID_INPUT', `The ${what} must be a list of 10-bit values.`);
  for (const v of data) {
    if (!Number.isInteger(v) || v < 0 || v > 1023) throw new KeyriteError('INVALID_INPUT', `The ${what} must contain 10-bit values (0 to 1023) only.`);
  }
}

function assertLength(cs: string, symbols: number): void {
  if (cs.length + symbols > RS1024_MAX_SYMBOLS) {
    throw new KeyriteError('INVALID_INPUT', `RS1024 covers at most ${RS1024_MAX_SYMBOLS} symbols including the customization string.`);
  }
}

/** The 3 checksum words for `data` (10-bit values) under customization string `cs`. */
export function rs1024CreateChecksum(cs: string, data: readonly number[]): number[] {
  const prefix = customizationValues(cs);
  assertWords(data, 'data');
  assertLength(cs, data.length + RS1024_CHECKSUM_LENGTH);
  const polymod = rs1024Polymod([...prefix, ...data, 0, 0, 0]) ^ 1;
  const out: number[] = [];
  for (let i = 0; i < RS1024_CHECKSUM_LENGTH; i++) out.push((polymod >>> (10 * (2 - i))) & 1023);
  return out;
}

/** True when `dataWithChecksum` (data words followed by the 3 checksum words) is a valid codeword for `cs`. */
export function rs1024VerifyChecksum(cs: string, dataWithChecksum: readonly number[]): boolean {
  const prefix = customizationValues(cs);
  assertWords(dataWithChecksum, 'words');
  if (dataWithChecksum.length < RS1024_CHECKSUM_LENGTH) return false;
  assertLength(cs, dataWithChecksum.length);
  return rs1024Polymod([...prefix, ...dataWithChecksum]) === 1;
}
