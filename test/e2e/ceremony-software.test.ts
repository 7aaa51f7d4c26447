// End to end in Chromium: a whole 3-of-5 rehearsal ceremony driven through the ceremony
// screen on rehearsal software tokens, with the real IPC handlers and a real CeremonySession
// behind window.keyrite. One trustee types a wrong passphrase first and sees "2 tries left"
// (once) from the token's real state; the exported bundle passes core's bundle check; the paper
// words are shown once and hidden after "I have copied them"; no secret reaches a view; the
// page makes no request besides its own files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { checkBundle, checkBundleArchive } from '../../core/ceremony/bundle-check.ts';
import { nodeCeremonyFiles } from '../../core/node/ceremony-environment.ts';
import { EventRelay, bundleFakePreload, buildRenderer, launchChromium, openAppPage, realHandlers, shownText, type AppPage } from './harness.ts';
import { ceremonyNodeOptions, checkIn, makeSoftwareTokens, runToEnd, type TokenSeat } from './ceremony-driver.ts';

let work: string;
let browser: Browser;
let app: AppPage;
let seats: TokenSeat[];
let exportDir: string;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'keyrite-e2e-ceremony-'));
  const site = join(work, 'renderer');
  const softwareDir = join(work, 'tokens');
  exportDir = join(work, 'export');
  mkdirSync(exportDir);
  await buildRenderer(site);
  seats = await makeSoftwareTokens(softwareDir);
  const relay = new EventRelay();
  const handlers = realHandlers({}, ceremonyNodeOptions(relay, { workRoot: work, softwareDir, exportDir }));
  browser = await launchChromium();
  app = await openAppPage(browser, { site, handlers, preload: await bundleFakePreload(), viewport: { width: 1280, height: 800 }, events: relay });
});

after(async () => {
  await browser?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('a 3-of-5 rehearsal ceremony through the UI ends with a bundle that checkBundle accepts', { timeout: 600_000 }, async () => {
  const page = app.page;
  await checkIn(page, 'root-keygen-3of5-rehearsal.yaml', seats);
  assert.equal(await page.locator('[data-testid=mode-badge]').innerText(), 'REHEARSAL');
  assert.match(await page.locator('[data-testid=script-hash] .hex-groups').innerText(), /^([0-9a-f]{4} ){15}[0-9a-f]{4}$/);
  assert.equal(await page.locator('[data-testid=script-hash] .words li').count(), 16);
  assert.equal(await page.locator('[data-testid=participants] tbody tr').count(), 7);

  await page.getByRole('button', { name: 'Start the ceremony' }).click();
  const wrong = await runToEnd(page, seats, { wrongOnce: 'trustee-2' });
  assert.match(wrong.problem ?? '', /^Wrong passphrase — 2 tries left\. Check the passphrase with its holder and type it again/);
  assert.match(wrong.problem ?? '', /1 wrong passphrase attempt recorded/, 'the token file reports the wrong attempt');
  assert.doesNotMatch(wrong.triesLeft ?? '', /tries left/, 'the count is said once, in the sentence above');

  const phase = await page.getAttribute('[data-testid=ceremony]', 'data-phase');
  assert.equal(phase, 'done', await shownText(page, '[data-testid=ceremony-error]'));
  assert.equal(await page.locator('[data-testid=steps] .step[data-status=done]').count(), 17);
  const hex = await page.locator('[data-testid=fingerprint-hex]').innerText();
  assert.match(hex, /^([0-9a-f]{4} ){15}[0-9a-f]{4}$/);
  assert.equal(await page.locator('[data-testid=fingerprint-words] li').count(), 16);
  assert.equal(await page.locator('[data-testid=receipts] li[data-trustee]').count(), 5);
  assert.match(await page.locator('[data-testid=receipts] li[data-trustee=trustee-1]').innerText(), /share x = \d+ · matches its commitment/);
  // Every trustee is told where their printable share card is, and it is a PDF.
  for (const line of await page.locator('[data-testid=receipts] [data-testid=share-card]').allInnerTexts()) {
    const m = /^Share card to print for .+, on a printer attached to this machine only: (\/.+\/share-card\.pdf)$/.exec(line);
    assert.ok(m, line);
    assert.equal(readFileSync(m[1]!).subarray(0, 5).toString('latin1'), '%PDF-');
  }
  assert.equal(await page.locator('[data-testid=receipts] [data-testid=share-card]').count(), 5);

  // Paper words: one trustee at a time, once the room is private, hidden once copied (ceremony-room.test.ts checks each step).
  await page.getByRole('button', { name: 'Show Bob Trustee’s paper-backup words' }).click();
  await page.getByLabel(/The projector is blanked/).check();
  await page.getByRole('button', { name: 'Show the words now' }).click();
  await page.waitForSelector('[data-testid=paper-words] li');
  assert.equal(await page.locator('[data-testid=paper-words] li').count(), 34);
  await page.getByRole('button', { name: 'I have copied them…' }).click();
  await page.getByRole('button', { name: 'Yes, hide them for good' }).click();
  await page.waitForSelector('[data-testid=paper-words]', { state: 'detached' });
  assert.match(await page.locator('[data-testid=receipts] li[data-trustee=trustee-1]').innerText(), /Paper backup copied\./);

  await page.getByRole('button', { name: 'Export the bundle to a folder…' }).click();
  const exported = await page.waitForSelector('[data-testid=exported]');
  const folder = readdirSync(exportDir).find((n) => n.startsWith('keyrite-bundle-') && !n.endsWith('.tar'));
  assert.ok(folder, 'the bundle folder was exported');
  assert.deepEqual(readdirSync(exportDir).sort(), [folder, `${folder}.keyrite.tar`], 'the folder and its archive, nothing else');
  assert.match(await exported.innerText(), new RegExp(`${folder!}, with its archive .*${folder!}\\.keyrite\\.tar`));
  const files = nodeCeremonyFiles({ out: exportDir, answers: exportDir });
  const checks = await checkBundle(files, { root: 'out', path: folder! }, { masterFingerprint: hex.replace(/ /g, '') });
  assert.ok(checks.length > 5);
  assert.deepEqual(checks.filter((c) => !c.ok), []);
  const archiveChecks = await checkBundleArchive(files, { root: 'out', path: `${folder!}.keyrite.tar` }, { masterFingerprint: hex.replace(/ /g, '') });
  assert.deepEqual(archiveChecks.map((c) => c.name), checks.map((c) => c.name));
  assert.deepEqual(archiveChecks.filter((c) => !c.ok), []);
  const sha = createHash('sha256').update(readFileSync(join(exportDir, `${folder!}.keyrite.tar`))).digest('hex');
  assert.ok((await app.page.locator('[data-testid=archive-sha256]').innerText()).includes(sha.match(/.{4}/g)!.join(' ')), 'the archive\'s SHA-256 is on screen');
});

test('no PIN, passphrase or dice ever reached the renderer, and the page made no foreign request', async () => {
  const html = await app.page.content();
  for (const s of seats) assert.ok(!html.includes(s.pin), 'a passphrase is in the page');
  assert.deepEqual(app.foreignRequests, []);
  assert.deepEqual(app.pageErrors, []);
  assert.deepEqual(app.consoleProblems, []);
});
