// Drives the ceremony screen the way a room does — clicks, typing, Enter — for the end-to-end
// tests (ceremony-*.test.ts) and `npm run screenshots`. Everything goes through the page; the
// handlers behind it are the real ones with a real CeremonySession.
import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { SoftwareToken } from '../../core/tokens/software-token.ts';
import { fileTokenStore } from '../../core/node/software-token-file.ts';
import type { NetworkInterfaceInfo } from '../../core/airgap/status.ts';
import type { NodeDepsOptions } from '../../electron/ipc/node-deps.ts';
import { repo, type EventRelay } from './harness.ts';

export const TRUSTEE_NAMES = ['Bob Trustee', 'Carol Trustee', 'Dave Trustee', 'Erin Trustee', 'Frank Trustee'];
export const LOOPBACK_ONLY: NetworkInterfaceInfo[] = [{ name: 'lo', addresses: [{ family: 'IPv4', address: '127.0.0.1', internal: true }] }];

export interface TokenSeat {
  /** "master" or "trustee-N": the participant id the PIN prompt names. */
  participant: string;
  /** The option text in the token lists: "<label> (serial <serial>)". */
  option: string;
  pin: string;
}

/** Six rehearsal software tokens (master + five trustees) with the cheapest scrypt the token accepts. */
export async function makeSoftwareTokens(dir: string): Promise<TokenSeat[]> {
  const seats: TokenSeat[] = [];
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const participant of ['master', 'trustee-1', 'trustee-2', 'trustee-3', 'trustee-4', 'trustee-5']) {
    const pin = `pass-${participant}-${randomBytes(9).toString('base64url')}`;
    const token = await SoftwareToken.create(fileTokenStore(join(dir, `${participant}.keyrite-token`)), { label: `Rehearsal ${participant}`, passphrase: pin, scrypt: { N: 2 ** 10, r: 8, p: 1 } });
    const serial = (await token.describe()).serial;
    await token.close();
    seats.push({ participant, option: `Rehearsal ${participant} (serial ${serial})`, pin });
  }
  return seats;
}

/** Node dependencies for a ceremony: a work folder, the shipped scripts, an export folder instead of the picker. */
export function ceremonyNodeOptions(relay: EventRelay, opts: { workRoot: string; softwareDir?: string; modulePath?: string; exportDir: string; networkInterfaces?: () => NetworkInterfaceInfo[] }): Partial<NodeDepsOptions> {
  return {
    emit: relay.emit,
    ...(opts.softwareDir ? { softwareDir: opts.softwareDir } : {}),
    ...(opts.modulePath ? { modulePath: opts.modulePath } : {}),
    ceremony: {
      workRoot: opts.workRoot,
      scriptsDir: join(repo, 'ceremony-scripts'),
      pickScriptFile: async () => undefined,
      pickExportFolder: async () => opts.exportDir,
      pickPdfFile: async (name) => join(opts.exportDir, name),
      ...(opts.networkInterfaces ? { networkInterfaces: opts.networkInterfaces } : {}),
    },
  };
}

const PHASE = '[data-testid=ceremony]';

/** Fair die rolls, as a trustee would type them. */
export function fairRolls(n: number): string {
  const out: number[] = [];
  while (out.length < n) for (const b of randomBytes(64)) if (b < 252 && out.length < n) out.push((b % 6) + 1);
  return out.join(' ');
}

/** Opens the ceremony screen, loads a shipped script and checks everyone in. */
export async function checkIn(page: Page, script: string, seats: TokenSeat[], opts: { dice?: boolean } = {}): Promise<void> {
  await page.getByRole('button', { name: 'Ceremony', exact: true }).click();
  await page.locator('[data-testid=script-chooser] .choice', { hasText: script }).click();
  await fillCheckIn(page, seats, opts);
}

/** Fills the check-in form (the ceremony screen in phase check-in) and checks everyone in. */
export async function fillCheckIn(page: Page, seats: TokenSeat[], opts: { dice?: boolean } = {}): Promise<void> {
  await page.waitForSelector(`${PHASE}[data-phase=check-in]`);
  await page.getByLabel('Administrator’s name').fill('Alice Administrator');
  await page.getByLabel('Witness 1’s name').fill('Grace Witness');
  await page.waitForSelector('[data-testid=check-in] select option:nth-child(2)', { state: 'attached' });
  await page.getByLabel('Master token').selectOption({ label: seats.find((s) => s.participant === 'master')!.option });
  for (const [i, name] of TRUSTEE_NAMES.entries()) {
    await page.getByLabel(`Trustee ${i + 1}’s name`).fill(name);
    await page.getByLabel(`Trustee ${i + 1}’s token`).selectOption({ label: seats.find((s) => s.participant === `trustee-${i + 1}`)!.option });
    if (opts.dice) await page.getByLabel(new RegExp(`^Trustee ${i + 1}’s dice rolls`)).fill(fairRolls(50));
  }
  await page.getByRole('button', { name: 'Check in', exact: true }).click();
  await page.waitForSelector(`${PHASE}[data-phase=ready]`);
}

export type Stop = { pinFor?: string; witnessAt?: string };

/**
 * Answers every PIN prompt (typing the seat's PIN, then Enter; `wrongOnce` gets one wrong
 * PIN first) and every witness request (a click on its confirm button) until the
 * ceremony (or, with `root`, the recovery) ends — or until `stop` names the prompt to leave open (screenshots).
 * Returns the texts shown after the wrong PIN.
 */
export async function runToEnd(page: Page, seats: Pick<TokenSeat, 'participant' | 'pin'>[], opts: { wrongOnce?: string; stop?: Stop; timeout?: number; root?: string } = {}): Promise<{ problem?: string; triesLeft?: string }> {
  const timeout = opts.timeout ?? 300_000;
  // The screen whose data-phase says the run ended: the ceremony screen, or (opts.root) the recovery screen.
  const PHASE = opts.root ?? '[data-testid=ceremony]';
  const seen = new Set<string>();
  const out: { problem?: string; triesLeft?: string } = {};
  let wrongDone = false;
  for (;;) {
    const el = await page.waitForSelector(`[data-testid=pin-entry], [data-testid=witness-confirm], ${PHASE}[data-phase=done], ${PHASE}[data-phase=failed]`, { timeout });
    const testid = await el.getAttribute('data-testid');
    if (testid === 'ceremony' || testid === 'recovery') return out;
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
      if (opts.wrongOnce === who && !wrongDone) {
        wrongDone = true;
        await input.fill('not-the-right-pin-0000');
        await input.press('Enter');
        const problem = await page.waitForSelector(`[data-testid=pin-entry]:not([data-prompt="${id}"]) [data-testid=pin-problem]`, { timeout });
        out.problem = await problem.innerText();
        // After a wrong PIN the sentence above carries the count: the tries line is gone.
        const triesLine = page.locator('[data-testid=tries-left]');
        out.triesLeft = (await triesLine.count()) > 0 ? await triesLine.innerText() : '';
        if (opts.stop?.pinFor === `${who}:wrong`) return out;
        continue;
      }
      await input.fill(seats.find((s) => s.participant === who)!.pin);
      await input.press('Enter');
    } else {
      if (opts.stop?.witnessAt === (await el.getAttribute('data-step'))) return out;
      // A click, as a witness would: the confirm button never takes the focus by itself.
      await page.locator('[data-testid=witness-confirm]').getByRole('button', { name: 'I confirm this step' }).click();
    }
  }
}
