/**
 * Outputs of the golden runs beyond the bundles, pinned in test/fixtures/golden-outputs/:
 *  - trustee-1/: what the golden ceremony (test/helpers/golden.ts) hands trustee-1 — the paper
 *    backup file byte for byte, the share card's SHA-256, and what a reader sees on the printed
 *    card: its text (pdftotext -layout, Debian poppler-utils) and its QR codes as a scanner reads
 *    them off a 300 dpi render (pdftoppm, then zbarimg from Debian zbar-tools);
 *  - verify-json/: what `keyrite verify --json` prints on the golden root and recovery bundles,
 *    anchored, with one example audit script each (the audit scripts' run times normalised), and
 *    on the golden 2-link chain (root → rotation) from the root fingerprint (`at`, when it ran,
 *    normalised: every key's state now is the same at any time after the grace end).
 * Compared by test/integration/ceremony/golden.test.ts and
 * test/integration/verifier/golden-verify-json.test.ts; rewritten only by
 * build/regenerate-golden.ts.
 *
 * The share words and the sealed envelope pinned here are secrets of a rehearsal whose every
 * random byte comes from a fixed test stream: they protect nothing, so they may be public.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runInProcess, type CliRun } from './cli.ts';
import { GOLDEN_MASTER_FINGERPRINT } from './bundle-files.ts';
import { GOLDEN_FIXTURE, GOLDEN_RECOVERY_FIXTURE, GOLDEN_ROTATION_FIXTURE } from './golden.ts';

export const GOLDEN_OUTPUTS = new URL('../fixtures/golden-outputs/', import.meta.url).pathname;
export const GOLDEN_TRUSTEE = 'trustee-1';
export const GOLDEN_TRUSTEE_OUTPUTS = join(GOLDEN_OUTPUTS, GOLDEN_TRUSTEE);
export const GOLDEN_VERIFY_JSON = join(GOLDEN_OUTPUTS, 'verify-json');

function tool(command: string, args: string[], debianPackage: string, okStatuses: readonly number[] = [0]): string {
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (r.status === null || !okStatuses.includes(r.status)) {
    throw new Error(`${command} (Debian package ${debianPackage}) must be installed and work: ${r.error?.message ?? `exit ${r.status ?? r.signal}: ${r.stderr.trim()}`}`);
  }
  return r.stdout;
}

/** Every QR code on the card, read off its pages rendered at 300 dpi: "page N: <symbol>", sorted within a page. */
function scanCard(pdf: string): string {
  const scratch = mkdtempSync(join(tmpdir(), 'keyrite-golden-card-'));
  try {
    tool('pdftoppm', ['-r', '300', '-gray', '-png', pdf, join(scratch, 'page')], 'poppler-utils');
    return readdirSync(scratch)
      .sort()
      .flatMap((png, i) =>
        // zbarimg exits 4 for a page without symbols.
        tool('zbarimg', ['--quiet', '--raw', join(scratch, png)], 'zbar-tools', [0, 4])
          .split('\n')
          .filter((line) => line.length > 0)
          .sort()
          .map((symbol) => `page ${i + 1}: ${symbol}\n`),
      )
      .join('');
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The pinned files of trustee-1's outputs in the golden run folder `runDir`: file name → bytes. */
export function goldenTrusteeOutputs(runDir: string): Map<string, Uint8Array> {
  const folder = join(runDir, 'trustees', GOLDEN_TRUSTEE);
  const card = join(folder, 'share-card.pdf');
  const text = (s: string): Uint8Array => new TextEncoder().encode(s);
  return new Map([
    ['share-paper-backup.txt', new Uint8Array(readFileSync(join(folder, 'share-paper-backup.txt')))],
    ['share-card.pdf.sha256', text(`${createHash('sha256').update(readFileSync(card)).digest('hex')}  share-card.pdf\n`)],
    ['share-card.pdftotext.txt', text(tool('pdftotext', ['-layout', card, '-'], 'poppler-utils'))],
    ['share-card.qr.txt', text(scanCard(card))],
  ]);
}

const VERIFY_RUNS = [
  ['root.json', GOLDEN_FIXTURE, 'every-trustee-checked-in.js'],
  ['recovery.json', GOLDEN_RECOVERY_FIXTURE, 'no-unwitnessed-deviation.js'],
] as const;

/** `keyrite verify --json` on each golden bundle, in process: file name → the run, its stdout normalised. */
export async function goldenVerifyJson(): Promise<Map<string, CliRun>> {
  const out = new Map<string, CliRun>();
  for (const [name, bundle, script] of VERIFY_RUNS) {
    const r = await runInProcess(['verify', bundle, '--json', '--trust', GOLDEN_MASTER_FINGERPRINT, '--script', join(repoRoot, 'ceremony-scripts/audit', script)]);
    // How long an audit script ran, and where this checkout is, change from run to run.
    const stdout = r.stdout.replace(/^(\s*"ms": )\d+(,?)$/gm, '$1"<ms>"$2').replaceAll(repoRoot, '<repo>/');
    out.set(name, { ...r, stdout });
  }
  const chain = await runInProcess(['verify', GOLDEN_FIXTURE, GOLDEN_ROTATION_FIXTURE, '--json', '--trust', GOLDEN_MASTER_FINGERPRINT]);
  out.set('chain.json', { ...chain, stdout: chain.stdout.replace(/^( {2}"at": )"[^"]*"(,?)$/m, '$1"<now>"$2') });
  return out;
}

/** Rewrites test/fixtures/golden-outputs/ from the golden run in `runDir` (build/regenerate-golden.ts only). */
export async function writeGoldenOutputs(runDir: string): Promise<void> {
  const verify = await goldenVerifyJson();
  for (const [name, r] of verify) if (r.code !== 0) throw new Error(`keyrite verify --json on the golden bundle (${name}) exited ${r.code}: ${r.stderr}`);
  const trustee = goldenTrusteeOutputs(runDir);
  for (const [dir, files] of [[GOLDEN_TRUSTEE_OUTPUTS, trustee], [GOLDEN_VERIFY_JSON, new Map([...verify].map(([name, r]) => [name, r.stdout]))]] as const) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const [name, content] of files) writeFileSync(join(dir, name), content);
  }
}
