// End to end in Chromium: a signing ceremony through the Signing screen, with the real IPC
// handlers and a real SigningSession behind window.keyrite, on the output of `keyrite demo`
// (run here, cheap KDF). The request is read as a table and checked against the script's caps;
// trustees 1, 2 and 3 and the witness each confirm its digest by typing the first two words
// (two other words are refused); the documents are signed, `keyrite verify --trust` accepts the
// signing bundle, the exported documents pass `keyrite check-signature`, a second export never
// overwrites the first, and the Audit screen names the bundle a signing ceremony with its request
// and documents. A request beyond the script's validity cap is refused with its sentence before
// anything is unlocked; a digest typed at check-in that is not the file's is refused; a trustee
// who brings only her printed share card is checked in by scanning it (as on the recovery
// screen: the same check-in component). No PIN reaches the page; the page requests nothing foreign.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { runInProcess } from '../helpers/cli.ts';
import { sha256 } from '../../core/crypto/hash.ts';
import { toHex } from '../../core/encoding/hex.ts';
import { fingerprint as asFingerprint, formatFingerprintHex } from '../../core/encoding/fingerprint.ts';
import { shareCardParts } from '../../core/escrow/share-card-parts.ts';
import { EventRelay, bundleFakePreload, buildRenderer, launchChromium, openAppPage, realHandlers, shownText, type AppPage } from './harness.ts';
import { makeDemo } from './recovery-driver.ts';
import { pinOf } from '../integration/recovery/helpers.ts';
import { assertAccessible } from './a11y.ts';
import { ROOT, masterPin, openRequest, runSigningToEnd, signingCheckIn, signingNodeOptions, type SigningPicks } from './signing-driver.ts';

const SCRIPT = 'signing-rehearsal.yaml';
const TRUSTEES = ['trustee-1', 'trustee-2', 'trustee-3'];
let work: string;
let demo: string;
let runs: string;
let seatPins: Record<string, string>;
let fingerprint: string;
/** The request's digest as its author gave it (signing-answers.yaml request.sha256). */
let requestDigest: string;
let browser: Browser;
let app: AppPage;
const picks: SigningPicks = {};
let copies = 0;

function copyDemo(): string {
  const d = join(work, `copy-${copies++}`);
  cpSync(demo, d, { recursive: true });
  return d;
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'keyrite-e2e-signing-'));
  demo = join(work, 'demo');
  const { pins } = await makeDemo(demo);
  seatPins = { master: masterPin(demo), ...Object.fromEntries(TRUSTEES.map((id) => [id, pinOf(pins, id)])) };
  fingerprint = JSON.parse(readFileSync(join(demo, 'bundle', 'bundle.json'), 'utf8')).masterFingerprint;
  requestDigest = /^ {2}sha256: ([0-9a-f]{64})$/m.exec(readFileSync(join(demo, 'signing-answers.yaml'), 'utf8'))![1]!;
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

test('trustees 1, 2 and 3 sign the demo request through the UI; verify and check-signature accept the exported result', { timeout: 600_000 }, async () => {
  const page = app.page;
  const d = copyDemo();
  const requestFile = join(d, 'signing-request.json');
  await openRequest(page, picks, d, { script: SCRIPT, request: requestFile });

  // Anchoring: the master fingerprint the quorum types from paper is nowhere on the page before check-in.
  const shown = (await page.locator('body').innerText()).replace(/\s+/g, '');
  assert.ok(!shown.includes(fingerprint.slice(0, 16)), 'the master fingerprint is not shown before the quorum types it');
  assert.match(await page.locator('[data-testid=anchor-note]').innerText(), /not shown here/);

  // The request as a table, checked against the script's caps, before anything is unlocked.
  const table = page.locator('[data-testid=signing-request]');
  assert.equal(await table.getAttribute('data-verdict'), 'accepted');
  assert.match(await page.locator('[data-testid=request-verdict]').innerText(), /^✓ Within this script’s limits \(validity at most 400 days, at most 16 keys and 64 artifacts\)/);
  const request = JSON.parse(readFileSync(requestFile, 'utf8'));
  const rows = page.locator('[data-testid=request-keys] tbody tr');
  assert.equal(await rows.count(), request.keys.length);
  for (const [i, k] of request.keys.entries()) {
    const cells = await rows.nth(i).locator('td').allInnerTexts();
    assert.equal(cells[0], k.kid);
    assert.equal(cells[2], `${k.use === 'sig' ? 'signing' : 'encryption'} · “${k.label}”`);
    assert.equal(cells[3], `${k.nbf.slice(0, 10)} ${k.nbf.slice(11, 16)} UTC`);
  }
  const artifact = page.locator('[data-testid=request-artifacts] tbody tr');
  assert.equal(await artifact.count(), 1);
  assert.deepEqual(await artifact.locator('td').allInnerTexts(), [request.artifacts[0].name, `${request.artifacts[0].size.toLocaleString('en-US')} bytes`, request.artifacts[0].sha256]);
  assert.equal((await page.locator('[data-testid=request-digest-hex]').innerText()).replace(/ /g, ''), toHex(sha256(new Uint8Array(readFileSync(requestFile)))));
  assert.equal(await page.locator('[data-testid=request-digest-words] li').count(), 16);
  await assertAccessible(page, 'signing request');

  await signingCheckIn(page, { trust: fingerprint, ids: TRUSTEES, digest: requestDigest });
  assert.equal(await page.locator('[data-testid=participants] tbody tr').count(), 5);
  await page.getByRole('button', { name: 'Start the signing ceremony' }).click();
  const run = await runSigningToEnd(page, seatPins, { wrongWordsOnce: true });
  assert.equal(await page.getAttribute(ROOT, 'data-phase'), 'done', await shownText(page, '[data-testid=signing-error]'));

  // Each person present confirmed the digest, one by one, the witness last; two other words were refused.
  assert.deepEqual(run.digestPrompts, ['Bob Trustee (trustee-1)', 'Carol Trustee (trustee-2)', 'Dave Trustee (trustee-3)', 'Grace Witness (witness-1)'].map((w) => `${w}: compare the request’s digest`));
  assert.match(run.wrongWords ?? '', /^Those are not the first two words of the request's digest\. Bob Trustee \(trustee-1\): read the words/);
  assert.match(await page.locator('[data-testid=digest-confirmations]').innerText(), /Bob Trustee \(trustee-1\), Carol Trustee \(trustee-2\), Dave Trustee \(trustee-3\), Grace Witness \(witness-1\)$/);
  assert.equal(await page.locator('[data-testid=shares]').getAttribute('data-accepted'), '3');
  await assertAccessible(page, 'signing done');

  const docs = page.locator('[data-testid=signed-documents] tbody tr');
  assert.deepEqual(await docs.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-document'))), ['endorsed-keys.jwks.json', 'artifacts.intoto.json']);
  const signed = (await page.locator('[data-testid=signed-folder]').innerText()).replace(/^Signed documents: /, '');
  for (const name of ['endorsed-keys.jwks.json', 'artifacts.intoto.json']) {
    assert.equal(await page.locator(`[data-testid=signed-documents] tr[data-document="${name}"] td.digest`).innerText(), toHex(sha256(new Uint8Array(readFileSync(join(signed, name))))));
  }
  const bundle = (await page.locator('[data-testid=signing-bundle]').innerText()).replace(/^Signing bundle: /, '');
  const verified = await runInProcess(['verify', bundle, '--trust', fingerprint]);
  assert.equal(verified.code, 0, verified.stdout + verified.stderr);

  // Export: the signed documents and the bundle into a new folder; check-signature accepts the copies.
  const exportDir = join(d, 'export');
  mkdirSync(exportDir);
  picks.exportFolder = exportDir;
  await page.getByRole('button', { name: 'Export the signed documents and the bundle…' }).click();
  const exported = (await page.locator('[data-testid=signing-exported]').innerText()).replace(/^Exported and checked: /, '');
  assert.deepEqual(readdirSync(exportDir), [exported.split('/').at(-1)]);
  for (const name of ['endorsed-keys.jwks.json', 'artifacts.intoto.json']) {
    const r = await runInProcess(['check-signature', join(exported, 'signed', name), '--signature', join(exported, 'signed', `${name}.dsse.json`), '--trust', fingerprint]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
  }
  const artifactCheck = await runInProcess(['check-signature', join(d, request.artifacts[0].name), '--signature', join(exported, 'signed', 'artifacts.intoto.json.dsse.json'), '--trust', fingerprint]);
  assert.equal(artifactCheck.code, 0, artifactCheck.stdout + artifactCheck.stderr);
  assert.equal((await runInProcess(['verify', join(exported, 'bundle'), '--trust', fingerprint])).code, 0);

  // The same folder again (the button is gone once exported, so through window.keyrite): never over the first export.
  const again = await page.evaluate(() => (window as unknown as { keyrite: { signing: { export(a: { pick: true }): Promise<{ ok: boolean; message?: string }> } } }).keyrite.signing.export({ pick: true }));
  assert.equal(again.ok, false);
  assert.match(again.message ?? '', /already exists; Keyrite never overwrites an export/);

  // The Audit screen names a signing bundle, its request and its documents.
  await page.getByRole('button', { name: 'Audit', exact: true }).click();
  await page.getByLabel('Master fingerprint read aloud', { exact: false }).fill(fingerprint);
  picks.bundle = join(exported, 'bundle');
  await page.getByRole('button', { name: 'Open a bundle folder…' }).click();
  await page.locator('[data-testid=verdict][data-verdict=valid]').waitFor();
  assert.match(await page.locator('[data-testid=audit-fingerprint]').innerText(), /Signing ceremony [0-9a-f]{32}/);
  assert.equal(await page.locator('[data-testid=audit-request-title]').innerText(), `Request: “${request.title}”`);
  assert.deepEqual(await page.locator('[data-testid=audit-documents] tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-document'))), ['endorsed-keys.jwks.json', 'artifacts.intoto.json']);
  await page.getByRole('button', { name: 'Signing', exact: true }).click();
  await page.getByRole('button', { name: 'Finish and start over' }).click();
  await page.waitForSelector(`${ROOT}[data-phase=bundle]`);
});

test('a request valid longer than the script allows is refused with its sentence, and nothing is unlocked', { timeout: 120_000 }, async () => {
  const page = app.page;
  const d = copyDemo();
  const request = JSON.parse(readFileSync(join(d, 'signing-request.json'), 'utf8'));
  request.keys[0].exp = `${Number(request.keys[0].nbf.slice(0, 4)) + 3}${request.keys[0].nbf.slice(4)}`;
  const file = join(d, 'too-long.json');
  writeFileSync(file, JSON.stringify(request, null, 2));
  const before = readdirSync(runs);
  await openRequest(page, picks, d, { script: SCRIPT, request: file });
  assert.equal(await page.locator('[data-testid=signing-request]').getAttribute('data-verdict'), 'refused');
  assert.match(
    await page.locator('[data-testid=request-verdict]').innerText(),
    new RegExp(`^✗ The signing request is refused: key 1 \\(kid "${request.keys[0].kid}"\\) is valid from .* longer than this script's limit of 400 days \\(max-validity-days\\)\\. Nothing was unlocked\\.`),
  );
  assert.equal(await page.getAttribute(ROOT, 'data-phase'), 'request');
  assert.equal(await page.locator('[data-testid=signing-check-in]').count(), 0);
  // The main process refuses a check-in too, and no run folder was made.
  const r = await page.evaluate(() => (window as unknown as { keyrite: { signing: { start(): Promise<{ ok: boolean; message?: string }> } } }).keyrite.signing.start());
  assert.equal(r.ok, false);
  assert.deepEqual(readdirSync(runs), before);
});

test('a digest typed at check-in that is not the request file’s is refused before anything starts', { timeout: 120_000 }, async () => {
  const page = app.page;
  // After the refusal: start over from the request step.
  await page.getByRole('button', { name: 'Start over' }).click();
  await page.waitForSelector(`${ROOT}[data-phase=bundle]`);
  const d = copyDemo();
  await openRequest(page, picks, d, { script: SCRIPT, request: join(d, 'signing-request.json') });
  const wrong = requestDigest.slice(0, 20) + (requestDigest[20] === '0' ? '1' : '0') + requestDigest.slice(21);
  await signingCheckIn(page, { trust: fingerprint, ids: TRUSTEES, digest: wrong, expect: 'problem' });
  assert.match(await page.locator('[data-testid=problem]').innerText(), /not the digest its author sent: this is not the request that was agreed\. Nothing was unlocked/);
  assert.equal(await page.getAttribute(ROOT, 'data-phase'), 'check-in');
  assert.ok(existsSync(join(d, 'signing-request.json')));
});

test('trustee-3 brings only her printed share card to the signing check-in: another card is refused, the scanned QR parts restore her envelope and the documents are signed', { timeout: 600_000 }, async () => {
  const page = app.page;
  await page.getByRole('button', { name: 'Start over' }).click();
  await page.waitForSelector(`${ROOT}[data-phase=bundle]`);
  const d = copyDemo();
  const ceremonyId: string = JSON.parse(readFileSync(join(d, 'bundle', 'bundle.json'), 'utf8')).ceremonyId;
  const cardOf = (id: string): string[] => shareCardParts(new Uint8Array(readFileSync(join(d, 'trustees', id, 'share-envelope.json'))), ceremonyId);
  const envelopeFile = new Uint8Array(readFileSync(join(d, 'trustees', 'trustee-3', 'share-envelope.json')));
  const parts = cardOf('trustee-3');
  const wrongCard = cardOf('trustee-4');
  // She has the card only: the file is gone.
  rmSync(join(d, 'trustees', 'trustee-3', 'share-envelope.json'));
  await openRequest(page, picks, d, { script: SCRIPT, request: join(d, 'signing-request.json') });
  await signingCheckIn(page, {
    trust: fingerprint,
    ids: TRUSTEES,
    digest: requestDigest,
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

  await page.getByRole('button', { name: 'Start the signing ceremony' }).click();
  await runSigningToEnd(page, seatPins);
  assert.equal(await page.getAttribute(ROOT, 'data-phase'), 'done', await shownText(page, '[data-testid=signing-error]'));
  assert.equal(await page.locator('[data-testid=shares]').getAttribute('data-accepted'), '3');
  const bundle = (await page.locator('[data-testid=signing-bundle]').innerText()).replace(/^Signing bundle: /, '');
  const verified = await runInProcess(['verify', bundle, '--trust', fingerprint]);
  assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  await page.getByRole('button', { name: 'Finish and start over' }).click();
  await page.waitForSelector(`${ROOT}[data-phase=bundle]`);
});

test('no PIN reached the page, and the page made no foreign request and logged no error', () => {
  return app.page.content().then((html) => {
    for (const pin of Object.values(seatPins)) assert.ok(!html.includes(pin), 'a passphrase is in the page');
    assert.deepEqual(app.foreignRequests, []);
    assert.deepEqual(app.pageErrors, []);
    assert.deepEqual(app.consoleProblems, []);
  });
});
