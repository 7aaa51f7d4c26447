// End to end in Chromium: escrow recovery through the recovery screen, with the real IPC
// handlers and a real RecoverySession behind window.keyrite, on the output of `keyrite demo`
// (run here). Trustees 1, 2 and 3 restore the master key onto the demo's empty new token: the
// recovered fingerprint equals the original and `keyrite verify` accepts the recovery bundle.
// Then, with one byte of trustee-2's envelope flipped and trustee-4 added (a 4-trustee variant
// of the rehearsal script, chosen in the file picker), the screen names Carol's refused share
// and the key still recovers. Trustee-3 brings only her printed share card: its QR parts, as a
// USB scanner types them, restore the envelope (another trustee's card is refused first). No PIN
// reaches the page; the page requests nothing foreign.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { readableFingerprint } from '../../core/bundle/principals.ts';
import { assertAccessible, assertNoButtonFocused } from './a11y.ts';
import { runInProcess } from '../helpers/cli.ts';
import { shareCardParts } from '../../core/escrow/share-card-parts.ts';
import { sha256 } from '../../core/crypto/hash.ts';
import { fingerprint as asFingerprint, formatFingerprintHex } from '../../core/encoding/fingerprint.ts';
import { EventRelay, bundleFakePreload, buildRenderer, launchChromium, openAppPage, realHandlers, repo, shownText, type AppPage } from './harness.ts';
import { runToEnd } from './ceremony-driver.ts';
import { makeDemo, recoveryCheckIn, recoveryNodeOptions, recoverySeats, type Picks } from './recovery-driver.ts';

const ROOT = '[data-testid=recovery]';
let work: string;
let demo: string;
let pins: Record<string, string>;
let fingerprint: string;
let browser: Browser;
let app: AppPage;
const picks: Picks = {};
let copies = 0;

function copyDemo(): string {
  const d = join(work, `copy-${copies++}`);
  cpSync(demo, d, { recursive: true });
  return d;
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'keyrite-e2e-recovery-'));
  demo = join(work, 'demo');
  ({ pins } = await makeDemo(demo));
  fingerprint = JSON.parse(readFileSync(join(demo, 'bundle', 'bundle.json'), 'utf8')).masterFingerprint;
  const site = join(work, 'renderer');
  const runs = join(work, 'runs');
  mkdirSync(runs);
  await buildRenderer(site);
  const relay = new EventRelay();
  const handlers = realHandlers({}, recoveryNodeOptions(relay, picks, { workRoot: runs }));
  browser = await launchChromium();
  app = await openAppPage(browser, { site, handlers, preload: await bundleFakePreload(), viewport: { width: 1280, height: 800 }, events: relay });
});

after(async () => {
  await browser?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** "Finish and start over" is a second, deliberate step. */
async function finish(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Finish and start over…' }).click();
  await page.getByRole('button', { name: 'Yes, finish and start over' }).click();
}

/** The original fingerprint, in any of the forms a screen shows it: hex groups, plain hex, its first words. */
function fingerprintForms(fp: string): string[] {
  const r = readableFingerprint(fp);
  return [r.hexGroups.split(' ').slice(0, 3).join(' '), fp.slice(0, 16), r.words.slice(0, 3).join(' ')];
}

test('trustees 1, 2 and 3 recover the master key through the UI; keyrite verify accepts the recovery bundle', { timeout: 600_000 }, async () => {
  const page = app.page;
  const d = copyDemo();
  await recoveryCheckIn(page, picks, d, {
    script: { shipped: 'escrow-recovery-rehearsal.yaml' },
    trust: fingerprint,
    ids: ['trustee-1', 'trustee-2', 'trustee-3'],
    // The quorum types the fingerprint from paper: the screen must not show it above the field.
    beforeCheckIn: async (p) => {
      const text = await p.locator(ROOT).innerText();
      for (const form of fingerprintForms(fingerprint)) assert.ok(!text.includes(form), `the check-in shows the fingerprint (${form})`);
      assert.match(await p.locator('[data-testid=anchor-note]').innerText(), /not shown here/);
      await assertAccessible(p, 'recovery check-in');
    },
  });
  assert.equal(await page.locator('[data-testid=participants] tbody tr').count(), 5);
  await page.getByRole('button', { name: 'Start the recovery' }).click();
  await runToEnd(page, recoverySeats(pins, ['trustee-1', 'trustee-2', 'trustee-3']), { root: ROOT });
  const phase = await page.getAttribute(ROOT, 'data-phase');
  assert.equal(phase, 'done', await shownText(page, '[data-testid=recovery-error]'));

  assert.equal((await page.locator('[data-testid=recovered-hex]').innerText()).replace(/ /g, ''), fingerprint);
  assert.equal(await page.locator('[data-testid=recovered-words] li').count(), 16);
  assert.match(await page.locator('[data-testid=matches-original]').innerText(), /equals the original master fingerprint/);
  assert.match(await page.locator('[data-testid=restored]').innerText(), /Restored onto token “Rehearsal new master” \(serial [^)]+\) as “keyrite-root-rehearsal”, non-extractable/);
  const shares = page.locator('[data-testid=shares]');
  assert.equal(await shares.getAttribute('data-accepted'), '3');
  assert.match(await shares.locator('h3').innerText(), /3 of 3 accepted/);
  assert.equal(await shares.locator('li[data-outcome=accepted]').count(), 3);
  assert.equal(await shares.locator('li[data-outcome=refused]').count(), 0);

  const folder = (await page.locator('[data-testid=recovery-bundle]').innerText()).replace(/^Recovery bundle: /, '');
  const verified = await runInProcess(['verify', folder, '--trust', fingerprint]);
  assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  assert.match(verified.stdout, /VALID REHEARSAL BUNDLE: all \d+ checks passed/);

  // Export: the recovery bundle copied to a folder the picker chose, checked again; keyrite verify accepts the copy.
  picks.exportFolder = join(d, 'usb-stick');
  mkdirSync(picks.exportFolder);
  await page.getByRole('button', { name: 'Export the recovery bundle to a folder…' }).click();
  const exported = (await page.locator('[data-testid=exported]').innerText()).replace(/^Recovery bundle exported and checked again at /, '');
  assert.equal(dirname(exported), picks.exportFolder);
  const copy = await runInProcess(['verify', exported, '--trust', fingerprint]);
  assert.equal(copy.code, 0, copy.stdout + copy.stderr);
  await assertNoButtonFocused(page, 'recovery done');
  await assertAccessible(page, 'recovery done');
  // One click on "Finish and start over…" drops nothing.
  await page.getByRole('button', { name: 'Finish and start over…' }).click();
  assert.equal(await page.getAttribute(ROOT, 'data-phase'), 'done');
  await page.getByRole('button', { name: 'Keep the result' }).click();
});

test("with trustee-2's envelope damaged and trustee-4 added, Carol's share is refused by name and the key still recovers", { timeout: 600_000 }, async () => {
  const page = app.page;
  await finish(page);
  await page.waitForSelector(`${ROOT}[data-phase=bundle]`);
  const d = copyDemo();
  const envelope = join(d, 'trustees', 'trustee-2', 'share-envelope.json');
  const env = JSON.parse(readFileSync(envelope, 'utf8'));
  const ct: string = env.sealed.ciphertext;
  const i = Math.floor(ct.length / 2);
  env.sealed.ciphertext = ct.slice(0, i) + (ct[i] === 'A' ? 'B' : 'A') + ct.slice(i + 1);
  writeFileSync(envelope, JSON.stringify(env));
  const script = join(d, 'escrow-recovery-4.yaml');
  writeFileSync(script, readFileSync(join(repo, 'ceremony-scripts/escrow-recovery-rehearsal.yaml'), 'utf8').replace(/\n {2}trustee: 3\n/, '\n  trustee: 4\n'));

  const ids = ['trustee-1', 'trustee-2', 'trustee-3', 'trustee-4'];
  await recoveryCheckIn(page, picks, d, { script: { file: script }, trust: fingerprint, ids });
  await page.getByRole('button', { name: 'Start the recovery' }).click();
  await runToEnd(page, recoverySeats(pins, ids), { root: ROOT });
  assert.equal(await page.getAttribute(ROOT, 'data-phase'), 'done', await shownText(page, '[data-testid=recovery-error]'));

  const refused = page.locator('[data-testid=shares] li[data-outcome=refused]');
  assert.equal(await refused.count(), 1);
  assert.equal(await refused.getAttribute('data-trustee'), 'trustee-2');
  assert.match(await refused.innerText(), /^✗\s*Carol Trustee \(trustee-2\): share REFUSED — \S.+/);
  assert.equal(await page.locator('[data-testid=shares] li[data-outcome=accepted]').count(), 3);
  assert.equal((await page.locator('[data-testid=recovered-hex]').innerText()).replace(/ /g, ''), fingerprint);
  assert.match(await page.locator('[data-testid=recovery-outcome]').innerText(), /Shares combined: trustee-1, trustee-3, trustee-4/);
});

test('trustee-3 brings only her printed card: the scanned QR parts restore her envelope and the key recovers', { timeout: 600_000 }, async () => {
  const page = app.page;
  await finish(page);
  await page.waitForSelector(`${ROOT}[data-phase=bundle]`);
  const d = copyDemo();
  const ceremonyId: string = JSON.parse(readFileSync(join(d, 'bundle', 'bundle.json'), 'utf8')).ceremonyId;
  const cardOf = (id: string): string[] => shareCardParts(new Uint8Array(readFileSync(join(d, 'trustees', id, 'share-envelope.json'))), ceremonyId);
  const envelopeFile = new Uint8Array(readFileSync(join(d, 'trustees', 'trustee-3', 'share-envelope.json')));
  const parts = cardOf('trustee-3');
  const wrongCard = cardOf('trustee-4');
  // She has the card only: the file is gone.
  rmSync(join(d, 'trustees', 'trustee-3', 'share-envelope.json'));

  await recoveryCheckIn(page, picks, d, {
    script: { shipped: 'escrow-recovery-rehearsal.yaml' },
    trust: fingerprint,
    ids: ['trustee-1', 'trustee-2', 'trustee-3'],
    beforeCheckIn: async (p) => {
      await p.getByLabel('trustee-3 brings the printed share card instead of the file').check();
      const box = p.getByLabel('QR codes scanned from trustee-3’s share card', { exact: false });
      const scan = p.locator('[data-testid=card-scan-trustee-3]');
      await box.fill(wrongCard.join('\n') + '\n');
      await p.getByRole('button', { name: 'Read trustee-3’s card' }).click();
      await scan.getByText('Card not read').waitFor();
      assert.match(await scan.locator('.status').innerText(), /This is the card of trustee-4, not of trustee-3: scan trustee-3's own card\./);
      // A scanner types one line per code, in the order she scans them; part 2 twice.
      await box.fill([parts[2], parts[0], parts[1], parts[1], ...parts.slice(3)].join('\n') + '\n');
      await p.getByRole('button', { name: 'Read trustee-3’s card' }).click();
      await scan.getByText('Card read').waitFor();
      assert.match(await scan.locator('.status').innerText(), new RegExp(`All ${parts.length} parts read, envelope saved as scanned-share-cards/trustee-3\\.share-envelope\\.json`));
      assert.equal(await scan.getByTestId('card-sha256').innerText(), formatFingerprintHex(asFingerprint(sha256(envelopeFile))));
      assert.equal(await p.getByLabel('Share envelope file of trustee-3').inputValue(), 'scanned-share-cards/trustee-3.share-envelope.json');
    },
  });
  const saved = join(d, 'scanned-share-cards', 'trustee-3.share-envelope.json');
  assert.deepEqual(new Uint8Array(readFileSync(saved)), envelopeFile);
  assert.equal(statSync(saved).mode & 0o777, 0o600);

  await page.getByRole('button', { name: 'Start the recovery' }).click();
  await runToEnd(page, recoverySeats(pins, ['trustee-1', 'trustee-2', 'trustee-3']), { root: ROOT });
  assert.equal(await page.getAttribute(ROOT, 'data-phase'), 'done', await shownText(page, '[data-testid=recovery-error]'));
  assert.equal((await page.locator('[data-testid=recovered-hex]').innerText()).replace(/ /g, ''), fingerprint);
  assert.match(await page.locator('[data-testid=recovery-outcome]').innerText(), /Shares combined: trustee-1, trustee-2, trustee-3/);
});

test('a fingerprint that is not the bundle’s is refused at check-in with what to do', async () => {
  const page = app.page;
  await finish(page);
  const d = copyDemo();
  const wrong = fingerprint.slice(0, 10) + (fingerprint[10] === '0' ? '1' : '0') + fingerprint.slice(11);
  await recoveryCheckIn(page, picks, d, { script: { shipped: 'escrow-recovery-rehearsal.yaml' }, trust: wrong, ids: ['trustee-1', 'trustee-2', 'trustee-3'], expect: 'problem' });
  assert.match(await page.locator('[data-testid=problem]').innerText(), /does not match the master key of this bundle\. Compare it with the paper record/);
  assert.equal(await page.getAttribute(ROOT, 'data-phase'), 'check-in');
});

test('no PIN reached the page, and the page made no foreign request and logged no error', async () => {
  const html = await app.page.content();
  for (const pin of Object.values(pins)) assert.ok(!html.includes(pin), 'a passphrase is in the page');
  assert.deepEqual(app.foreignRequests, []);
  assert.deepEqual(app.pageErrors, []);
  assert.deepEqual(app.consoleProblems, []);
});
