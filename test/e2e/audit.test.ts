// End to end in Chromium: the audit screen with the real IPC handlers and a real AuditSession
// behind window.keyrite. The golden bundle verifies VALID and ANCHORED by its fingerprint; the
// exported JSON report equals what verifyBundle gives; an editor script that never ends is
// reported as "did not complete (timeout)" (under a lowered, real time limit); a copy with one
// byte of transcript.jsonl flipped is INVALID with its failing checks named on screen; the page
// makes no request besides its own files and logs no error. The golden archive, opened as one
// file, gives the folder's report with its SHA-256 shown; a hostile archive is refused with its sentence.
// Each verification that gives a report moves the focus to its verdict and announces it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { verifyBundle } from '../../core/verifier/verify.ts';
import { readBundleDirectory } from '../../core/node/bundle-directory.ts';
import { NATIVE_VERIFIER_CRYPTO } from '../../core/node/native-verifier-crypto.ts';
import { EventRelay, bundleFakePreload, buildRenderer, launchChromium, openAppPage, realHandlers, repo, type AppPage } from './harness.ts';
import { recoveryNodeOptions, type Picks } from './recovery-driver.ts';
import { GOLDEN_ARCHIVE } from '../helpers/golden.ts';
import { hostileArchives } from '../helpers/hostile-archives.ts';
import { assertAccessible, focused } from './a11y.ts';

const GOLDEN = join(repo, 'test/fixtures/golden-bundle');
const GOLDEN_FP = '8047460895e45caaf54a2be033a6aa947ac20e4f4dc484f0892b52005038a27a';

let work: string;
let browser: Browser;
let app: AppPage;
const picks: Picks = {};

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'keyrite-e2e-audit-'));
  const site = join(work, 'renderer');
  await buildRenderer(site);
  const relay = new EventRelay();
  // A real, lower time limit for the sandbox (the runner accepts 1 ms – 10 min), so the endless script stops sooner.
  const handlers = realHandlers({}, recoveryNodeOptions(relay, picks, { workRoot: work, auditLimits: { timeMs: 1500, graceMs: 1000 } }));
  browser = await launchChromium();
  app = await openAppPage(browser, { site, handlers, preload: await bundleFakePreload(), viewport: { width: 1280, height: 800 }, events: relay });
});

after(async () => {
  await browser?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** The new report was announced, and the focus is on its verdict heading (it was on the button pressed). */
async function assertReportFocused(page: Page, verdict: RegExp, announced: RegExp): Promise<void> {
  await page.waitForFunction((source) => new RegExp(source).test(document.querySelector('[data-testid=announcer]')?.textContent ?? ''), announced.source);
  const f = await focused(page);
  assert.equal(f.tag, 'h3', `the focus is on the report's heading, not on “${f.text}”`);
  assert.match(f.text, verdict);
}

test('the golden bundle is VALID and ANCHORED, with every check and the fingerprint on screen', { timeout: 120_000 }, async () => {
  const page = app.page;
  await page.getByRole('button', { name: 'Audit', exact: true }).click();
  await page.getByLabel('Master fingerprint read aloud', { exact: false }).fill(GOLDEN_FP);
  picks.bundle = GOLDEN;
  await page.getByRole('button', { name: 'Open a bundle folder…' }).click();
  const verdict = page.locator('[data-testid=verdict]');
  await verdict.waitFor();
  assert.equal(await verdict.getAttribute('data-verdict'), 'valid');
  assert.match(await verdict.innerText(), /VALID/);
  await assertReportFocused(page, /^✓ VALID$/, /^Audit report: VALID\. All \d+ checks passed \(hybrid signatures\)\. ANCHORED: /);
  assert.match(await page.locator('[data-testid=rehearsal]').innerText(), /^REHEARSAL BUNDLE .*never be used for real/);
  const anchor = await page.locator('[data-testid=anchor]').innerText();
  assert.match(anchor, /^ANCHORED/);
  assert.match(anchor, /all 32 bytes/);
  assert.equal((await page.locator('[data-testid=fingerprint-hex]').innerText()).replace(/ /g, ''), GOLDEN_FP);
  assert.equal(await page.locator('[data-testid=fingerprint-words] li').count(), 16);

  const expected = verifyBundle(await readBundleDirectory(GOLDEN), { trust: GOLDEN_FP, crypto: NATIVE_VERIFIER_CRYPTO });
  const rows = page.locator('[data-testid=checks] li[data-check]');
  assert.equal(await rows.count(), expected.checks.length);
  for (const c of expected.checks) {
    const row = page.locator(`[data-testid=checks] li[data-check="${c.name}"]`);
    assert.equal(await row.getAttribute('data-status'), 'pass', c.name);
    // innerText collapses runs of spaces as the screen does.
    assert.ok((await row.innerText()).includes(c.detail.replace(/\s+/g, ' ')), `${c.name}: the detail sentence is shown`);
  }
  await assertAccessible(page, 'audit, valid report');
});

test('without a trusted fingerprint the verdict says NOT ANCHORED', async () => {
  const page = app.page;
  await page.getByLabel('Master fingerprint read aloud', { exact: false }).fill('');
  await page.getByRole('button', { name: 'Verify again with these settings' }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid=anchor]')?.getAttribute('data-anchored') === 'no');
  assert.match(await page.locator('[data-testid=anchor]').innerText(), /^NOT ANCHORED/);
  await assertReportFocused(page, /^✓ VALID$/, /^Audit report: VALID\. .* NOT ANCHORED: No trusted fingerprint/);
  await page.getByLabel('Master fingerprint read aloud', { exact: false }).fill(GOLDEN_FP);
  await page.getByRole('button', { name: 'Verify again with these settings' }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid=anchor]')?.getAttribute('data-anchored') === 'yes');
});

test('the exported JSON report equals what verifyBundle gives, and an existing file is never overwritten', async () => {
  const page = app.page;
  picks.report = join(work, 'report.json');
  await page.getByRole('button', { name: 'Export the report as JSON…' }).click();
  await page.locator('[data-testid=exported]').waitFor();
  assert.match(await page.locator('[data-testid=exported]').innerText(), /report\.json/);
  const written = JSON.parse(readFileSync(picks.report, 'utf8'));
  const expected = verifyBundle(await readBundleDirectory(GOLDEN), { trust: GOLDEN_FP, mode: 'hybrid', crypto: NATIVE_VERIFIER_CRYPTO });
  assert.deepEqual(written, JSON.parse(JSON.stringify(expected)));

  // Same file again: refused with a sentence, the file unchanged.
  await page.getByRole('button', { name: 'Verify again with these settings' }).click();
  await page.getByRole('button', { name: 'Export the report as JSON…' }).click();
  const problem = await page.locator('[data-testid=problem]').innerText();
  assert.match(problem, /already exists; Keyrite never overwrites a report\. Choose another file name\./);
  assert.deepEqual(JSON.parse(readFileSync(picks.report, 'utf8')), written);
});

test('an editor script that never ends is reported as not completed (timeout) and makes the report invalid', { timeout: 120_000 }, async () => {
  const page = app.page;
  await page.getByLabel('Type an audit script', { exact: false }).fill('for(;;){}');
  await page.getByRole('button', { name: 'Run the typed script' }).click();
  const problem = page.locator('[data-testid=script-problem]');
  await problem.waitFor({ timeout: 60_000 });
  const text = await problem.innerText();
  assert.match(text, /^editor-script\.js did not complete \(timeout\): /);
  assert.match(text, /time limit of 1500 ms/);
  assert.equal(await page.locator('[data-testid=verdict]').getAttribute('data-verdict'), 'invalid');
  assert.equal(await page.locator('[data-testid=checks] li[data-check="audit:editor-script.js"]').getAttribute('data-status'), 'fail');

  // A script that completes replaces it; its check joins the report under the script's name.
  await page.getByLabel('Type an audit script', { exact: false }).fill("check('key generation is recorded', bundle.transcript.some((e) => e.type === 'key.generate'), 'key.generate is in the transcript');");
  await page.getByRole('button', { name: 'Run the typed script' }).click();
  await page.locator('[data-testid=script-result]').waitFor({ timeout: 60_000 });
  assert.match(await page.locator('[data-testid=script-result]').innerText(), /editor-script\.js: 1 check, all passed/);
  assert.equal(await page.locator('[data-testid=checks] li[data-check="audit:editor-script.js: key generation is recorded"]').getAttribute('data-status'), 'pass');
  assert.equal(await page.locator('[data-testid=verdict]').getAttribute('data-verdict'), 'valid');
});

test('a copy with one byte of transcript.jsonl flipped is INVALID, the failing checks named on screen', async () => {
  const page = app.page;
  const copy = join(work, 'tampered-bundle');
  cpSync(GOLDEN, copy, { recursive: true });
  const file = join(copy, 'transcript.jsonl');
  const bytes = readFileSync(file);
  const i = bytes.indexOf(Buffer.from('"type"')) + 2; // a letter inside a key: still text, no longer the same bytes
  bytes[i] = bytes[i]! ^ 0x01;
  writeFileSync(file, bytes);
  const expected = verifyBundle(await readBundleDirectory(copy), { trust: GOLDEN_FP, crypto: NATIVE_VERIFIER_CRYPTO });
  const failing = expected.checks.filter((c) => c.status === 'fail').map((c) => c.name);
  assert.ok(failing.length > 0);

  picks.bundle = copy;
  await page.getByRole('button', { name: 'Open a bundle folder…' }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid=verdict]')?.getAttribute('data-verdict') === 'invalid');
  const verdict = await page.locator('[data-testid=verdict]').innerText();
  assert.match(verdict, /INVALID/);
  await assertReportFocused(page, /^✗ INVALID$/, /^Audit report: INVALID\. \d+ of \d+ checks failed: .* NOT COMPARED: /);
  for (const name of failing) {
    assert.ok(verdict.includes(name), `the verdict names ${name}`);
    assert.equal(await page.locator(`[data-testid=checks] li[data-check="${name}"]`).getAttribute('data-status'), 'fail');
  }
  assert.equal(await page.locator('[data-testid=script-problem], [data-testid=script-result]').count(), 0, 'scripts of the other bundle are gone');
  // The master key could not be read, so nothing was compared: never a "mismatch".
  assert.equal(expected.anchor.matches, undefined);
  assert.match(await page.locator('[data-testid=anchor]').innerText(), /^NOT COMPARED /);
  assert.match(await page.locator('[data-testid=audit-fingerprint] h3').innerText(), /NOT verified/);
  await assertAccessible(page, 'audit, invalid report');
});

test('a folder that is not a bundle is refused with a sentence saying what to do', async () => {
  const page = app.page;
  picks.bundle = join(work, 'no-such-folder');
  assert.ok(!existsSync(picks.bundle));
  await page.getByRole('button', { name: 'Open a bundle folder…' }).click();
  assert.match(await page.locator('[data-testid=problem]').innerText(), /Cannot read the bundle at .*no-such-folder.*Choose the bundle folder \(the one holding bundle\.json\) again\./);
});

test('the golden archive opened as one file: the folder\'s verdict and checks, and the archive\'s SHA-256 on screen', async () => {
  const page = app.page;
  await page.getByLabel('Master fingerprint read aloud', { exact: false }).fill(GOLDEN_FP);
  picks.archive = GOLDEN_ARCHIVE;
  await page.getByRole('button', { name: 'Open a bundle archive (.keyrite.tar)…' }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid=verdict]')?.getAttribute('data-verdict') === 'valid');
  assert.match(await page.locator('[data-testid=anchor]').innerText(), /^ANCHORED/);
  const expected = verifyBundle(await readBundleDirectory(GOLDEN), { trust: GOLDEN_FP, crypto: NATIVE_VERIFIER_CRYPTO });
  const shown = await page.locator('[data-testid=checks] li[data-check]').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-check')} ${e.getAttribute('data-status')}`));
  assert.deepEqual(shown, expected.checks.map((c) => `${c.name} ${c.status}`));
  const sha = createHash('sha256').update(readFileSync(GOLDEN_ARCHIVE)).digest('hex');
  const note = await page.locator('[data-testid=archive-sha256]').innerText();
  assert.ok(note.includes(sha.match(/.{4}/g)!.join(' ')), note);
});

test('a hostile archive is refused with its sentence; the bundle on screen stays the one opened before it', async () => {
  const page = app.page;
  for (const h of hostileArchives(await readBundleDirectory(GOLDEN)).filter((x) => ['escaping-path', 'link', 'trailing-garbage'].includes(x.reason))) {
    const file = join(work, `hostile-${h.reason}.keyrite.tar`);
    writeFileSync(file, h.bytes);
    picks.archive = file;
    await page.getByRole('button', { name: 'Open a bundle archive (.keyrite.tar)…' }).click();
    // Wait for this archive's own sentence: the one before may still be on screen.
    const problem = page.locator('[data-testid=problem]', { hasText: h.sentence });
    await problem.waitFor();
    const text = await problem.innerText();
    assert.match(text, /^This bundle archive is refused: /, h.name);
    assert.match(text, /Choose the bundle archive \(bundle\.keyrite\.tar\) again, or the bundle folder\.$/);
    assert.equal(await page.locator('.bundle-path').innerText(), GOLDEN_ARCHIVE);
  }
});

test('the page made no foreign request and logged no error', () => {
  assert.deepEqual(app.foreignRequests, []);
  assert.deepEqual(app.pageErrors, []);
  assert.deepEqual(app.consoleProblems, []);
});
