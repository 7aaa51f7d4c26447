// End to end in Chromium on SoftHSM2: the master key of a live root ceremony (the shipped
// root-keygen-3of5.yaml, run here in-process on six PKCS#11 tokens, PINs from variables, loopback
// only) signs a request through the Signing screen with the shipped LIVE signing.yaml: the master
// token "Keyrite Root" and the trustees' tokens are chosen from the token list, the request's
// digest is typed as the requester sent it (a live script requires it), PINs are typed at the
// prompts, each person present confirms the digest by its first two words. `keyrite verify
// --trust` accepts the signing bundle and `keyrite check-signature` the endorsed keys; the key
// stays on the token (the classical half signed there).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { utf8 } from '../../core/bytes.ts';
import { sha256 } from '../../core/crypto/hash.ts';
import { toHex } from '../../core/encoding/hex.ts';
import { parseCeremonyScript } from '../../core/script/script.ts';
import { parseAnswers } from '../../core/ceremony/answers.ts';
import { runCeremony } from '../../core/ceremony/kinds/root-keygen.ts';
import { createNodeCeremonyEnvironment } from '../../core/node/ceremony-environment.ts';
import { exampleArtifactBytes, exampleSigningRequest, EXAMPLE_ARTIFACT_NAME } from '../../core/signing/example-request.ts';
import { runInProcess } from '../helpers/cli.ts';
import { createSoftHsm, type SoftHsmHarness } from '../helpers/softhsm.ts';
import { LIVE_SCRIPT, WITNESS_STEPS, answersYaml, rolls } from '../integration/ceremony/helpers.ts';
import { EventRelay, bundleFakePreload, buildRenderer, launchChromium, openAppPage, realHandlers, shownText, type AppPage } from './harness.ts';
import { LOOPBACK_ONLY } from './ceremony-driver.ts';
import { ROOT, openRequest, runSigningToEnd, signingCheckIn, signingNodeOptions, type SigningPicks } from './signing-driver.ts';

const LABELS = ['Keyrite Root', 'Trustee 1', 'Trustee 2', 'Trustee 3', 'Trustee 4', 'Trustee 5'];
const SIGNERS = ['trustee-2', 'trustee-4', 'trustee-5'];
let work: string;
let root: string;
let hsm: SoftHsmHarness;
let fingerprint: string;
let browser: Browser;
let app: AppPage;
const picks: SigningPicks = {};
const option = (i: number): string => `${hsm.tokens[i]!.label} (serial ${hsm.tokens[i]!.serial})`;

before(async () => {
  hsm = createSoftHsm(LABELS);
  work = mkdtempSync(join(tmpdir(), 'keyrite-e2e-signing-hsm-'));
  root = join(work, 'root');
  mkdirSync(root);
  // The root ceremony, as `keyrite ceremony run` runs it (in-process, loopback only).
  const pins: Record<string, string> = { KR_HSM_PIN_MASTER: hsm.tokens[0]!.pin };
  const trustees = LABELS.slice(1).map((label, i) => {
    pins[`KR_HSM_PIN_${i + 1}`] = hsm.tokens[i + 1]!.pin;
    return { id: `trustee-${i + 1}`, name: `HSM Trustee ${i + 1}`, token: { uri: `pkcs11:token=${encodeURIComponent(label)};serial=${hsm.tokens[i + 1]!.serial}` }, pin: { env: `KR_HSM_PIN_${i + 1}` }, output: `trustees/trustee-${i + 1}`, dice: rolls() };
  });
  const parsed = parseCeremonyScript(new Uint8Array(readFileSync(LIVE_SCRIPT)));
  const answers = parseAnswers(utf8(answersYaml({ trustees, master: { pin: { env: 'KR_HSM_PIN_MASTER' } }, confirm: WITNESS_STEPS })), parsed);
  const env = createNodeCeremonyEnvironment({ outDir: root, answersDir: root, modulePath: hsm.module, env: pins, interactive: false, confirmations: answers.confirm, progress: () => undefined, networkInterfaces: () => LOOPBACK_ONLY });
  try {
    fingerprint = (await runCeremony({ parsed, answers, env })).master.fingerprint;
  } finally {
    await env.close();
  }
  writeFileSync(join(root, 'signing-request.json'), exampleSigningRequest(new Date(), (n) => new Uint8Array(randomBytes(n))));
  writeFileSync(join(root, EXAMPLE_ARTIFACT_NAME), exampleArtifactBytes());

  const site = join(work, 'renderer');
  const runs = join(work, 'runs');
  mkdirSync(runs);
  await buildRenderer(site);
  const relay = new EventRelay();
  const handlers = realHandlers({}, signingNodeOptions(relay, picks, { workRoot: runs, modulePath: hsm.module }));
  browser = await launchChromium();
  app = await openAppPage(browser, { site, handlers, preload: await bundleFakePreload(), viewport: { width: 1280, height: 800 }, events: relay });
});

after(async () => {
  await browser?.close();
  hsm?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the live signing script through the UI: the master key on a SoftHSM token signs; verify and check-signature accept the result', { timeout: 600_000 }, async () => {
  const page = app.page;
  await openRequest(page, picks, root, { script: 'signing.yaml', request: join(root, 'signing-request.json') });
  assert.equal(await page.locator('[data-testid=mode-badge]').innerText(), 'LIVE SIGNING');
  assert.equal(await page.locator('[data-testid=signing-request]').getAttribute('data-verdict'), 'accepted');
  const digest = toHex(sha256(new Uint8Array(readFileSync(join(root, 'signing-request.json')))));
  // A live script signs only the request whose digest its author sent: the field is required (the session refuses it empty too).
  const tokens = Object.fromEntries(SIGNERS.map((id) => [id, option(Number(id.slice(-1)))]));
  await signingCheckIn(page, { trust: fingerprint, ids: SIGNERS, masterToken: option(0), tokens, digest: digest.replace(/(.{8})/g, '$1 ').trim() });
  assert.equal(await page.getByLabel('Request digest as the requester sent it', { exact: false }).count(), 0);
  assert.deepEqual(await page.locator('[data-testid=participants] tbody td:nth-child(3)').allInnerTexts(), ['Master token: Keyrite Root', 'Trustee 2', 'Trustee 4', 'Trustee 5', '—']);

  await page.getByRole('button', { name: 'Start the signing ceremony' }).click();
  const pins = { master: hsm.tokens[0]!.pin, ...Object.fromEntries(SIGNERS.map((id) => [id, hsm.tokens[Number(id.slice(-1))]!.pin])) };
  const run = await runSigningToEnd(page, pins);
  assert.equal(await page.getAttribute(ROOT, 'data-phase'), 'done', await shownText(page, '[data-testid=signing-error]'));
  assert.equal(run.digestPrompts.length, 4);

  const bundle = (await page.locator('[data-testid=signing-bundle]').innerText()).replace(/^Signing bundle: /, '');
  const signed = (await page.locator('[data-testid=signed-folder]').innerText()).replace(/^Signed documents: /, '');
  const verified = await runInProcess(['verify', bundle, '--trust', fingerprint]);
  assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  assert.match(verified.stdout, /^VALID: all \d+ checks passed\./m);
  const checked = await runInProcess(['check-signature', join(signed, 'endorsed-keys.jwks.json'), '--signature', join(signed, 'endorsed-keys.jwks.json.dsse.json'), '--trust', fingerprint]);
  assert.equal(checked.code, 0, checked.stdout + checked.stderr);
  const artifact = await runInProcess(['check-signature', join(root, EXAMPLE_ARTIFACT_NAME), '--signature', join(signed, 'artifacts.intoto.json.dsse.json'), '--trust', fingerprint]);
  assert.equal(artifact.code, 0, artifact.stdout + artifact.stderr);
  // The master key is still on its token, sensitive and not extractable.
  const objects = hsm.pkcs11Tool(['--token-label', 'Keyrite Root', '--login', '--pin', hsm.tokens[0]!.pin, '--list-objects']);
  assert.match(objects, /keyrite:keyrite-root/);
});

test('no PIN reached the page, and the page made no foreign request and logged no error', async () => {
  const html = await app.page.content();
  for (const t of hsm.tokens) assert.ok(!html.includes(t.pin), 'a PIN is in the page');
  assert.deepEqual(app.foreignRequests, []);
  assert.deepEqual(app.pageErrors, []);
  assert.deepEqual(app.consoleProblems, []);
});
