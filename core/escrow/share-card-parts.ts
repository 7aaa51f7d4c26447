/**
 * The share card's QR framing (docs/FORMATS.md "Share card"): the trustee's envelope file cut
 * into parts "KRS1 i/n <ceremony id prefix> <base64url chunk>", one per QR code, and the text
 * a QR scanner typed read back into the envelope file. Pure, and free of any PDF or QR code
 * library, so a recovery or a share check that reads a scan loads neither
 * (share-card-layout.ts places the codes, share-card-pdf.ts draws the card).
 */
import { KeyriteError } from '../errors.ts';
import { assertBytes, fromUtf8 } from '../bytes.ts';
import { fromBase64url, toBase64url } from '../encoding/base64url.ts';
import { fingerprint, formatFingerprintHex } from '../encoding/fingerprint.ts';
import { sha256 } from '../crypto/hash.ts';
import { encodeEnvelope, parseEnvelope, type ShareEnvelope } from './envelope.ts';

/** First token of every QR part. */
export const SHARE_CARD_PART_TAG = 'KRS1';
/** Hex digits of the ceremony id in every part (the 5 bytes the paper words also carry). */
export const SHARE_CARD_CEREMONY_PREFIX_HEX = 10;
/**
 * Envelope bytes per part at most: 1728 bytes are 2304 base64url characters; with the
 * longest prefix "KRS1 99/99 0123456789 " (22 characters) a part is at most 2326 bytes,
 * within the 2331 bytes a version-40 QR code holds in byte mode at level M.
 */
export const SHARE_CARD_MAX_PART_BYTES = 1728;
export const SHARE_CARD_MAX_PARTS = 99;
// ---------------------------------------------------------------------------------------
// QR parts

/** The ceremony id prefix every part of a card carries. */
function partPrefix(ceremonyId: string): string {
  return ceremonyId.slice(0, SHARE_CARD_CEREMONY_PREFIX_HEX);
}

/**
 * The QR payloads of an envelope file: the file is cut into n = ceil(length / 1728)
 * consecutive chunks, all but the last of the same length, a multiple of 3 bytes (so the
 * base64url chunks also join into the base64url of the whole file), and part i is
 * "KRS1 i/n <first 10 hex digits of the ceremony id> <base64url of chunk i, no padding>".
 */
export function shareCardParts(envelopeFile: Uint8Array, ceremonyId: string): string[] {
  assertBytes(envelopeFile, 'The envelope file');
  if (typeof ceremonyId !== 'string' || !/^[0-9a-f]{32}$/.test(ceremonyId)) {
    throw new KeyriteError('INVALID_INPUT', 'The ceremony id must be 32 lowercase hex digits (16 bytes).');
  }
  if (envelopeFile.length === 0) throw new KeyriteError('INVALID_INPUT', 'The envelope file is empty.');
  const n = Math.ceil(envelopeFile.length / SHARE_CARD_MAX_PART_BYTES);
  if (n > SHARE_CARD_MAX_PARTS) throw new KeyriteError('INVALID_LENGTH', `The envelope file is too large for a share card (at most ${SHARE_CARD_MAX_PARTS} QR parts).`);
  const chunk = Math.ceil(Math.ceil(envelopeFile.length / n) / 3) * 3;
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    const piece = envelopeFile.subarray(i * chunk, Math.min(envelopeFile.length, (i + 1) * chunk));
    if (piece.length === 0) throw new Error('shareCardParts: empty chunk');
    parts.push(`${SHARE_CARD_PART_TAG} ${i + 1}/${n} ${partPrefix(ceremonyId)} ${toBase64url(piece)}`);
  }
  return parts;
}

const PART_PATTERN = /^KRS1 ([1-9][0-9]?)\/([1-9][0-9]?) ([0-9a-f]{10}) ([A-Za-z0-9_-]+)$/;

/**
 * Joins scanned QR parts (any order; the same part scanned twice is fine) back into the
 * envelope file. Checks the part format, that all parts are of one card (same n and
 * ceremony prefix) and that none is missing; the caller then checks the file's SHA-256
 * against the card and parses the envelope. Scanned text is never quoted in errors.
 */
export function joinShareCardParts(parts: readonly string[]): { ceremonyIdPrefix: string; envelopeFile: Uint8Array; parts: number } {
  if (!Array.isArray(parts) || parts.length === 0) throw new KeyriteError('INVALID_INPUT', 'Give the scanned share card parts as a non-empty list of texts.');
  let n = 0;
  let prefix = '';
  const byIndex = new Map<number, string>();
  parts.forEach((raw: unknown, k) => {
    const m = typeof raw === 'string' ? PART_PATTERN.exec(raw.trim()) : null;
    if (!m) throw new KeyriteError('INVALID_ENCODING', `Scanned text ${k + 1} is not a Keyrite share card part ("KRS1 i/n <ceremony> <data>").`);
    const i = Number(m[1]);
    const count = Number(m[2]);
    if (i > count) throw new KeyriteError('INVALID_ENCODING', `Scanned text ${k + 1} says it is part ${i} of ${count}, which cannot be.`);
    if (k === 0) {
      n = count;
      prefix = m[3]!;
    } else if (count !== n || m[3] !== prefix) {
      throw new KeyriteError('INVALID_INPUT', 'The scanned parts come from different share cards (their part count or ceremony differ); scan the parts of one card only.');
    }
    const before = byIndex.get(i);
    if (before !== undefined && before !== m[4]) throw new KeyriteError('INVALID_INPUT', `Part ${i} was scanned twice with different contents; rescan the card.`);
    byIndex.set(i, m[4]!);
  });
  const missing = Array.from({ length: n }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length > 0) throw new KeyriteError('INVALID_INPUT', `Part${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${n} ${missing.length > 1 ? 'are' : 'is'} missing; scan every QR code on the card.`);
  const chunks = Array.from({ length: n }, (_, i) => fromBase64url(byIndex.get(i + 1)!, `share card part ${i + 1}`));
  const out = new Uint8Array(chunks.reduce((s, c) => s + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return { ceremonyIdPrefix: prefix, envelopeFile: out, parts: n };
}

/** The longest text a scanner may type for one card: every part (at most 2,400 characters each) scanned twice. */
export const SHARE_CARD_MAX_SCAN_CHARS = 2 * SHARE_CARD_MAX_PARTS * 2400;

/** A share card read back for a recovery (readScannedShareCard). */
export interface ScannedShareCard {
  /** The envelope file exactly as the ceremony wrote and printed it. */
  envelopeFile: Uint8Array;
  /** SHA-256 of the file in the grouped form the card prints, for the trustee to compare. */
  envelopeFileSha256: string;
  /** How many QR parts the card has. */
  parts: number;
}

/**
 * Reads the text a QR scanner typed for one share card (one part per line, any order, blank
 * lines ignored; a USB scanner types like a keyboard, so no camera is needed) and checks that
 * the joined file is a share envelope, in the exact form Keyrite writes, of this ceremony,
 * master key and trustee. Its signature, commitment and opening are checked later, with the
 * other shares, by the recovery engine; the trustee compares envelopeFileSha256 with the card.
 */
export function readScannedShareCard(scanned: unknown, expected: { ceremonyId: string; masterFingerprint: string; trusteeId: string }): ScannedShareCard {
  if (typeof scanned !== 'string') throw new KeyriteError('INVALID_INPUT', 'The scanned share card must be text.');
  if (scanned.length > SHARE_CARD_MAX_SCAN_CHARS) throw new KeyriteError('INVALID_LENGTH', 'More text was scanned than any share card holds; clear the box and scan the card again.');
  const lines = scanned.split(/\r\n|\r|\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  if (lines.length === 0) throw new KeyriteError('INVALID_INPUT', 'Nothing was scanned yet: scan every QR code on the card (the scanner types one line per code).');
  const joined = joinShareCardParts(lines);
  const wanted = partPrefix(expected.ceremonyId);
  if (joined.ceremonyIdPrefix !== wanted) {
    throw new KeyriteError('INVALID_INPUT', `This card is from another ceremony (ceremony ${joined.ceremonyIdPrefix}…; this bundle is ceremony ${wanted}…): use the card made at this ceremony.`);
  }
  let env: ShareEnvelope;
  try {
    env = checkEnvelopeFile(joined.envelopeFile);
  } catch (e) {
    if (e instanceof KeyriteError) {
      throw new KeyriteError('INVALID_INPUT', "The scanned parts do not join into a Keyrite share envelope. Scan the card again; if this repeats, the card is damaged: use the trustee's share-envelope.json file instead.", { cause: e });
    }
    throw e;
  }
  const h = env.header;
  if (h.ceremonyId !== expected.ceremonyId) throw new KeyriteError('INVALID_INPUT', 'This card is from another ceremony than this bundle: use the card made at this ceremony.');
  if (h.masterFingerprint !== expected.masterFingerprint) throw new KeyriteError('INVALID_INPUT', "This card's envelope is for another master key than this bundle's: use the card made at this ceremony.");
  if (h.trusteeId !== expected.trusteeId) throw new KeyriteError('INVALID_INPUT', `This is the card of ${h.trusteeId}, not of ${expected.trusteeId}: scan ${expected.trusteeId}'s own card.`);
  return { envelopeFile: joined.envelopeFile, envelopeFileSha256: formatFingerprintHex(fingerprint(sha256(joined.envelopeFile))), parts: joined.parts };
}

// ---------------------------------------------------------------------------------------
// Input checks

/** The bytes of a share-envelope.json exactly as Keyrite writes it: canonical JSON and at most one line feed. */
export function checkEnvelopeFile(bytes: unknown): ShareEnvelope {
  if (!(bytes instanceof Uint8Array)) throw new KeyriteError('INVALID_INPUT', 'The envelope file must be given as bytes (the content of share-envelope.json).');
  let text: string;
  let env: ShareEnvelope;
  try {
    text = fromUtf8(bytes);
    env = parseEnvelope(text.endsWith('\n') ? text.slice(0, -1) : text);
  } catch (e) {
    if (e instanceof KeyriteError) throw new KeyriteError('INVALID_INPUT', `The envelope file is not a valid Keyrite share envelope file: ${e.message}`, { cause: e });
    throw e;
  }
  if (text !== encodeEnvelope(env) && text !== `${encodeEnvelope(env)}\n`) {
    throw new KeyriteError('INVALID_INPUT', 'The envelope file is not in the exact form Keyrite writes (canonical JSON and one line feed); print the share-envelope.json from the trustee\'s folder unchanged.');
  }
  return env;
}
