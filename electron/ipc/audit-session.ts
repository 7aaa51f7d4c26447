/**
 * The audit screen's state in the main process: a bundle folder, or a bundle archive read in
 * memory (docs/FORMATS.md "Bundle archive"), chosen in the main process picker, verified by the verifier core (core/verifier/verify.ts on core/node's bundle reader
 * and native crypto: what `keyrite verify` runs), audit scripts run in their sandbox workers
 * (core/node/audit-runner.ts) with their checks joined into the report exactly as the CLI
 * joins them (cli/commands/verify.ts), and the report exported as JSON to a new file.
 *
 * A script typed in the app is written to a fresh private temp folder as `editor-script.js`
 * (its checks are named `audit:editor-script.js:…`) and removed after the run.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { KeyriteError } from '../../core/errors.ts';
import { utf8 } from '../../core/bytes.ts';
import { parseTrustAnchor, verifyBundle } from '../../core/verifier/verify.ts';
import { auditBundleView } from '../../core/verifier/audit-view.ts';
import { verdictOf, type CheckResult, type VerifyReport } from '../../core/verifier/report.ts';
import { readBundleDirectory } from '../../core/node/bundle-directory.ts';
import { readBundleArchive } from '../../core/node/bundle-source.ts';
import { NATIVE_VERIFIER_CRYPTO } from '../../core/node/native-verifier-crypto.ts';
import { createFileExclusive } from '../../core/node/durable-files.ts';
import { runAuditScripts, type AuditRunLimits, type AuditRunnerOptions, type AuditScriptRun } from '../../core/node/audit-runner.ts';
import type { AuditOptions, AuditReportView, AuditScriptSource, AuditScriptView, AuditView } from '../../core/ipc/contract.ts';
import { readableFingerprint } from '../../core/bundle/principals.ts';
import { auditSigningView } from './audit-signing.ts';
import { AuditChain } from './audit-chain.ts';

export const EDITOR_SCRIPT = 'editor-script.js';

export interface AuditSessionOptions {
  /** The main process folder picker for the bundle; undefined when cancelled. */
  pickBundleFolder(): Promise<string | undefined>;
  /** The main process file picker for a bundle archive (.keyrite.tar); undefined when cancelled. */
  pickBundleArchive(): Promise<string | undefined>;
  /** The main process file picker for an audit script (.js); undefined when cancelled. */
  pickScriptFile(): Promise<string | undefined>;
  /** The main process save dialog for the JSON report; undefined when cancelled. */
  pickReportFile(suggestedName: string): Promise<string | undefined>;
  /** Limits for the audit scripts (default: the sandbox's; docs/AUDIT-SCRIPTS.md). */
  limits?: AuditRunLimits;
  /** Where the worker is (the Electron bundle has no import.meta: main.ts passes dist/cli/audit-worker.mjs). */
  runner?: AuditRunnerOptions;
}

/** The CLI's join (cli/commands/verify.ts): each script check, then one failed check for a script that did not complete. */
export function auditScriptChecks(runs: readonly AuditScriptRun[]): CheckResult[] {
  return runs.flatMap((r) => [
    ...r.checks.map((c): CheckResult => ({ name: c.name, status: c.ok ? 'pass' : 'fail', detail: c.reason })),
    ...(r.error ? [{ name: `audit:${r.fileName}`, status: 'fail' as const, detail: `The audit script did not complete (${r.error.kind}): ${r.error.message}` }] : []),
  ]);
}

function emptyView(): AuditView {
  return { chain: { folders: [], report: null }, bundle: null, archive: null, options: { trust: '', mode: 'hybrid' }, report: null, scripts: [], exportedTo: null };
}

function reportView(r: VerifyReport, scriptNames: ReadonlySet<string>, files: ReadonlyMap<string, Uint8Array> | undefined): AuditReportView {
  const fp = r.masterFingerprint && /^[0-9a-f]{64}$/.test(r.masterFingerprint) ? { hex: r.masterFingerprint, ...readableFingerprint(r.masterFingerprint) } : null;
  return {
    verdict: r.verdict,
    mode: r.mode,
    anchor: { anchored: r.anchor.anchored, compared: r.anchor.compared ?? null, matches: r.anchor.matches ?? null },
    kind: r.kind ?? null,
    ceremonyId: r.ceremonyId ?? null,
    transcriptEntries: r.transcriptEntries ?? null,
    rehearsal: r.rehearsal ?? null,
    fingerprint: fp,
    signing: r.kind === 'signing' && files ? auditSigningView(files) : null,
    checks: r.checks.map((c) => ({ name: c.name, status: c.status, detail: c.detail, source: scriptNames.has(c.name) ? 'script' : 'verifier' })),
  };
}

function scriptView(r: AuditScriptRun): AuditScriptView {
  return {
    file: r.fileName,
    ok: r.ok,
    checks: r.checks.length,
    ms: Math.round(r.ms),
    problem: r.error ? `${r.fileName} did not complete (${r.error.kind}): ${r.error.message} Its checks are not in the report; fix the script (or raise its limit) and run it again.` : null,
    logs: [...r.logs],
  };
}

export class AuditSession {
  private view: AuditView = emptyView();
  private folder: string | undefined;
  private files: Map<string, Uint8Array> | undefined;
  private base: VerifyReport | undefined;
  /** Script runs by file name: running a script again replaces its earlier run. */
  private runs = new Map<string, AuditScriptRun>();
  private busy = false;
  private readonly chain = new AuditChain();

  constructor(private readonly o: AuditSessionOptions) {}

  state(): AuditView {
    return structuredClone(this.view);
  }

  /** The report as `keyrite verify --json` has it (verifier checks, then script checks). */
  report(): VerifyReport | undefined {
    if (!this.base) return undefined;
    const runs = [...this.runs.values()];
    if (runs.length === 0) return this.base;
    const checks = [...this.base.checks, ...auditScriptChecks(runs)];
    return { ...this.base, checks, verdict: verdictOf(checks, this.base.anchor) };
  }

  private publish(change: Partial<AuditView>): AuditView {
    const report = this.report();
    const names = new Set(auditScriptChecks([...this.runs.values()]).map((c) => c.name));
    this.view = { ...this.view, ...change, chain: this.chain.view(), report: report ? reportView(report, names, this.files) : null, scripts: [...this.runs.values()].map(scriptView) };
    return this.state();
  }

  private async exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (this.busy) throw new KeyriteError('USAGE', 'Keyrite is still working on the last request; wait for it to finish.');
    this.busy = true;
    try {
      return await work();
    } finally {
      this.busy = false;
    }
  }

  private verify(options: AuditOptions): VerifyReport {
    const trust = options.trust.trim();
    if (trust.length > 0) {
      try {
        parseTrustAnchor(trust);
      } catch (e) {
        throw new KeyriteError('INVALID_INPUT', `The trusted fingerprint must be the master fingerprint read aloud at the ceremony: 64 hex digits, or its 16 words. ${e instanceof KeyriteError ? e.message : ''} Type it again, or leave the field empty to verify without an anchor.`.trim());
      }
    }
    return verifyBundle(this.files!, { mode: options.mode, crypto: NATIVE_VERIFIER_CRYPTO, ...(trust.length > 0 ? { trust } : {}) });
  }

  /** A bundle read (from a folder or an archive) replaces the open one, and is verified. */
  private load(path: string, files: Map<string, Uint8Array>, archiveSha256: string | null, options: AuditOptions): AuditView {
    this.files = files;
    this.folder = path;
    this.runs = new Map();
    this.base = this.verify(options);
    const archive = archiveSha256 === null ? null : { hex: archiveSha256, ...readableFingerprint(archiveSha256) };
    return this.publish({ bundle: path, archive, options: { trust: options.trust.trim(), mode: options.mode }, exportedTo: null });
  }

  open(options: AuditOptions): Promise<AuditView> {
    return this.exclusive(async () => {
      const folder = await this.o.pickBundleFolder();
      if (folder === undefined) return this.state();
      let files: Map<string, Uint8Array>;
      try {
        files = await readBundleDirectory(folder);
      } catch (e) {
        if (e instanceof KeyriteError) throw new KeyriteError(e.code, `${e.message} Choose the bundle folder (the one holding bundle.json) again.`);
        throw e;
      }
      return this.load(folder, files, null, options);
    });
  }

  /** The same for a bundle archive: read whole and decoded strictly in memory, never extracted. */
  openArchive(options: AuditOptions): Promise<AuditView> {
    return this.exclusive(async () => {
      const file = await this.o.pickBundleArchive();
      if (file === undefined) return this.state();
      let source;
      try {
        source = await readBundleArchive(file);
      } catch (e) {
        if (e instanceof KeyriteError) throw new KeyriteError(e.code, `${e.message} Choose the bundle archive (bundle.keyrite.tar) again, or the bundle folder.`);
        throw e;
      }
      return this.load(file, source.files, source.archive!.sha256, options);
    });
  }

  reverify(options: AuditOptions): Promise<AuditView> {
    return this.exclusive(async () => {
      if (!this.files) throw new KeyriteError('USAGE', 'Open a bundle folder first.');
      this.base = this.verify(options);
      return this.publish({ options: { trust: options.trust.trim(), mode: options.mode }, exportedTo: null });
    });
  }

  runScript(source: AuditScriptSource): Promise<AuditView> {
    return this.exclusive(async () => {
      if (!this.files || !this.base) throw new KeyriteError('USAGE', 'Open a bundle folder first: audit scripts run against it.');
      const view = auditBundleView(this.files, this.base, NATIVE_VERIFIER_CRYPTO.sha256, this.o.limits?.memoryBytes);
      let path: string;
      let temp: string | undefined;
      if ('pick' in source) {
        const picked = await this.o.pickScriptFile();
        if (picked === undefined) return this.state();
        path = picked;
      } else {
        temp = await mkdtemp(join(tmpdir(), 'keyrite-audit-'));
        path = join(temp, EDITOR_SCRIPT);
        await writeFile(path, utf8(source.source), { mode: 0o600, flag: 'wx' });
      }
      try {
        const [run] = await runAuditScripts([path], view, this.o.limits ?? {}, this.o.runner ?? {});
        this.runs.set(run!.fileName, run!);
      } finally {
        if (temp) await rm(temp, { recursive: true, force: true });
      }
      return this.publish({ exportedTo: null });
    });
  }

  /** Adds the bundle folder chosen in the picker at the end of the chain (root first, then each rotation in order). */
  chainAdd(): Promise<AuditView> {
    return this.exclusive(async () => {
      const folder = await this.o.pickBundleFolder();
      if (folder === undefined) return this.state();
      await this.chain.add(folder);
      return this.publish({});
    });
  }

  chainRemove(index: number): Promise<AuditView> {
    return this.exclusive(async () => {
      this.chain.remove(index);
      return this.publish({});
    });
  }

  /** Verifies the chain from the root fingerprint typed, as `keyrite verify ROOT ROT… --trust ROOT`. */
  chainVerify(options: AuditOptions): Promise<AuditView> {
    return this.exclusive(async () => {
      this.chain.verify(options);
      return this.publish({ options: { trust: options.trust.trim(), mode: options.mode } });
    });
  }

  exportReport(): Promise<AuditView> {
    return this.exclusive(async () => {
      const report = this.report();
      if (!report || !this.folder) throw new KeyriteError('USAGE', 'Open and verify a bundle first; then its report can be exported.');
      const suggested = `keyrite-verify-report-${report.ceremonyId ?? basename(this.folder)}.json`;
      const target = await this.o.pickReportFile(suggested);
      if (target === undefined) return this.state();
      await createFileExclusive(target, utf8(JSON.stringify(report, null, 2) + '\n'), 0o644, `${target} already exists; Keyrite never overwrites a report. Choose another file name.`);
      return this.publish({ exportedTo: target });
    });
  }
}
