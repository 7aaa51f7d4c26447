// Drives the signing screen the way a room does — clicks and typing — for the end-to-end test
// (signing.test.ts) and `npm run screenshots`. The main process pickers answer from `SigningPicks`
// (the folder or file a person would choose); the handlers are the real ones.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { NodeDepsOptions } from '../../electron/ipc/node-deps.ts';
import { LOOPBACK_ONLY, TRUSTEE_NAMES } from './ceremony-driver.ts';
import type { AuditRunLimits } from '../../core/node/audit-runner.ts';
import { recoveryNodeOptions, type Picks } from './recovery-driver.ts';
import { repo, type EventRelay } from './harness.ts';

export interface SigningPicks extends Picks {
  request?: string;
  exportFolder?: string;
}

export const ROOT = '[data-testid=signing]';

/** Node dependencies for the signing and rotation sessions (and the audit and recovery ones), pickers answering from `picks`. */
export function signingNodeOptions(relay: EventRelay, picks: SigningPicks, opts: { workRoot: string; modulePath?: string; auditLimits?: AuditRunLimits }): Partial<NodeDepsOptions> {
  return {
    ...recoveryNodeOptions(relay, picks, opts),
    ...(opts.modulePath ? { modulePath: opts.modulePath } : {}),
    signing: {
      workRoot: opts.workRoot,
      scriptsDir: join(repo, 'ceremony-scripts'),
      pickBundleFolder: async () => picks.bundle,
      pickScriptFile: async () => picks.script,
      pickRequestFile: async () => picks.request,
      pickExportFolder: async () => picks.exportFolder,
      networkInterfaces: () => LOOPBACK_ONLY,
    },
    rotation: {
      workRoot: opts.workRoot,
      scriptsDir: join(repo, 'ceremony-scripts'),
      pickBundleFolder: async () => picks.bundle,
      pickScriptFile: async () => picks.script,
      networkInterfaces: () => LOOPBACK_ONLY,
    },
  };
}

/** The demo master token's passphrase (master/REHEARSAL-ONLY-passphrase.env). */
export function masterPin(d: string): string {
  const m = /^KEYRITE_REHEARSAL_PIN_MASTER='([^']*)'$/m.exec(readFileSync(join(d, 'master', 'REHEARSAL-ONLY-passphrase.env'), 'utf8'));
  if (!m) throw new Error('the demo has no master passphrase file');
  return m[1]!;
}

/** Opens the signing screen on the demo folder `d`: its bundle, the script, then the request file; ends on the request's table (check-in, or the refusal). */
export async function openRequest(page: Page, picks: SigningPicks, d: string, opts: { script: string; request: string }): Promise<void> {
  await page.getByRole('button', { name: 'Signing', exact: true }).click();
  picks.bundle = join(d, 'bundle');
  await page.getByRole('button', { name: 'Open the bundle folder…' }).click();
  await page.waitForSelector(`${ROOT}[data-phase=script] [data-testid=script-chooser] .choice`);
  await page.locator('[data-testid=script-chooser] .choice', { hasText: opts.script }).click();
  await page.waitForSelector(`${ROOT}[data-phase=request]`);
  picks.request = opts.request;
  await page.getByRole('button', { name: 'Open the request file…' }).click();
  await page.waitForSelector('[data-testid=signing-request]');
}

/**
 * Fills the check-in (the trustees `ids` with the demo's files) and checks in; ends on "ready" or
 * the refusal shown. Listed tokens are chosen by their option text (`masterToken`, `tokens` by
 * trustee id); otherwise the prefilled rehearsal token files are used. `beforeCheckIn` acts on
 * the filled form first (a share card scanned).
 */
export async function signingCheckIn(page: Page, opts: { trust: string; ids: readonly string[]; digest?: string; masterToken?: string; tokens?: Record<string, string>; beforeCheckIn?: (page: Page) => Promise<void>; expect?: 'ready' | 'problem' }): Promise<void> {
  await page.getByLabel('Master fingerprint, typed by the quorum', { exact: false }).fill(opts.trust);
  if (opts.digest !== undefined) await page.getByLabel('Request digest as the requester sent it', { exact: false }).fill(opts.digest);
  await page.getByLabel('Administrator’s name').fill('Alice Administrator');
  await page.getByLabel('Witness 1’s name').fill('Grace Witness');
  if (opts.masterToken) {
    await page.waitForSelector('[data-testid=signing-check-in] select option:nth-child(3)', { state: 'attached' });
    await page.getByLabel('Token of the master key').selectOption({ label: opts.masterToken });
  }
  for (const id of opts.ids) {
    await page.locator(`[data-testid=signing-check-in] .trustee-row[data-trustee=${id}]`).getByRole('checkbox').check();
    const name = page.getByLabel(`Name of ${id}`);
    if ((await name.inputValue()) === '') await name.fill(TRUSTEE_NAMES[Number(id.split('-')[1]) - 1]!);
    const token = opts.tokens?.[id];
    if (token) await page.getByLabel(`Token of ${id}`).selectOption({ label: token });
  }
  await opts.beforeCheckIn?.(page);
  await page.getByRole('button', { name: 'Check in', exact: true }).click();
  await page.waitForSelector(opts.expect === 'problem' ? '[data-testid=problem]' : `${ROOT}[data-phase=ready]`);
}

export type SigningStop = { digestFor?: number; pinFor?: string; witnessAt?: string };

/**
 * Answers every prompt until the signing (or, with screen: 'rotation', the rotation) ends: each PIN (typed, Enter), each digest confirmation
 * (the first two words read off the screen and typed; `wrongWordsOnce` types two other words
 * first and returns the refusal shown), each other witness request (its confirm button clicked).
 * `stop` leaves the n-th digest prompt (1-based), a PIN prompt or the witness prompt of a step open.
 */
export async function runSigningToEnd(page: Page, pins: Record<string, string>, opts: { wrongWordsOnce?: boolean; stop?: SigningStop; timeout?: number; screen?: 'signing' | 'rotation' } = {}): Promise<{ wrongWords?: string; digestPrompts: string[] }> {
  const timeout = opts.timeout ?? 300_000;
  const screen = opts.screen ?? 'signing';
  const root = `[data-testid=${screen}]`;
  const seen = new Set<string>();
  const out: { wrongWords?: string; digestPrompts: string[] } = { digestPrompts: [] };
  for (;;) {
    const el = await page.waitForSelector(`[data-testid=pin-entry], [data-testid=digest-confirm], [data-testid=witness-confirm], ${root}[data-phase=done], ${root}[data-phase=failed]`, { timeout });
    const testid = await el.getAttribute('data-testid');
    if (testid === screen) return out;
    const id = (await el.getAttribute('data-prompt'))!;
    if (seen.has(id)) {
      await page.waitForFunction((pid) => !document.querySelector(`[data-prompt="${pid}"]`), id, { timeout });
      continue;
    }
    seen.add(id);
    if (testid === 'pin-entry') {
      const who = (await el.getAttribute('data-participant'))!;
      if (opts.stop?.pinFor === who) return out;
      const input = page.locator('[data-testid=pin-entry] input[type=password]');
      await input.fill(pins[who]!);
      await input.press('Enter');
    } else if (testid === 'digest-confirm') {
      out.digestPrompts.push(await page.locator('#digest-title').innerText());
      if (opts.stop?.digestFor === out.digestPrompts.length) return out;
      const words = await page.locator('[data-testid=confirm-digest-words] li').allInnerTexts();
      const input = page.getByLabel('First two words of the digest', { exact: false });
      if (opts.wrongWordsOnce && out.wrongWords === undefined) {
        await input.fill(`${words[1]} ${words[0]}`);
        await page.getByRole('button', { name: 'The digest is the same: confirm' }).click();
        out.wrongWords = await page.locator('[data-testid=problem]').innerText();
      }
      await input.fill(`${words[0]} ${words[1]}`);
      await page.getByRole('button', { name: 'The digest is the same: confirm' }).click();
    } else {
      if (opts.stop?.witnessAt !== undefined && opts.stop.witnessAt === (await el.getAttribute('data-step'))) return out;
      await page.locator('[data-testid=witness-confirm] button.primary').click();
    }
  }
}
