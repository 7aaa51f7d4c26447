// End to end in Chromium, with the real IPC handlers: one key rotation run through the Rotation
// screen on a copy of the run's shared demo (rehearsal software tokens), then the Audit screen's
// chain on that demo's root bundle and the rotation bundle the app just wrote. The rotation
// screen shows the current key's state at a glance without any fingerprint (the trustees type it
// from paper), refuses a wrong typed fingerprint, runs every step with PIN and witness prompts,
// and at cross-sign shows the NEW fingerprint beside the OLD one (hex groups and words). The chain
// added root first and anchored on the root fingerprint (as words) is VALID, drawn root → current
// with each key's state and dates and the current key in hex groups and words; the same folders
// in the wrong order are CHAIN REFUSED with the check named. axe passes at each state; the page
// asks for nothing but its own files and logs no error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { EventRelay, bundleFakePreload, buildRenderer, launchChromium, openAppPage, realHandlers, shownText, type AppPage } from './harness.ts';
import { makeDemo } from './recovery-driver.ts';
import { runSigningToEnd, signingNodeOptions, type SigningPicks } from './signing-driver.ts';
import { TRUSTEE_NAMES } from './ceremony-driver.ts';
import { pinOf, trustedFingerprint } from '../integration/recovery/helpers.ts';
import { rotationPins } from '../integration/rotation/helpers.ts';
import { readableFingerprint } from '../../core/bundle/principals.ts';
import { assertAccessible, assertNoButtonFocused, focused } from './a11y.ts';

const TRUSTEES = ['trustee-1', 'trustee-2', 'trustee-3', 'trustee-4', 'trustee-5'];

let work: string;
let browser: Browser;
let app: AppPage;
const picks: SigningPicks = {};
let demo: string;
let rootFp: string;
let rotationBundle: string;
let newFp: string;
let until: string;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'keyrite-e2e-rotation-'));
  demo = join(work, 'demo');
  await Promise.all([makeDemo(demo), buildRenderer(join(work, 'renderer'))]);
  rootFp = trustedFingerprint(demo);
  mkdirSync(join(work, 'runs'));
  const relay = new EventRelay();
  const handlers = realHandlers({}, signingNodeOptions(relay, picks, { workRoot: join(work, 'runs') }));
  browser = await launchChromium();
  app = await openAppPage(browser, { site: join(work, 'renderer'), handlers, preload: await bundleFakePreload(), viewport: { width: 1280, height: 800 }, events: relay });
});

after(async () => {
  await browser?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the Rotation screen rotates the demo key: states at a glance, every trustee checked in, the new fingerprint beside the old one at cross-sign', { timeout: 300_000 }, async () => {
  const page = app.page;
  const ROOT = '[data-testid=rotation]';
  await page.getByRole('button', { name: 'Rotation', exact: true }).click();
  picks.bundle = join(demo, 'bundle');
  await page.getByRole('button', { name: 'Open the bundle folder…' }).click();
  await page.waitForSelector(`${ROOT}[data-phase=script] [data-testid=script-chooser] .choice`);
  const glance = page.locator('[data-testid=rotation-key]');
  assert.equal(await glance.count(), 1);
  assert.equal(await glance.getAttribute('data-state'), 'active');
  assert.match(await glance.innerText(), /^Current key \(to be rotated out\)\n+ACTIVE signs; active since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
  // The current fingerprint is not on the page in any form before the trustees type it.
  const words = readableFingerprint(rootFp);
  const body = await page.locator('body').innerText();
  for (const form of [rootFp, words.hexGroups, words.words.slice(0, 3).join(' ')]) assert.ok(!body.includes(form), `the screen shows the current fingerprint (${form})`);
  await assertAccessible(page, 'rotation, current bundle and key states');

  await page.locator('[data-testid=script-chooser] button.choice', { hasText: 'rotation-rehearsal.yaml' }).click();
  await page.waitForSelector(`${ROOT}[data-phase=check-in] [data-testid=rotation-check-in]`);
  await page.getByLabel('Administrator’s name').fill('Alice Administrator');
  await page.getByLabel('Witness 1’s name').fill('Grace Witness');
  for (const [i, id] of TRUSTEES.entries()) {
    const name = page.getByLabel(`Name of ${id}`);
    if ((await name.inputValue()) === '') await name.fill(TRUSTEE_NAMES[i]!);
  }
  const trust = page.getByLabel('CURRENT master fingerprint, typed by the trustees', { exact: false });
  await trust.fill(rootFp.slice(0, 63) + (rootFp.endsWith('0') ? '1' : '0'));
  await page.getByRole('button', { name: 'Check in', exact: true }).click();
  await page.waitForSelector('[data-testid=problem]');
  assert.match(await page.locator('[data-testid=problem]').innerText(), /does not match the master key of this bundle.*this is not the current bundle: stop\./);
  await trust.fill(rootFp);
  await page.getByRole('button', { name: 'Check in', exact: true }).click();
  await page.waitForSelector(`${ROOT}[data-phase=ready]`).catch(async () => assert.fail(await shownText(page, '[data-testid=problem]')));
  await assertAccessible(page, 'rotation, checked in');
  await page.getByRole('button', { name: 'Start the rotation' }).click();

  const pins = rotationPins(demo);
  const seats = { master: pinOf(pins, 'rotation'), ...Object.fromEntries(TRUSTEES.map((id) => [id, pinOf(pins, id)])) };
  await runSigningToEnd(page, seats, { screen: 'rotation', stop: { witnessAt: 'cross-sign' } });
  // At cross-sign: both fingerprints side by side, old (deprecated until its grace end) and new (active).
  await page.waitForSelector('[data-testid=cross-sign]');
  const oldHex = (await page.locator('[data-testid=old-fingerprint-hex]').innerText()).replace(/ /g, '');
  newFp = (await page.locator('[data-testid=new-fingerprint-hex]').innerText()).replace(/ /g, '');
  assert.equal(oldHex, rootFp);
  assert.match(newFp, /^[0-9a-f]{64}$/);
  assert.notEqual(newFp, rootFp);
  assert.deepEqual(await page.locator('[data-testid=new-fingerprint-words] li').allInnerTexts(), readableFingerprint(newFp).words);
  assert.deepEqual(await page.locator('[data-testid=old-fingerprint-words] li').allInnerTexts(), words.words);
  const side = await page.locator('[data-testid=cross-sign] .side-by-side > div').evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((r) => ({ top: Math.round(r.top), left: Math.round(r.left) })));
  assert.equal(side[0]!.top, side[1]!.top, 'old and new stand side by side');
  assert.ok(side[0]!.left < side[1]!.left, 'old on the left, new on the right');
  assert.match(await page.locator('[data-testid=cross-sign-old] h4').innerText(), /^OLD master key — deprecated, verify-only until \d{4}-/);
  await assertNoButtonFocused(page, 'rotation, cross-sign');
  await assertAccessible(page, 'rotation, cross-sign');

  await runSigningToEnd(page, seats, { screen: 'rotation' });
  await page.waitForSelector(`${ROOT}[data-phase=done]`).catch(async () => assert.fail(await shownText(page, '[data-testid=rotation-error]')));
  const outcome = page.locator('[data-testid=rotation-outcome]');
  assert.equal((await page.locator('[data-testid=outcome-new-hex]').innerText()).replace(/ /g, ''), newFp);
  until = (await outcome.locator('h4').nth(1).innerText()).replace(/^OLD master key — verify-only until /, '');
  const runs = readdirSync(join(work, 'runs')).filter((f) => f.startsWith('rotation-'));
  assert.equal(runs.length, 1);
  rotationBundle = join(work, 'runs', runs[0]!, 'bundle');
  assert.match(await page.locator('[data-testid=rotation-bundle]').innerText(), new RegExp(`${runs[0]}/bundle$`));
  const states = JSON.parse(readFileSync(join(rotationBundle, 'keys', 'key-states.json'), 'utf8')) as { keys: { fingerprint: string; state: string }[] };
  assert.deepEqual(states.keys.map((k) => [k.fingerprint, k.state]), [[newFp, 'active'], [rootFp, 'deprecated']]);
  await assertAccessible(page, 'rotation, done');
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

test('the Audit screen verifies that chain root first: drawn root → current with states and dates, the current key in hex groups and words', { timeout: 120_000 }, async () => {
  const page = app.page;
  await page.getByRole('button', { name: 'Audit', exact: true }).click();
  await page.getByLabel('A chain: the root bundle and its rotations').check();
  await assertAccessible(page, 'audit, chain, empty');
  // Nothing to verify yet: the sentence says what to add.
  await page.getByRole('button', { name: 'Verify the chain' }).click();
  assert.match(await page.locator('[data-testid=problem]').innerText(), /add the root bundle first, then each rotation bundle/);
  await addToChain(page, join(demo, 'bundle'));
  await addToChain(page, rotationBundle);
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
  assert.ok(root.includes(`DEPRECATED verify-only until ${until}`), root);
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
