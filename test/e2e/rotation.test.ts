// End to end in Chromium, with the real IPC handlers: the Audit screen's chain, on the run's
// shared rotated demo (its root bundle and its rehearsal rotation). The chain added root first
// and anchored on the root fingerprint is VALID: drawn root → current with each key's state and
// dates, the current key's fingerprint in hex groups and words; the same folders in the wrong
// order are CHAIN REFUSED with the check named. axe passes at each state; the page asks for
// nothing but its own files and logs no error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { EventRelay, bundleFakePreload, buildRenderer, launchChromium, openAppPage, realHandlers, shownText, type AppPage } from './harness.ts';
import { recoveryNodeOptions, type Picks } from './recovery-driver.ts';
import { makeRotatedDemo } from '../integration/rotation/helpers.ts';
import { readableFingerprint } from '../../core/bundle/principals.ts';
import { assertAccessible, focused } from './a11y.ts';

let work: string;
let browser: Browser;
let app: AppPage;
const picks: Picks = {};
let demo: string;
let rootFp: string;
let newFp: string;
let until: string;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'keyrite-e2e-rotation-'));
  demo = join(work, 'demo');
  const [{ rotation }] = await Promise.all([makeRotatedDemo(demo), buildRenderer(join(work, 'renderer'))]);
  rootFp = (rotation as unknown as { original: { masterFingerprint: string } }).original.masterFingerprint;
  newFp = rotation.master.fingerprint;
  until = rotation.previous.until;
  const relay = new EventRelay();
  const handlers = realHandlers({}, recoveryNodeOptions(relay, picks, { workRoot: work }));
  browser = await launchChromium();
  app = await openAppPage(browser, { site: join(work, 'renderer'), handlers, preload: await bundleFakePreload(), viewport: { width: 1280, height: 800 }, events: relay });
});

after(async () => {
  await browser?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Adds `folder` to the chain through the picker and waits for it in the list. */
async function addToChain(page: Page, folder: string): Promise<void> {
  const count = await page.locator('[data-testid=chain-folders] li').count();
  picks.bundle = folder;
  await page.getByRole('button', { name: /^Add the (root|next) bundle folder…$/ }).click();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=chain-folders] li').length === n, count + 1).catch(async () => assert.fail(await shownText(page, '[data-testid=problem]')));
}

async function verifyChainOnScreen(page: Page, verdict: 'valid' | 'invalid'): Promise<void> {
  await page.getByRole('button', { name: 'Verify the chain' }).click();
  await page.waitForFunction((v) => document.querySelector('[data-testid=chain-verdict]')?.getAttribute('data-verdict') === v, verdict).catch(async () => assert.fail(await shownText(page, '[data-testid=problem]')));
}

test('the Audit screen verifies a chain root first: drawn root → current with states and dates, the current key in hex groups and words', { timeout: 120_000 }, async () => {
  const page = app.page;
  await page.getByRole('button', { name: 'Audit', exact: true }).click();
  await page.getByLabel('A chain: the root bundle and its rotations').check();
  await assertAccessible(page, 'audit, chain, empty');
  // Nothing to verify yet: the sentence says what to add.
  await page.getByRole('button', { name: 'Verify the chain' }).click();
  assert.match(await page.locator('[data-testid=problem]').innerText(), /add the root bundle first, then each rotation bundle/);
  await addToChain(page, join(demo, 'bundle'));
  await addToChain(page, join(demo, 'rot', 'bundle'));
  await page.getByLabel('ROOT master fingerprint read aloud', { exact: false }).fill(readableFingerprint(rootFp).words.join(' '));
  await verifyChainOnScreen(page, 'valid');
  const f = await focused(page);
  assert.equal(f.tag, 'h3');
  assert.equal(f.text, '✓ CHAIN VALID');
  await page.waitForFunction(() => /^Chain audit: VALID\. /.test(document.querySelector('[data-testid=announcer]')?.textContent ?? ''));

  const steps = page.locator('[data-testid=chain-step]');
  assert.equal(await steps.count(), 2);
  assert.deepEqual(await steps.evaluateAll((els) => els.map((e) => [e.getAttribute('data-kind'), e.getAttribute('data-state')])), [
    ['root-keygen', 'deprecated'],
    ['rotation', 'active'],
  ]);
  const root = await steps.nth(0).innerText();
  assert.match(root, /^1\. Root key ceremony/);
  assert.ok(root.includes(`DEPRECATED verify-only until ${until.replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC')}`), root);
  assert.match(await steps.nth(1).innerText(), /^2\. Rotation · current\n+ACTIVE signs; active since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
  assert.equal((await page.locator('[data-testid=current-fingerprint-hex]').innerText()).replace(/ /g, ''), newFp);
  assert.deepEqual(await page.locator('[data-testid=current-fingerprint-words] li').allInnerTexts(), readableFingerprint(newFp).words);
  const keys = await page.locator('[data-testid=chain-keys] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-state')));
  assert.deepEqual(keys, ['active', 'deprecated']);
  assert.equal(await page.locator('[data-testid=chain-checks] li[data-status=fail]').count(), 0);
  await assertAccessible(page, 'audit, chain valid');
});

test('the same folders in the wrong order are refused, the refusal named; the page stayed in its own files', async () => {
  const page = app.page;
  await page.getByRole('button', { name: 'Remove bundle 1 from the chain' }).click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=chain-folders] li').length === 1);
  await addToChain(page, join(demo, 'bundle'));
  await verifyChainOnScreen(page, 'invalid');
  assert.match(await page.locator('[data-testid=chain-verdict]').innerText(), /^✗ CHAIN REFUSED\n+Refused by chain-root: The first bundle is a rotation bundle; a chain begins with the root bundle/);
  assert.equal(await page.locator('[data-testid=chain-current]').count(), 0, 'no current key for a refused chain');
  assert.equal(await page.locator('[data-testid=chain-keys]').count(), 0);
  assert.match(await page.locator('[data-testid=chain-report] h3').innerText(), /NOT verified as a chain/);
  assert.match(await page.locator('[data-testid=chain-step]').nth(0).innerText(), /^1\. Rotation\n+State not verified \(the chain was refused\)/);
  assert.equal(await page.locator('[data-testid=chain-checks] li[data-check=chain-root]').getAttribute('data-status'), 'fail');
  await assertAccessible(page, 'audit, chain refused');
  assert.deepEqual(app.foreignRequests, []);
  assert.deepEqual(app.consoleProblems, []);
  assert.deepEqual(app.pageErrors, []);
});
