// Drives the recovery and audit screens the way a room does — clicks and typing — for the
// end-to-end tests (recovery.test.ts, audit.test.ts) and `npm run screenshots`. The main
// process pickers are replaced by `Picks`: the test says which folder or file the next
// picker returns, as a person choosing it would. The handlers are the real ones.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { NodeDepsOptions } from '../../electron/ipc/node-deps.ts';
import type { AuditRunLimits } from '../../core/node/audit-runner.ts';
import { loadPins, makeTestDemo, pinOf } from '../integration/recovery/helpers.ts';
import { LOOPBACK_ONLY, TRUSTEE_NAMES } from './ceremony-driver.ts';
import { repo, type EventRelay } from './harness.ts';

/** What the next main process picker returns (undefined: the person cancelled). */
export interface Picks {
  bundle?: string;
  /** A bundle archive (.keyrite.tar). */
  archive?: string;
  script?: string;
  auditScript?: string;
  report?: string;
  /** Where recovery:export copies the recovery bundle. */
  exportFolder?: string;
}

/** Node dependencies for the audit, recovery and share-check sessions, with pickers answering from `picks`. */
export function recoveryNodeOptions(relay: EventRelay, picks: Picks, opts: { workRoot: string; auditLimits?: AuditRunLimits }): Partial<NodeDepsOptions> {
  return {
    emit: relay.emit,
    audit: {
      pickBundleFolder: async () => picks.bundle,
      pickBundleArchive: async () => picks.archive,
      pickScriptFile: async () => picks.auditScript,
      pickReportFile: async () => picks.report,
      ...(opts.auditLimits ? { limits: opts.auditLimits } : {}),
    },
    shareCheck: { pickBundleFolder: async () => picks.bundle },
    recovery: {
      workRoot: opts.workRoot,
      scriptsDir: join(repo, 'ceremony-scripts'),
      pickBundleFolder: async () => picks.bundle,
      pickScriptFile: async () => picks.script,
      pickExportFolder: async () => picks.exportFolder,
      networkInterfaces: () => LOOPBACK_ONLY,
    },
  };
}

/** `keyrite demo --out dir`: a finished rehearsal ceremony with its trustees' folders and an empty new master token. */
export async function makeDemo(dir: string): Promise<{ pins: Record<string, string> }> {
  await makeTestDemo(dir);
  return { pins: loadPins(dir) };
}

/** The PINs the recovery asks for: the new master token's and each trustee's. */
export function recoverySeats(pins: Record<string, string>, trustees: readonly string[]): { participant: string; pin: string }[] {
  return [{ participant: 'master', pin: pinOf(pins, 'recovery') }, ...trustees.map((id) => ({ participant: id, pin: pinOf(pins, id) }))];
}

const ROOT = '[data-testid=recovery]';

/** Opens the recovery screen and the bundle of the demo folder `d` (the folder picker answers); ends on the script chooser. */
export async function openRecoveryBundle(page: Page, picks: Picks, d: string): Promise<void> {
  await page.getByRole('button', { name: 'Recovery', exact: true }).click();
  picks.bundle = join(d, 'bundle');
  await page.getByRole('button', { name: 'Open the bundle folder…' }).click();
  await page.waitForSelector(`${ROOT}[data-phase=script] [data-testid=script-chooser] .choice`);
}

/**
 * Opens the recovery screen on the demo folder `d`: its bundle, the script (a shipped file name,
 * or a path the file picker returns), the fingerprint typed, the trustees `ids` checked in with
 * their demo files, the new master token file (`beforeCheckIn` may change the form then). Ends
 * on the "ready" phase (or, with expect: 'problem', on the refusal shown).
 */
export async function recoveryCheckIn(
  page: Page,
  picks: Picks,
  d: string,
  opts: { script: { shipped: string } | { file: string }; trust: string; ids: readonly string[]; expect?: 'ready' | 'problem'; beforeCheckIn?: (page: Page) => Promise<void> },
): Promise<void> {
  await openRecoveryBundle(page, picks, d);
  if ('shipped' in opts.script) {
    await page.locator('[data-testid=script-chooser] .choice', { hasText: opts.script.shipped }).click();
  } else {
    picks.script = opts.script.file;
    await page.getByRole('button', { name: 'Open another script file…' }).click();
  }
  await page.waitForSelector(`${ROOT}[data-phase=check-in]`);
  await page.getByLabel('Master fingerprint, typed by the quorum', { exact: false }).fill(opts.trust);
  await page.getByLabel('Administrator’s name').fill('Alice Administrator');
  await page.getByLabel('Witness 1’s name').fill('Grace Witness');
  await page.getByLabel('Token of the new master key').selectOption('file');
  await page.getByLabel('Token file of the new master key').fill('recovery/new-master.keyrite-token');
  for (const id of opts.ids) {
    const row = page.locator(`[data-testid=recovery-check-in] .trustee-row[data-trustee=${id}]`);
    await row.getByRole('checkbox').check();
    const name = page.getByLabel(`Name of ${id}`);
    if ((await name.inputValue()) === '') await name.fill(TRUSTEE_NAMES[Number(id.split('-')[1]) - 1]!);
    await page.getByLabel(`Token of ${id}`).selectOption('file');
    // The keyring, envelope and token paths are prefilled with the ceremony's layout (trustees/<id>/…), which the demo uses.
  }
  await opts.beforeCheckIn?.(page);
  await page.getByRole('button', { name: 'Check in', exact: true }).click();
  await page.waitForSelector(opts.expect === 'problem' ? '[data-testid=problem]' : `${ROOT}[data-phase=ready]`);
}
