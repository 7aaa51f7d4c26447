/**
 * The paper script witnesses follow in the room, as a PDF: the script's name and mode, its
 * SHA-256 as hex groups and words (read aloud against the screen before anything starts), the
 * participants (from an answers file, or blank lines to fill in), then every step numbered with
 * its actor, what the room checks, and boxes for initials and the time (the witness's too where
 * the step is witnessed). pdf-lib with standard fonts, no images, no random ids and no dates,
 * so the same input gives the same bytes. Text from the files is escaped for display first, and
 * a character the standard fonts cannot draw is written as \u{…}.
 */
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import { displayField } from '../encoding/display.ts';
import type { CeremonyStep, ParsedCeremonyScript } from './script.ts';

export interface PrintedParticipant {
  id: string;
  name: string;
  role: string;
  /** The token they bring, as the answers name it (a PKCS#11 URI or a software token file). */
  token?: string;
}

export interface ScriptPrintInput {
  parsed: ParsedCeremonyScript;
  /** The script's file name, as printed. */
  file: string;
  /** Each step's title as the app shows it (core/ceremony/engine.ts describeStep), in script order. */
  titles: readonly string[];
  /** From the answers file; absent: lines to fill in by hand, one per role member. */
  participants?: readonly PrintedParticipant[];
}

const PAGE: [number, number] = [595.28, 841.89]; // A4
const MARGIN = 48;
const BOTTOM = 60;
const WIDTH = PAGE[0] - 2 * MARGIN;

/** What the room checks at each action, in one or two sentences. */
function whatToCheck(step: CeremonyStep, quorum: string): string {
  switch (step.action) {
    case 'air-gap-check':
      return 'The screen says no network interface is up; every cable is unplugged and Wi-Fi and Bluetooth are off.';
    case 'self-test':
      return 'Every known-answer self-test passed.';
    case 'check-in':
      return step.actor === 'trustee'
        ? 'Each trustee is present with their own token; each reads their identity fingerprint (hex and words) aloud and writes it on their copy.'
        : `Each ${step.actor} is present and named as in the list of participants.`;
    case 'token-select':
      return `The ${step.params.token} token's label and serial on the screen match the token in hand.`;
    case 'login':
      return `Only the holder of the ${step.params.token} token types its PIN; nobody watches the keyboard.`;
    case 'entropy':
      return `Entropy comes from: ${step.params.sources.join(', ')}${step.params.minDice !== undefined ? `; each trustee rolls their own dice (at least ${step.params.minDice} rolls) and types them alone` : ''}.`;
    case 'generate':
      return 'The master key fingerprint is shown; everyone writes its first group of four here: ________';
    case 'import':
      return 'The classical key is imported into the master token as non-extractable.';
    case 'split':
      return `The key is split ${quorum}.`;
    case 'distribute':
      return 'Each trustee receives their own envelope and share card; paper words are shown only on a private screen, to that trustee alone.';
    case 'verify-receipts':
      return "Each trustee's receipt says their share matches its commitment.";
    case 'checkpoint':
      return `Checkpoint "${step.params.phase}": the transcript so far is co-signed.`;
    case 'co-sign':
      return `Every ${step.params.roles.join(' and ')} signs the transcript.`;
    case 'export':
      return 'The public bundle is written and re-verified from disk: every check passes.';
    case 'verify-bundle':
      return "The original bundle verifies, and its master fingerprint equals the quorum's paper record.";
    case 'collect-share':
      return 'Each share is accepted or refused by name, with the count of shares accepted.';
    case 'combine':
      return 'The recovered master fingerprint equals the original one.';
    case 'restore-to-token':
      return 'The key is restored onto the new token, non-extractable, and its test signature verifies.';
    case 'cross-sign':
      return `The OLD and the NEW master fingerprints are read aloud side by side and match everyone's paper record; the old key stays verify-only for ${step.params.graceDays} days.`;
    case 'check-request':
      return `The signing request's digest on the screen matches everyone's copy; no key in it is valid for more than ${step.params.maxValidityDays} days (at most ${step.params.maxKeys} keys and ${step.params.maxArtifacts} artifacts).`;
    case 'sign-document':
      return 'Each document shown is the one the request asks to sign; both of its signatures verify.';
    case 'revoke':
      return `The REVOKED master fingerprint, the revocation time and the reason ("${step.params.reason}") are read aloud and match everyone's paper record; the master token stays unopened.`;
    case 'destroy-old-keys':
      return "Each old holder's old keys are shown destroyed on their token; their old paper and share card are destroyed in front of the witness; the old holders who could not attest it are written here: ________";
    default:
      return 'The screen shows the step done, with no warning.';
  }
}

/** A line of text the standard fonts can draw: escaped for display, other characters as \u{…}. */
function drawable(font: PDFFont, text: string): string {
  const set = new Set(font.getCharacterSet());
  return [...displayField(text, 2000)].map((c) => (set.has(c.codePointAt(0)!) ? c : `\\u{${c.codePointAt(0)!.toString(16)}}`)).join('');
}

/** A word wider than `width` (a long URI or path) cut into pieces that fit. */
function pieces(font: PDFFont, size: number, word: string, width: number): string[] {
  const out: string[] = [];
  let piece = '';
  for (const c of word) {
    if (piece !== '' && font.widthOfTextAtSize(piece + c, size) > width) {
      out.push(piece);
      piece = '';
    }
    piece += c;
  }
  return [...out, piece];
}

/** Greedy word wrap to `width`. */
function wrap(font: PDFFont, size: number, text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ').flatMap((w) => pieces(font, size, w, width))) {
    const next = line === '' ? word : `${line} ${word}`;
    if (font.widthOfTextAtSize(next, size) <= width || line === '') line = next;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

class Writer {
  private page!: PDFPage;
  private y = 0;
  readonly pages: PDFPage[] = [];

  constructor(
    private readonly doc: PDFDocument,
    readonly fonts: { regular: PDFFont; bold: PDFFont; mono: PDFFont },
  ) {
    this.newPage();
  }

  newPage(): void {
    this.page = this.doc.addPage(PAGE);
    this.pages.push(this.page);
    this.y = PAGE[1] - MARGIN;
  }

  /** Starts a new page unless `height` fits on this one. */
  keep(height: number): void {
    if (this.y - height < BOTTOM) this.newPage();
  }

  text(text: string, opts: { font?: keyof Writer['fonts']; size?: number; indent?: number; gap?: number } = {}): void {
    const font = this.fonts[opts.font ?? 'regular'];
    const size = opts.size ?? 10;
    const indent = opts.indent ?? 0;
    for (const line of wrap(font, size, drawable(font, text), WIDTH - indent)) {
      this.keep(size * 1.35);
      this.y -= size * 1.35;
      this.page.drawText(line, { x: MARGIN + indent, y: this.y, size, font, color: rgb(0, 0, 0) });
    }
    this.y -= opts.gap ?? 0;
  }

  /** Labelled boxes on one line: "Initials [   ]  Time [   ]". */
  boxes(labels: readonly string[], indent: number): void {
    const size = 9;
    const h = 20;
    this.keep(h + 6);
    this.y -= h + 2;
    let x = MARGIN + indent;
    for (const label of labels) {
      this.page.drawText(label, { x, y: this.y + 6, size, font: this.fonts.regular, color: rgb(0, 0, 0) });
      x += this.fonts.regular.widthOfTextAtSize(label, size) + 4;
      this.page.drawRectangle({ x, y: this.y, width: 70, height: h, borderWidth: 0.8, borderColor: rgb(0, 0, 0) });
      x += 70 + 16;
    }
    this.y -= 6;
  }

  /** Short items in `cols` columns, row by row. */
  columns(items: readonly string[], cols: number, size: number): void {
    const font = this.fonts.regular;
    for (let i = 0; i < items.length; i += cols) {
      this.keep(size * 1.4);
      this.y -= size * 1.4;
      items.slice(i, i + cols).forEach((item, j) => this.page.drawText(drawable(font, item), { x: MARGIN + (j * WIDTH) / cols, y: this.y, size, font, color: rgb(0, 0, 0) }));
    }
  }

  rule(): void {
    this.keep(8);
    this.y -= 4;
    this.page.drawLine({ start: { x: MARGIN, y: this.y }, end: { x: PAGE[0] - MARGIN, y: this.y }, thickness: 0.5, color: rgb(0, 0, 0) });
    this.y -= 4;
  }
}

/** The printed script (see the module comment). Same input, same bytes. */
export async function scriptPdf(input: ScriptPrintInput): Promise<Uint8Array> {
  const { parsed, file } = input;
  const s = parsed.script;
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.setTitle(`Ceremony script: ${displayField(s.name, 200)}`);
  doc.setCreator('Keyrite');
  doc.setProducer('Keyrite');
  const w = new Writer(doc, {
    regular: doc.embedStandardFont(StandardFonts.Helvetica),
    bold: doc.embedStandardFont(StandardFonts.HelveticaBold),
    mono: doc.embedStandardFont(StandardFonts.Courier),
  });
  const mode = s.mode === 'live' ? 'LIVE' : 'REHEARSAL (practice only: nothing made here is ever used for real)';
  const quorum = s.quorum ? `${s.quorum.t} of ${s.quorum.n}` : 'without escrow';

  w.text(s.name, { font: 'bold', size: 16 });
  w.text(`Mode: ${mode}`, { font: 'bold', size: 11, gap: 2 });
  w.text(`Script file ${file} · kind ${s.kind} · ${s.steps.length} steps · shares ${quorum} · air gap: ${s.airGap === 'block' ? 'required' : 'warn only'}`, { gap: 6 });
  w.text('Script fingerprint (SHA-256): read it aloud and compare it with the screen before anything starts.', { font: 'bold' });
  w.text(parsed.hashHexGroups, { font: 'mono', size: 10 });
  w.columns(
    parsed.hashWords.map((word, i) => `${i + 1}. ${word}`),
    4,
    10,
  );
  w.boxes(['Read aloud and matched: initials', 'Time'], 0);
  w.rule();

  w.text('Participants', { font: 'bold', size: 12 });
  if (input.participants) {
    for (const p of input.participants) w.text(`${p.role} · ${p.id} · ${p.name}${p.token ? ` · token ${p.token}` : ''}`, { indent: 8 });
  } else {
    for (const role of ['administrator', 'trustee', 'witness'] as const) {
      const token = role === 'witness' ? '' : `  ${role === 'administrator' ? 'master token' : 'token'} label, serial ____________________`;
      for (let i = 0; i < s.roles[role]; i++) w.text(`${role} ${i + 1}: name ________________________${token}`, { indent: 8 });
    }
  }
  w.rule();

  w.text('Steps', { font: 'bold', size: 12 });
  s.steps.forEach((step, i) => {
    w.keep(80);
    w.text(`${i + 1}. ${input.titles[i] ?? step.id}`, { font: 'bold', size: 11 });
    w.text(`Actor: ${step.actor} · action ${step.action} (${step.id})${step.witness ? ' · a witness confirms it' : ''}`, { indent: 14 });
    w.text(`Check: ${whatToCheck(step, quorum)}`, { indent: 14 });
    w.boxes(step.witness ? ['Initials', 'Time', 'Witness'] : ['Initials', 'Time'], 14);
  });
  w.rule();
  w.text('Deviations (what, why, who decided), and the signatures of the witnesses:', { font: 'bold' });

  const pages = w.pages.length;
  w.pages.forEach((page, i) => {
    const footer = `${displayField(s.name, 80)} · SHA-256 ${parsed.hashHex.slice(0, 16)}… · page ${i + 1} of ${pages}`;
    page.drawText(drawable(w.fonts.regular, footer), { x: MARGIN, y: 30, size: 8, font: w.fonts.regular, color: rgb(0, 0, 0) });
  });
  return doc.save({ useObjectStreams: false });
}
