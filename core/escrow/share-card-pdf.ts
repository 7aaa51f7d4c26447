/**
 * The share card as a PDF (share-card-layout.ts places everything): pdf-lib with standard
 * fonts, QR modules as filled rectangles, no images, no random ids, dates only when given, so
 * the same input gives the same bytes.
 */
import {
  PDFDocument,
  PDFNumber,
  StandardFonts,
  fill,
  popGraphicsState,
  pushGraphicsState,
  rectangle,
  rgb,
  setFillingGrayscaleColor,
  type PDFFont,
  type PDFOperator,
} from 'pdf-lib';
import { shareCardLayout, type CardFont, type ShareCardInput, type ShareCardLayout } from './share-card-layout.ts';

const r3 = (v: number): number => Math.round(v * 1000) / 1000;

/** Draws a layout into an A4 PDF: standard fonts, QR modules as filled rectangles. Deterministic. */
export async function renderShareCard(layout: ShareCardLayout): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.setTitle(layout.title);
  doc.setCreator('Keyrite');
  doc.setProducer('Keyrite');
  if (layout.createdAt !== undefined) {
    doc.setCreationDate(layout.createdAt);
    doc.setModificationDate(layout.createdAt);
  }
  const fonts: Record<CardFont, PDFFont> = {
    regular: doc.embedStandardFont(StandardFonts.Helvetica),
    bold: doc.embedStandardFont(StandardFonts.HelveticaBold),
    mono: doc.embedStandardFont(StandardFonts.Courier),
  };
  // One PDFNumber per distinct coordinate: pdf-lib formats a number when it makes one, and a QR symbol repeats a few values thousands of times.
  const numbers = new Map<number, PDFNumber>();
  const pdfNumber = (v: number): PDFNumber => {
    let n = numbers.get(v);
    if (n === undefined) {
      n = PDFNumber.of(v);
      numbers.set(v, n);
    }
    return n;
  };
  for (const p of layout.pages) {
    const page = doc.addPage([layout.pageSize[0], layout.pageSize[1]]);
    for (const item of p.items) {
      if (item.kind === 'text') {
        page.drawText(item.text, { x: item.x, y: item.y, size: item.size, font: fonts[item.font], color: rgb(0, 0, 0) });
      } else if (item.kind === 'box') {
        page.drawRectangle({ x: item.x, y: item.y, width: item.width, height: item.height, borderWidth: item.lineWidth, borderColor: rgb(0, 0, 0) });
      } else {
        const { symbol, moduleSize: m } = item;
        page.pushOperators(pushGraphicsState(), setFillingGrayscaleColor(0));
        for (let row = 0; row < symbol.size; row++) {
          const ops: PDFOperator[] = [];
          const y = pdfNumber(r3(item.y - (row + 1) * m));
          const height = pdfNumber(r3(m));
          for (let col = 0; col < symbol.size; ) {
            if (symbol.modules[row * symbol.size + col] !== 1) {
              col++;
              continue;
            }
            const start = col;
            while (col < symbol.size && symbol.modules[row * symbol.size + col] === 1) col++;
            ops.push(rectangle(pdfNumber(r3(item.x + start * m)), y, pdfNumber(r3((col - start) * m)), height));
          }
          if (ops.length > 0) page.pushOperators(...ops);
        }
        page.pushOperators(fill(), popGraphicsState());
      }
    }
  }
  return doc.save({ useObjectStreams: false });
}

/** The share card PDF of `input` (see the module comment). Same input, same bytes. */
export async function shareCardPdf(input: ShareCardInput): Promise<Uint8Array> {
  return renderShareCard(shareCardLayout(input));
}
