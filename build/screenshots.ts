// `npm run screenshots`: a PNG of every renderer screen, at 1280×800 (the window's size,
// a projector) and 1920×1080, for people to look at. The renderer runs in Chromium exactly
// as the end-to-end test runs it (test/e2e/harness.ts): the production build served with
// the app's headers and CSP, `window.keyrite` backed by the real IPC handlers. Scenarios
// may replace handler dependencies (network interfaces, self-test list) to show a state
// this machine is not in; the handlers themselves are always the real ones.
//
// Usage: npm run screenshots -- [--out <dir>] [--only <name>[,<name>…]] [--list]
//   --out   where the PNGs go (default ./screenshots, gitignored; or $KEYRITE_SCREENSHOT_DIR)
//   --only  just these scenarios
// dist/renderer is built first when it is missing or older than a file under renderer/.
// Exit 1 when a page logs a console error or warning, throws, violates the CSP, asks for
// anything but its own files, or has an axe-core violation of serious or critical impact
// (test/e2e/a11y.ts): a screenshot of a broken page is not a screenshot.
// Audit and recovery scenarios (`recovery: 'audit' | 'demo'`) answer the main process pickers
// from ctx.picks; the recovery ones run `keyrite demo` once and work on a copy of its output.
//
// Adding a screen: add a Scenario to SCENARIOS below (name, what, prepare, maybe deps).
import { cpSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import type { Page } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { axeViolations } from '../test/e2e/a11y.ts';
import { EventRelay, bundleFakePreload, launchChromium, openAppPage, realHandlers, repo } from '../test/e2e/harness.ts';
import { TRUSTEE_NAMES, ceremonyNodeOptions, checkIn, makeSoftwareTokens, runToEnd, type Stop, type TokenSeat } from '../test/e2e/ceremony-driver.ts';
import { makeDemo, openRecoveryBundle, recoveryCheckIn, recoverySeats } from '../test/e2e/recovery-driver.ts';
import type { NodeDepsOptions } from '../electron/ipc/node-deps.ts';
import type { HandlerDeps } from '../electron/ipc/handlers.ts';
import type { NetworkInterfaceInfo } from '../core/airgap/status.ts';
import { KeyriteError } from '../core/errors.ts';
import { runSelfTests } from '../core/selftest/run.ts';
import { KNOWN_ANSWER_TESTS } from '../core/selftest/kats.ts';
import { shareCardParts } from '../core/escrow/share-card-parts.ts';
import { paperWordsOf, pinOf } from '../test/integration/recovery/helpers.ts';
import { makeRotatedDemo, rotationPins } from '../test/integration/rotation/helpers.ts';
import { masterPin, openRequest, runSigningToEnd, signingCheckIn, signingNodeOptions, type SigningPicks } from '../test/e2e/signing-driver.ts';

export interface Scenario {
  /** File name stem: `<name>-<width>x<height>.png`. */
  name: string;
  /** One line for the log. */
  what: string;
  /** Handler dependencies replaced for this scenario; null opens the page outside the app (no preload). */
  deps?: Partial<HandlerDeps> | null;
  /** A ceremony session on rehearsal software tokens behind the handlers (ceremony screens). */
  ceremony?: boolean;
  /** Audit and recovery sessions behind the handlers, pickers answered from ctx.picks; `demo` also copies a `keyrite demo` output into ctx.dir. */
  recovery?: 'audit' | 'demo';
  /** Waits until the screen is settled and puts it in the state to capture. */
  prepare(page: Page, seats: TokenSeat[], ctx: ShotContext): Promise<void>;
  /** The whole scrollable page instead of the viewport. */
  fullPage?: boolean;
}

/** For audit and recovery scenarios: what the pickers return, and the scenario's own copy of the demo. */
export interface ShotContext {
  picks: SigningPicks;
  /** A scratch folder (with the demo output in it for `recovery: 'demo'`). */
  dir: string;
  pins: Record<string, string>;
  fingerprint: string;
}

export const VIEWPORTS = [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
] as const;

/** Waits for both home panels to finish (self-tests and air gap). */
async function homeSettled(page: Page): Promise<void> {
  await page.waitForSelector('[data-testid=selftest]:not([data-state=running])', { timeout: 120_000 });
  await page.waitForSelector('[data-testid=airgap]:not([data-state=checking])');
}

const LOOPBACK: NetworkInterfaceInfo = {
  name: 'lo',
  addresses: [
    { family: 'IPv4', address: '127.0.0.1', internal: true },
    { family: 'IPv6', address: '::1', internal: true },
  ],
};

/** The real known-answer tests, with one replaced by a test that fails as a real one does. */
const oneFailingKat = () =>
  runSelfTests(
    KNOWN_ANSWER_TESTS.map((kat) =>
      kat.name === 'ML-DSA-65'
        ? {
            name: kat.name,
            run() {
              throw new KeyriteError('SELFTEST_FAILED', 'ML-DSA-65 signature differs from the known answer.');
            },
          }
        : kat,
    ),
  );

const REHEARSAL = 'root-keygen-3of5-rehearsal.yaml';

/** Checks in on the rehearsal script, starts, and runs until `stop` (or the end). */
async function ceremonyUntil(page: Page, seats: TokenSeat[], stop: Stop | undefined, wrongOnce?: string): Promise<void> {
  await checkIn(page, REHEARSAL, seats);
  await page.getByRole('button', { name: 'Start the ceremony' }).click();
  await runToEnd(page, seats, { ...(stop ? { stop } : {}), ...(wrongOnce ? { wrongOnce } : {}) });
}

const GOLDEN = join(repo, 'test/fixtures/golden-bundle');
const GOLDEN_FP = '8047460895e45caaf54a2be033a6aa947ac20e4f4dc484f0892b52005038a27a';
const RECOVERY_REHEARSAL = 'escrow-recovery-rehearsal.yaml';

/** The Rotation screen on the demo copy in ctx.dir, up to `stop`: the glance, the filled check-in, the cross-sign prompt, or the end. */
async function rotationUntil(page: Page, ctx: ShotContext, stop: 'glance' | 'check-in' | 'cross-sign' | 'done'): Promise<void> {
  const root = '[data-testid=rotation]';
  await page.getByRole('button', { name: 'Rotation', exact: true }).click();
  ctx.picks.bundle = join(ctx.dir, 'bundle');
  await page.getByRole('button', { name: 'Open the bundle folder…' }).click();
  await page.waitForSelector(`${root}[data-phase=script] [data-testid=script-chooser] .choice`);
  if (stop === 'glance') return;
  await page.locator('[data-testid=script-chooser] button.choice', { hasText: 'rotation-rehearsal.yaml' }).click();
  await page.waitForSelector(`${root}[data-phase=check-in]`);
  await page.getByLabel('CURRENT master fingerprint, typed by the trustees', { exact: false }).fill(ctx.fingerprint);
  await page.getByLabel('Administrator’s name').fill('Alice Administrator');
  await page.getByLabel('Witness 1’s name').fill('Grace Witness');
  for (const [i, name] of TRUSTEE_NAMES.entries()) await page.getByLabel(`Name of trustee-${i + 1}`).fill(name);
  if (stop === 'check-in') return;
  await page.getByRole('button', { name: 'Check in', exact: true }).click();
  await page.waitForSelector(`${root}[data-phase=ready]`);
  await page.getByRole('button', { name: 'Start the rotation' }).click();
  const pins = rotationPins(ctx.dir);
  const seats = { master: pinOf(pins, 'rotation'), ...Object.fromEntries(TRUSTEE_NAMES.map((_n, i) => [`trustee-${i + 1}`, pinOf(pins, `trustee-${i + 1}`)])) };
  await runSigningToEnd(page, seats, { screen: 'rotation', ...(stop === 'cross-sign' ? { stop: { witnessAt: 'cross-sign' } } : {}) });
  if (stop === 'cross-sign') {
    await page.waitForSelector('[data-testid=cross-sign]');
    return;
  }
  await page.waitForSelector(`${root}[data-phase=done]`);
  await page.locator('[data-testid=rotation-outcome]').scrollIntoViewIfNeeded();
}

/** The Audit screen's chain on the rotated demo (root bundle and rotation bundle, in the order asked), verified from the root fingerprint. */
async function auditChain(page: Page, ctx: ShotContext, order: 'root-first' | 'rotation-first'): Promise<void> {
  const { dir, rootFp } = await rotatedOnce();
  const folders = [join(dir, 'bundle'), join(dir, 'rot', 'bundle')];
  await page.getByRole('button', { name: 'Audit', exact: true }).click();
  await page.getByLabel('A chain: the root bundle and its rotations').check();
  for (const [i, folder] of (order === 'root-first' ? folders : folders.reverse()).entries()) {
    ctx.picks.bundle = folder;
    await page.getByRole('button', { name: /^Add the (root|next) bundle folder…$/ }).click();
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=chain-folders] li').length === n, i + 1);
  }
  await page.getByLabel('ROOT master fingerprint read aloud', { exact: false }).fill(rootFp);
  await page.getByRole('button', { name: 'Verify the chain' }).click();
  await page.waitForSelector('[data-testid=chain-verdict]');
}

/** Opens the audit screen on `bundle`, anchored by the golden fingerprint. */
async function auditOpen(page: Page, ctx: ShotContext, bundle: string): Promise<void> {
  await page.getByRole('button', { name: 'Audit', exact: true }).click();
  await page.getByLabel('Master fingerprint read aloud', { exact: false }).fill(GOLDEN_FP);
  ctx.picks.bundle = bundle;
  await page.getByRole('button', { name: 'Open a bundle folder…' }).click();
  await page.waitForSelector('[data-testid=verdict]');
}

/** A copy of the golden bundle with one byte of transcript.jsonl flipped. */
function tamperedGolden(dir: string): string {
  const copy = join(dir, 'tampered-bundle');
  cpSync(GOLDEN, copy, { recursive: true });
  const file = join(copy, 'transcript.jsonl');
  const bytes = readFileSync(file);
  const i = bytes.indexOf(Buffer.from('"type"')) + 2;
  bytes[i] = bytes[i]! ^ 0x01;
  writeFileSync(file, bytes);
  return copy;
}

/** The demo in ctx.dir with trustee-2's envelope damaged and a 4-trustee script; runs the recovery to its end. */
async function recoveryWithRefusal(page: Page, ctx: ShotContext): Promise<void> {
  const envelope = join(ctx.dir, 'trustees', 'trustee-2', 'share-envelope.json');
  const env = JSON.parse(readFileSync(envelope, 'utf8'));
  const ct: string = env.sealed.ciphertext;
  const i = Math.floor(ct.length / 2);
  env.sealed.ciphertext = ct.slice(0, i) + (ct[i] === 'A' ? 'B' : 'A') + ct.slice(i + 1);
  writeFileSync(envelope, JSON.stringify(env));
  const script = join(ctx.dir, 'escrow-recovery-4.yaml');
  writeFileSync(script, readFileSync(join(repo, 'ceremony-scripts', RECOVERY_REHEARSAL), 'utf8').replace(/\n {2}trustee: 3\n/, '\n  trustee: 4\n'));
  const ids = ['trustee-1', 'trustee-2', 'trustee-3', 'trustee-4'];
  await recoveryCheckIn(page, ctx.picks, ctx.dir, { script: { file: script }, trust: ctx.fingerprint, ids });
  await page.getByRole('button', { name: 'Start the recovery' }).click();
  await runToEnd(page, recoverySeats(ctx.pins, ids), { root: '[data-testid=recovery]' });
}

const SIGNING_REHEARSAL = 'signing-rehearsal.yaml';

/** The demo's signing request through the signing screen, trustees 1–3, up to `stop` (or the end). */
async function signingUntil(page: Page, ctx: ShotContext, stop: { digestFor: number } | undefined): Promise<void> {
  const ids = ['trustee-1', 'trustee-2', 'trustee-3'];
  await openRequest(page, ctx.picks, ctx.dir, { script: SIGNING_REHEARSAL, request: join(ctx.dir, 'signing-request.json') });
  await signingCheckIn(page, { trust: ctx.fingerprint, ids });
  await page.getByRole('button', { name: 'Start the signing ceremony' }).click();
  const pins = { master: masterPin(ctx.dir), ...Object.fromEntries(ids.map((id) => [id, pinOf(ctx.pins, id)])) };
  await runSigningToEnd(page, pins, stop ? { stop } : {});
}

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'home',
    what: 'home screen on this machine (real self-tests, real network interfaces)',
    prepare: homeSettled,
  },
  {
    name: 'home-selftest-details',
    what: 'home screen with the list of self-tests open',
    prepare: async (page) => {
      await homeSettled(page);
      await page.locator('[data-testid=selftest] summary').click();
    },
    fullPage: true,
  },
  {
    name: 'home-ready',
    what: 'home screen, self-tests passed and only loopback up: ready for a ceremony',
    deps: { readNetworkInterfaces: () => [LOOPBACK] },
    prepare: homeSettled,
  },
  {
    name: 'home-not-ready',
    what: 'home screen, one self-test failed and two interfaces up (one link-local only)',
    deps: {
      runSelfTests: oneFailingKat,
      readNetworkInterfaces: () => [
        LOOPBACK,
        { name: 'enp0s31f6', addresses: [{ family: 'IPv4', address: '192.168.20.14', internal: false }, { family: 'IPv6', address: 'fe80::4a2a:e3ff:fe11:9c07', internal: false }] },
        { name: 'wlp2s0', addresses: [{ family: 'IPv6', address: 'fe80::1c44:6bff:fe02:5a10', internal: false }] },
      ],
    },
    prepare: async (page) => {
      await homeSettled(page);
      await page.locator('[data-testid=selftest] summary').click();
    },
    fullPage: true,
  },
  {
    name: 'home-checking',
    what: 'home screen while the self-tests are still running',
    deps: { runSelfTests: () => new Promise<never>(() => {}) },
    prepare: async (page) => {
      await page.waitForSelector('[data-testid=selftest][data-state=running]');
      await page.waitForSelector('[data-testid=airgap]:not([data-state=checking])');
    },
  },
  {
    name: 'home-error',
    what: 'home screen when the network interfaces cannot be read (an internal error)',
    deps: {
      readNetworkInterfaces: () => {
        throw new Error('simulated: the interface list could not be read');
      },
      logError: () => {},
    },
    prepare: homeSettled,
  },
  {
    name: 'ceremony-choose',
    what: 'ceremony: choose a script',
    ceremony: true,
    prepare: async (page) => {
      await page.getByRole('button', { name: 'Ceremony', exact: true }).click();
      await page.waitForSelector('[data-testid=script-chooser] .choice');
    },
  },
  {
    name: 'ceremony-check-in',
    what: 'ceremony: the script hash to read aloud and the check-in form',
    ceremony: true,
    fullPage: true,
    prepare: async (page) => {
      await page.getByRole('button', { name: 'Ceremony', exact: true }).click();
      await page.locator('[data-testid=script-chooser] .choice', { hasText: REHEARSAL }).click();
      await page.waitForSelector('[data-testid=check-in] select option:nth-child(2)', { state: 'attached' });
    },
  },
  {
    name: 'ceremony-ready',
    what: 'ceremony: participants checked in, ready to start',
    ceremony: true,
    fullPage: true,
    prepare: async (page, seats) => {
      await checkIn(page, REHEARSAL, seats);
      await page.getByRole('button', { name: /^Compare with the live script/ }).waitFor();
    },
  },
  {
    name: 'ceremony-witness',
    what: 'ceremony: a witness confirms the check-in step',
    ceremony: true,
    prepare: (page, seats) => ceremonyUntil(page, seats, { witnessAt: 'check-in' }),
  },
  {
    name: 'ceremony-pin',
    what: "ceremony: the master token's holder types its passphrase",
    ceremony: true,
    prepare: (page, seats) => ceremonyUntil(page, seats, { pinFor: 'master' }),
  },
  {
    name: 'ceremony-wrong-pin',
    what: 'ceremony: after a wrong passphrase, tries left and what to do next',
    ceremony: true,
    prepare: (page, seats) => ceremonyUntil(page, seats, { pinFor: 'master:wrong' }, 'master'),
  },
  {
    name: 'ceremony-done',
    what: 'ceremony: the master fingerprint, share receipts and the export',
    ceremony: true,
    fullPage: true,
    prepare: (page, seats) => ceremonyUntil(page, seats, undefined),
  },
  {
    name: 'ceremony-private-view',
    what: "ceremony: before a trustee's paper-backup words appear, the projector is blanked and the trustee is alone",
    ceremony: true,
    prepare: async (page, seats) => {
      await ceremonyUntil(page, seats, undefined);
      await page.getByRole('button', { name: 'Show Bob Trustee’s paper-backup words' }).click();
      await page.locator('[data-testid=private-view]').scrollIntoViewIfNeeded();
    },
  },
  {
    name: 'ceremony-paper-words',
    what: "ceremony: one trustee's paper-backup words, hidden for good only on a second step",
    ceremony: true,
    prepare: async (page, seats) => {
      await ceremonyUntil(page, seats, undefined);
      await page.getByRole('button', { name: 'Show Bob Trustee’s paper-backup words' }).click();
      await page.getByLabel(/The projector is blanked/).check();
      await page.getByRole('button', { name: 'Show the words now' }).click();
      // As the room sees it, no scrolling: all 34 words and the second step fit below the run header.
      await page.getByRole('button', { name: 'I have copied them…' }).click();
    },
  },
  {
    name: 'ceremony-finish',
    what: 'ceremony: "Finish and start over" asks again and says what would be lost',
    ceremony: true,
    prepare: async (page, seats) => {
      await ceremonyUntil(page, seats, undefined);
      await page.getByRole('button', { name: 'Finish and start over…' }).click();
      await page.locator('[data-testid=confirm-finish]').scrollIntoViewIfNeeded();
    },
  },
  {
    name: 'audit-valid',
    what: 'audit: the golden bundle, VALID and ANCHORED, with its fingerprint',
    recovery: 'audit',
    prepare: (page, _seats, ctx) => auditOpen(page, ctx, GOLDEN),
  },
  {
    name: 'audit-valid-full',
    what: 'audit: the whole report of the golden bundle (every check, scripts, export)',
    recovery: 'audit',
    fullPage: true,
    prepare: (page, _seats, ctx) => auditOpen(page, ctx, GOLDEN),
  },
  {
    name: 'audit-invalid',
    what: 'audit: a copy with one byte of transcript.jsonl flipped, INVALID, the failing checks named',
    recovery: 'audit',
    prepare: (page, _seats, ctx) => auditOpen(page, ctx, tamperedGolden(ctx.dir)),
  },
  {
    name: 'audit-invalid-checks',
    what: 'audit: the failing checks of the tampered copy, with their sentences',
    recovery: 'audit',
    prepare: async (page, _seats, ctx) => {
      await auditOpen(page, ctx, tamperedGolden(ctx.dir));
      await page.locator('[data-testid=checks] li[data-status=fail]').first().scrollIntoViewIfNeeded();
      await page.evaluate(() => window.scrollBy(0, -120));
    },
  },
  {
    name: 'audit-script-timeout',
    what: 'audit: an editor script that never ends, reported as not completed (timeout)',
    recovery: 'audit',
    prepare: async (page, _seats, ctx) => {
      await auditOpen(page, ctx, GOLDEN);
      await page.getByLabel('Type an audit script', { exact: false }).fill('for(;;){}');
      await page.getByRole('button', { name: 'Run the typed script' }).click();
      await page.locator('[data-testid=script-problem]').waitFor({ timeout: 60_000 });
      await page.locator('[data-testid=audit-scripts]').scrollIntoViewIfNeeded();
    },
  },
  {
    name: 'audit-chain',
    what: 'audit: a chain (the demo root bundle, then its rotation) VALID, drawn root → current with states and dates, the current key',
    recovery: 'audit',
    prepare: async (page, _seats, ctx) => auditChain(page, ctx, 'root-first'),
  },
  {
    name: 'audit-chain-key',
    what: "audit: the valid chain's current key in hex groups and words, and every key's state",
    recovery: 'audit',
    prepare: async (page, _seats, ctx) => {
      await auditChain(page, ctx, 'root-first');
      await page.locator('[data-testid=chain-current]').scrollIntoViewIfNeeded();
    },
  },
  {
    name: 'audit-chain-refused',
    what: 'audit: the same two bundles in the wrong order, CHAIN REFUSED with the check named',
    recovery: 'audit',
    prepare: async (page, _seats, ctx) => auditChain(page, ctx, 'rotation-first'),
  },
  {
    name: 'rotation-glance',
    what: 'rotation: the current bundle (the demo root bundle) verified, its key states at a glance without a fingerprint, the script chooser',
    recovery: 'demo',
    prepare: async (page, _seats, ctx) => rotationUntil(page, ctx, 'glance'),
  },
  {
    name: 'rotation-check-in',
    what: 'rotation: every trustee checks in (typed current fingerprint, token, keyring, envelope, new share folder), simulated dice',
    recovery: 'demo',
    fullPage: true,
    prepare: async (page, _seats, ctx) => rotationUntil(page, ctx, 'check-in'),
  },
  {
    name: 'rotation-cross-sign',
    what: 'rotation: at cross-sign, the NEW fingerprint beside the OLD one (hex groups and words), the witness prompt below',
    recovery: 'demo',
    prepare: async (page, _seats, ctx) => rotationUntil(page, ctx, 'cross-sign'),
  },
  {
    name: 'rotation-done',
    what: 'rotation: done, the new key active and the old one verify-only until its grace end, the rotation bundle',
    recovery: 'demo',
    prepare: async (page, _seats, ctx) => rotationUntil(page, ctx, 'done'),
  },
  {
    name: 'recovery-fingerprint',
    what: "recovery: the original bundle opened (its checks, quorum and trustees, not its fingerprint: the quorum types it from paper), then the script",
    recovery: 'demo',
    prepare: async (page, _seats, ctx) => openRecoveryBundle(page, ctx.picks, ctx.dir),
  },
  {
    name: 'recovery-check-in',
    what: 'recovery: the quorum checks in (fingerprint typed, trustees, files, new master token)',
    recovery: 'demo',
    fullPage: true,
    prepare: async (page, _seats, ctx) => {
      await recoveryCheckIn(page, ctx.picks, ctx.dir, { script: { shipped: RECOVERY_REHEARSAL }, trust: ctx.fingerprint, ids: ['trustee-1', 'trustee-2', 'trustee-3'] });
      await page.getByRole('button', { name: 'Start over' }).click();
      await page.waitForSelector('[data-testid=recovery][data-phase=bundle]');
      // Back to a filled-in form: open, choose, tick, as the room would before "Check in".
      ctx.picks.bundle = join(ctx.dir, 'bundle');
      await page.getByRole('button', { name: 'Open the bundle folder…' }).click();
      await page.locator('[data-testid=script-chooser] .choice', { hasText: RECOVERY_REHEARSAL }).click();
      await page.getByLabel('Master fingerprint, typed by the quorum', { exact: false }).fill(ctx.fingerprint);
      for (const id of ['trustee-1', 'trustee-2']) {
        await page.locator(`.trustee-row[data-trustee=${id}]`).getByRole('checkbox').check();
        await page.getByLabel(`Token of ${id}`).selectOption('file');
      }
    },
  },
  {
    name: 'recovery-share-card',
    what: 'recovery: a trustee who brings only the printed share card has its QR codes scanned; the envelope is read back with its SHA-256 to compare',
    recovery: 'demo',
    prepare: async (page, _seats, ctx) => {
      await openRecoveryBundle(page, ctx.picks, ctx.dir);
      await page.locator('[data-testid=script-chooser] .choice', { hasText: RECOVERY_REHEARSAL }).click();
      const ceremonyId: string = JSON.parse(readFileSync(join(ctx.dir, 'bundle', 'bundle.json'), 'utf8')).ceremonyId;
      const parts = shareCardParts(new Uint8Array(readFileSync(join(ctx.dir, 'trustees', 'trustee-3', 'share-envelope.json'))), ceremonyId);
      await page.locator('.trustee-row[data-trustee=trustee-3]').getByRole('checkbox').check();
      await page.getByLabel('trustee-3 brings the printed share card instead of the file').check();
      await page.getByLabel('QR codes scanned from trustee-3’s share card', { exact: false }).fill(parts.join('\n') + '\n');
      await page.getByRole('button', { name: 'Read trustee-3’s card' }).click();
      const scan = page.locator('[data-testid=card-scan-trustee-3]');
      await scan.getByText('Card read').waitFor();
      await scan.scrollIntoViewIfNeeded();
    },
  },
  {
    name: 'recovery-pin',
    what: "recovery: a trustee types their token's passphrase",
    recovery: 'demo',
    prepare: async (page, _seats, ctx) => {
      const ids = ['trustee-1', 'trustee-2', 'trustee-3'];
      await recoveryCheckIn(page, ctx.picks, ctx.dir, { script: { shipped: RECOVERY_REHEARSAL }, trust: ctx.fingerprint, ids });
      await page.getByRole('button', { name: 'Start the recovery' }).click();
      await runToEnd(page, recoverySeats(ctx.pins, ids), { root: '[data-testid=recovery]', stop: { pinFor: 'trustee-2' } });
    },
  },
  {
    name: 'recovery-witness-shares',
    what: 'recovery: the witness confirms the shares collected, "3 of 3" on screen',
    recovery: 'demo',
    prepare: async (page, _seats, ctx) => {
      const ids = ['trustee-1', 'trustee-2', 'trustee-3'];
      await recoveryCheckIn(page, ctx.picks, ctx.dir, { script: { shipped: RECOVERY_REHEARSAL }, trust: ctx.fingerprint, ids });
      await page.getByRole('button', { name: 'Start the recovery' }).click();
      await runToEnd(page, recoverySeats(ctx.pins, ids), { root: '[data-testid=recovery]', stop: { witnessAt: 'collect-share' } });
    },
  },
  {
    name: 'recovery-refused',
    what: "recovery: trustee-2's damaged share refused by name, the key recovered from the other three",
    recovery: 'demo',
    prepare: async (page, _seats, ctx) => {
      await recoveryWithRefusal(page, ctx);
      await page.locator('[data-testid=shares]').scrollIntoViewIfNeeded();
    },
  },
  {
    name: 'recovery-done',
    what: 'recovery: the recovered fingerprint, the restored token and the recovery bundle',
    recovery: 'demo',
    fullPage: true,
    prepare: (page, _seats, ctx) => recoveryWithRefusal(page, ctx),
  },
  {
    name: 'signing-request',
    what: "signing: the request as a table (keys with validity, the artifact, the digest), accepted within the script's caps, then the check-in",
    recovery: 'demo',
    fullPage: true,
    prepare: (page, _seats, ctx) => openRequest(page, ctx.picks, ctx.dir, { script: SIGNING_REHEARSAL, request: join(ctx.dir, 'signing-request.json') }),
  },
  {
    name: 'signing-refused',
    what: "signing: a request valid longer than the script's cap is refused with its sentence; nothing is unlocked",
    recovery: 'demo',
    prepare: async (page, _seats, ctx) => {
      const request = JSON.parse(readFileSync(join(ctx.dir, 'signing-request.json'), 'utf8'));
      request.keys[0].exp = `${Number(request.keys[0].nbf.slice(0, 4)) + 3}${request.keys[0].nbf.slice(4)}`;
      writeFileSync(join(ctx.dir, 'too-long.json'), JSON.stringify(request, null, 2));
      await openRequest(page, ctx.picks, ctx.dir, { script: SIGNING_REHEARSAL, request: join(ctx.dir, 'too-long.json') });
    },
  },
  {
    name: 'signing-digest',
    what: "signing: a trustee compares the request's digest and types its first two words (nothing focused by itself)",
    recovery: 'demo',
    prepare: async (page, _seats, ctx) => {
      await signingUntil(page, ctx, { digestFor: 2 });
    },
  },
  {
    name: 'signing-done',
    what: 'signing: the documents signed with their SHA-256, the signed folder and the signing bundle, ready to export',
    recovery: 'demo',
    fullPage: true,
    prepare: (page, _seats, ctx) => signingUntil(page, ctx, undefined),
  },
  {
    name: 'share-check',
    what: 'my share: a trustee checks their own share alone (PIN, paper words, fingerprint typed); six checks pass',
    recovery: 'demo',
    fullPage: true,
    prepare: async (page, _seats, ctx) => {
      await page.getByRole('button', { name: 'My share', exact: true }).click();
      ctx.picks.bundle = join(ctx.dir, 'bundle');
      await page.getByRole('button', { name: 'Open the bundle folder…' }).click();
      await page.getByLabel('You are').selectOption('trustee-2');
      await page.getByLabel('Token of Carol Trustee').selectOption('file');
      await page.getByLabel("Your token's PIN").fill(ctx.pins['KEYRITE_REHEARSAL_PIN_TRUSTEE_2']!);
      await page.getByLabel('Your paper-backup words', { exact: false }).fill(paperWordsOf(ctx.dir, 'trustee-2').join(' '));
      await page.getByLabel('Master fingerprint from your paper record', { exact: false }).fill(ctx.fingerprint);
      await page.getByRole('button', { name: 'Check my share' }).click();
      await page.waitForSelector('[data-testid=share-result]');
    },
  },
  {
    name: 'no-bridge',
    what: 'the page opened outside the app (no preload, no window.keyrite)',
    deps: null,
    prepare: async (page) => {
      await page.waitForSelector('[role=alert]');
    },
  },
];

// ---------------------------------------------------------------------------------------

let demoDir: string | undefined;
let demoMade: Promise<{ dir: string; pins: Record<string, string>; fingerprint: string }> | undefined;

/** One `keyrite demo` output per screenshots run, copied into each recovery scenario. */
function demoOnce(): Promise<{ dir: string; pins: Record<string, string>; fingerprint: string }> {
  demoMade ??= (async () => {
    demoDir = mkdtempSync(join(tmpdir(), 'keyrite-shot-demo-'));
    const dir = join(demoDir, 'demo');
    const { pins } = await makeDemo(dir);
    const fingerprint = (JSON.parse(readFileSync(join(dir, 'bundle', 'bundle.json'), 'utf8')) as { masterFingerprint: string }).masterFingerprint;
    return { dir, pins, fingerprint };
  })();
  return demoMade;
}

let rotatedDir: string | undefined;
let rotatedMade: Promise<{ dir: string; rootFp: string }> | undefined;

/** One rotated demo (the demo, a signing, the rehearsal rotation: test/integration/rotation/helpers.ts) per screenshots run, read only. */
function rotatedOnce(): Promise<{ dir: string; rootFp: string }> {
  rotatedMade ??= (async () => {
    rotatedDir = mkdtempSync(join(tmpdir(), 'keyrite-shot-rotated-'));
    const dir = join(rotatedDir, 'demo');
    const { rotation } = await makeRotatedDemo(dir);
    return { dir, rootFp: (rotation as unknown as { original: { masterFingerprint: string } }).original.masterFingerprint };
  })();
  return rotatedMade;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    newest = Math.max(newest, s.isDirectory() ? newestMtime(p) : s.mtimeMs);
  }
  return newest;
}

/** Builds dist/renderer when it is missing or older than its sources. */
function ensureRenderer(site: string): void {
  let built = 0;
  try {
    built = statSync(join(site, 'index.html')).mtimeMs;
  } catch {
    // missing
  }
  if (built > newestMtime(join(repo, 'renderer'))) return;
  console.log('screenshots: building the renderer (dist/renderer is missing or older than renderer/)');
  const r = spawnSync(process.execPath, [join(repo, 'build/build.mjs'), 'renderer'], { cwd: repo, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('the renderer build failed');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      only: { type: 'string' },
      list: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.list) {
    for (const s of SCENARIOS) console.log(`${s.name.padEnd(24)} ${s.what}`);
    return 0;
  }
  const wanted = values.only ? values.only.split(',').map((s) => s.trim()) : SCENARIOS.map((s) => s.name);
  const unknown = wanted.filter((w) => !SCENARIOS.some((s) => s.name === w));
  if (unknown.length > 0) {
    console.error(`screenshots: unknown scenario ${unknown.join(', ')} (known: ${SCENARIOS.map((s) => s.name).join(', ')})`);
    return 2;
  }
  const outDir = resolve(values.out ?? process.env.KEYRITE_SCREENSHOT_DIR ?? join(repo, 'screenshots'));
  const site = join(repo, 'dist/renderer');
  const started = performance.now();

  ensureRenderer(site);
  mkdirSync(outDir, { recursive: true });
  const preload = await bundleFakePreload();
  const browser = await launchChromium();
  const problems: string[] = [];
  let count = 0;
  try {
    for (const scenario of SCENARIOS.filter((s) => wanted.includes(s.name))) {
      for (const viewport of VIEWPORTS) {
        const relay = new EventRelay();
        const scratch = scenario.ceremony ? mkdtempSync(join(tmpdir(), 'keyrite-shot-ceremony-')) : undefined;
        let seats: TokenSeat[] = [];
        let node: Partial<NodeDepsOptions> = {};
        const ctx: ShotContext = { picks: {}, dir: '', pins: {}, fingerprint: '' };
        if (scenario.recovery) {
          ctx.dir = mkdtempSync(join(tmpdir(), 'keyrite-shot-recovery-'));
          if (scenario.recovery === 'demo') {
            const demo = await demoOnce();
            cpSync(demo.dir, ctx.dir, { recursive: true });
            ctx.pins = demo.pins;
            ctx.fingerprint = demo.fingerprint;
          }
          mkdirSync(join(ctx.dir, 'runs'));
          node = signingNodeOptions(relay, ctx.picks, { workRoot: join(ctx.dir, 'runs'), auditLimits: { timeMs: 1500, graceMs: 1000 } });
        }
        if (scratch) {
          seats = await makeSoftwareTokens(join(scratch, 'tokens'));
          mkdirSync(join(scratch, 'export'));
          node = ceremonyNodeOptions(relay, { workRoot: scratch, softwareDir: join(scratch, 'tokens'), exportDir: join(scratch, 'export') });
        }
        const handlers = scenario.deps === null ? null : realHandlers(scenario.deps ?? {}, node);
        const app = await openAppPage(browser, { site, handlers, preload, viewport, events: relay });
        try {
          await scenario.prepare(app.page, seats, ctx);
          // No focus ring or caret in the picture; fonts loaded; a whole page from its top, so the sticky run header sits in its place.
          await app.page.evaluate(async (whole) => {
            (document.activeElement as HTMLElement | null)?.blur();
            if (whole) window.scrollTo(0, 0);
            await document.fonts.ready;
          }, scenario.fullPage === true);
          const file = join(outDir, `${scenario.name}-${viewport.width}x${viewport.height}.png`);
          await app.page.screenshot({ path: file, fullPage: scenario.fullPage === true, animations: 'disabled', caret: 'hide' });
          count++;
          const where = `${scenario.name} at ${viewport.width}x${viewport.height}`;
          for (const v of await axeViolations(app.page)) problems.push(`${where}: axe ${v}`);
          for (const p of app.consoleProblems) problems.push(`${where}: console ${p}`);
          for (const p of app.pageErrors) problems.push(`${where}: page error ${p}`);
          for (const u of app.foreignRequests) problems.push(`${where}: request to ${u}`);
          console.log(`screenshots: ${relative(process.cwd(), file) || file}  ${scenario.what}`);
        } finally {
          await app.context.close();
          if (scratch) rmSync(scratch, { recursive: true, force: true });
          if (ctx.dir) rmSync(ctx.dir, { recursive: true, force: true });
        }
      }
    }
  } finally {
    await browser.close();
    if (demoDir) rmSync(demoDir, { recursive: true, force: true });
    if (rotatedDir) rmSync(rotatedDir, { recursive: true, force: true });
  }
  for (const p of problems) console.error(`screenshots: PROBLEM ${p}`);
  console.log(`screenshots: ${count} PNGs in ${outDir} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return problems.length === 0 ? 0 : 1;
}

process.exitCode = await main().catch((e: unknown) => {
  console.error(`screenshots: ${e instanceof Error ? e.message : String(e)}`);
  return 2;
});
