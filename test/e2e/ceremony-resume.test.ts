// End to end in Chromium: a 3-of-5 rehearsal ceremony on software tokens is stopped at a
// witness prompt with "Stop the ceremony" (the step is recorded as failed), then resumed from
// the ceremony screen's "Interrupted ceremonies" list: the same participants check in again,
// every PIN is typed again, and the same engine continues the journal in the same run folder.
// The journal records ceremony.resume; the bundle passes core's bundle check.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { checkBundle } from '../../core/ceremony/bundle-check.ts';
import { recoverTranscript } from '../../core/transcript/transcript.ts';
import { nodeCeremonyFiles } from '../../core/node/ceremony-environment.ts';
import { EventRelay, bundleFakePreload, buildRenderer, launchChromium, openAppPage, realHandlers, shownText, type AppPage } from './harness.ts';
import { ceremonyNodeOptions, checkIn, fillCheckIn, makeSoftwareTokens, runToEnd, type TokenSeat } from './ceremony-driver.ts';
import { ENTRY } from '../../core/bundle/entries.ts';

let work: string;
let browser: Browser;
let app: AppPage;
let seats: TokenSeat[];

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'keyrite-e2e-resume-'));
  const site = join(work, 'renderer');
  const softwareDir = join(work, 'tokens');
  const exportDir = join(work, 'export');
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

test('a ceremony stopped at a witness prompt is resumed from the list and ends with a checked bundle', { timeout: 900_000 }, async () => {
  const page = app.page;
  await checkIn(page, 'root-keygen-3of5-rehearsal.yaml', seats);
  await page.getByRole('button', { name: 'Start the ceremony' }).click();
  await runToEnd(page, seats, { stop: { witnessAt: 'enrolled' } });
  // Stopping takes a second, deliberate step.
  await page.locator('[data-testid=witness-confirm]').getByRole('button', { name: 'Stop the ceremony…' }).click();
  await page.locator('[data-testid=witness-confirm]').getByRole('button', { name: 'Yes, stop the ceremony' }).click();
  await page.waitForSelector('[data-testid=ceremony][data-phase=failed]');
  assert.match(await page.locator('[data-testid=ceremony-error]').innerText(), /stopped in the app/);
  await page.getByRole('button', { name: 'Start over' }).click();

  // The first step lists the stopped ceremony.
  const item = page.locator('[data-testid=interrupted] li[data-folder]');
  await item.first().waitFor();
  assert.equal(await item.count(), 1);
  const folder = (await item.getAttribute('data-folder'))!;
  const ceremonyId = (await item.getAttribute('data-ceremony'))!;
  assert.match(folder, /^ceremony-[A-Za-z0-9]{6}$/);
  assert.match(await item.innerText(), /Resume .* · ceremony [0-9a-f]+/);
  assert.match(await item.innerText(), /stopped at step “enrolled”/);
  assert.match(await item.innerText(), /Alice Administrator, Bob Trustee/);

  await item.getByRole('button').click();
  await fillCheckIn(page, seats);
  assert.match(await page.locator('[data-testid=resuming]').innerText(), new RegExp(`Resuming ceremony ${ceremonyId}`));
  await page.getByRole('button', { name: 'Start the ceremony' }).click();
  await runToEnd(page, seats);
  const phase = await page.getAttribute('[data-testid=ceremony]', 'data-phase');
  assert.equal(phase, 'done', await shownText(page, '[data-testid=ceremony-error]'));
  const hex = (await page.locator('[data-testid=fingerprint-hex]').innerText()).replace(/ /g, '');

  const runDir = join(work, folder);
  const entries = recoverTranscript(new Uint8Array(readFileSync(join(runDir, 'journal', 'transcript.jsonl')))).entries;
  assert.equal(entries.filter((e) => e.type === ENTRY.ceremonyStart).length, 1);
  const resume = entries.filter((e) => e.type === ENTRY.ceremonyResume);
  assert.equal(resume.length, 1);
  assert.equal(resume[0]!.body.run, 2);
  assert.ok(entries.some((e) => e.type === ENTRY.stepFailed && e.body.step === 'enrolled'), 'the stop is recorded as a failed step');
  assert.ok(entries.some((e) => e.type === ENTRY.stepEnd && e.body.step === 'enrolled' && e.seq > resume[0]!.seq), 'the resumed run redid the step');
  assert.ok(entries.some((e) => e.type === ENTRY.ceremonyEnd));

  const checks = await checkBundle(nodeCeremonyFiles({ out: runDir, answers: runDir }), { root: 'out', path: 'bundle' }, { ceremonyId, masterFingerprint: hex });
  assert.ok(checks.length > 5);
  assert.deepEqual(checks.filter((c) => !c.ok), []);
});

test('no passphrase reached the renderer, and the page made no foreign request', async () => {
  const html = await app.page.content();
  for (const s of seats) assert.ok(!html.includes(s.pin), 'a passphrase is in the page');
  assert.deepEqual(app.foreignRequests, []);
  assert.deepEqual(app.pageErrors, []);
  assert.deepEqual(app.consoleProblems, []);
});
