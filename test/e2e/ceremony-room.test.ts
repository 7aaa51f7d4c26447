// End to end in Chromium: the ceremony screen as it is used in a room — the main window on a
// projector, people tense, a stray Enter that must press nothing. One rehearsal ceremony on
// software tokens, with the real IPC handlers behind window.keyrite, checked at each stop:
//  - check-in: no token is bound to anyone until they choose it, the choice is read back with
//    its full label and serial, the same token twice is refused in words (no browser bubble),
//    and the checked-in table and the transcript carry each binding;
//  - the run header (step i of n, progress, REHEARSAL, who acts now) stays in view, and the
//    witness and PIN prompts fit above the fold at 1280×800 and 1920×1080;
//  - the witness prompt: nothing focused, hex in a monospace font, each trustee's words on
//    their own line, "I do not confirm" apart from "Stop";
//  - the paper script is printed and the rehearsal compared with the live script from the screen;
//  - the paper-backup words appear only after the projector is blanked and the trustee is
//    alone, and leave for good only after a deliberate second step; "Finish and start over"
//    too; all 34 words are in view at once at 1280×800 below the run header; no button ever
//    takes the focus by itself, and every screen passes the accessibility checks of a11y.ts
//    (axe-core's serious and critical rules, colour contrast included).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { EventRelay, bundleFakePreload, buildRenderer, launchChromium, openAppPage, realHandlers, type AppPage } from './harness.ts';
import { LOOPBACK_ONLY, TRUSTEE_NAMES, ceremonyNodeOptions, fillCheckIn, makeSoftwareTokens, runToEnd, type TokenSeat } from './ceremony-driver.ts';
import { recoveryNodeOptions } from './recovery-driver.ts';
import { assertAccessible, assertNoButtonFocused, focused } from './a11y.ts';

let work: string;
let site: string;
let preload: string;
let browser: Browser;
let app: AppPage;
let seats: TokenSeat[];
let exportDir: string;
const SCRIPT = 'root-keygen-3of5-rehearsal.yaml';

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'keyrite-e2e-room-'));
  site = join(work, 'renderer');
  const softwareDir = join(work, 'tokens');
  exportDir = join(work, 'export');
  mkdirSync(exportDir);
  await buildRenderer(site);
  seats = await makeSoftwareTokens(softwareDir);
  const relay = new EventRelay();
  mkdirSync(join(work, 'recoveries'));
  // Every screen wired (the audit, recovery and share sessions too), for the accessibility pass over all of them.
  const handlers = realHandlers({}, { ...recoveryNodeOptions(relay, {}, { workRoot: join(work, 'recoveries') }), ...ceremonyNodeOptions(relay, { workRoot: work, softwareDir, exportDir, networkInterfaces: () => LOOPBACK_ONLY }) });
  browser = await launchChromium();
  preload = await bundleFakePreload();
  app = await openAppPage(browser, { site, handlers, preload, viewport: { width: 1280, height: 800 }, events: relay });
});

after(async () => {
  await browser?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

const seat = (participant: string) => seats.find((s) => s.participant === participant)!;
const serialOf = (s: TokenSeat) => /\(serial (.+)\)$/.exec(s.option)![1]!;

/** Top and bottom of an element in the viewport. */
async function box(page: Page, selector: string): Promise<{ top: number; bottom: number; left: number; right: number }> {
  const b = await page.locator(selector).first().boundingBox();
  assert.ok(b, `${selector} is on the page`);
  return { top: b.y, bottom: b.y + b.height, left: b.x, right: b.x + b.width };
}

/** The run header is in the viewport, says step i of n, REHEARSAL and who acts now. */
async function assertRunHeader(page: Page, who: RegExp, where: string): Promise<{ bottom: number }> {
  const height = page.viewportSize()!.height;
  const h = await box(page, '[data-testid=run-header]');
  assert.ok(h.top >= 0 && h.bottom <= height, `${where}: the run header is in view (${h.top}..${h.bottom} of ${height})`);
  const text = await page.locator('[data-testid=run-header]').innerText();
  assert.match(text, /Step \d+ of 17/, where);
  assert.match(text, /REHEARSAL/, where);
  assert.match(await page.locator('[data-testid=acting-now]').innerText(), who, where);
  assert.equal(await page.locator('[data-testid=run-header] progress').count(), 1, `${where}: the progress bar is in the header`);
  return h;
}

/** The element is entirely in the viewport and below the sticky run header. */
async function assertAboveFold(page: Page, selector: string, where: string): Promise<void> {
  const height = page.viewportSize()!.height;
  const header = await box(page, '[data-testid=run-header]');
  const b = await box(page, selector);
  assert.ok(b.top >= header.bottom - 1 && b.bottom <= height, `${where}: ${selector} is in view below the header (${b.top}..${b.bottom}, header ends ${header.bottom}, viewport ${height})`);
}

test('check-in: no token is bound until its holder chooses it; each choice reads back label and serial; one token twice is refused in words', { timeout: 120_000 }, async () => {
  const page = app.page;
  await page.getByRole('button', { name: 'Ceremony', exact: true }).click();
  await page.locator('[data-testid=script-chooser] .choice', { hasText: SCRIPT }).click();
  await page.waitForSelector('[data-testid=ceremony][data-phase=check-in]');
  await page.waitForSelector('[data-testid=check-in] select option:nth-child(2)', { state: 'attached' });
  assert.equal(await page.getByLabel('Master token').inputValue(), '', 'the master token is not chosen for the administrator');
  for (let i = 1; i <= 5; i++) assert.equal(await page.getByLabel(`Trustee ${i}’s token`).inputValue(), '', `trustee ${i} has no token until they choose one`);
  await assertNoButtonFocused(page, 'check-in');
  await assertAccessible(page, 'check-in');

  await page.getByLabel('Trustee 1’s token').selectOption({ label: seat('trustee-1').option });
  const readback = await page.locator('[data-testid=bound-trustee-1]').innerText();
  assert.ok(readback.includes('Rehearsal trustee-1') && readback.includes(serialOf(seat('trustee-1'))), `the choice is read back in full: ${readback}`);
  // Trustee 2 picks trustee 1's token: said at once, and refused at "Check in" without a browser bubble.
  await page.getByLabel('Trustee 2’s token').selectOption({ label: seat('trustee-1').option });
  assert.match(await page.locator('[data-testid=bound-trustee-2]').innerText(), /also chosen for Trustee 1/);
  const calls = app.ipcCalls.length;
  await page.getByRole('button', { name: 'Check in', exact: true }).click();
  const problem = await page.locator('[data-testid=form-problem]').innerText();
  assert.match(problem, /Administrator’s name/);
  assert.match(problem, /the same token/);
  assert.ok(!app.ipcCalls.slice(calls).includes('ceremony:checkIn'), 'an incomplete check-in is not sent');
});

test('before the run, from the screen: the paper script is written as a PDF, and the rehearsal compared with the live script', { timeout: 60_000 }, async () => {
  const page = app.page;
  await page.getByRole('button', { name: 'Print the paper script (PDF)…' }).click();
  const file = join(exportDir, 'root-keygen-3of5-rehearsal-script.pdf');
  const printed = await page.locator('[data-testid=printed]').innerText();
  assert.ok(printed.startsWith(`Paper script written to ${file}`), printed);
  const text = spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).stdout;
  assert.match(text, /Root key ceremony \(3-of-5 escrow\) - rehearsal/);
  assert.match(text, /Mode: REHEARSAL/);
  await page.getByRole('button', { name: 'Compare with the live script root-keygen-3of5.yaml' }).click();
  const diff = page.locator('[data-testid=script-diff]');
  await diff.waitFor();
  assert.equal(await diff.getAttribute('data-ok'), 'true');
  assert.match(await diff.locator('tr[data-path="airGap"]').innerText(), /"warn"\s+"block"\s+allowed/);
  assert.match(await diff.locator('.status').innerText(), /all allowed: the rehearsal runs what the live ceremony runs/);
  await assertAccessible(page, 'script tools');
});

test('checked in: the table reads back each token’s label and serial; nothing is focused', { timeout: 120_000 }, async () => {
  const page = app.page;
  await fillCheckIn(page, seats);
  for (const [i, name] of TRUSTEE_NAMES.entries()) {
    const row = await page.locator('[data-testid=participants] tbody tr', { hasText: name }).innerText();
    assert.ok(row.includes(`Rehearsal trustee-${i + 1}`) && row.includes(serialOf(seat(`trustee-${i + 1}`))), row);
  }
  const admin = await page.locator('[data-testid=participants] tbody tr', { hasText: 'Alice Administrator' }).innerText();
  assert.ok(admin.includes(serialOf(seat('master'))), admin);
  await assertNoButtonFocused(page, 'ready to start');
  await assertAccessible(page, 'ready to start');
});

test('witness prompt: header in view, prompt above the fold at both sizes, nothing focused, words tied to their trustee, decline apart from stop', { timeout: 300_000 }, async () => {
  const page = app.page;
  await page.getByRole('button', { name: 'Start the ceremony' }).click();
  await runToEnd(page, seats, { stop: { witnessAt: 'check-in' } });
  const prompt = '[data-testid=witness-confirm]';
  await page.waitForSelector(prompt);
  await assertNoButtonFocused(page, 'witness prompt');
  await assertRunHeader(page, /Grace Witness/, 'witness prompt');
  await assertAboveFold(page, `${prompt} h3`, 'witness prompt 1280×800');
  await assertAboveFold(page, `${prompt} [data-testid=witness-answer]`, 'witness prompt 1280×800');

  const items = page.locator('[data-testid=witness-summary] > li');
  assert.equal(await items.count(), 5, 'one line per trustee');
  for (const [i, name] of TRUSTEE_NAMES.entries()) {
    const item = items.nth(i);
    const text = await item.innerText();
    assert.ok(text.includes(name), `line ${i + 1} names ${name}: ${text}`);
    assert.match(await item.locator('code.hex').innerText(), /^([0-9a-f]{4} ){15}[0-9a-f]{4}$/);
    assert.equal((await item.locator('.summary-words').innerText()).trim().split(/\s+/).length, 16, `${name}'s 16 words are on their line`);
    assert.match(await item.locator('code.hex').evaluate((e) => getComputedStyle(e).fontFamily), /mono/i, 'hex is in a monospace font');
  }
  // "I do not confirm" and "Stop" are apart: different groups, far enough not to be hit for each other.
  const decline = await box(page, `${prompt} button:text-is("I do not confirm…")`);
  const stop = await box(page, `${prompt} button:text-is("Stop the ceremony…")`);
  const apart = Math.max(stop.left - decline.right, decline.left - stop.right, stop.top - decline.bottom, decline.top - stop.bottom);
  assert.ok(apart >= 48, `decline and stop are ${apart}px apart`);

  // A stray Enter presses nothing.
  const calls = app.ipcCalls.length;
  await page.keyboard.press('Enter');
  await page.waitForTimeout(300);
  assert.ok(!app.ipcCalls.slice(calls).includes('ceremony:witness'), 'Enter answered the witness prompt');
  await assertAccessible(page, 'witness prompt');

  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.locator(prompt).evaluate((e) => e.scrollIntoView({ block: 'start' }));
  await assertRunHeader(page, /Grace Witness/, 'witness prompt 1920×1080');
  await assertAboveFold(page, `${prompt} [data-testid=witness-answer]`, 'witness prompt 1920×1080');
  await page.setViewportSize({ width: 1280, height: 800 });
});

test('PIN prompt: the header stays in view when scrolled; a passphrase token never says PIN; tries left said once', { timeout: 300_000 }, async () => {
  const page = app.page;
  await runToEnd(page, seats, { stop: { pinFor: 'master' } });
  const prompt = '[data-testid=pin-entry]';
  await assertAboveFold(page, `${prompt} h3`, 'PIN prompt');
  await assertAboveFold(page, `${prompt} button[type=submit]`, 'PIN prompt');
  assert.equal((await focused(page)).tag, 'input', 'the passphrase field has the focus');
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  await assertRunHeader(page, /master token|Alice Administrator/, 'PIN prompt, scrolled to the bottom');
  assert.doesNotMatch(await page.locator(prompt).innerText(), /\bPIN\b/, 'a passphrase token is not asked for a PIN');
  await assertAccessible(page, 'PIN prompt');

  const input = page.locator(`${prompt} input[type=password]`);
  await input.fill('not-the-right-passphrase');
  await input.press('Enter');
  await page.waitForSelector(`${prompt} [data-testid=pin-problem]`);
  const text = await page.locator(prompt).innerText();
  assert.equal(text.match(/tries? left/g)?.length, 1, `tries left said once: ${text}`);
  assert.equal(text.match(/token reports/gi)?.length, 1, `the token's report said once: ${text}`);
  await assertAccessible(page, 'PIN prompt after a wrong passphrase');
  await runToEnd(page, seats);
  assert.equal(await page.getAttribute('[data-testid=ceremony]', 'data-phase'), 'done');
});

test('done: readable step titles, a page that fits, and "Finish and start over" needs a second, deliberate step', { timeout: 120_000 }, async () => {
  const page = app.page;
  for (const title of await page.locator('[data-testid=steps] .step-title').allInnerTexts()) assert.doesNotMatch(title, /^[a-z-]+$/, `step title “${title}” is a raw id`);
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  assert.ok(height <= 2600, `the done page is ${height}px tall`);
  await assertNoButtonFocused(page, 'done');
  await assertAccessible(page, 'done');

  await page.getByRole('button', { name: 'Finish and start over…' }).click();
  assert.equal(await page.getAttribute('[data-testid=ceremony]', 'data-phase'), 'done', 'one click does not drop the result');
  const confirm = await page.locator('[data-testid=confirm-finish]').innerText();
  assert.match(confirm, /not been exported/);
  assert.match(confirm, /5 trustees have not copied their paper-backup words/);
  await assertNoButtonFocused(page, 'finish confirmation');
  await assertAccessible(page, 'finish confirmation');
  await page.getByRole('button', { name: 'Keep the result' }).click();
  assert.equal(await page.locator('[data-testid=confirm-finish]').count(), 0);
});

test('paper words: shown only once the projector is blanked and the trustee is alone; a stray Enter keeps them; hidden for good only on a second step', { timeout: 120_000 }, async () => {
  const page = app.page;
  await page.getByRole('button', { name: 'Show Bob Trustee’s paper-backup words' }).click();
  await page.waitForSelector('[data-testid=private-view]');
  assert.equal(await page.locator('[data-testid=paper-words] li').count(), 0, 'no word before the room is private');
  assert.ok(!app.ipcCalls.includes('ceremony:paperWords'), 'the words were not even fetched');
  await assertNoButtonFocused(page, 'private view request');
  await assertAccessible(page, 'private view request');
  await page.getByRole('button', { name: 'Show the words now' }).click();
  assert.match(await page.locator('[data-testid=private-view] [role=alert]').innerText(), /projector/);
  assert.equal(await page.locator('[data-testid=paper-words] li').count(), 0);
  await page.getByLabel(/The projector is blanked or switched to a private view/).check();
  await page.getByRole('button', { name: 'Show the words now' }).click();
  await page.waitForSelector('[data-testid=paper-words] li');
  assert.equal(await page.locator('[data-testid=paper-words] li').count(), 34);
  // All 34 at once at 1280×800, below the run header, without scrolling: first, last, and the button to say they are copied.
  const header = await box(page, '[data-testid=run-header]');
  assert.ok(header.top >= 0 && header.bottom <= 800, `the run header is in view (${header.top}..${header.bottom})`);
  await assertAboveFold(page, '[data-testid=paper-words] li:first-child', 'the first paper word');
  await assertAboveFold(page, '[data-testid=paper-words] li:last-child', 'the last paper word');
  await assertAboveFold(page, '[data-testid=paper-words] button:text-is("I have copied them…")', 'the copied button');
  await assertNoButtonFocused(page, 'paper words');
  await assertAccessible(page, 'paper words');

  const calls = app.ipcCalls.length;
  await page.keyboard.press('Enter');
  await page.waitForTimeout(300);
  assert.equal(await page.locator('[data-testid=paper-words] li').count(), 34, 'a stray Enter hid the words');
  await page.getByRole('button', { name: 'I have copied them…' }).click();
  assert.equal(await page.locator('[data-testid=paper-words] li').count(), 34, 'one click hid the words');
  // The second step asks to check all 34 words twice: they are still all in view, with its answer.
  await assertAboveFold(page, '[data-testid=paper-words] li:first-child', 'the first paper word, second step open');
  await assertAboveFold(page, '[data-testid=paper-words] li:last-child', 'the last paper word, second step open');
  await assertAboveFold(page, 'button:text-is("Yes, hide them for good")', 'the second step’s answer');
  assert.ok(!app.ipcCalls.slice(calls).includes('ceremony:paperCopied'));
  await page.getByRole('button', { name: 'Yes, hide them for good' }).click();
  await page.waitForSelector('[data-testid=paper-words]', { state: 'detached' });
  assert.match(await page.locator('[data-testid=receipts] li[data-trustee=trustee-1]').innerText(), /Paper backup copied\./);
});

test('export, then finish: the transcript records each trustee’s token by label and serial; the second step starts over', { timeout: 120_000 }, async () => {
  const page = app.page;
  await page.getByRole('button', { name: 'Export the bundle to a folder…' }).click();
  await page.waitForSelector('[data-testid=exported]');
  const folder = readdirSync(exportDir).find((n) => n.startsWith('keyrite-bundle-'))!;
  const entries = readFileSync(join(exportDir, folder, 'transcript.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; actor?: string; body?: Record<string, unknown> });
  for (let i = 1; i <= 5; i++) {
    const selected = entries.find((e) => e.type === 'token.select' && JSON.stringify(e).includes(`"trustee-${i}"`));
    assert.ok(selected, `trustee-${i}'s token selection is recorded`);
    const text = JSON.stringify(selected);
    assert.ok(text.includes(serialOf(seat(`trustee-${i}`))) && text.includes(`Rehearsal trustee-${i}`), text);
  }
  await page.getByRole('button', { name: 'Finish and start over…' }).click();
  const confirm = await page.locator('[data-testid=confirm-finish]').innerText();
  assert.doesNotMatch(confirm, /not been exported/);
  await page.getByRole('button', { name: 'Yes, finish and start over' }).click();
  await page.waitForSelector('[data-testid=ceremony][data-phase=choose]');
  assert.equal((await focused(page)).tag, 'h2', 'the focus moves to the new heading');
});

test('every screen: skip link, focus on the new heading with an announcement, no button focused, accessibility checks pass', { timeout: 120_000 }, async () => {
  const page = app.page;
  for (const name of ['Home', 'Ceremony', 'Recovery', 'Audit', 'My share']) {
    await page.getByRole('button', { name, exact: true }).click();
    await page.waitForFunction(() => document.activeElement?.tagName === 'H2', undefined, { timeout: 10_000 });
    const heading = await focused(page);
    assert.match(await page.locator('[data-testid=announcer]').innerText(), new RegExp(heading.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), `${name}: the change is announced`);
    await assertAccessible(page, name);
  }
  // On a fresh page the skip link is the first Tab stop and lands on the main content.
  await page.reload();
  await page.waitForSelector('[data-testid=readiness]');
  await page.keyboard.press('Tab');
  assert.match((await focused(page)).text, /Skip to the screen/);
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');
});

test('home: the ready line counts the tokens, and each reason comes with what to do next', { timeout: 180_000 }, async () => {
  const handlers = realHandlers({ listTokens: async () => [], readNetworkInterfaces: () => LOOPBACK_ONLY });
  const home = await openAppPage(browser, { site, handlers, preload, viewport: { width: 1280, height: 800 } });
  try {
    const line = home.page.locator('[data-testid=readiness]');
    await home.page.waitForSelector('[data-testid=readiness]:not(.readiness-pending)', { timeout: 120_000 });
    const text = await line.innerText();
    assert.match(text, /^Not ready for a ceremony: no token is attached\./);
    assert.match(text, /Plug in the tokens/);
    assert.equal(await line.getAttribute('role'), 'status', 'the ready line is a live region');
    await assertAccessible(home.page, 'home without tokens');
  } finally {
    await home.context.close();
  }
});

test('the page made no foreign request and logged no error', () => {
  assert.deepEqual(app.foreignRequests, []);
  assert.deepEqual(app.pageErrors, []);
  assert.deepEqual(app.consoleProblems, []);
});
