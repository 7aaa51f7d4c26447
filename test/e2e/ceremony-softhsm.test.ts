// End to end in Chromium on SoftHSM2: the shipped live 3-of-5 script driven through the
// ceremony screen on six PKCS#11 tokens (master "Keyrite Root" + five trustees), with the real
// handlers and a real CeremonySession. The live script blocks on any network interface, so the
// session is given loopback only (as the air-gapped machine has); everything else is real.
// The master token's holder types a wrong PIN first: the screen shows "Wrong PIN — 2 tries
// left" with what SoftHSM itself reports afterwards (few tries left). The exported bundle
// passes core's bundle check; the page makes no request besides its own files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { checkBundle } from '../../core/ceremony/bundle-check.ts';
import { nodeCeremonyFiles } from '../../core/node/ceremony-environment.ts';
import { createSoftHsm, type SoftHsmHarness } from '../helpers/softhsm.ts';
import { EventRelay, bundleFakePreload, buildRenderer, launchChromium, openAppPage, realHandlers, shownText, type AppPage } from './harness.ts';
import { LOOPBACK_ONLY, ceremonyNodeOptions, checkIn, runToEnd, type TokenSeat } from './ceremony-driver.ts';

const LABELS = ['Keyrite Root', 'Trustee 1', 'Trustee 2', 'Trustee 3', 'Trustee 4', 'Trustee 5'];
let work: string;
let hsm: SoftHsmHarness;
let browser: Browser;
let app: AppPage;
let seats: TokenSeat[];
let exportDir: string;

before(async () => {
  hsm = createSoftHsm(LABELS);
  seats = hsm.tokens.map((t, i) => ({ participant: i === 0 ? 'master' : `trustee-${i}`, option: `${t.label} (serial ${t.serial})`, pin: t.pin }));
  work = mkdtempSync(join(tmpdir(), 'keyrite-e2e-hsm-'));
  const site = join(work, 'renderer');
  exportDir = join(work, 'export');
  mkdirSync(exportDir);
  await buildRenderer(site);
  const relay = new EventRelay();
  const handlers = realHandlers({}, ceremonyNodeOptions(relay, { workRoot: work, modulePath: hsm.module, exportDir, networkInterfaces: () => LOOPBACK_ONLY }));
  browser = await launchChromium();
  app = await openAppPage(browser, { site, handlers, preload: await bundleFakePreload(), viewport: { width: 1280, height: 800 }, events: relay });
});

after(async () => {
  await browser?.close();
  hsm?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the live 3-of-5 script through the UI on SoftHSM tokens, a wrong PIN first, ends with a bundle that checkBundle accepts', { timeout: 600_000 }, async () => {
  const page = app.page;
  await checkIn(page, 'root-keygen-3of5.yaml', seats, { dice: true });
  assert.equal(await page.locator('[data-testid=mode-badge]').innerText(), 'LIVE CEREMONY');
  await page.getByRole('button', { name: 'Start the ceremony' }).click();
  const wrong = await runToEnd(page, seats, { wrongOnce: 'master' });
  assert.ok(wrong.problem, (await shownText(page, '[data-testid=ceremony-error]')) || 'no error shown');
  assert.match(wrong.problem ?? '', /^Wrong PIN — 2 tries left\. Check the PIN with its holder and type it again; nothing was changed on the token\. The token reports: token reports few PIN tries left\.$/);
  assert.equal(wrong.triesLeft, '', 'the count and the report are said once, in the sentence above');

  assert.equal(await page.getAttribute('[data-testid=ceremony]', 'data-phase'), 'done', await shownText(page, '[data-testid=ceremony-error]'));
  const hex = (await page.locator('[data-testid=fingerprint-hex]').innerText()).replace(/ /g, '');
  assert.equal(await page.locator('[data-testid=receipts] li[data-trustee]').count(), 5);
  await page.getByRole('button', { name: 'Export the bundle to a folder…' }).click();
  await page.waitForSelector('[data-testid=exported]');
  const folder = readdirSync(exportDir).find((n) => n.startsWith('keyrite-bundle-') && !n.endsWith('.tar'))!;
  const checks = await checkBundle(nodeCeremonyFiles({ out: exportDir, answers: exportDir }), { root: 'out', path: folder }, { masterFingerprint: hex });
  assert.deepEqual(checks.filter((c) => !c.ok), []);
  // The master key is on the token, with the script's label.
  assert.match(hsm.pkcs11Tool(['--token-label', 'Keyrite Root', '--login', '--pin', hsm.tokens[0]!.pin, '--list-objects']), /keyrite:keyrite-root/);
});

test('no PIN reached the renderer, and the page made no foreign request', async () => {
  const html = await app.page.content();
  for (const s of seats) assert.ok(!html.includes(s.pin), 'a PIN is in the page');
  assert.deepEqual(app.foreignRequests, []);
  assert.deepEqual(app.pageErrors, []);
  assert.deepEqual(app.consoleProblems, []);
});
