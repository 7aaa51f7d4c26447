/**
 * `keyrite verify … --health-log LOG [--alive-within DAYS]`: the share health log judged against
 * the escrow of the verified bundle (core/verifier/health-log.ts). With a chain, the escrow is
 * that of the last bundle given that publishes one (escrow/manifest.json), i.e. the current one.
 * The log is judged only when the bundle (or chain) verified; its outcome never changes the
 * bundle's verdict: an unreadable log is a failed check (exit 1), a warning exits 4.
 */
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { EXIT, type CliIO, type ParsedArgs } from '../command.ts';
import { KeyriteError } from '../../core/errors.ts';
import { fromUtf8, toPlainBytes } from '../../core/bytes.ts';
import type { VerifyMode } from '../../core/crypto/hybrid.ts';
import { parseManifest } from '../../core/escrow/manifest.ts';
import { checkHealthLog, DEFAULT_ALIVE_WITHIN_DAYS, HEALTH_LOG_FILE, MAX_ALIVE_WITHIN_DAYS, type HealthLogReport } from '../../core/verifier/health-log.ts';
import { NATIVE_VERIFIER_CRYPTO } from '../../core/node/native-verifier-crypto.ts';
import { ioError } from '../../core/node/durable-files.ts';

export interface HealthLogRequest {
  path: string;
  bytes: Uint8Array;
  days: number;
}

/** The --health-log and --alive-within options, the log read (LOG is the folder, or its health-log.jsonl). */
export async function healthLogRequest(args: ParsedArgs, io: CliIO): Promise<HealthLogRequest | undefined> {
  const log = args.value('health-log');
  const within = args.value('alive-within');
  if (log === undefined) {
    if (within !== undefined) throw new KeyriteError('USAGE', '--alive-within goes with --health-log LOG.');
    return undefined;
  }
  let days = DEFAULT_ALIVE_WITHIN_DAYS;
  if (within !== undefined) {
    if (!/^\d{1,5}$/.test(within) || Number(within) > MAX_ALIVE_WITHIN_DAYS) throw new KeyriteError('USAGE', `--alive-within must be a whole number of days from 0 to ${MAX_ALIVE_WITHIN_DAYS}.`);
    days = Number(within);
  }
  let path = resolve(io.cwd, log);
  const isDir = await stat(path).then((s) => s.isDirectory(), () => false);
  if (isDir) path = join(path, HEALTH_LOG_FILE);
  let bytes: Uint8Array;
  try {
    bytes = toPlainBytes(await readFile(path));
  } catch (e) {
    throw ioError('read the share health log', path, e);
  }
  return { path, bytes, days };
}

/** Judges the log against the escrow of the last of `bundles` that publishes one. */
export function judgeHealthLog(request: HealthLogRequest, bundles: readonly ReadonlyMap<string, Uint8Array>[], mode: VerifyMode, now: Date = new Date()): HealthLogReport {
  const files = [...bundles].reverse().find((b) => b.has('escrow/manifest.json'));
  if (files === undefined) throw new KeyriteError('USAGE', '--health-log: no bundle given publishes an escrow (escrow/manifest.json); give the root bundle, or the chain up to the bundle of the current escrow.');
  const manifest = parseManifest(fromUtf8(files.get('escrow/manifest.json')!).replace(/\n$/, ''));
  return checkHealthLog(request.bytes, { manifest, now, aliveWithinDays: request.days, mode, crypto: NATIVE_VERIFIER_CRYPTO });
}

export function healthText(path: string, r: HealthLogReport): string {
  const width = Math.max(...r.checks.map((c) => c.name.length)) + 2;
  const lines = ['', `Share health log ${path} (escrow epoch ${r.epoch}, at ${r.at}):`];
  for (const c of r.checks) lines.push(`${c.status === 'pass' ? 'pass' : c.status === 'fail' ? 'FAIL' : 'skip'}  ${c.name.padEnd(width)}${c.detail}`);
  lines.push(
    r.outcome === 'unreadable'
      ? 'HEALTH LOG NOT READ: it is not a health log of this escrow (see health-log above).'
      : r.outcome === 'ok'
        ? `HEALTH: ${r.statement}.`
        : `HEALTH WARNING: ${r.statement}${r.refused > 0 ? `; ${r.refused} record${r.refused === 1 ? ' was' : 's were'} refused` : ''}.`,
  );
  return lines.join('\n') + '\n';
}

/** The exit code for a valid bundle with its health log judged. */
export function healthExit(r: HealthLogReport): number {
  return r.outcome === 'unreadable' ? EXIT.CHECK_FAILED : r.outcome === 'warning' ? EXIT.HEALTH_WARNING : EXIT.OK;
}
