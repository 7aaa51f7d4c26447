import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { PDFArray, PDFDocument, PDFRawStream, StandardFontEmbedder, StandardFonts, decodePDFRawStream, type PDFPage } from 'pdf-lib';
import jsQRModule from 'jsqr';
import { utf8 } from '../../../core/bytes.ts';
import { toBase64url } from '../../../core/encoding/base64url.ts';
import { fromHex, toHex } from '../../../core/encoding/hex.ts';
import { fingerprint, fingerprintWords, formatFingerprintHex } from '../../../core/encoding/fingerprint.ts';
import { sha256 } from '../../../core/crypto/hash.ts';
import { encodeEnvelope, envelopeToJson, openEnvelope } from '../../../core/escrow/envelope.ts';
import { shareToWords } from '../../../core/escrow/paper-words.ts';
import { isKeyriteError } from '../../../core/errors.ts';
import { SHARE_CARD_MAX_PART_BYTES, SHARE_CARD_MAX_SCAN_CHARS, joinShareCardParts, readScannedShareCard, shareCardParts } from '../../../core/escrow/share-card-parts.ts';
import { SHARE_CARD_TITLE, shareCardLayout, shareCardQr, type CardItem, type QrSymbol, type ShareCardInput } from '../../../core/escrow/share-card-layout.ts';
import { renderShareCard, shareCardPdf } from '../../../core/escrow/share-card-pdf.ts';
import fc from 'fast-check';
import { MAX_SCANNED_CARD_CHARS } from '../../../core/ipc/recovery-args.ts';
import { assertKeyrite, CEREMONY_A, CEREMONY_B, fiveTrustees, makeEscrow, makeMaster } from './helpers.ts';

// jsqr is a UMD bundle: under ESM its function is either the default export or its .default.
type Decode = (data: Uint8ClampedArray, width: number, height: number, options?: { inversionAttempts?: 'dontInvert' }) => { data: string } | null;
const jsQR = ((jsQRModule as unknown as { default?: Decode }).default ?? jsQRModule) as unknown as Decode;

const master = makeMaster(1);
const trustees = fiveTrustees();
const escrowPromise = makeEscrow(master, trustees);
const otherCeremonyPromise = makeEscrow(master, trustees, CEREMONY_B);

interface Fixture {
  file: Uint8Array;
  words: string[];
  otherTrusteeWords: string[];
  otherCeremonyWords: string[];
  x: number;
}

let fixture: Promise<Fixture> | undefined;
function getFixture(): Promise<Fixture> {
  fixture ??= (async () => {
    const escrow = await escrowPromise;
    const other = await otherCeremonyPromise;
    const env = escrow.envelopes[0]!;
    const opened = openEnvelope(env, trustees[0]!.xwingSecretKey);
    const opened2 = openEnvelope(escrow.envelopes[1]!, trustees[1]!.xwingSecretKey);
    const openedB = openEnvelope(other.envelopes[0]!, trustees[0]!.xwingSecretKey);
    return {
      // Exactly what the ceremony's distribute step writes to the trustee's folder.
      file: utf8(encodeEnvelope(env) + '\n'),
      words: shareToWords(CEREMONY_A, opened.share),
      otherTrusteeWords: shareToWords(CEREMONY_A, opened2.share),
      otherCeremonyWords: shareToWords(CEREMONY_B, openedB.share),
      x: env.header.x,
    };
  })();
  return fixture;
}

async function input(over: Partial<ShareCardInput> = {}): Promise<ShareCardInput> {
  const f = await getFixture();
  return {
    trusteeId: trustees[0]!.id,
    trusteeName: 'Alice Example',
    ceremonyId: CEREMONY_A,
    masterFingerprint: master.fingerprint,
    rehearsal: false,
    envelopeFile: f.file,
    ...over,
  };
}

function texts(items: CardItem[]): string[] {
  return items.flatMap((i) => (i.kind === 'text' ? [i.text] : []));
}

function qrItems(items: CardItem[]): Extract<CardItem, { kind: 'qr' }>[] {
  return items.flatMap((i) => (i.kind === 'qr' ? [i] : []));
}

/** Renders a symbol into an RGBA image (scale pixels per module, 4-module quiet zone) and decodes it. */
function scan(symbol: { size: number; modules: Uint8Array }, scale = 3): string | undefined {
  const quiet = 4;
  const width = (symbol.size + 2 * quiet) * scale;
  const rgba = new Uint8ClampedArray(width * width * 4).fill(255);
  for (let r = 0; r < symbol.size; r++) {
    for (let c = 0; c < symbol.size; c++) {
      if (symbol.modules[r * symbol.size + c] !== 1) continue;
      for (let dy = 0; dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) {
          const p = (((r + quiet) * scale + dy) * width + (c + quiet) * scale + dx) * 4;
          rgba[p] = rgba[p + 1] = rgba[p + 2] = 0;
        }
      }
    }
  }
  return jsQR(rgba, width, width, { inversionAttempts: 'dontInvert' })?.data;
}

function contentOf(page: PDFPage): string {
  const contents = page.node.Contents();
  const streams = contents instanceof PDFArray ? contents.asArray().map((r) => page.doc.context.lookup(r)) : [contents];
  return streams
    .map((s) => {
      assert.ok(s instanceof PDFRawStream, 'page content is a stream');
      return new TextDecoder('latin1').decode(decodePDFRawStream(s).decode());
    })
    .join('\n');
}

// WinAnsi is Latin-1 except in 0x80–0x9F; the card uses only these two from that range.
const WINANSI_C1: Record<number, string> = { 0x96: '–', 0x97: '—' };

/** The strings a page shows (pdf-lib writes text as <hex> Tj in WinAnsi). */
function shownText(page: PDFPage): string[] {
  return [...contentOf(page).matchAll(/<([0-9A-Fa-f]*)> Tj/g)].map((m) =>
    Array.from(fromHex(m[1]!.toLowerCase()), (b) => (b >= 0x80 && b < 0xa0 ? (WINANSI_C1[b] ?? `\\x${b.toString(16)}`) : String.fromCharCode(b))).join(''),
  );
}

/** Rebuilds a QR symbol's module matrix from the filled rectangles in the page content. */
function symbolFromPdf(page: PDFPage, item: Extract<CardItem, { kind: 'qr' }>): QrSymbol {
  const { size } = item.symbol;
  const m = item.moduleSize;
  const modules = new Uint8Array(size * size);
  for (const [, xs, ys, ws, hs] of contentOf(page).matchAll(/(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) re/g)) {
    const [x, y, w, h] = [xs, ys, ws, hs].map(Number) as [number, number, number, number];
    const col = Math.round((x - item.x) / m);
    const row = Math.round((item.y - y) / m) - 1;
    if (col < 0 || row < 0 || col >= size || row >= size || Math.abs(h - m) > 0.01) continue;
    for (let c = col; c < col + Math.round(w / m); c++) modules[row * size + c] = 1;
  }
  return { payload: '', version: item.symbol.version, size, modules };
}

test('the layout shows who, what and how to check, and no words unless given', async () => {
  const f = await getFixture();
  const layout = shareCardLayout(await input());
  const lines = layout.lines;
  const fp = fingerprint(fromHex(master.fingerprint));
  assert.equal(lines.includes(SHARE_CARD_TITLE), true);
  assert.equal(SHARE_CARD_TITLE, 'Keyrite share card — keep private');
  for (const expected of ['Alice Example', 'trustee-1', CEREMONY_A, `x = ${f.x} of n = 5; any t = 3 shares recover the master key`]) {
    assert.ok(lines.includes(expected), `missing line ${expected}`);
  }
  const hex = formatFingerprintHex(fp).split(' ');
  assert.ok(lines.includes(hex.slice(0, 8).join(' ')) && lines.includes(hex.slice(8).join(' ')));
  assert.deepEqual(
    lines.filter((l) => fingerprintWords(fp).some((w) => l.split(' ').includes(w))).join(' ').split(' '),
    fingerprintWords(fp),
  );
  const fileSha = toHex(sha256(f.file));
  assert.equal(layout.envelopeFileSha256, fileSha);
  const shaGroups = fileSha.match(/.{4}/g)!;
  assert.ok(lines.includes(shaGroups.slice(0, 8).join(' ')) && lines.includes(shaGroups.slice(8).join(' ')));
  assert.ok(lines.includes('5 parts on page 2 (format KRS1)'));
  assert.ok(!lines.some((l) => /REHEARSAL/.test(l)));
  assert.ok(!lines.some((l) => /Paper backup words/.test(l)));
  assert.equal(layout.pages.length, 2);
  assert.deepEqual(layout.pageSize, [595.28, 841.89]);
  assert.equal(layout.createdAt, undefined);
  // Everything stays inside the page.
  for (const page of layout.pages) {
    for (const item of page.items) {
      assert.ok(item.x >= 20 && item.y >= 10 && item.y <= 841.89 - 20, `item inside the page: ${JSON.stringify({ ...item, symbol: undefined })}`);
    }
  }
});

test('rehearsal marking on every page; paper words in numbered groups with the warning', async () => {
  const f = await getFixture();
  const layout = shareCardLayout(await input({ rehearsal: true, paperWords: f.words.join(' ') }));
  for (const page of layout.pages) assert.ok(texts(page.items).some((l) => l.startsWith('REHEARSAL ONLY')), 'each page is marked');
  assert.ok(layout.lines.includes('Paper backup words — SECRET'));
  assert.match(layout.lines.join(' '), /Never type them anywhere but Keyrite recovery/);
  f.words.forEach((w, i) => assert.ok(layout.lines.includes(`${String(i + 1).padStart(2, ' ')}. ${w}`), `word ${i + 1} numbered`));
  // Words given as a list, in any letter case, print the same.
  const again = shareCardLayout(await input({ rehearsal: true, paperWords: f.words.map((w) => w.toUpperCase()) }));
  assert.deepEqual(again.lines, layout.lines);
});

test('QR parts follow the KRS1 format and join back into the exact envelope file', async () => {
  const f = await getFixture();
  const layout = shareCardLayout(await input());
  const parts = layout.parts;
  assert.deepEqual(parts, shareCardParts(f.file, CEREMONY_A));
  assert.equal(parts.length, Math.ceil(f.file.length / SHARE_CARD_MAX_PART_BYTES));
  parts.forEach((p, i) => assert.match(p, new RegExp(`^KRS1 ${i + 1}/${parts.length} ${CEREMONY_A.slice(0, 10)} [A-Za-z0-9_-]+$`)));
  // The base64url chunks also join into the base64url of the whole file.
  assert.equal(parts.map((p) => p.split(' ')[3]).join(''), toBase64url(f.file));
  const joined = joinShareCardParts(parts);
  assert.deepEqual(joined.envelopeFile, f.file);
  assert.equal(joined.ceremonyIdPrefix, CEREMONY_A.slice(0, 10));
  // Any order, a part scanned twice, surrounding whitespace from a scanner.
  const shuffled = [parts[3]!, `${parts[0]!}\n`, parts[4]!, parts[1]!, parts[0]!, parts[2]!];
  assert.deepEqual(joinShareCardParts(shuffled).envelopeFile, f.file);
  // Each QR item on the card is the symbol of its part, in order.
  const items = layout.pages.slice(1).flatMap((p) => qrItems(p.items));
  assert.deepEqual(items.map((i) => i.symbol.payload), parts);
  assert.deepEqual(items.map((i) => i.part), parts.map((_, i) => i + 1));
  for (const i of items) assert.ok(i.symbol.version <= 40 && i.moduleSize >= 0.96);
});

test('every QR symbol on the card decodes back to its part', async () => {
  const layout = shareCardLayout(await input());
  const items = layout.pages.slice(1).flatMap((p) => qrItems(p.items));
  for (const item of items) assert.equal(scan(item.symbol), item.symbol.payload);
  assert.equal(scan(shareCardQr('KRS1 1/1 0011223344 AAEC')), 'KRS1 1/1 0011223344 AAEC');
});

test('the PDF is the deterministic rendering of the layout', async () => {
  const f = await getFixture();
  const inp = await input({ rehearsal: true, paperWords: f.words, createdAt: new Date('2026-03-04T05:06:07Z') });
  const a = await shareCardPdf(inp);
  const b = await shareCardPdf(inp);
  assert.deepEqual(a, b, 'same input, same bytes');
  const layout = shareCardLayout(inp);
  assert.deepEqual(await renderShareCard(layout), a);
  assert.equal(new TextDecoder('latin1').decode(a.subarray(0, 8)), '%PDF-1.7');

  const doc = await PDFDocument.load(a, { updateMetadata: false });
  assert.equal(doc.getPageCount(), 2);
  for (const page of doc.getPages()) assert.deepEqual([page.getWidth(), page.getHeight()], [595.28, 841.89]);
  assert.equal(doc.getTitle(), 'Keyrite share card');
  assert.equal(doc.getCreationDate()?.toISOString(), '2026-03-04T05:06:07.000Z');
  assert.equal(doc.getModificationDate()?.toISOString(), '2026-03-04T05:06:07.000Z');
  // The text the PDF shows is exactly the layout's, page by page.
  assert.deepEqual(doc.getPages().flatMap(shownText), layout.lines);
  // The modules drawn as rectangles are the symbols, and they scan.
  const page2 = doc.getPage(1);
  for (const item of qrItems(layout.pages[1]!.items).slice(0, 2)) {
    const drawn = symbolFromPdf(page2, item);
    assert.deepEqual(drawn.modules, item.symbol.modules);
    assert.equal(scan(drawn), item.symbol.payload);
  }
  // No date unless one is given; no words, no secret on the card without them.
  const plain = await PDFDocument.load(await shareCardPdf(await input()), { updateMetadata: false });
  assert.equal(plain.getCreationDate(), undefined);
  assert.ok(!plain.getPages().flatMap(shownText).some((l) => f.words.some((w) => l.includes(`. ${w}`))));
});

test('names the card fonts cannot print are simplified, never dropped silently', async () => {
  const layout = shareCardLayout(await input({ trusteeName: '  Łukasz Ørsted-Ő 李 ' }));
  assert.equal(layout.lines.filter((l) => l === 'Lukasz Ørsted-O ?').length, 2, 'on both pages');
});

test('long names print smaller; the longest ids and names still fit across the page', async () => {
  const longId = `w${'W'.repeat(63)}`;
  const escrow = await makeEscrow(master, [{ ...trustees[0]!, id: longId }, ...trustees.slice(1, 3)], CEREMONY_A, 7, 2);
  const file = utf8(encodeEnvelope(escrow.envelopes[0]!) + '\n');
  const name = 'Maximiliane Alexandra von Hohenzollern-Sigmaringen-Württemberg';
  const layout = shareCardLayout({ trusteeId: longId, trusteeName: name, ceremonyId: CEREMONY_A, masterFingerprint: master.fingerprint, rehearsal: true, envelopeFile: file });
  const nameItem = layout.pages[0]!.items.find((i) => i.kind === 'text' && i.text === name);
  assert.ok(nameItem && nameItem.kind === 'text' && nameItem.size < 12 && nameItem.size >= 8);
  assert.ok(layout.lines.includes(longId));
  const load = (f: StandardFonts) => StandardFontEmbedder.for(f as unknown as Parameters<typeof StandardFontEmbedder.for>[0]);
  const fonts = { regular: load(StandardFonts.Helvetica), bold: load(StandardFonts.HelveticaBold), mono: load(StandardFonts.Courier) };
  for (const item of layout.pages.flatMap((p) => p.items)) {
    if (item.kind === 'text') assert.ok(item.x + fonts[item.font].widthOfTextAtSize(item.text, item.size) <= 595.28 - 28, `fits: ${item.text}`);
  }
  assert.deepEqual(joinShareCardParts(layout.parts).envelopeFile, file);
});

test('bad input is refused with a KeyriteError and a clear sentence', async () => {
  const f = await getFixture();
  const escrow = await escrowPromise;
  const envText = encodeEnvelope(escrow.envelopes[0]!);
  const bad: [Partial<ShareCardInput>, RegExp][] = [
    [{ envelopeFile: utf8('not json') }, /not a valid Keyrite share envelope file/],
    [{ envelopeFile: Uint8Array.of(0xff, 0xfe, 0x00) }, /not a valid Keyrite share envelope file.*UTF-8/],
    [{ envelopeFile: f.file.subarray(0, f.file.length - 40) }, /not a valid Keyrite share envelope file/],
    [{ envelopeFile: utf8('{}') }, /not a valid Keyrite share envelope file/],
    [{ envelopeFile: utf8(JSON.stringify(envelopeToJson(escrow.envelopes[0]!), null, 2)) }, /exact form Keyrite writes/],
    [{ envelopeFile: utf8(`${envText}\n\n`) }, /not a valid Keyrite share envelope file|exact form/],
    [{ envelopeFile: 'text' as unknown as Uint8Array }, /must be given as bytes/],
    [{ trusteeId: 'trustee-2' }, /belongs to trustee "trustee-1"/],
    [{ ceremonyId: CEREMONY_B }, /another ceremony/],
    [{ masterFingerprint: makeMaster(2).fingerprint }, /another master key/],
    [{ rehearsal: 'yes' as unknown as boolean }, /rehearsal: true or false/],
    [{ createdAt: new Date('nonsense') }, /valid Date/],
    [{ trusteeName: 'A'.repeat(65) }, /too long.*at most 64 characters/],
    [{ trusteeName: 'W'.repeat(60) }, /too wide to print/],
    [{ trusteeName: '   ' }, /empty/],
    [{ trusteeName: 'Alice\nBob' }, /control/],
    [{ trusteeName: 'Alice\u202eBob' }, /control/],
    [{ trusteeName: 42 as unknown as string }, /must be text/],
    [{ paperWords: 42 as unknown as string }, /text or as a list of words/],
  ];
  for (const [over, pattern] of bad) {
    const inp = await input(over);
    assertKeyrite(() => shareCardLayout(inp), 'INVALID_INPUT', pattern);
    await assert.rejects(shareCardPdf(inp), (e) => isKeyriteError(e, 'INVALID_INPUT'));
  }
  assertKeyrite(() => shareCardLayout(null as unknown as ShareCardInput), 'INVALID_INPUT');
});

test('bad paper words are refused without repeating any word', async () => {
  const f = await getFixture();
  const changed = [...f.words];
  changed[6] = changed[6] === 'academic' ? 'acid' : 'academic';
  const cases: [string[] | string, string, RegExp][] = [
    [changed, 'INVALID_ENCODING', /not valid Keyrite paper words.*checksum/],
    [f.words.slice(0, 33), 'INVALID_LENGTH', /exactly 34 words/],
    [[...f.words.slice(0, 10), 'notaword', ...f.words.slice(11)], 'INVALID_ENCODING', /Word 11 is not in the word list/],
    [f.otherCeremonyWords, 'SHARE_REJECTED', /another ceremony/],
    [f.otherTrusteeWords, 'SHARE_REJECTED', /another trustee's card/],
  ];
  const sources = await Promise.all(['core/escrow/paper-words.ts', 'core/escrow/share-card-parts.ts', 'core/escrow/share-card-layout.ts', 'core/errors.ts'].map((p) => readFile(new URL(`../../../${p}`, import.meta.url), 'utf8')));
  const templateWords = new Set(sources.join(' ').toLowerCase().split(/[^a-z]+/));
  for (const [words, code, pattern] of cases) {
    let message = '';
    assertKeyrite(() => {
      try {
        shareCardLayout({ trusteeId: 'trustee-1', trusteeName: 'Alice', ceremonyId: CEREMONY_A, masterFingerprint: master.fingerprint, rehearsal: false, envelopeFile: f.file, paperWords: words });
      } catch (e) {
        message = (e as Error).message;
        throw e;
      }
    }, code as 'INVALID_ENCODING', pattern);
    // A secret word may only show up where the message's fixed wording has it anyway.
    const all = [...(Array.isArray(words) ? words : [words]), ...f.words];
    for (const w of all) {
      if (templateWords.has(w)) continue;
      assert.ok(!new RegExp(`\\b${w}\\b`, 'i').test(message), 'no word in the error message');
    }
  }
});

test('joining refuses malformed, mixed and incomplete scans', async () => {
  const f = await getFixture();
  const parts = shareCardParts(f.file, CEREMONY_A);
  const other = shareCardParts(utf8('x'.repeat(2000)), CEREMONY_B);
  assertKeyrite(() => joinShareCardParts([]), 'INVALID_INPUT', /non-empty list/);
  assertKeyrite(() => joinShareCardParts(['hello']), 'INVALID_ENCODING', /Scanned text 1 is not a Keyrite share card part/);
  assertKeyrite(() => joinShareCardParts([parts[0]!, 'KRS1 1/5 0011223344 ***']), 'INVALID_ENCODING', /Scanned text 2/);
  assertKeyrite(() => joinShareCardParts(['KRS1 6/5 0011223344 AAAA']), 'INVALID_ENCODING', /part 6 of 5/);
  assertKeyrite(() => joinShareCardParts([parts[0]!, other[1]!]), 'INVALID_INPUT', /different share cards/);
  assertKeyrite(() => joinShareCardParts([parts[0]!, parts[2]!]), 'INVALID_INPUT', /Parts 2, 4, 5 of 5 are missing/);
  assertKeyrite(() => joinShareCardParts(parts.slice(0, 4)), 'INVALID_INPUT', /Part 5 of 5 is missing/);
  assertKeyrite(() => joinShareCardParts([...parts, parts[1]!.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))]), 'INVALID_INPUT', /Part 2 was scanned twice with different contents/);
  assertKeyrite(() => shareCardParts(new Uint8Array(0), CEREMONY_A), 'INVALID_INPUT', /empty/);
  assertKeyrite(() => shareCardParts(f.file, 'abc'), 'INVALID_INPUT', /32 lowercase hex/);
  // Small files give one part; sizes around the limit split evenly.
  assert.equal(shareCardParts(utf8('{}'), CEREMONY_A).length, 1);
  for (const len of [SHARE_CARD_MAX_PART_BYTES, SHARE_CARD_MAX_PART_BYTES + 1, 3 * SHARE_CARD_MAX_PART_BYTES + 2]) {
    const bytes = Uint8Array.from({ length: len }, (_, i) => (i * 7) & 255);
    const p = shareCardParts(bytes, CEREMONY_A);
    assert.equal(p.length, Math.ceil(len / SHARE_CARD_MAX_PART_BYTES));
    assert.deepEqual(joinShareCardParts(p).envelopeFile, bytes);
    for (const part of p) assert.ok(shareCardQr(part).version <= 40);
  }
});

test('a card scanned for a recovery reads back the exact envelope, checked against ceremony, master key and trustee', async () => {
  const f = await getFixture();
  const escrow = await escrowPromise;
  const expected = { ceremonyId: CEREMONY_A, masterFingerprint: master.fingerprint, trusteeId: trustees[0]!.id };
  const parts = shareCardParts(f.file, CEREMONY_A);
  assert.ok(parts.length >= 2, 'the fixture envelope needs several QR parts');
  // A scanner types one line per code, in the order the trustee scans: any order, CRLF or LF, repeats and blank lines.
  const scanned = ['', ...[...parts].reverse(), parts[0]!, '  '].join('\r\n');
  const card = readScannedShareCard(scanned, expected);
  assert.deepEqual(card.envelopeFile, f.file);
  assert.equal(card.parts, parts.length);
  assert.equal(card.envelopeFileSha256, formatFingerprintHex(fingerprint(sha256(f.file))));
  assert.deepEqual(shareCardLayout(await input()).envelopeFileSha256, toHex(sha256(card.envelopeFile)));

  const other = utf8(encodeEnvelope(escrow.envelopes[1]!) + '\n');
  assertKeyrite(() => readScannedShareCard(shareCardParts(other, CEREMONY_A).join('\n'), expected), 'INVALID_INPUT', new RegExp(`^This is the card of ${trustees[1]!.id}, not of ${trustees[0]!.id}: scan ${trustees[0]!.id}'s own card\\.$`));
  const otherCeremony = await otherCeremonyPromise;
  const fromB = utf8(encodeEnvelope(otherCeremony.envelopes[0]!) + '\n');
  assertKeyrite(() => readScannedShareCard(shareCardParts(fromB, CEREMONY_B).join('\n'), expected), 'INVALID_INPUT', /^This card is from another ceremony \(ceremony ffeeddccbb…; this bundle is ceremony 0011223344…\)/);
  // Same 10-digit prefix, other ceremony: caught by the envelope's own header.
  assertKeyrite(() => readScannedShareCard(parts.join('\n'), { ...expected, ceremonyId: CEREMONY_A.slice(0, 10) + 'f'.repeat(22) }), 'INVALID_INPUT', /^This card is from another ceremony than this bundle/);
  assertKeyrite(() => readScannedShareCard(parts.join('\n'), { ...expected, masterFingerprint: 'ab'.repeat(32) }), 'INVALID_INPUT', /for another master key/);
  // One character of one part changed: the file no longer parses or is no longer canonical.
  const damaged = parts.map((p, i) => (i === 0 ? p.slice(0, 40) + (p[40] === 'A' ? 'B' : 'A') + p.slice(41) : p));
  assertKeyrite(() => readScannedShareCard(damaged.join('\n'), expected), 'INVALID_INPUT', /do not join into a Keyrite share envelope\. Scan the card again/);
  // A non-envelope file with a correct part format is refused the same way.
  assertKeyrite(() => readScannedShareCard(shareCardParts(utf8('{"a":1}\n'), CEREMONY_A).join('\n'), expected), 'INVALID_INPUT', /do not join into a Keyrite share envelope/);
  assertKeyrite(() => readScannedShareCard(parts.slice(1).join('\n'), expected), 'INVALID_INPUT', /Part 1 of \d+ is missing/);
  assertKeyrite(() => readScannedShareCard(' \n\r\n', expected), 'INVALID_INPUT', /Nothing was scanned yet/);
  assertKeyrite(() => readScannedShareCard(42, expected), 'INVALID_INPUT', /must be text/);
  assertKeyrite(() => readScannedShareCard('K'.repeat(SHARE_CARD_MAX_SCAN_CHARS + 1), expected), 'INVALID_LENGTH', /More text was scanned than any share card holds/);
  // The IPC argument check uses the same bound without importing the card renderer into the renderer bundle.
  assert.equal(MAX_SCANNED_CARD_CHARS, SHARE_CARD_MAX_SCAN_CHARS);
});

test('whatever a scanner types, reading a card refuses it with a KeyriteError and never quotes it', async () => {
  const f = await getFixture();
  const expected = { ceremonyId: CEREMONY_A, masterFingerprint: master.fingerprint, trusteeId: trustees[0]!.id };
  const parts = shareCardParts(f.file, CEREMONY_A);
  const partLike = fc.tuple(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 12 }), fc.constantFrom('0011223344', 'ffeeddccbb', 'zz'), fc.string({ unit: fc.constantFrom('A', 'b', '_', '-', '9', '*'), maxLength: 40 })).map(([i, n, p, d]) => `KRS1 ${i}/${n} ${p} ${d}`);
  const mutatedPart = fc.tuple(fc.nat(parts.length - 1), fc.nat(), fc.constantFrom('A', 'Q', '-', '_', ' ', '')).map(([k, at, c]) => {
    const p = parts[k]!;
    const i = at % p.length;
    return p.slice(0, i) + c + p.slice(i + 1);
  });
  const line = fc.oneof(fc.string({ maxLength: 60 }), partLike, mutatedPart, fc.constantFrom(...parts));
  fc.assert(
    fc.property(fc.array(line, { maxLength: 8 }), fc.constantFrom('\n', '\r\n', '\r'), (lines, eol) => {
      const text = lines.join(eol);
      let card;
      try {
        card = readScannedShareCard(text, expected);
      } catch (e) {
        assert.ok(isKeyriteError(e), `not a KeyriteError: ${String(e)}`);
        for (const l of lines) if (l.trim().length > 12) assert.ok(!e.message.includes(l.trim()), 'the refusal quotes scanned text');
        return;
      }
      // Accepted only when it is exactly the card's envelope.
      assert.deepEqual(card.envelopeFile, f.file);
    }),
    { numRuns: 400 },
  );
});

test('the QR encoder is pinned: qrcode 1.5.4 exactly, and its internal symbol builder (the one path the card uses, without the PNG renderers) gives the public API\'s symbols', async () => {
  const pkg = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> };
  assert.equal(pkg.dependencies.qrcode, '1.5.4');
  const { default: qrcode } = await import('qrcode');
  for (const payload of ['KRS1 1/1 0011223344 AAAA', `KRS1 2/3 0011223344 ${'A'.repeat(2300)}`, 'x']) {
    const ours = shareCardQr(payload);
    const theirs = qrcode.create([{ data: utf8(payload), mode: 'byte' }], { errorCorrectionLevel: 'M' });
    assert.equal(ours.version, theirs.version);
    assert.deepEqual([...ours.modules], Array.from(theirs.modules.data, (v) => (v ? 1 : 0)));
  }
});
