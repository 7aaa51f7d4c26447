/**
 * verify.html: the standalone offline verifier (docs/VERIFIER.md "verify.html"). The auditor
 * picks or drops the bundle folder; the same core verifier as `keyrite verify` runs on the
 * files in this page, and nothing leaves it (the page's CSP forbids every connection).
 */
import { isKeyriteError } from '../../core/errors.ts';
import { VERIFY_MODES, type VerifyMode } from '../../core/crypto/hybrid.ts';
import { displayOutput } from '../../core/encoding/display.ts';
import { parseTrustAnchor, verifyBundle } from '../../core/verifier/verify.ts';
import { readBundleSelection, type PickedFile } from './bundle-selection.ts';
import { droppedFiles } from './dropped-folder.ts';
import { renderReport } from './report-view.ts';

function byId<T extends HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}

const form = byId<HTMLFormElement>('verify-form');
const folder = byId<HTMLInputElement>('folder');
const trust = byId<HTMLInputElement>('trust');
const mode = byId<HTMLSelectElement>('mode');
const dropZone = byId<HTMLElement>('drop-zone');
const status = byId<HTMLElement>('status');
const result = byId<HTMLElement>('result');

let picked: readonly PickedFile[] = [];

function showStatus(text: string, kind: 'info' | 'error'): void {
  status.textContent = displayOutput(text);
  status.className = `status-line ${kind}`;
}

function sentenceOf(e: unknown): string {
  if (isKeyriteError(e)) return e.message;
  return 'The verifier stopped on an unexpected problem; nothing was verified. Try again, or use keyrite verify.';
}

function fromInput(files: FileList): PickedFile[] {
  return [...files].map((f) => ({ relativePath: f.webkitRelativePath || f.name, size: f.size, read: async () => new Uint8Array(await f.arrayBuffer()) }));
}

async function verifyPicked(): Promise<void> {
  result.replaceChildren();
  if (picked.length === 0) return showStatus('Pick the bundle folder first.', 'error');
  try {
    const trustText = trust.value.trim();
    if (trustText !== '') parseTrustAnchor(trustText);
    showStatus(`Reading ${picked.length} files…`, 'info');
    const files = await readBundleSelection(picked);
    showStatus('Checking the bundle…', 'info');
    // Let the status paint before the synchronous checks run.
    await new Promise((resolve) => setTimeout(resolve, 0));
    const report = verifyBundle(files, { mode: mode.value as VerifyMode, ...(trustText === '' ? {} : { trust: trustText }) });
    showStatus(`Checked ${files.size} files.`, 'info');
    result.replaceChildren(renderReport(report));
  } catch (e) {
    showStatus(sentenceOf(e), 'error');
  }
}

mode.replaceChildren(...VERIFY_MODES.map((m) => new Option(m, m)));
form.addEventListener('submit', (e) => {
  e.preventDefault();
  void verifyPicked();
});
folder.addEventListener('change', () => {
  picked = folder.files ? fromInput(folder.files) : [];
  void verifyPicked();
});
// Anywhere on the page, so a missed drop never opens the dropped file instead.
document.addEventListener('dragover', (e) => {
  e.preventDefault();
  dropZone.classList.add('dragging');
});
document.addEventListener('dragleave', () => dropZone.classList.remove('dragging'));
document.addEventListener('drop', (e) => {
  e.preventDefault();
  dropZone.classList.remove('dragging');
  droppedFiles(e.dataTransfer)
    .then((files) => {
      picked = files;
      return verifyPicked();
    })
    .catch((err: unknown) => showStatus(sentenceOf(err), 'error'));
});
