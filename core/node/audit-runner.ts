/**
 * Node adapter for audit scripts (`keyrite verify --script FILE`; docs/AUDIT-SCRIPTS.md):
 * reads each script, runs it in the sandbox inside its own worker thread, and watches the
 * worker from here. The sandbox stops a script at its time limit by itself; the watchdog is
 * the second line, for a hang the sandbox cannot see (an engine bug, a stuck interrupt path):
 * a worker that has not loaded the bundle data within its allowance + `graceMs`, or finished
 * within `timeMs + graceMs` after its script started, is terminated; the checks it sent
 * until then are kept.
 * The worker also runs under V8 resource limits (heap and stack).
 *
 * Where the worker comes from: next to the running code, `audit-worker.mjs` (the esbuild
 * output in dist/cli/, built by build/build.mjs) is used when present; otherwise
 * `audit-worker.ts` (running from source, tests) is loaded through tsx's `tsImport`,
 * because Node 20 workers do not inherit tsx's `--import` hooks.
 *
 * Results: a script problem (throw, timeout, memory, bad result) is a result with `error`,
 * to be reported as AUDIT_SCRIPT_ERROR (exit 3; see auditScriptsError). A file that cannot
 * be read is a KeyriteError IO_ERROR (exit 2), thrown before any script runs.
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ResourceLimits } from 'node:worker_threads';
import { KeyriteError } from '../errors.ts';
import { AUDIT_LIMIT_RANGES, AUDIT_SCRIPT_NAME, DEFAULT_AUDIT_LIMITS, auditCheckPrefix, auditLoadAllowanceMs, resolveAuditLimits } from '../audit/limits.ts';
import { serializeAuditBundle } from '../audit/view.ts';
import type { AuditCheck, AuditLimits, AuditScriptError, AuditScriptErrorKind, AuditScriptResult } from '../audit/limits.ts';
import type { AuditBundleView } from '../audit/view.ts';
import type { AuditWorkerData, AuditWorkerMessage } from './audit-worker.ts';

export interface AuditRunLimits extends Partial<AuditLimits> {
  /** Extra time after timeMs before the watchdog kills a worker that has not answered. Default 2000 ms. */
  readonly graceMs?: number;
  /** Time for a worker to start and load the engine before it counts as stuck. Default 30 000 ms. */
  readonly startupMs?: number;
}

export interface AuditRunnerOptions {
  /** Use this worker file instead of audit-worker.mjs / .ts (tests). Loaded as is, without tsx. */
  readonly workerUrl?: URL;
  /** Override the V8 limits computed for the worker (tests). */
  readonly resourceLimits?: ResourceLimits;
}

export interface AuditScriptRun extends AuditScriptResult {
  /** The path as given. */
  readonly path: string;
  /** Its file name, which namespaces its checks. */
  readonly fileName: string;
}

export const DEFAULT_GRACE_MS = 2000;
export const DEFAULT_STARTUP_MS = 30_000;
const MiB = 1024 * 1024;

const ERROR_KINDS: readonly AuditScriptErrorKind[] = ['timeout', 'memory', 'stack', 'exception', 'invalid-result', 'invalid-script', 'crash'];

function whole(value: unknown, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new KeyriteError('INVALID_INPUT', `The audit script limit ${name} must be a whole number from ${min} to ${max}.`);
  }
  return value;
}

function splitLimits(limits: AuditRunLimits): { sandbox: AuditLimits; graceMs: number; startupMs: number } {
  const { graceMs, startupMs, ...rest } = limits;
  return {
    sandbox: resolveAuditLimits(rest),
    graceMs: whole(graceMs, 'graceMs', 0, 60_000, DEFAULT_GRACE_MS),
    startupMs: whole(startupMs, 'startupMs', 1, 600_000, DEFAULT_STARTUP_MS),
  };
}

/**
 * The value of `keyrite verify --script-memory MIB`: the audit script memory limit in bytes,
 * or undefined when the option is not given. USAGE (exit 2) unless it is a whole number of
 * MiB in the sandbox's range.
 */
export function scriptMemoryOption(mib: string | undefined): number | undefined {
  if (mib === undefined) return undefined;
  const [min, max] = AUDIT_LIMIT_RANGES.memoryBytes.map((bytes) => bytes / MiB) as [number, number];
  const value = /^[0-9]{1,5}$/.test(mib) ? Number(mib) : NaN;
  if (!(value >= min && value <= max)) {
    throw new KeyriteError('USAGE', `--script-memory must be a whole number of MiB from ${min} to ${max} (the default is ${DEFAULT_AUDIT_LIMITS.memoryBytes / MiB}), not "${mib.slice(0, 20)}".`);
  }
  return value * MiB;
}

/** Where the worker entry is and how to load it. */
export function resolveAuditWorker(): { url: URL; mode: 'bundle' | 'source' } {
  let here: URL | undefined;
  try {
    here = new URL(import.meta.url);
  } catch {
    // A CommonJS bundle has no import.meta: such a caller passes options.workerUrl.
  }
  if (here !== undefined) {
    const bundled = new URL('./audit-worker.mjs', here);
    if (existsSync(bundled)) return { url: bundled, mode: 'bundle' };
    const source = new URL('./audit-worker.ts', here);
    if (existsSync(source)) return { url: source, mode: 'source' };
  }
  throw new KeyriteError('IO_ERROR', 'The audit script worker (audit-worker.mjs) is missing next to the Keyrite program; rebuild it with "npm run build".');
}

/** Worker code that loads a .ts entry through tsx (development and tests only). */
function tsxBootstrap(entry: URL): string {
  const api = import.meta.resolve('tsx/esm/api');
  return `import(${JSON.stringify(api)}).then((api) => api.tsImport(${JSON.stringify(entry.href)}, ${JSON.stringify(entry.href)}));`;
}

/** V8 limits for one worker: a heap sized for the bundle copy, a stack deep enough that QuickJS's own stack check trips first. */
function workerLimits(sandbox: AuditLimits, bundleJsonLength: number): ResourceLimits {
  return {
    maxOldGenerationSizeMb: 128 + Math.ceil((bundleJsonLength * 12) / MiB),
    maxYoungGenerationSizeMb: 32,
    // Parsing deeply nested source uses ~30× more native stack than QuickJS counts (measured).
    stackSizeMb: 16 + Math.ceil((sandbox.stackBytes * 64) / MiB),
  };
}

/** A failed run; `checks` are those the script recorded before it (docs/AUDIT-SCRIPTS.md: they are still reported). */
function failure(kind: AuditScriptErrorKind, message: string, started: number, checks: readonly AuditCheck[] = []): AuditScriptResult {
  return Object.freeze({ ok: false, checks: Object.freeze([...checks]), logs: Object.freeze([]), error: Object.freeze({ kind, message }), ms: Date.now() - started });
}

/** Checks one check that crossed the thread boundary; undefined if it is not one of this script's. */
function validCheck(value: unknown, prefix: string): AuditCheck | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const { name, ok, reason } = value as Record<string, unknown>;
  if (typeof name !== 'string' || !name.startsWith(prefix) || typeof ok !== 'boolean' || typeof reason !== 'string') return undefined;
  return Object.freeze({ name, ok, reason });
}

/** Checks a result that crossed the thread boundary; undefined if it is not one. */
function validResult(value: unknown, fileName: string): AuditScriptResult | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const r = value as Record<string, unknown>;
  if (typeof r.ok !== 'boolean' || !Array.isArray(r.checks) || !Array.isArray(r.logs) || typeof r.ms !== 'number') return undefined;
  const prefix = auditCheckPrefix(fileName);
  const checks: AuditCheck[] = [];
  for (const c of r.checks as unknown[]) {
    const check = validCheck(c, prefix);
    if (check === undefined) return undefined;
    checks.push(check);
  }
  if (!(r.logs as unknown[]).every((l) => typeof l === 'string')) return undefined;
  let error: AuditScriptError | undefined;
  if (r.error !== undefined) {
    const e = r.error as Record<string, unknown> | null;
    if (e === null || typeof e !== 'object' || !ERROR_KINDS.includes(e.kind as AuditScriptErrorKind) || typeof e.message !== 'string') return undefined;
    error = Object.freeze({ kind: e.kind as AuditScriptErrorKind, message: e.message });
  }
  const ok = error === undefined && r.ok && checks.every((c) => c.ok);
  return Object.freeze({ ok, checks: Object.freeze(checks), logs: Object.freeze([...(r.logs as string[])]), ...(error ? { error } : {}), ms: r.ms });
}

/**
 * Runs one script (already read) in a fresh worker under the watchdog. `bundleJson` is
 * serializeAuditBundle(view). Never rejects for what the script does. The worker sends each
 * check as it is recorded, so a worker the watchdog kills still reports the checks it made.
 */
export function runAuditScriptInWorker(
  script: { readonly source: string; readonly fileName: string },
  bundleJson: string,
  limits: AuditRunLimits = {},
  options: AuditRunnerOptions = {},
): Promise<AuditScriptResult> {
  const started = Date.now();
  const { sandbox, graceMs, startupMs } = splitLimits(limits);
  if (!AUDIT_SCRIPT_NAME.test(script.fileName)) throw new KeyriteError('INVALID_INPUT', `The audit script name "${script.fileName}" is not a plain file name.`);
  const entry = options.workerUrl !== undefined ? { url: options.workerUrl, mode: 'bundle' as const } : resolveAuditWorker();
  const workerData: AuditWorkerData = { source: script.source, fileName: script.fileName, bundleJson, limits: sandbox };
  const common = {
    workerData,
    resourceLimits: options.resourceLimits ?? workerLimits(sandbox, bundleJson.length),
    env: {},
    execArgv: [],
    stdout: true,
    stderr: true,
  };
  const worker = entry.mode === 'source' ? new Worker(tsxBootstrap(entry.url), { ...common, eval: true }) : new Worker(entry.url, common);
  // Nothing in the sandbox writes to stdout/stderr; keep a little of what the worker's own
  // runtime might print, for the crash message, and never let it reach the terminal.
  let stderrTail = '';
  worker.stdout.resume();
  worker.stderr.setEncoding('utf8');
  worker.stderr.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-400);
  });

  const prefix = auditCheckPrefix(script.fileName);
  const recorded: AuditCheck[] = [];
  return new Promise<AuditScriptResult>((resolve) => {
    let settled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    /** Ends the run with `result`, or with `error` and the checks recorded until the worker is gone. */
    const finish = (outcome: { result: AuditScriptResult } | { error: AuditScriptError }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Messages the worker sent before it was stopped are still delivered until terminate() settles.
      const done = () => {
        worker.removeAllListeners('message');
        resolve('result' in outcome ? outcome.result : failure(outcome.error.kind, outcome.error.message, started, recorded));
      };
      void worker.terminate().then(done, done);
    };
    const fail = (kind: AuditScriptErrorKind, message: string) => finish({ error: { kind, message } });
    const arm = (ms: number, onFire: () => void) => {
      clearTimeout(timer);
      timer = setTimeout(onFire, ms);
    };
    const crash = (what: string) => {
      const tail = stderrTail.trim().split('\n').pop()?.replace(/[\p{Cc}\p{Cf}]/gu, '?');
      fail('crash', `The audit script worker ${what}${tail ? ` (${tail.slice(0, 200)})` : ''}.`);
    };

    arm(startupMs, () => crash(`did not start within ${startupMs} ms and was stopped`));
    worker.on('message', (m: AuditWorkerMessage) => {
      if (m === null || typeof m !== 'object') return crash('sent a malformed message');
      if (m.type === 'check') {
        const check = validCheck(m.check, prefix);
        if (check === undefined || recorded.length >= sandbox.maxChecks) crash('sent a malformed check');
        else recorded.push(check);
      } else if (settled) {
        // Stopping: only the checks still in flight matter.
      } else if (m.type === 'started') {
        const allowanceMs = auditLoadAllowanceMs(bundleJson.length);
        arm(allowanceMs + graceMs, () => fail('timeout', `Loading the bundle data (${bundleJson.length} characters of JSON) did not finish within its allowance of ${allowanceMs} ms (plus ${graceMs} ms grace) and the worker was stopped.`));
      } else if (m.type === 'loaded') {
        arm(sandbox.timeMs + graceMs, () => fail('timeout', `The script did not finish within its time limit of ${sandbox.timeMs} ms (plus ${graceMs} ms grace) and its worker was stopped.`));
      } else if (m.type === 'result') {
        const result = validResult(m.result, script.fileName);
        if (result === undefined) crash('returned a malformed result');
        else finish({ result });
      } else if (m.type === 'fatal') {
        crash(`refused its input: ${String(m.message).slice(0, 200)}`);
      } else {
        crash('sent an unknown message');
      }
    });
    worker.on('messageerror', () => crash('sent a message that could not be read'));
    worker.on('error', (e: Error & { code?: string }) => {
      if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        fail('memory', 'The audit script worker ran out of memory and was stopped.');
      } else {
        crash(`failed: ${e.name}: ${e.message}`);
      }
    });
    worker.on('exit', (code) => crash(`exited (code ${code}) without a result`));
  });
}

async function readScript(path: string): Promise<{ source?: string; problem?: string }> {
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new KeyriteError('IO_ERROR', `The audit script "${path}" is not a file.`);
    size = st.size;
  } catch (e) {
    if (e instanceof KeyriteError) throw e;
    throw new KeyriteError('IO_ERROR', `Cannot read the audit script "${path}": ${ioReason(e)}.`, { cause: e });
  }
  return readBytes(path, size);
}

async function readBytes(path: string, size: number): Promise<{ source?: string; problem?: string }> {
  // Deliberately generous: the sandbox applies the exact character limit.
  if (size > 64 * MiB) return { problem: `The script is ${size} bytes long, far beyond any audit script limit.` };
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new KeyriteError('IO_ERROR', `Cannot read the audit script "${path}": ${ioReason(e)}.`, { cause: e });
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return { problem: 'The script is not UTF-8 text.' };
  }
  // A byte-order mark from a Windows editor is not part of the program.
  return { source: text.startsWith('\uFEFF') ? text.slice(1) : text };
}

function ioReason(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a folder';
    default:
      return typeof code === 'string' ? `error ${code}` : 'unknown error';
  }
}

/**
 * Runs each script in its own worker, one after the other, against the same bundle view.
 * Throws before running anything: USAGE for a file name that cannot namespace checks (or two
 * scripts with the same name), IO_ERROR for a file that cannot be read, INVALID_INPUT for a
 * bad view or limits, AUDIT_SCRIPT_ERROR for a view too large for the memory limit (measured
 * before its JSON is written). Script problems are results (see auditScriptsError).
 */
export async function runAuditScripts(
  paths: readonly string[],
  bundle: AuditBundleView,
  limits: AuditRunLimits = {},
  options: AuditRunnerOptions = {},
): Promise<AuditScriptRun[]> {
  if (!Array.isArray(paths) || paths.some((p) => typeof p !== 'string' || p.length === 0)) {
    throw new KeyriteError('INVALID_INPUT', 'The audit script paths must be a list of file paths.');
  }
  const { sandbox } = splitLimits(limits); // validate before any work
  const seen = new Set<string>();
  for (const path of paths) {
    const fileName = basename(path);
    if (!AUDIT_SCRIPT_NAME.test(fileName)) {
      throw new KeyriteError('USAGE', `The audit script file name "${fileName.slice(0, 100)}" must be 1 to 100 letters, digits, ".", "_" or "-", starting with a letter or digit (it names the script's checks).`);
    }
    if (seen.has(fileName)) throw new KeyriteError('USAGE', `Two audit scripts are named "${fileName}"; their checks would share one name space. Rename one.`);
    seen.add(fileName);
  }
  const scripts = [];
  for (const path of paths) scripts.push({ path, fileName: basename(path), ...(await readScript(path)) });
  const bundleJson = serializeAuditBundle(bundle, sandbox.memoryBytes);
  const runs: AuditScriptRun[] = [];
  for (const s of scripts) {
    const started = Date.now();
    const result =
      s.source === undefined
        ? failure('invalid-script', s.problem ?? 'The script could not be read as text.', started)
        : await runAuditScriptInWorker({ source: s.source, fileName: s.fileName }, bundleJson, limits, options);
    runs.push(Object.freeze({ ...result, path: s.path, fileName: s.fileName }));
  }
  return runs;
}

/**
 * The error to raise after reporting, if any script did not complete: KeyriteError
 * AUDIT_SCRIPT_ERROR (the CLI's exit code 3). Failed checks alone are not an error here —
 * they make the verification fail (exit 1) like any other check.
 */
export function auditScriptsError(runs: readonly (AuditScriptResult & { readonly fileName?: string })[]): KeyriteError | undefined {
  const failed = runs.filter((r) => r.error !== undefined);
  if (failed.length === 0) return undefined;
  const parts = failed.slice(0, 5).map((r) => `${r.fileName ?? 'script'}: ${r.error!.kind} — ${r.error!.message}`);
  const more = failed.length > 5 ? ` (and ${failed.length - 5} more)` : '';
  return new KeyriteError('AUDIT_SCRIPT_ERROR', `${failed.length} audit script${failed.length === 1 ? '' : 's'} did not complete: ${parts.join(' ')}${more}`);
}
