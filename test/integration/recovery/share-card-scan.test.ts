/**
 * A trustee who brings the printed share card instead of the envelope file, on a `keyrite demo`
 * output. `keyrite recover` with `envelope-card:` (the scanner's text file) in the answers, the
 * scan read off the card's PDF rendered at 300 dpi by a real QR decoder (ZBar); and
 * the app's recovery session card reader (recovery:readShareCard), driven directly (the
 * Chromium test test/e2e/recovery.test.ts drives it through the screen): cards are
 * read only during the check-in and only for a trustee of the bundle; the envelope is saved once,
 * read again as the same file, a different file already there is never overwritten, and a
 * folder it cannot write is refused with what to do.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { isKeyriteError } from '../../../core/errors.ts';
import { shareCardParts } from '../../../core/escrow/share-card-parts.ts';
import { RecoverySession, SCANNED_CARDS_FOLDER } from '../../../electron/ipc/recovery-session.ts';
import { repoRoot } from '../../helpers/cli.ts';
import { DemoCopies, setAnswers } from './helpers.ts';

let copies: DemoCopies;

before(async () => {
  copies = await DemoCopies.make('keyrite-card-scan-');
});

after(() => copies?.remove());

/** A session on the copy `d`, its bundle open and, unless `phase` says otherwise, the rehearsal script loaded (check-in). */
async function sessionOn(d: string, phase: 'bundle' | 'check-in' = 'check-in'): Promise<RecoverySession> {
  const runs = join(d, 'runs');
  mkdirSync(runs);
  const s = new RecoverySession({
    workRoot: runs,
    scriptsDir: join(repoRoot, 'ceremony-scripts'),
    listTokens: async () => [],
    pickBundleFolder: async () => join(d, 'bundle'),
    pickScriptFile: async () => undefined,
    pickExportFolder: async () => undefined,
    publish: () => undefined,
  });
  await s.openBundle();
  if (phase === 'check-in') await s.load({ shipped: 'escrow-recovery-rehearsal.yaml' });
  return s;
}

function cardOf(d: string, id: string): { text: string; file: Uint8Array } {
  const file = new Uint8Array(readFileSync(join(d, 'trustees', id, 'share-envelope.json')));
  const ceremonyId: string = JSON.parse(readFileSync(join(d, 'bundle', 'bundle.json'), 'utf8')).ceremonyId;
  return { text: shareCardParts(file, ceremonyId).join('\n'), file };
}

async function refused(p: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isKeyriteError(e), String(e));
    assert.equal(e.code, code);
    assert.match(e.message, message);
    return true;
  });
}

test('a card is read once, saved 0600 next to the bundle, and the same card read again keeps the file', async () => {
  const d = copies.copy();
  const s = await sessionOn(d);
  const card = cardOf(d, 'trustee-2');
  const first = await s.readShareCard({ trusteeId: 'trustee-2', scanned: card.text });
  assert.equal(first.envelope, `${SCANNED_CARDS_FOLDER}/trustee-2.share-envelope.json`);
  assert.equal(first.alreadySaved, false);
  assert.ok(first.parts >= 2);
  assert.match(first.envelopeSha256, /^([0-9A-F]{4} ){15}[0-9A-F]{4}$/i);
  const saved = join(d, SCANNED_CARDS_FOLDER, 'trustee-2.share-envelope.json');
  assert.deepEqual(new Uint8Array(readFileSync(saved)), card.file);
  const again = await s.readShareCard({ trusteeId: 'trustee-2', scanned: card.text });
  assert.deepEqual({ ...again, alreadySaved: false }, first);
  assert.equal(again.alreadySaved, true);
});

test('refused: before the check-in, a stranger, another trustee’s card, a different file already saved, an unwritable folder', async () => {
  const d = copies.copy();
  const early = await sessionOn(d, 'bundle');
  await refused(early.readShareCard({ trusteeId: 'trustee-1', scanned: cardOf(d, 'trustee-1').text }), 'USAGE', /cards are read during the check-in/);

  const d2 = copies.copy();
  const s2 = await sessionOn(d2);
  await refused(s2.readShareCard({ trusteeId: 'trustee-9', scanned: cardOf(d2, 'trustee-1').text }), 'INVALID_INPUT', /^trustee-9 is not a trustee of the original ceremony\.$/);
  await refused(s2.readShareCard({ trusteeId: 'trustee-1', scanned: cardOf(d2, 'trustee-5').text }), 'INVALID_INPUT', /This is the card of trustee-5, not of trustee-1/);

  // Something else already has the name: kept, and the card is refused.
  mkdirSync(join(d2, SCANNED_CARDS_FOLDER));
  const other = join(d2, SCANNED_CARDS_FOLDER, 'trustee-1.share-envelope.json');
  writeFileSync(other, 'not this envelope\n');
  await refused(s2.readShareCard({ trusteeId: 'trustee-1', scanned: cardOf(d2, 'trustee-1').text }), 'OBJECT_EXISTS', /Keyrite never overwrites a file: move that file away, then scan the card again\./);
  assert.equal(readFileSync(other, 'utf8'), 'not this envelope\n');

  // The envelope cannot be saved (here: a file where the folder would be; root ignores read-only modes, so no chmod).
  const d3 = copies.copy();
  const s3 = await sessionOn(d3);
  writeFileSync(join(d3, SCANNED_CARDS_FOLDER), 'a file, not a folder\n');
  await refused(s3.readShareCard({ trusteeId: 'trustee-1', scanned: cardOf(d3, 'trustee-1').text }), 'IO_ERROR', /^Could not save the scanned envelope at .+: something is already there\. Copy the bundle's folder to a writable drive, open the bundle from there and scan the card again, or use the trustee's share-envelope\.json file\.$/);
});

/** The answers of copy `d` with trustee-2's envelope file replaced by a card scan file holding `scan`. */
function answerWithCard(d: string, scan: string): void {
  writeFileSync(join(d, 'trustees', 'trustee-2', 'card-scan.txt'), scan);
  setAnswers(d, (a) => a.replace('    envelope: trustees/trustee-2/share-envelope.json\n', '    envelope-card: trustees/trustee-2/card-scan.txt\n'));
}

/**
 * What a QR scanner reads off the printed card: the card's PDF rendered at 300 dpi (pdftoppm,
 * Debian poppler-utils) and every symbol decoded by ZBar (zbarimg, Debian zbar-tools), one
 * line per symbol, in the order ZBar finds them.
 */
function scanPrintedCard(pdf: string, scratch: string): string[] {
  mkdirSync(scratch);
  const render = spawnSync('pdftoppm', ['-r', '300', '-png', pdf, join(scratch, 'page')], { encoding: 'utf8' });
  assert.equal(render.status, 0, `pdftoppm (Debian package poppler-utils) must be installed: ${render.error?.message ?? render.stderr}`);
  const lines: string[] = [];
  for (const page of readdirSync(scratch).sort()) {
    const z = spawnSync('zbarimg', ['--quiet', '--raw', join(scratch, page)], { encoding: 'utf8' });
    // zbarimg exits 4 for a page without symbols (the card's first page).
    assert.ok(z.status === 0 || z.status === 4, `zbarimg (Debian package zbar-tools) must be installed: ${z.error?.message ?? z.stderr}`);
    lines.push(...z.stdout.split('\n').filter((l) => l.length > 0));
  }
  return lines;
}

test('keyrite recover: trustee-2 brings only the printed card; its QR codes, read off the rendered PDF, restore the key and the bundle verifies', async () => {
  const d = copies.copy();
  const envelope = join(d, 'trustees', 'trustee-2', 'share-envelope.json');
  const parts = scanPrintedCard(join(d, 'trustees', 'trustee-2', 'share-card.pdf'), join(d, 'card-pages'));
  assert.deepEqual([...parts].sort(), cardOf(d, 'trustee-2').text.split('\n').sort(), 'every QR code on the printed card decodes to its part');
  rmSync(envelope);
  // As a scanner saved it: any order, CRLF, a repeated part, a blank line.
  answerWithCard(d, [...parts.slice(1), '', parts[0], parts[1]].join('\r\n') + '\r\n');
  const r = await copies.recover(d);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const res = JSON.parse(r.stdout);
  assert.deepEqual(res.used, ['trustee-1', 'trustee-2', 'trustee-3']);
  assert.equal(res.recoveredFingerprint, JSON.parse(readFileSync(join(d, 'bundle', 'bundle.json'), 'utf8')).masterFingerprint);
  assert.ok(res.exportChecks.every((c: { ok: boolean }) => c.ok));
});

test("keyrite recover: another trustee's card, or a card with a part missing, is refused naming Carol; nothing is restored", async () => {
  for (const [scan, reason] of [
    [(d: string) => cardOf(d, 'trustee-4').text, /the share card scan cannot be used: this is the card of trustee-4, not of trustee-2/],
    [(d: string) => cardOf(d, 'trustee-2').text.split('\n').slice(1).join('\n'), /the share card scan cannot be used: part 1 of \d+ is missing; scan every QR code on the card/],
    [() => 'not a card at all', /the share card scan cannot be used: scanned text 1 is not a Keyrite share card part/],
  ] as const) {
    const d = copies.copy();
    answerWithCard(d, scan(d));
    const r = await copies.recover(d);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const res = JSON.parse(r.stdout);
    assert.equal(res.code, 'SHARE_REJECTED');
    assert.match(res.message, /the share of Carol Trustee \(trustee-2\) was refused/);
    assert.match(res.message, reason);
    assert.equal(await copies.newTokenHoldsKey(d), false);
  }
});
