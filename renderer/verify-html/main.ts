/**
 * verify.html: the standalone offline verifier (docs/VERIFIER.md "verify.html"). The auditor
 * picks or drops the bundle folder or its archive (bundle.keyrite.tar, read in memory); the
 * same core verifier as `keyrite verify` runs on the files in this page, and nothing leaves it
 * (the page's CSP forbids every connection). A relying party checks one signed document in
 * the page's second section (signature-check.ts).
 */
import { isKeyriteError } from '../../core/errors.ts';
import { VERIFY_MODES, type VerifyMode } from '../../core/crypto/hybrid.ts';
import { displayOutput } from '../../core/encoding/display.ts';
import { parseTrustAnchor, verifyBundle } from '../../core/verifier/verify.ts';
import { readBundleSelection, type PickedFile } from './bundle-selection.ts';
import { readBundleArchive, type PickedArchive } from './bundle-archive.ts';
import { droppedBundle, type Dropped } from './dropped-folder.ts';
import { readableFingerprint } from '../../core/bundle/principals.ts';
import { renderReport } from './report-view.ts';
import { droppedOnSignatureCheck, startSignatureCheck } from './signature-check.ts';

function byId<T extends HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}

const form = byId<HTMLFormElement>('verify-form');
const folder = byId<HTMLInputElement>('folder');
const archive = byId<HTMLInputElement>('archive');
const trust = byId<HTMLInputElement>('trust');
const mode = byId<HTMLSelectElement>('mode');
const dropZone = byId<HTMLElement>('drop-zone');
const status = byId<HTMLElement>('status');
const result = byId<HTMLElement>('result');

let picked: Dropped = { folder: [] };

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

function fromArchiveInput(files: FileList): Dropped {
  const f = files[0];
  return f ? { archive: { name: f.name, size: f.size, read: async () => new Uint8Array(await f.arrayBuffer()) } } : { folder: [] };
}

/** The picked bundle's files, and for an archive the words that say which archive it was. */
async function readPicked(): Promise<{ files: Map<string, Uint8Array>; from: string }> {
  if ('archive' in picked) {
    const a: PickedArchive = picked.archive;
    showStatus(`Reading the archive ${a.name}…`, 'info');
    const { files, sha256 } = await readBundleArchive(a);
    return { files, from: ` from the archive ${a.name}, SHA-256 ${readableFingerprint(sha256).hexGroups}` };
  }
  showStatus(`Reading ${picked.folder.length} files…`, 'info');
  return { files: await readBundleSelection(picked.folder), from: '' };
}

async function verifyPicked(): Promise<void> {
  result.replaceChildren();
  if ('folder' in picked && picked.folder.length === 0) return showStatus('Pick the bundle folder or its archive first.', 'error');
  try {
    const trustText = trust.value.trim();
    if (trustText !== '') parseTrustAnchor(trustText);
    const { files, from } = await readPicked();
    showStatus('Checking the bundle…', 'info');
    // Let the status paint before the synchronous checks run.
    await new Promise((resolve) => setTimeout(resolve, 0));
    const report = verifyBundle(files, { mode: mode.value as VerifyMode, ...(trustText === '' ? {} : { trust: trustText }) });
    showStatus(`Checked ${files.size} files${from}.`, 'info');
    result.replaceChildren(renderReport(report));
  } catch (e) {
    showStatus(sentenceOf(e), 'error');
  }
}

mode.replaceChildren(...VERIFY_MODES.map((m) => new Option(m, m)));
startSignatureCheck();
form.addEventListener('submit', (e) => {
  e.preventDefault();
  void verifyPicked();
});
folder.addEventListener('change', () => {
  picked = { folder: folder.files ? fromInput(folder.files) : [] };
  void verifyPicked();
});
archive.addEventListener('change', () => {
  picked = archive.files ? fromArchiveInput(archive.files) : { folder: [] };
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
  if (droppedOnSignatureCheck(e)) return;
  droppedBundle(e.dataTransfer)
    .then((dropped) => {
      picked = dropped;
      return verifyPicked();
    })
    .catch((err: unknown) => showStatus(sentenceOf(err), 'error'));
});
