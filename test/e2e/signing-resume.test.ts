// End to end in Chromium: a signing ceremony on the demo's software tokens is stopped at the
// witness prompt of its "signed" checkpoint, after both documents were signed (the step is
// recorded as failed); the Signing screen is started over, the same root bundle opened, and the
// run resumed from "Interrupted signing runs of this bundle": a different request file is
// refused, the same one opened again, the same quorum checks in (every PIN typed again), and
// the engine continues the journal in the same run folder to a signing bundle that
// `keyrite verify --trust` accepts, with the envelopes written before the stop kept byte for byte.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { runInProcess } from '../helpers/cli.ts';
import { recoverTranscript } from '../../core/transcript/transcript.ts';
import { ENTRY } from '../../core/bundle/entries.ts';
import { EventRelay, bundleFakePreload, buildRenderer, launchChromium, openAppPage, realHandlers, shownText, type AppPage } from './harness.ts';
import { makeDemo } from './recovery-driver.ts';
import { pinOf } from '../integration/recovery/helpers.ts';
import { ROOT, masterPin, openRequest, runSigningToEnd, signingCheckIn, signingNodeOptions, type SigningPicks } from './signing-driver.ts';

const SCRIPT = 'signing-rehearsal.yaml';
const TRUSTEES = ['trustee-1', 'trustee-2', 'trustee-3'];
const DOCUMENTS = ['endorsed-keys.jwks.json', 'artifacts.intoto.json'];
let work: string;
let d: string;
let runs: string;
let seatPins: Record<string, string>;
let fingerprint: string;
let requestDigest: string;
let browser: Browser;
let app: AppPage;
const picks: SigningPicks = {};

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'keyrite-e2e-signing-resume-'));
  d = join(work, 'demo');
  const { pins } = await makeDemo(d);
  seatPins = { master: masterPin(d), ...Object.fromEntries(TRUSTEES.map((id) => [id, pinOf(pins, id)])) };
  fingerprint = JSON.parse(readFileSync(join(d, 'bundle', 'bundle.json'), 'utf8')).masterFingerprint;
  requestDigest = /^ {2}sha256: ([0-9a-f]{64})$/m.exec(readFileSync(join(d, 'signing-answers.yaml'), 'utf8'))![1]!;
  const site = join(work, 'renderer');
  runs = join(work, 'runs');
  mkdirSync(runs);
  await buildRenderer(site);
  const relay = new EventRelay();
  const handlers = realHandlers({}, signingNodeOptions(relay, picks, { workRoot: runs }));
  browser = await launchChromium();
  app = await openAppPage(browser, { site, handlers, preload: await bundleFakePreload(), viewport: { width: 1280, height: 800 }, events: relay });
});

after(async () => {
  await browser?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

function journal(runDir: string) {
  return recoverTranscript(new Uint8Array(readFileSync(join(runDir, 'journal', 'transcript.jsonl')))).entries;
}

test('a signing run stopped after signing is resumed from the Signing screen to a verified bundle, its envelopes kept byte for byte', { timeout: 900_000 }, async () => {
  const page = app.page;
  await openRequest(page, picks, d, { script: SCRIPT, request: join(d, 'signing-request.json') });
  // Nothing interrupted yet: no list to resume from.
  assert.equal(await page.locator('[data-testid=interrupted]').count(), 0);
  await signingCheckIn(page, { trust: fingerprint, ids: TRUSTEES, digest: requestDigest });
  await page.getByRole('button', { name: 'Start the signing ceremony' }).click();
  await runSigningToEnd(page, seatPins, { stop: { witnessAt: 'signed' } });
  // Stopping takes a second, deliberate step.
  await page.locator('[data-testid=run-stop] button').first().click();
  await page.locator('[data-testid=run-stop]').getByRole('button', { name: /^Yes, stop the / }).click();
  await page.waitForSelector(`${ROOT}[data-phase=failed]`);
  assert.match(await page.locator('[data-testid=signing-error]').innerText(), /stopped in the app\. .*Resume it from "Interrupted signing runs"/);

  const [folder, ...others] = readdirSync(runs);
  assert.deepEqual(others, [], 'one run folder');
  const runDir = join(runs, folder!);
  const envelopes = new Map(DOCUMENTS.map((n) => [n, readFileSync(join(runDir, 'signed', `${n}.dsse.json`))]));
  assert.ok(journal(runDir).some((e) => e.type === ENTRY.stepFailed && e.body.step === 'signed'), 'the stop is recorded as a failed step');

  // Reopen: start over, open the same root bundle; the interrupted run is listed beside the scripts.
  await page.locator('[data-testid=signing-error]').getByRole('button', { name: 'Start over' }).click();
  await page.waitForSelector(`${ROOT}[data-phase=bundle]`);
  await page.getByRole('button', { name: 'Open the bundle folder…' }).click();
  const item = page.locator('[data-testid=interrupted] li[data-folder]');
  await item.first().waitFor();
  assert.equal(await item.count(), 1);
  assert.equal(await item.getAttribute('data-folder'), folder);
  const ceremonyId = (await item.getAttribute('data-ceremony'))!;
  assert.match(await item.innerText(), /Resume .* · signing run [0-9a-f]{32}/);
  assert.match(await item.innerText(), /stopped at step “signed”/);
  await item.getByRole('button').click();
  await page.waitForSelector(`${ROOT}[data-phase=request]`);
  assert.match(await page.locator('[data-testid=resuming]').innerText(), new RegExp(`^Resuming signing run ${ceremonyId} \\(${folder}\\)`));

  // Another request file is refused before anything is unlocked; the same one is accepted.
  const other = join(d, 'other-request.json');
  writeFileSync(other, `${readFileSync(join(d, 'signing-request.json'), 'utf8')}\n`);
  picks.request = other;
  await page.getByRole('button', { name: 'Open the request file…' }).click();
  await page.locator('[data-testid=problem]', { hasText: 'is not the request this signing run checked' }).waitFor();
  assert.equal(await page.getAttribute(ROOT, 'data-phase'), 'request');
  picks.request = join(d, 'signing-request.json');
  await page.getByRole('button', { name: 'Open the request file…' }).click();
  await page.waitForSelector(`${ROOT}[data-phase=check-in]`);

  await signingCheckIn(page, { trust: fingerprint, ids: TRUSTEES, digest: requestDigest });
  await page.getByRole('button', { name: 'Start the signing ceremony' }).click();
  await runSigningToEnd(page, seatPins);
  assert.equal(await page.getAttribute(ROOT, 'data-phase'), 'done', await shownText(page, '[data-testid=signing-error]'));

  // The same run folder, continued: one start, one resume, the documents kept, a verified bundle.
  assert.deepEqual(readdirSync(runs), [folder]);
  const entries = journal(runDir);
  assert.equal(entries.filter((e) => e.type === ENTRY.ceremonyStart).length, 1);
  const resume = entries.filter((e) => e.type === ENTRY.ceremonyResume);
  assert.equal(resume.length, 1);
  assert.equal(resume[0]!.body.run, 2);
  assert.ok(entries.some((e) => e.type === ENTRY.stepEnd && e.body.step === 'signed' && e.seq > resume[0]!.seq), 'the resumed run redid the checkpoint');
  assert.ok(entries.some((e) => e.type === ENTRY.ceremonyEnd));
  for (const [name, bytes] of envelopes) assert.deepEqual(readFileSync(join(runDir, 'signed', `${name}.dsse.json`)), bytes, `${name}: the envelope signed before the stop is kept`);
  const bundle = (await page.locator('[data-testid=signing-bundle]').innerText()).replace(/^Signing bundle: /, '');
  assert.equal(bundle, join(runDir, 'bundle'));
  const verified = await runInProcess(['verify', bundle, '--trust', fingerprint]);
  assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  for (const name of DOCUMENTS) {
    const r = await runInProcess(['check-signature', join(runDir, 'signed', name), '--signature', join(runDir, 'signed', `${name}.dsse.json`), '--trust', fingerprint]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
  }
});

test('no passphrase reached the renderer, and the page made no foreign request', async () => {
  const html = await app.page.content();
  for (const pin of Object.values(seatPins)) assert.ok(!html.includes(pin), 'a passphrase is in the page');
  assert.deepEqual(app.foreignRequests, []);
  assert.deepEqual(app.pageErrors, []);
  assert.deepEqual(app.consoleProblems, []);
});
