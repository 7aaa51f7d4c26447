// End to end in Chromium: the "My share" screen with the real IPC handlers and a real
// ShareCheckSession behind window.keyrite, on the output of `keyrite demo`. Carol checks her
// share with her PIN, her paper words and the fingerprint from her record: six checks pass; then
// from her printed card's scan; another trustee's envelope fails at the share check; a wrong
// PIN is refused with the token's sentence, as are another trustee's keyring and a path outside
// the bundle's folder. The PIN and the words never come back to the page,
// and the page requests nothing foreign.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { shareCardParts } from '../../core/escrow/share-card-parts.ts';
import { readableFingerprint } from '../../core/bundle/principals.ts';
import { assertAccessible } from './a11y.ts';
import { paperWordsOf, pinOf } from '../integration/recovery/helpers.ts';
import { EventRelay, bundleFakePreload, buildRenderer, launchChromium, openAppPage, realHandlers, shownText, type AppPage } from './harness.ts';
import { makeDemo, recoveryNodeOptions, type Picks } from './recovery-driver.ts';
import { TRUSTEE_NAMES } from './ceremony-driver.ts';

const ROOT = '[data-testid=share-check]';
let work: string;
let demo: string;
let pins: Record<string, string>;
let browser: Browser;
let app: AppPage;
const picks: Picks = {};

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'keyrite-e2e-share-'));
  demo = join(work, 'demo');
  ({ pins } = await makeDemo(demo));
  const site = join(work, 'renderer');
  await buildRenderer(site);
  const relay = new EventRelay();
  browser = await launchChromium();
  app = await openAppPage(browser, { site, handlers: realHandlers({}, recoveryNodeOptions(relay, picks, { workRoot: join(work, 'runs') })), preload: await bundleFakePreload(), viewport: { width: 1280, height: 800 }, events: relay });
});

after(async () => {
  await browser?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** The form filled for `id` (files from the demo layout, the token file), then "Check my share"; resolves once a result or a problem shows. */
async function checkAs(page: Page, id: string, opts: { pin: string; words?: string; trust?: string; envelope?: string; card?: string; keyring?: string }): Promise<void> {
  await page.getByLabel('You are').selectOption(id);
  if (opts.keyring !== undefined) await page.getByLabel('Your keyring file').fill(opts.keyring);
  await page.getByLabel(`Token of ${TRUSTEE_NAMES[Number(id.split('-')[1]) - 1]}`).selectOption('file');
  const cardBox = page.getByLabel('I bring my printed share card instead of the envelope file');
  if (opts.card !== undefined) {
    await cardBox.check();
    await page.getByLabel('QR codes scanned from your share card', { exact: false }).fill(opts.card);
  } else await cardBox.uncheck();
  if (opts.envelope !== undefined) await page.getByLabel('Your share envelope file').fill(opts.envelope);
  await page.getByLabel("Your token's PIN").fill(opts.pin);
  await page.getByLabel('Your paper-backup words', { exact: false }).fill(opts.words ?? '');
  await page.getByLabel('Master fingerprint from your paper record', { exact: false }).fill(opts.trust ?? '');
  await page.getByRole('button', { name: 'Check my share' }).click();
  await page.waitForSelector(`${ROOT} [data-testid=share-result], ${ROOT} [data-testid=problem]`);
}

test("Carol checks her share with her PIN, paper words and fingerprint: six checks pass, anchored; the PIN and words are gone from the form", async () => {
  const page = app.page;
  await page.getByRole('button', { name: 'My share', exact: true }).click();
  picks.bundle = join(demo, 'bundle');
  await page.getByRole('button', { name: 'Open the bundle folder…' }).click();
  await page.waitForSelector(`${ROOT} [data-testid=share-bundle]`);
  const fingerprint = JSON.parse(readFileSync(join(demo, 'bundle', 'bundle.json'), 'utf8')).masterFingerprint as string;
  // She types the fingerprint from her paper record: the screen does not show it, and no heading holds a 32-hex id to mistake for it.
  const text = await page.locator(ROOT).innerText();
  const r = readableFingerprint(fingerprint);
  for (const form of [r.hexGroups.split(' ').slice(0, 3).join(' '), fingerprint.slice(0, 16), r.words.slice(0, 3).join(' ')]) assert.ok(!text.includes(form), `the screen shows the fingerprint (${form})`);
  for (const h of await page.locator(`${ROOT} h2, ${ROOT} h3`).allInnerTexts()) assert.doesNotMatch(h, /[0-9a-f]{16}/, `heading “${h}”`);

  const pin = pinOf(pins, 'trustee-2');
  const words = paperWordsOf(demo, 'trustee-2').join(' ');
  await checkAs(page, 'trustee-2', { pin, words, trust: fingerprint });
  const result = page.locator('[data-testid=share-result]');
  assert.equal(await result.getAttribute('data-ok'), 'true', (await shownText(page, '[data-testid=share-result]')) || (await shownText(page, '[data-testid=problem]')));
  assert.deepEqual(await result.locator('li[data-check]').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-check')}:${e.className}`)), ['bundle', 'keyring', 'token', 'seed', 'share', 'paper'].map((c) => `${c}:check-pass`));
  assert.match(await result.locator('.status').innerText(), /Carol Trustee's share \d+ is good: your token opens it and it passes every check a recovery makes\. Anchored by the fingerprint you typed\./);
  assert.equal(await page.getByLabel("Your token's PIN").inputValue(), '');
  assert.equal(await page.getByLabel('Your paper-backup words', { exact: false }).inputValue(), '');
  const html = await page.content();
  assert.ok(!html.includes(pin), 'the PIN is in the page');
  assert.ok(!html.includes(words.split(' ').slice(0, 3).join(' ')), 'the paper words are in the page');
  await assertAccessible(page, 'my share, result');
});

test("from her printed card's scan; another trustee's envelope fails at the share check; a wrong PIN is refused", async () => {
  const page = app.page;
  const ceremonyId = JSON.parse(readFileSync(join(demo, 'bundle', 'bundle.json'), 'utf8')).ceremonyId as string;
  const card = shareCardParts(new Uint8Array(readFileSync(join(demo, 'trustees', 'trustee-2', 'share-envelope.json'))), ceremonyId).reverse().join('\n');
  await checkAs(page, 'trustee-2', { pin: pinOf(pins, 'trustee-2'), card });
  assert.equal(await page.locator('[data-testid=share-result]').getAttribute('data-ok'), 'true');
  assert.match(await page.locator('[data-testid=share-result] .status').innerText(), /Not anchored: no fingerprint was typed\./);

  await checkAs(page, 'trustee-2', { pin: pinOf(pins, 'trustee-2'), envelope: 'trustees/trustee-3/share-envelope.json' });
  const result = page.locator('[data-testid=share-result]');
  assert.equal(await result.getAttribute('data-ok'), 'false');
  assert.match(await result.locator('.status').innerText(), /The share check failed\. Tell the ceremony's administrator now/);
  assert.match(await result.locator('li[data-check=share]').innerText(), /FAIL\s+share\s+the envelope is addressed to trustee "trustee-3", not to this trustee/);

  await checkAs(page, 'trustee-2', { pin: 'not-her-pin', envelope: 'trustees/trustee-2/share-envelope.json' });
  assert.match(await page.locator('[data-testid=problem]').innerText(), /Wrong passphrase for software token "Rehearsal trustee-2"/);

  await checkAs(page, 'trustee-2', { pin: pinOf(pins, 'trustee-2'), envelope: 'trustees/trustee-2/share-envelope.json', keyring: 'trustees/trustee-3/keyring.json' });
  assert.match(await page.locator('[data-testid=problem]').innerText(), /The keyring given is trustee-3's, not trustee-2's: give your own keyring file\./);

  await checkAs(page, 'trustee-2', { pin: pinOf(pins, 'trustee-2'), envelope: '../../etc/passwd', keyring: 'trustees/trustee-2/keyring.json' });
  assert.match(await page.locator('[data-testid=problem]').innerText(), /must be in the folder holding the bundle/);
});

test('no PIN reached the page, and the page made no foreign request and logged no error', async () => {
  const html = await app.page.content();
  for (const pin of Object.values(pins)) assert.ok(!html.includes(pin), 'a passphrase is in the page');
  assert.deepEqual(app.foreignRequests, []);
  assert.deepEqual(app.pageErrors, []);
  assert.deepEqual(app.consoleProblems, []);
});
