/**
 * Writes a trustee's share card PDF (core/escrow/share-card.ts; docs/FORMATS.md, "Share
 * card") to a new file, mode 0600 (the card may carry the paper backup words, and it tells
 * who holds a share). Durable and exclusive (durable-files.ts): an existing file is never
 * overwritten, the caller picks another name.
 */
import { resolve } from 'node:path';
import { KeyriteError } from '../errors.ts';
import { shareCardPdf, type ShareCardInput } from '../escrow/share-card.ts';
import { createFileExclusive } from './durable-files.ts';

/** The name the card has next to `share-envelope.json` in a trustee's folder. */
export const SHARE_CARD_FILE_NAME = 'share-card.pdf';
export const SHARE_CARD_FILE_MODE = 0o600;

/** Renders the card of `input` and writes it to `path` (a new file). Returns the absolute path and the size. */
export async function writeShareCardFile(path: string, input: ShareCardInput): Promise<{ path: string; size: number }> {
  if (typeof path !== 'string' || path.trim() === '') throw new KeyriteError('INVALID_INPUT', 'Say where to write the share card (a file path).');
  const target = resolve(path);
  const pdf = await shareCardPdf(input);
  await createFileExclusive(target, pdf, SHARE_CARD_FILE_MODE, `${target} already exists; Keyrite never overwrites a share card. Choose another file name or move the old card away.`);
  return { path: target, size: pdf.length };
}
