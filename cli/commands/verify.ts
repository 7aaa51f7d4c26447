/**
 * `keyrite verify BUNDLE [--trust FP] [--mode hybrid|classical-only|pq-only] [--script FILE]... [--json]`
 * (docs/VERIFIER.md), BUNDLE a bundle folder or its .keyrite.tar archive (read in memory, never
 * extracted; a refused archive is a failed verification, exit 1): every check by name with pass / fail and a reason, whether the master
 * key was anchored, then the audit scripts' checks. Exit 0 valid, 1 verification failed,
 * 2 usage or I/O error, 3 an audit script did not complete (error, limit or timeout) — 3 wins
 * over 1, because then the report is incomplete. Never touches the network.
 *
 * `keyrite verify ROOT ROTATION... --trust ROOT_FINGERPRINT` verifies a chain (core/verifier/chain.ts):
 * every bundle, then each link by name, and names the current active key and every key's state.
 *
 * `--health-log LOG [--alive-within DAYS]` (either form) then judges the share health log against
 * the current escrow (verify-health.ts): exit 4 when the bundle is valid but the log warns.
 */
import { resolve } from 'node:path';
import { EXIT, printJson, type CliIO, type Command } from '../command.ts';
import { KeyriteError } from '../../core/errors.ts';
import { VERIFY_MODES, type VerifyMode } from '../../core/crypto/hybrid.ts';
import { parseTrustAnchor, verifyBundle } from '../../core/verifier/verify.ts';
import { verifyChain, type ChainReport } from '../../core/verifier/chain.ts';
import { auditBundleView } from '../../core/verifier/audit-view.ts';
import { verdictOf, type CheckResult, type VerifyReport } from '../../core/verifier/report.ts';
import { readBundleSource, type BundleSource } from '../../core/node/bundle-source.ts';
import { NATIVE_VERIFIER_CRYPTO } from '../../core/node/native-verifier-crypto.ts';
import { auditScriptsError, runAuditScripts, scriptMemoryOption, type AuditScriptRun } from '../../core/node/audit-runner.ts';
import { readableFingerprint } from '../../core/bundle/principals.ts';
import { modeClause } from '../../core/verifier/mode-words.ts';
import { VERIFY_SPEC } from './specs.ts';
import { healthExit, healthLogRequest, healthText, judgeHealthLog, type HealthLogRequest } from './verify-health.ts';
import type { HealthLogReport } from '../../core/verifier/health-log.ts';

function modeOf(value: string | undefined): VerifyMode {
  if (value === undefined) return 'hybrid';
  if (!(VERIFY_MODES as readonly string[]).includes(value)) throw new KeyriteError('USAGE', `--mode must be hybrid, classical-only or pq-only, not "${value.slice(0, 40)}".`);
  return value as VerifyMode;
}

/** The --trust value, checked to be a fingerprint (64 hex digits or 16 words). */
export function trustOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    parseTrustAnchor(value);
  } catch (e) {
    throw new KeyriteError('USAGE', `--trust must be the master fingerprint: 64 hex digits or its 16 words. ${e instanceof KeyriteError ? e.message : ''}`.trim());
  }
  return value;
}

function auditChecks(runs: readonly AuditScriptRun[]): CheckResult[] {
  return runs.flatMap((r) => [
    ...r.checks.map((c): CheckResult => ({ name: c.name, status: c.ok ? 'pass' : 'fail', detail: c.reason })),
    ...(r.error ? [{ name: `audit:${r.fileName}`, status: 'fail' as const, detail: `The audit script did not complete (${r.error.kind}): ${r.error.message}` }] : []),
  ]);
}

const REHEARSAL_BANNER = 'REHEARSAL BUNDLE: its script says rehearsal; its keys are practice keys and must never be used for real.';

/** The verdict line: the mode when it left a signature half unchecked, and REHEARSAL when the script says so. */
function verdictLine(report: VerifyReport): string {
  const qualifiers = `${report.rehearsal === true ? ' REHEARSAL BUNDLE' : ''}${report.mode === 'hybrid' ? '' : ` (${modeClause(report.mode)})`}`;
  if (report.verdict === 'valid') return `VALID${qualifiers}: all ${report.checks.length} checks passed.${report.rehearsal === true ? ' Practice keys: never use them for real.' : ''}`;
  const failed = report.checks.filter((c) => c.status === 'fail');
  const skipped = report.checks.filter((c) => c.status === 'skipped').length;
  return `INVALID${qualifiers}: ${failed.length} of ${report.checks.length} checks failed (${failed.map((c) => c.name).join(', ')})${skipped > 0 ? `; ${skipped} could not be checked because of them` : ''}.`;
}

function printHuman(io: CliIO, bundle: string, source: BundleSource, report: VerifyReport): void {
  const width = Math.max(...report.checks.map((c) => c.name.length)) + 2;
  const lines = [`Verifying ${bundle} (${source.archive ? 'bundle archive, read in memory; ' : ''}${report.mode === 'hybrid' ? 'hybrid signatures' : modeClause(report.mode)})`];
  if (source.archive) {
    const r = readableFingerprint(source.archive.sha256);
    lines.push(`  archive SHA-256: ${r.hexGroups}`, `                   ${r.words.join(' ')}`);
  }
  if (report.rehearsal === true) lines.push(`  ${REHEARSAL_BANNER}`);
  if (report.ceremonyId) lines.push(`  ceremony ${report.ceremonyId}${report.kind ? ` (${report.kind})` : ''}${report.transcriptEntries !== undefined ? `, ${report.transcriptEntries} transcript entries` : ''}`);
  if (report.masterFingerprint) {
    const r = readableFingerprint(report.masterFingerprint);
    const label = report.verdict === 'valid' ? 'master key fingerprint:' : 'master key fingerprint (as the bundle states it; NOT verified):';
    lines.push(`  ${label} ${r.hexGroups}`, `  ${' '.repeat(label.length)} ${r.words.join(' ')}`);
  }
  lines.push('');
  for (const c of report.checks) lines.push(`${c.status === 'pass' ? 'pass' : c.status === 'fail' ? 'FAIL' : 'skip'}  ${c.name.padEnd(width)}${c.detail}`);
  lines.push('');
  const a = report.anchor;
  lines.push(
    a.anchored
      ? a.matches === undefined
        ? 'NOT COMPARED: the bundle\'s master key could not be read, so it was not compared with the fingerprint given with --trust.'
        : a.matches
          ? `ANCHORED: the master key matches the fingerprint given with --trust (${a.compared === 'full' ? 'all 32 bytes' : 'first 16 bytes, from the words'}).`
          : 'ANCHOR MISMATCH: the master key is NOT the one whose fingerprint was given with --trust.'
      : 'NOT ANCHORED: no --trust fingerprint was given, so this says nothing about whether this is the master key read aloud at the ceremony.',
  );
  lines.push(verdictLine(report));
  io.stdout(lines.join('\n') + '\n');
}

function printChain(io: CliIO, paths: readonly string[], report: ChainReport): void {
  const lines = [`Verifying a chain of ${paths.length} bundles from the root fingerprint (${report.mode === 'hybrid' ? 'hybrid signatures' : modeClause(report.mode)})`];
  paths.forEach((p, i) => {
    const r = report.bundles[i]!;
    const failed = r.checks.filter((c) => c.status !== 'pass' && !(i > 0 && c.name === 'trust-anchor'));
    lines.push(`  ${i}. ${p}: ${r.kind ?? 'unreadable'} ${r.ceremonyId ?? ''}${r.rehearsal === true ? ' (REHEARSAL)' : ''} - ${failed.length === 0 ? `all ${r.checks.length} checks pass` : `FAILED: ${failed.map((c) => c.name).join(', ')}`}`);
  });
  lines.push('');
  const width = Math.max(...report.checks.map((c) => c.name.length)) + 2;
  for (const c of report.checks) lines.push(`${c.status === 'pass' ? 'pass' : c.status === 'fail' ? 'FAIL' : 'skip'}  ${c.name.padEnd(width)}${c.detail}`);
  if (report.verdict === 'valid' && report.keys) {
    lines.push('', 'Path (root first):');
    for (const s of report.path) lines.push(`  ${s.kind} ${s.ceremonyId}: master ${s.masterFingerprint} (from ${s.endedAt})`);
    lines.push('', `Master keys and their states (now = ${report.at}):`);
    for (const k of report.keys) {
      const detail = k.state === 'deprecated' ? ` until ${k.until!}` : k.state === 'revoked' ? ` at ${k.revokedAt!}` : '';
      lines.push(`  ${k.fingerprint}  ${k.state}${detail} (since ${k.since})${k.stateNow !== k.state ? `; ${k.stateNow} now` : ''}`);
    }
    if (report.current) {
      const r = readableFingerprint(report.current.fingerprint);
      lines.push('', 'CURRENT ACTIVE MASTER KEY:', `  ${r.hexGroups}`, `  ${r.words.join(' ')}`);
    }
    if (report.revoked) {
      const r = readableFingerprint(report.revoked.fingerprint);
      lines.push('', `NO ACTIVE MASTER KEY: the last key was REVOKED at ${report.revoked.revokedAt}; a rotation is needed.`, `  ${r.hexGroups}`, `  ${r.words.join(' ')}`, `  Reason: ${report.revoked.reason}`);
    }
  }
  lines.push('', report.verdict === 'valid' ? `VALID CHAIN: anchored on the root fingerprint, all ${report.checks.length} chain checks passed.` : `INVALID CHAIN: ${report.checks.filter((c) => c.status === 'fail').map((c) => c.name).join(', ') || 'a check did not run'}.`);
  io.stdout(lines.join('\n') + '\n');
}

async function runChain(args: Parameters<Command['run']>[0], io: CliIO, mode: VerifyMode, trust: string | undefined, healthLog: HealthLogRequest | undefined): Promise<number> {
  if (trust === undefined) throw new KeyriteError('USAGE', 'A chain of bundles is verified from the root master fingerprint: give --trust ROOT_FINGERPRINT.');
  if (args.all('script').length > 0 || args.value('script-memory') !== undefined) throw new KeyriteError('USAGE', 'Audit scripts run on one bundle: verify each bundle with --script on its own.');
  const paths = args.positionals.map((p) => resolve(io.cwd, p));
  const sources = [];
  for (const p of paths) sources.push(await readBundleSource(p));
  const report = verifyChain(sources.map((s) => s.files), { trust, mode, crypto: NATIVE_VERIFIER_CRYPTO, requireLive: args.flag('require-live') });
  const health = healthLog !== undefined && report.verdict === 'valid' ? judgeHealthLog(healthLog, sources.map((s) => s.files), mode) : undefined;
  if (args.flag('json')) printJson(io, { ok: report.verdict === 'valid', ...report, ...(health ? { health } : {}) });
  else {
    printChain(io, paths, report);
    if (health) io.stdout(healthText(healthLog!.path, health));
  }
  if (report.verdict === 'valid' && report.bundles.some((b) => b.rehearsal === true)) io.stderr(`keyrite: note: the chain holds REHEARSAL bundles: their keys are practice keys and must never be used for real. (--require-live refuses them.)\n`);
  if (report.revoked) io.stderr(`keyrite: note: ${report.revoked.message}\n`);
  if (report.verdict !== 'valid') {
    io.stderr(`keyrite: the chain did not verify: ${report.checks.filter((c) => c.status === 'fail').map((c) => c.name).join(', ')} failed.\n`);
    return EXIT.CHECK_FAILED;
  }
  return health ? healthOutcome(io, health) : EXIT.OK;
}

/** The health log's line on stderr and its exit code, for a bundle (or chain) that verified. */
function healthOutcome(io: CliIO, health: HealthLogReport): number {
  if (health.outcome === 'unreadable') io.stderr(`keyrite: the share health log was not read: ${health.checks[0]!.detail}\n`);
  else if (health.outcome === 'warning') io.stderr(`keyrite: health warning (the bundle itself is valid): ${health.statement}${health.refused > 0 ? `; ${health.refused} record(s) refused` : ''}.\n`);
  return healthExit(health);
}

export const verifyCommand: Command = {
  ...VERIFY_SPEC,
  async run(args, io) {
    const mode = modeOf(args.value('mode'));
    const trust = trustOf(args.value('trust'));
    const healthLog = await healthLogRequest(args, io);
    if (args.positionals.length > 1) return runChain(args, io, mode, trust, healthLog);
    const bundlePath = resolve(io.cwd, args.positionals[0]!);
    const scripts = args.all('script').map((s) => resolve(io.cwd, s));
    const scriptMemory = scriptMemoryOption(args.value('script-memory'));
    const source = await readBundleSource(bundlePath);
    const files = source.files;
    let report = verifyBundle(files, { mode, crypto: NATIVE_VERIFIER_CRYPTO, requireLive: args.flag('require-live'), ...(trust === undefined ? {} : { trust }) });
    let runs: AuditScriptRun[] = [];
    if (scripts.length > 0) {
      runs = await runAuditScripts(scripts, auditBundleView(files, report, NATIVE_VERIFIER_CRYPTO.sha256, scriptMemory), { memoryBytes: scriptMemory });
      const checks = [...report.checks, ...auditChecks(runs)];
      report = { ...report, checks, verdict: verdictOf(checks, report.anchor) };
    }
    const scriptError = auditScriptsError(runs);
    const health = healthLog !== undefined && report.verdict === 'valid' ? judgeHealthLog(healthLog, [files], mode) : undefined;
    if (args.flag('json')) {
      printJson(io, { ok: report.verdict === 'valid' && scriptError === undefined, ...report, ...(source.archive ? { archive: source.archive } : {}), auditScripts: runs.map((r) => ({ file: r.fileName, ok: r.ok, checks: r.checks.length, ms: Math.round(r.ms), ...(r.error ? { error: r.error } : {}), logs: r.logs })), ...(health ? { health } : {}) });
    } else {
      printHuman(io, bundlePath, source, report);
      if (health) io.stdout(healthText(healthLog!.path, health));
    }
    if (scriptError) {
      io.stderr(`keyrite: ${scriptError.message}\n`);
      return EXIT.AUDIT_SCRIPT;
    }
    if (report.rehearsal === true && report.verdict === 'valid') io.stderr(`keyrite: note: ${REHEARSAL_BANNER} (--require-live refuses rehearsal bundles.)\n`);
    if (report.verdict !== 'valid') {
      io.stderr(`keyrite: the bundle did not verify: ${report.checks.filter((c) => c.status === 'fail').map((c) => c.name).join(', ')} failed.\n`);
      return EXIT.CHECK_FAILED;
    }
    return health ? healthOutcome(io, health) : EXIT.OK;
  },
};
