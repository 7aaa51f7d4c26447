/**
 * verify.html's relying-party section (docs/VERIFIER.md "Checking one signed document"): the
 * document, its `.dsse.json` envelope and the trusted master fingerprint go to the same
 * checkSignedDocument as `keyrite check-signature`, with the document's file name (an
 * artifact's name is part of what was signed) and the time of the check (now, or the time typed).
 */
import { KeyriteError, isKeyriteError } from '../../core/errors.ts';
import { VERIFY_MODES, type VerifyMode } from '../../core/crypto/hybrid.ts';
import { displayField, displayOutput } from '../../core/encoding/display.ts';
import { parseFingerprint, type ParsedFingerprint } from '../../core/encoding/fingerprint.ts';
import { checkSignedDocument, MAX_CHECKED_FILE_BYTES, MAX_ENVELOPE_BYTES } from '../../core/signing/check-signature.ts';
import { parseUtcSecond } from '../../core/signing/fields.ts';
import { renderSignatureReport } from './signature-view.ts';

function byId<T extends HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}

const form = byId<HTMLFormElement>('signature-form');
const documentInput = byId<HTMLInputElement>('sig-document');
const envelopeInput = byId<HTMLInputElement>('sig-envelope');
const trust = byId<HTMLInputElement>('sig-trust');
const at = byId<HTMLInputElement>('sig-at');
const mode = byId<HTMLSelectElement>('sig-mode');
const status = byId<HTMLElement>('sig-status');
const result = byId<HTMLElement>('sig-result');

function showStatus(text: string, kind: 'info' | 'error'): void {
  status.textContent = displayOutput(text);
  status.className = `status-line ${kind}`;
}

function trustOf(text: string): ParsedFingerprint {
  if (text === '') throw new KeyriteError('USAGE', 'Type the trusted master fingerprint first: 64 hex digits or the 16 words read aloud at the root ceremony.');
  try {
    return parseFingerprint(text);
  } catch (e) {
    throw new KeyriteError('USAGE', `The trusted fingerprint must be 64 hex digits or the 16 words. ${isKeyriteError(e) ? e.message : ''}`.trim());
  }
}

function timeOf(text: string): Date {
  if (text === '') return new Date();
  const t = parseUtcSecond(text);
  if (t === undefined) throw new KeyriteError('USAGE', 'The time of the check must be a UTC time written YYYY-MM-DDTHH:MM:SSZ, e.g. 2027-01-31T12:00:00Z, or left empty for now.');
  return new Date(t);
}

/** The one picked file, refused from its size before it is read. */
async function readPicked(input: HTMLInputElement, what: string, maxBytes: number): Promise<{ name: string; bytes: Uint8Array }> {
  const f = input.files?.[0];
  if (f === undefined) throw new KeyriteError('USAGE', `Pick the ${what} first.`);
  if (f.size > maxBytes) throw new KeyriteError('IO_ERROR', `The ${what} "${displayField(f.name)}" is ${f.size} bytes, more than the ${maxBytes} bytes a signature check reads.`);
  return { name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) };
}

function sentenceOf(e: unknown): string {
  if (isKeyriteError(e)) return e.message;
  return 'The check stopped on an unexpected problem; nothing was checked. Try again, or use keyrite check-signature.';
}

async function checkPicked(): Promise<void> {
  result.replaceChildren();
  try {
    const anchor = trustOf(trust.value.trim());
    const now = timeOf(at.value.trim());
    const doc = await readPicked(documentInput, 'document', MAX_CHECKED_FILE_BYTES);
    const envelope = await readPicked(envelopeInput, 'signature envelope (NAME.dsse.json)', MAX_ENVELOPE_BYTES);
    const names = `${displayField(doc.name)} against ${displayField(envelope.name)}`;
    showStatus(`Checking ${names}…`, 'info');
    // Let the status paint before the synchronous checks run.
    await new Promise((resolve) => setTimeout(resolve, 0));
    const report = checkSignedDocument({ document: doc.bytes, documentName: doc.name, envelope: envelope.bytes, trust: anchor, now, mode: mode.value as VerifyMode });
    showStatus(`Checked ${names} (${doc.bytes.length}-byte document).`, 'info');
    result.replaceChildren(renderSignatureReport(report, now));
  } catch (e) {
    showStatus(sentenceOf(e), 'error');
  }
}

/** A drop inside this section is not a bundle: it is answered here, with what to do instead. */
export function droppedOnSignatureCheck(e: DragEvent): boolean {
  if (!(e.target instanceof Node) || !form.closest('section')!.contains(e.target)) return false;
  showStatus('Files dropped here are not read: pick the signed document and its envelope with the two buttons above.', 'error');
  return true;
}

export function startSignatureCheck(): void {
  mode.replaceChildren(...VERIFY_MODES.map((m) => new Option(m, m)));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void checkPicked();
  });
}
