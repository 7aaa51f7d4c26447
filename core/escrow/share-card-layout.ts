/**
 * Printable share card, one per trustee (DESIGN.md, Escrow: "a printable card (PDF, QR of
 * the encrypted envelope)"; docs/FORMATS.md, "Share card"), laid out on A4:
 *
 *   page 1     title "Keyrite share card — keep private", a rehearsal marking when the
 *              ceremony is a rehearsal, the trustee's name and id, the share (x of n, t),
 *              the ceremony id, the master fingerprint (hex groups and PGP words), the
 *              SHA-256 of the envelope file, how to restore the file from the QR codes,
 *              and — only when given — the 34 paper backup words in numbered groups;
 *   page 2 …   the envelope file as QR codes (level M, byte mode), six per page, each
 *              carrying one part (share-card-parts.ts).
 *
 * {@link shareCardLayout} checks the input and places every text line and QR symbol on the
 * pages, pure and deterministic (text widths from the PDF standard fonts' metrics);
 * share-card-pdf.ts draws it. The envelope is public-ish (sealed to the trustee's token); the
 * paper words are the share itself: they are only placed, never logged, and never appear in
 * an error message.
 */
import { StandardFontEmbedder, StandardFonts } from 'pdf-lib';
import { create as createQr } from 'qrcode/lib/core/qrcode.js';
import { KeyriteError } from '../errors.ts';
import { utf8 } from '../bytes.ts';
import { fromBase64url } from '../encoding/base64url.ts';
import { fromHex, toHex } from '../encoding/hex.ts';
import { fingerprint, fingerprintWords, formatFingerprintHex } from '../encoding/fingerprint.ts';
import { sha256 } from '../crypto/hash.ts';
import { wipe } from '../crypto/wipe.ts';
import type { ShareEnvelope } from './envelope.ts';
import { normalizePaperWords, wordsToShare, PAPER_WORD_COUNT } from './paper-words.ts';
import { SHARE_CARD_PART_TAG, checkEnvelopeFile, shareCardParts } from './share-card-parts.ts';

export const SHARE_CARD_TITLE = 'Keyrite share card — keep private';
export const SHARE_CARD_MAX_NAME_LENGTH = 64;
/** A4 in PDF points (1/72 inch). */
export const A4: readonly [number, number] = Object.freeze([595.28, 841.89] as [number, number]);

export interface ShareCardInput {
  trusteeId: string;
  /** The trustee's name as the ceremony knows it (printed; at most 64 characters, one line). */
  trusteeName: string;
  /** 32 lowercase hex digits; must be the envelope's. */
  ceremonyId: string;
  /** 64 lowercase hex digits; must be the envelope's. */
  masterFingerprint: string;
  /** Marks every page as a rehearsal card. */
  rehearsal: boolean;
  /** The bytes of the trustee's `share-envelope.json` exactly as the ceremony wrote them. */
  envelopeFile: Uint8Array;
  /** Only where paper backup is enabled: the trustee's 34 paper words (SECRET). */
  paperWords?: string | readonly string[];
  /** PDF creation and modification date; none is written when absent. */
  createdAt?: Date;
}

/** One QR symbol: `modules[row * size + col]` is 1 for a dark module. */
export interface QrSymbol {
  payload: string;
  version: number;
  size: number;
  modules: Uint8Array;
}

export type CardFont = 'regular' | 'bold' | 'mono';

/** PDF coordinates in points, origin at the bottom left of the page. */
export type CardItem =
  /** (x, y) is the left end of the baseline. */
  | { kind: 'text'; text: string; x: number; y: number; size: number; font: CardFont }
  /** A stroked rectangle; (x, y) is its lower left corner. */
  | { kind: 'box'; x: number; y: number; width: number; height: number; lineWidth: number }
  /** (x, y) is the top left corner of the symbol; a blank quiet zone of 4 modules surrounds it. */
  | { kind: 'qr'; part: number; symbol: QrSymbol; x: number; y: number; moduleSize: number };

export interface ShareCardLayout {
  pageSize: readonly [number, number];
  /** PDF document title (metadata). */
  title: string;
  createdAt?: Date;
  pages: { items: CardItem[] }[];
  /** Every text item's string, page by page, in drawing order. */
  lines: string[];
  /** The QR payloads, part 1 first. */
  parts: string[];
  /** SHA-256 of the envelope file, 64 lowercase hex digits. */
  envelopeFileSha256: string;
}

/** The QR symbol of one payload: byte mode, error correction level M, smallest version. */
export function shareCardQr(payload: string): QrSymbol {
  const qr = createQr([{ data: utf8(payload), mode: 'byte' }], { errorCorrectionLevel: 'M' });
  const size = qr.modules.size;
  return { payload, version: qr.version, size, modules: Uint8Array.from(qr.modules.data, (v) => (v ? 1 : 0)) };
}

// ---------------------------------------------------------------------------------------
// Input checks

let metricsCache: Record<CardFont, StandardFontEmbedder> | undefined;
function metrics(): Record<CardFont, StandardFontEmbedder> {
  // StandardFonts and the embedder's FontNames are two enums of the same font names.
  const load = (f: StandardFonts) => StandardFontEmbedder.for(f as unknown as Parameters<typeof StandardFontEmbedder.for>[0]);
  metricsCache ??= { regular: load(StandardFonts.Helvetica), bold: load(StandardFonts.HelveticaBold), mono: load(StandardFonts.Courier) };
  return metricsCache;
}

function widthOf(text: string, font: CardFont, size: number): number {
  return metrics()[font].widthOfTextAtSize(text, size);
}

/**
 * The name as the card's fonts (WinAnsi) can print it: a letter they lack is printed
 * without its accents when that helps (Ő → O, Ł → L), otherwise as "?"; the trustee id, printed
 * next to it, identifies the trustee exactly.
 */
const NO_DECOMPOSITION: Record<string, string> = { Ł: 'L', ł: 'l', Đ: 'D', đ: 'd', Ħ: 'H', ħ: 'h', ı: 'i', Ŧ: 'T', ŧ: 't', Ŀ: 'L', ŀ: 'l' };

function printableName(name: string): string {
  const enc = metrics().bold.encoding;
  const can = (s: string) => s.length > 0 && [...s].every((c) => enc.canEncodeUnicodeCodePoint(c.codePointAt(0)!));
  let out = '';
  for (const ch of name) {
    if (can(ch)) out += ch;
    else {
      const base = NO_DECOMPOSITION[ch] ?? ch.normalize('NFKD').replace(/\p{M}/gu, '');
      out += can(base) ? base : '?';
    }
  }
  return out;
}

/** The name as printed, and the largest of NAME_SIZES at which it fits on one line. */
function checkName(value: unknown, width: number): { text: string; size: number } {
  if (typeof value !== 'string') throw new KeyriteError('INVALID_INPUT', 'The trustee name must be text.');
  const name = value.normalize('NFC').trim();
  if (name.length === 0) throw new KeyriteError('INVALID_INPUT', 'The trustee name is empty.');
  if (/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(name)) throw new KeyriteError('INVALID_INPUT', 'The trustee name contains control or invisible formatting characters; give it as plain text on one line.');
  if ([...name].length > SHARE_CARD_MAX_NAME_LENGTH) {
    throw new KeyriteError('INVALID_INPUT', `The trustee name is too long for the share card (at most ${SHARE_CARD_MAX_NAME_LENGTH} characters); use a shorter form of the name.`);
  }
  const text = printableName(name);
  const size = NAME_SIZES.find((s) => widthOf(text, 'bold', s) <= width);
  if (size === undefined) throw new KeyriteError('INVALID_INPUT', 'The trustee name is too wide to print on one line of the share card; use a shorter form of the name.');
  return { text, size };
}

function checkWords(value: unknown, env: ShareEnvelope): string[] {
  if (typeof value !== 'string' && !Array.isArray(value)) throw new KeyriteError('INVALID_INPUT', 'The paper backup words must be given as text or as a list of words.');
  let decoded;
  try {
    decoded = wordsToShare(value as string | readonly string[], { ceremonyId: env.header.ceremonyId });
  } catch (e) {
    if (e instanceof KeyriteError) throw new KeyriteError(e.code, `The paper backup words are not valid Keyrite paper words for this envelope: ${e.message}`, { cause: e });
    throw e;
  }
  const x = decoded.share.x;
  wipe(decoded.share.y);
  if (x !== env.header.x) throw new KeyriteError('SHARE_REJECTED', `The paper backup words are of share x = ${x}, but this envelope holds share x = ${env.header.x}; they belong on another trustee's card.`);
  return normalizePaperWords(value as string | readonly string[]);
}

// ---------------------------------------------------------------------------------------
// Layout

const [PAGE_W, PAGE_H] = A4;
const MARGIN = 42;
const QR_MARGIN = 30;
const CONTENT_W = PAGE_W - 2 * MARGIN;
const LABEL_W = 128;
const VALUE_X = MARGIN + LABEL_W;
const VALUE_W = CONTENT_W - LABEL_W;
const QR_COLUMNS = 2;
const QR_ROWS = 3;
const QR_PER_PAGE = QR_COLUMNS * QR_ROWS;
const QUIET_ZONE = 4;
/** Module sizes are whole multiples of 0.24 pt: 2 dots at 600 dpi, 1 at 300 dpi. */
const MODULE_STEP = 0.24;
const NAME_SIZES = [12, 11, 10, 9, 8];

const round = (v: number): number => Math.round(v * 100) / 100;

function wrap(text: string, font: CardFont, size: number, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(' ')) {
    const next = current === '' ? word : `${current} ${word}`;
    if (current !== '' && widthOf(next, font, size) > width) {
      lines.push(current);
      current = word;
    } else current = next;
  }
  if (current !== '') lines.push(current);
  return lines;
}

function groups(hex: string): [string, string] {
  const g = formatFingerprintHex(fingerprint(fromHex(hex))).split(' ');
  return [g.slice(0, 8).join(' '), g.slice(8).join(' ')];
}

class PageWriter {
  readonly items: CardItem[] = [];
  y: number;
  constructor(top: number) {
    this.y = top;
  }
  text(text: string, x: number, size: number, font: CardFont, lead = size * 1.35): void {
    this.y -= lead;
    this.items.push({ kind: 'text', text, x: round(x), y: round(this.y), size, font });
  }
  /** Adds text on the current baseline (after `text`), e.g. the value next to a label. */
  beside(text: string, x: number, size: number, font: CardFont): void {
    this.items.push({ kind: 'text', text, x: round(x), y: round(this.y), size, font });
  }
  paragraph(text: string, size: number, font: CardFont = 'regular', x = MARGIN, width = CONTENT_W): void {
    for (const line of wrap(text, font, size, width)) this.text(line, x, size, font);
  }
  gap(points: number): void {
    this.y -= points;
  }
  /** A label (one line per entry) with one or more value lines to its right. */
  field(label: string | string[], values: string[], font: CardFont = 'regular', size = 10): void {
    const labels = typeof label === 'string' ? [label] : label;
    values.forEach((v, i) => {
      if (i === 0) this.text(labels[0]!, MARGIN, 10, 'bold', 15);
      else if (labels[i] !== undefined) this.text(labels[i]!, MARGIN, 10, 'bold', 13);
      else this.y -= 13;
      this.beside(v, VALUE_X, size, font);
    });
  }
  rehearsalBanner(margin: number): void {
    const text = 'REHEARSAL ONLY — this share protects a rehearsal key; never use it for anything real.';
    const top = this.y;
    this.text(text, margin + 8, 10, 'bold', 16);
    this.items.push({ kind: 'box', x: round(margin), y: round(top - 22), width: round(PAGE_W - 2 * margin), height: 22, lineWidth: 1.5 });
    this.y = top - 22;
  }
}

function footer(w: PageWriter, text: string, margin: number): void {
  w.items.push({ kind: 'text', text, x: margin, y: round(margin - 16), size: 7.5, font: 'regular' });
}

/** Checks the input and places everything the card prints. Pure and deterministic. */
export function shareCardLayout(input: ShareCardInput): ShareCardLayout {
  if (input === null || typeof input !== 'object') throw new KeyriteError('INVALID_INPUT', 'The share card input must be an object.');
  const env = checkEnvelopeFile(input.envelopeFile);
  const h = env.header;
  if (typeof input.trusteeId !== 'string' || input.trusteeId !== h.trusteeId) {
    throw new KeyriteError('INVALID_INPUT', `This envelope belongs to trustee "${h.trusteeId}", not to the trustee the card is made for.`);
  }
  if (typeof input.ceremonyId !== 'string' || input.ceremonyId !== h.ceremonyId) throw new KeyriteError('INVALID_INPUT', 'The envelope is of another ceremony than the one given for the card.');
  if (typeof input.masterFingerprint !== 'string' || input.masterFingerprint !== h.masterFingerprint) {
    throw new KeyriteError('INVALID_INPUT', 'The envelope is of another master key than the fingerprint given for the card.');
  }
  if (typeof input.rehearsal !== 'boolean') throw new KeyriteError('INVALID_INPUT', 'Say whether the card is for a rehearsal (rehearsal: true or false).');
  if (input.createdAt !== undefined && (!(input.createdAt instanceof Date) || Number.isNaN(input.createdAt.getTime()))) {
    throw new KeyriteError('INVALID_INPUT', 'The card date must be a valid Date.');
  }
  const name = checkName(input.trusteeName, VALUE_W);
  const words = input.paperWords === undefined ? undefined : checkWords(input.paperWords, env);

  const file = input.envelopeFile;
  const fileSha = toHex(sha256(file));
  const parts = shareCardParts(file, h.ceremonyId);
  const symbols = parts.map(shareCardQr);
  const qrPages = Math.ceil(parts.length / QR_PER_PAGE);
  const pageCount = 1 + qrPages;
  const footerText = (k: number) => `Keyrite share card · ceremony ${h.ceremonyId} · share x = ${h.x} · page ${k} of ${pageCount}`;
  const fp = fingerprint(fromHex(h.masterFingerprint));
  const partPages = qrPages === 1 ? 'page 2' : `pages 2–${pageCount}`;

  // Page 1: who, what, how to check, and the words.
  const p1 = new PageWriter(PAGE_H - MARGIN);
  if (input.rehearsal) p1.rehearsalBanner(MARGIN);
  p1.text(SHARE_CARD_TITLE, MARGIN, 18, 'bold', 26);
  p1.paragraph('One card per trustee. Store it apart from your token, where only you can reach it.', 9.5);
  p1.gap(6);
  p1.field('Trustee', [name.text], 'bold', name.size);
  p1.field('Trustee id', [h.trusteeId], 'mono', 9);
  p1.field('Share', [`x = ${h.x} of n = ${h.n}; any t = ${h.t} shares recover the master key`]);
  p1.field('Ceremony id', [h.ceremonyId], 'mono');
  p1.field('Epoch', [String(h.epoch)]);
  p1.field('Master fingerprint', groups(h.masterFingerprint), 'mono');
  for (const line of wrap(fingerprintWords(fp).join(' '), 'regular', 10, VALUE_W)) p1.text(line, VALUE_X, 10, 'regular', 13);
  p1.field(['SHA-256 of', 'share-envelope.json'], groups(fileSha), 'mono');
  p1.field('Envelope QR codes', [`${parts.length} part${parts.length > 1 ? 's' : ''} on ${partPages} (format ${SHARE_CARD_PART_TAG})`]);
  p1.gap(8);
  p1.paragraph(
    `The QR codes hold your share envelope, the file share-envelope.json from your folder: your share sealed to your token and signed by the master key. Without your token they reveal nothing, but the card shows that you hold a share: keep it private.`,
    9.5,
  );
  p1.gap(4);
  p1.paragraph(
    `To restore the file, scan every part (at 300 dpi or finer), in any order, and join them as Keyrite's docs/FORMATS.md ("Share card") describes; the joined file must have the SHA-256 printed above before you use it.`,
    9.5,
  );
  if (words !== undefined) {
    p1.gap(10);
    p1.text('Paper backup words — SECRET', MARGIN, 13, 'bold', 20);
    p1.paragraph(
      `These ${PAPER_WORD_COUNT} words are your share itself, not encrypted. Never type them anywhere but Keyrite recovery; never photograph, scan or store them on a computer or phone. The last 3 words are a checksum: Keyrite detects up to 3 wrong words and never guesses corrections.`,
      9.5,
    );
    p1.gap(4);
    const perRow = 4;
    const colW = CONTENT_W / perRow;
    for (let row = 0; row * perRow < words.length; row++) {
      const first = row * perRow;
      words.slice(first, first + perRow).forEach((w, c) => {
        const label = `${String(first + c + 1).padStart(2, ' ')}. ${w}`;
        if (c === 0) p1.text(label, MARGIN, 11, 'mono', 17);
        else p1.beside(label, MARGIN + c * colW, 11, 'mono');
      });
    }
  }
  footer(p1, footerText(1), MARGIN);
  const pages: { items: CardItem[] }[] = [{ items: p1.items }];

  // QR pages: a grid of 2 × 3 symbols, one scale for all, modules a whole number of printer dots.
  for (let q = 0; q < qrPages; q++) {
    const w = new PageWriter(PAGE_H - QR_MARGIN);
    if (input.rehearsal) w.rehearsalBanner(QR_MARGIN);
    const first = q * QR_PER_PAGE;
    const here = symbols.slice(first, first + QR_PER_PAGE);
    w.text(SHARE_CARD_TITLE, QR_MARGIN, 13, 'bold', 18);
    w.text(name.text, QR_MARGIN, Math.min(10, name.size), 'bold', 15);
    w.text(h.trusteeId, QR_MARGIN, 9, 'mono', 12);
    w.text(`Share envelope QR codes, part${here.length > 1 ? `s ${first + 1}–${first + here.length}` : ` ${first + 1}`} of ${parts.length}`, QR_MARGIN, 9, 'regular', 13);
    w.gap(6);
    const gridTop = w.y;
    const gridBottom = QR_MARGIN + 6;
    const cellW = (PAGE_W - 2 * QR_MARGIN) / QR_COLUMNS;
    const cellH = (gridTop - gridBottom) / QR_ROWS;
    const biggest = Math.max(...symbols.map((s) => s.size)) + 2 * QUIET_ZONE;
    const moduleSize = round(Math.floor(Math.min(cellW - 6, cellH - 16) / biggest / MODULE_STEP) * MODULE_STEP);
    if (moduleSize < MODULE_STEP * 3) throw new Error('shareCardLayout: QR modules too small');
    here.forEach((symbol, k) => {
      const col = k % QR_COLUMNS;
      const row = Math.floor(k / QR_COLUMNS);
      const zone = (symbol.size + 2 * QUIET_ZONE) * moduleSize;
      const zoneLeft = QR_MARGIN + col * cellW + (cellW - zone) / 2;
      const zoneTop = gridTop - row * cellH;
      const partNo = first + k + 1;
      w.items.push({ kind: 'qr', part: partNo, symbol, x: round(zoneLeft + QUIET_ZONE * moduleSize), y: round(zoneTop - QUIET_ZONE * moduleSize), moduleSize });
      const bytes = fromBase64url(symbol.payload.split(' ')[3]!).length;
      w.items.push({ kind: 'text', text: `Part ${partNo} of ${parts.length} (${SHARE_CARD_PART_TAG} ${partNo}/${parts.length}, ${bytes} bytes of the file)`, x: round(zoneLeft + QUIET_ZONE * moduleSize), y: round(zoneTop - zone - 10), size: 9, font: 'regular' });
    });
    footer(w, footerText(q + 2), QR_MARGIN);
    pages.push({ items: w.items });
  }

  // Every line fits across its page (a bug otherwise: the input checks keep names and ids short).
  for (const item of pages.flatMap((p) => p.items)) {
    if (item.kind === 'text' && item.x + widthOf(item.text, item.font, item.size) > PAGE_W - QR_MARGIN + 0.01) throw new Error('shareCardLayout: a line is wider than the page');
  }
  const lines = pages.flatMap((p) => p.items.flatMap((i) => (i.kind === 'text' ? [i.text] : [])));
  return {
    pageSize: A4,
    title: 'Keyrite share card',
    ...(input.createdAt !== undefined ? { createdAt: new Date(input.createdAt.getTime()) } : {}),
    pages,
    lines,
    parts,
    envelopeFileSha256: fileSha,
  };
}
