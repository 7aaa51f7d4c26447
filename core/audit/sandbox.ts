/**
 * The audit-script sandbox (DESIGN.md, "Verifier"; docs/AUDIT-SCRIPTS.md): runs one
 * auditor-written JavaScript file against a read-only view of a bundle, in QuickJS compiled
 * to WebAssembly (quickjs-emscripten, RELEASE_SYNC: Bellard's QuickJS without quickjs-libc,
 * so no `std`, `os`, files, timers or network exist inside).
 *
 * Each script gets a fresh WebAssembly instance, runtime and context, and these limits:
 *  - time: an interrupt handler stops the VM at the deadline (it also covers the regexp
 *    engine): loading the bundle data has an allowance for its size, then the script has
 *    its time limit; the Node adapter adds a watchdog that kills the worker if even that fails;
 *  - memory: the instance's linear memory is a fixed-size WebAssembly.Memory that cannot grow
 *    (QuickJS's own setMemoryLimit is also set, but in this build it bounds each allocation,
 *    not their total: QuickJS counts usable sizes, which Emscripten reports as 0 —
 *    quickjs-emscripten issues #255, #271);
 *  - stack: QuickJS's stack limit; if the host's own stack runs out first (deep parser
 *    recursion uses far more native stack than QuickJS measures), the host RangeError is
 *    caught and reported as a stack error, and the instance is discarded.
 * A failed instance is never reused: it is dropped with its memory.
 *
 * The script sees `bundle`, `check`, `keyrite`, `console` and the standard library, with
 * `Date` frozen and `Math.random` seeded (prelude.ts). Contract: the script calls
 * `check(name, ok, reason?)` at least once; its completion value is ignored, except that a
 * promise is awaited (pending jobs run until it settles). A throw, an invalid `check` call,
 * no check at all, or a limit reached is an error result. Check names come back namespaced
 * as "audit:<file name>: <name>", so no script can pose as a built-in check or as another
 * script.
 */
import { newQuickJSWASMModule, newVariant, RELEASE_SYNC } from 'quickjs-emscripten';
import type { EmscriptenModuleLoaderOptions, QuickJSContext, QuickJSHandle, QuickJSRuntime, QuickJSSyncVariant } from 'quickjs-emscripten';
import { KeyriteError } from '../errors.ts';
import { utf8 } from '../bytes.ts';
import { sha256 } from '../crypto/hash.ts';
import { ed25519Verify, ED25519_PUBLIC_KEY_LENGTH } from '../crypto/ed25519.ts';
import { fromHex, toHex } from '../encoding/hex.ts';
import { canonicalize } from '../encoding/jcs.ts';
import { displayField } from '../encoding/display.ts';
import { parseJsonStrict } from '../encoding/json.ts';
import { AUDIT_PRELUDE_FILE_NAME, AUDIT_PRELUDE_SOURCE } from './prelude.ts';
import { AUDIT_MAX_MEMORY_BYTES, auditClock, auditViewTooLargeMessage, serializeAuditBundle } from './view.ts';
import type { AuditBundleView } from './view.ts';
import { assertAuditScriptName, auditCheckPrefix, auditLoadAllowanceMs, resolveAuditLimits } from './limits.ts';
import type { AuditCheck, AuditLimits, AuditScriptError, AuditScriptErrorKind, AuditScriptResult } from './limits.ts';

export type { AuditBundleView, AuditCheckView, AuditFileView, JsonObject, JsonPrimitive, JsonValue } from './view.ts';
export { auditClock, serializeAuditBundle } from './view.ts';
export { AUDIT_LIMIT_RANGES, AUDIT_SCRIPT_NAME, DEFAULT_AUDIT_LIMITS, assertAuditScriptName, auditCheckPrefix, auditLoadAllowanceMs, resolveAuditLimits } from './limits.ts';
export type { AuditCheck, AuditLimits, AuditScriptError, AuditScriptErrorKind, AuditScriptResult } from './limits.ts';

const MiB = 1024 * 1024;
const KiB = 1024;

export interface AuditScriptInput {
  /** The script text (already decoded from UTF-8). */
  readonly source: string;
  /** The script's file name (no folder), e.g. "every-trustee-checked-in.js": names its checks and its stack frames. */
  readonly fileName: string;
  readonly bundle: AuditBundleView;
  readonly limits?: Partial<AuditLimits>;
  /** Overrides the frozen clock (ms since 1970); default auditClock(bundle). */
  readonly fixedTime?: number;
  /** Called once the engine is loaded, just before the bundle data is loaded under its allowance (the Node watchdog uses it). */
  readonly onStart?: () => void;
  /** Called once the bundle data is loaded, just before the script runs and its time limit starts (the Node watchdog uses it). */
  readonly onLoaded?: () => void;
  /** Called with each check as the script records it, so a watchdog that kills the run still has them. */
  readonly onCheck?: (check: AuditCheck) => void;
  /** Another build of QuickJS (e.g. a single-file variant for verify.html); default RELEASE_SYNC. */
  readonly engine?: QuickJSSyncVariant;
}


const MAX_CHECK_NAME = 120;
const MAX_CHECK_REASON = 500;
/** Letters, marks, digits, punctuation, symbols and the plain space: no controls, no bidi or zero-width characters, no line breaks. */
const CHECK_TEXT = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]*$/u;
/** With the u flag, a paired surrogate is one astral code point: only lone surrogates are Cs. */
const LONE_SURROGATE = /\p{Cs}/u;
const LOG_LEVELS = new Set(['log', 'info', 'warn', 'error', 'debug']);
/** Linear memory besides the heap: static data and the 5 MiB C stack of this build, plus slack. */
const ENGINE_RESERVE_BYTES = 8 * MiB;
const WASM_PAGE = 64 * KiB;
const MIN_ENGINE_PAGES = (16 * MiB) / WASM_PAGE;
/** Time allowed after the run to read the error out of the VM (getters may run), in ms. */
const EXTRACT_BUDGET_MS = 250;

function checkTextProblem(text: string, what: string, max: number, required: boolean): string | undefined {
  if (required && text.length === 0) return `an empty ${what}`;
  if (text.length > max) return `a ${what} longer than ${max} characters`;
  if (!CHECK_TEXT.test(text)) return `a ${what} containing control, invisible or line-break characters`;
  if (text !== text.trim()) return `a ${what} that starts or ends with a space`;
  return undefined;
}

function sourceProblem(source: string, limits: AuditLimits): string | undefined {
  if (source.length > limits.maxSourceChars) return `The script is ${source.length} characters long; the limit is ${limits.maxSourceChars}.`;
  if (source.includes('\u0000')) return 'The script contains a NUL character, so it is not a text file.';
  if (LONE_SURROGATE.test(source)) return 'The script contains a lone surrogate, so it is not Unicode text.';
  return undefined;
}

/** Four 32-bit words from SHA-256(source): the Math.random seed. */
function seedWords(source: string): [number, number, number, number] {
  const h = sha256(utf8(source));
  const w = (i: number) => ((h[i]! << 24) | (h[i + 1]! << 16) | (h[i + 2]! << 8) | h[i + 3]!) >>> 0;
  return [w(0), w(4), w(8), w(12)];
}

function failure(kind: AuditScriptErrorKind, message: string, started: number): AuditScriptResult {
  return Object.freeze({ ok: false, checks: Object.freeze([]), logs: Object.freeze([]), error: Object.freeze({ kind, message }), ms: Date.now() - started });
}

/**
 * Runs one audit script. Resolves with a result for everything the script can cause
 * (including timeouts, memory exhaustion and engine failures); throws KeyriteError
 * INVALID_INPUT only for the caller's mistakes (bad file name, limits or bundle view).
 */
export async function runAuditScript(input: AuditScriptInput): Promise<AuditScriptResult> {
  const started = Date.now();
  if (input === null || typeof input !== 'object') throw new KeyriteError('INVALID_INPUT', 'runAuditScript needs { source, fileName, bundle }.');
  assertAuditScriptName(input.fileName);
  if (typeof input.source !== 'string') throw new KeyriteError('INVALID_INPUT', 'The audit script source must be a string.');
  const limits = resolveAuditLimits(input.limits);
  let bundleJson: string;
  try {
    bundleJson = serializeAuditBundle(input.bundle, limits.memoryBytes);
  } catch (e) {
    if (e instanceof KeyriteError && e.code === 'AUDIT_SCRIPT_ERROR') return failure('memory', e.message, started);
    throw e;
  }
  const fixedTime = input.fixedTime ?? auditClock(input.bundle);
  if (typeof fixedTime !== 'number' || !Number.isSafeInteger(fixedTime) || Math.abs(fixedTime) > 8.64e15) {
    throw new KeyriteError('INVALID_INPUT', 'The audit script clock must be a whole number of milliseconds within the range of Date.');
  }
  const problem = sourceProblem(input.source, limits);
  if (problem !== undefined) return failure('invalid-script', problem, started);
  return new AuditSession(input, limits, bundleJson, fixedTime, started).run();
}

type Phase = 'load' | 'setup' | 'script' | 'extract' | 'done';

class AuditSession {
  private readonly checks: AuditCheck[] = [];
  private readonly names = new Set<string>();
  private readonly logs: string[] = [];
  private droppedLogs = 0;
  private invalid: string | undefined;
  private phase: Phase = 'load';
  private deadline = 0;
  /** The phase the interrupt handler stopped, if it did. */
  private interrupted: 'setup' | 'script' | undefined;
  private memoryRefused = false;
  private readonly engineOutput: string[] = [];
  private readonly prefix: string;

  constructor(
    private readonly input: AuditScriptInput,
    private readonly limits: AuditLimits,
    private readonly bundleJson: string,
    private readonly fixedTime: number,
    private readonly started: number,
  ) {
    this.prefix = auditCheckPrefix(input.fileName);
  }

  async run(): Promise<AuditScriptResult> {
    let rt: QuickJSRuntime | undefined;
    let ctx: QuickJSContext | undefined;
    let healthy = true;
    try {
      const qjs = await newQuickJSWASMModule(this.engineVariant());
      rt = qjs.newRuntime();
      rt.setMemoryLimit(this.limits.memoryBytes);
      rt.setMaxStackSize(this.limits.stackBytes);
      ctx = rt.newContext();
      this.input.onStart?.();
      this.phase = 'setup';
      this.deadline = Date.now() + auditLoadAllowanceMs(this.bundleJson.length);
      rt.setInterruptHandler(() => {
        if (Date.now() <= this.deadline) return false;
        if (this.phase === 'setup' || this.phase === 'script') this.interrupted ??= this.phase;
        return true;
      });
      const error = this.evaluate(rt, ctx);
      // A bad check() call the script did not catch surfaces as an exception: name the cause.
      if (error !== undefined && !(error.kind === 'exception' && this.invalid !== undefined)) return this.finish(error);
      return this.finish(this.contractError());
    } catch (e) {
      healthy = false;
      return this.finish(this.hostFailure(e));
    } finally {
      this.phase = 'done';
      // Disposing a runtime whose heap is exhausted or whose C stack was unwound by a host
      // exception can abort inside the engine; the instance is dropped either way.
      if (healthy && !this.memoryRefused) {
        try {
          ctx?.dispose();
          rt?.dispose();
        } catch {
          /* the instance and its memory are garbage now */
        }
      }
    }
  }

  /** A fixed-size linear memory, watched for refused growth (the heap is full). */
  private engineVariant(): QuickJSSyncVariant {
    // This build also needs at least its own initial memory (16 MiB).
    const pages = Math.max(MIN_ENGINE_PAGES, Math.ceil((this.limits.memoryBytes + ENGINE_RESERVE_BYTES) / WASM_PAGE));
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    const grow = memory.grow.bind(memory);
    Object.defineProperty(memory, 'grow', {
      value: (delta: number) => {
        try {
          return grow(delta);
        } catch (e) {
          this.memoryRefused = true;
          throw e;
        }
      },
    });
    const note = (text: unknown) => {
      if (this.engineOutput.length < 8) this.engineOutput.push(displayField(String(text), 200));
    };
    // print/printErr are Emscripten module options the typings do not list: engine output
    // (e.g. "Aborted(…)") is kept for the crash message instead of reaching stdout/stderr.
    const emscriptenModule = { print: note, printErr: note } as unknown as EmscriptenModuleLoaderOptions;
    return newVariant(this.input.engine ?? RELEASE_SYNC, { wasmMemory: memory, emscriptenModule });
  }

  /** Sets up the globals and runs the script; returns the error, if any. */
  private evaluate(rt: QuickJSRuntime, ctx: QuickJSContext): AuditScriptError | undefined {
    const setupError = this.installPrelude(ctx);
    if (setupError !== undefined) return setupError;
    this.input.onLoaded?.();
    this.phase = 'script';
    this.deadline = Date.now() + this.limits.timeMs;
    const r = ctx.evalCode(this.input.source, this.input.fileName, { type: 'global', strict: true });
    if (r.error) return this.describe(ctx, r.error, true);
    const completion = r.value;
    try {
      const jobs = rt.executePendingJobs();
      if (jobs.error) return this.describe(ctx, jobs.error, true);
      // An interrupted job does not always come back as an error: the flag is the authority.
      if (this.interrupted !== undefined) return this.timeoutError();
      const state = ctx.getPromiseState(completion);
      if (state.type === 'pending') {
        return { kind: 'invalid-result', message: 'The script returned a promise that never settled (the sandbox has no timers or I/O to wait for).' };
      }
      if (state.type === 'rejected') return this.describe(ctx, state.error, true, 'the promise the script returned was rejected with');
      if (!state.notAPromise) state.value.dispose();
      return undefined;
    } finally {
      completion.dispose();
    }
  }

  private installPrelude(ctx: QuickJSContext): AuditScriptError | undefined {
    const made: QuickJSHandle[] = [];
    const keep = (h: QuickJSHandle) => (made.push(h), h);
    try {
      const fnResult = ctx.evalCode(AUDIT_PRELUDE_SOURCE, AUDIT_PRELUDE_FILE_NAME, { type: 'global', strict: true });
      if (fnResult.error) return this.setupFailure(ctx, fnResult.error);
      const fn = keep(fnResult.value);
      const seed = seedWords(this.input.source);
      // The bundle text is copied into the VM heap here: the first place a big view meets the memory limit.
      const bundleText = keep(ctx.newString(this.bundleJson));
      if (ctx.typeof(bundleText) !== 'string') return this.bundleTooLarge();
      const args = [
        keep(ctx.newFunction('check', (...a) => this.hostCheck(ctx, a))),
        keep(ctx.newFunction('log', (...a) => this.hostLog(ctx, a))),
        keep(ctx.newFunction('sha256Hex', (...a) => this.hostPure(ctx, a, 1, ([text]) => ctx.newString(toHex(sha256(utf8(text!))))))),
        keep(ctx.newFunction('canonicalJson', (...a) => this.hostPure(ctx, a, 1, ([text]) => ctx.newString(canonicalJsonOf(text!))))),
        keep(ctx.newFunction('verifyEd25519', (...a) => this.hostPure(ctx, a, 3, ([pub, msg, sig]) => (verifyEd25519Hex(pub!, msg!, sig!) ? ctx.true : ctx.false)))),
        bundleText,
        keep(ctx.newNumber(this.fixedTime)),
        ...seed.map((w) => keep(ctx.newNumber(w))),
        keep(ctx.newNumber(this.limits.maxLogLineChars)),
      ];
      const r = ctx.callFunction(fn, ctx.undefined, args);
      if (r.error) return this.setupFailure(ctx, r.error);
      r.value.dispose();
      return undefined;
    } finally {
      for (const h of made) if (h.alive) h.dispose();
    }
  }

  private setupFailure(ctx: QuickJSContext, handle: QuickJSHandle): AuditScriptError {
    const e = this.describe(ctx, handle, false);
    if (e.kind === 'memory') return this.bundleTooLarge();
    if (e.kind === 'timeout' || e.kind === 'stack') return e;
    return { kind: 'crash', message: `The sandbox could not be set up: ${e.message}` };
  }

  private bundleTooLarge(): AuditScriptError {
    return { kind: 'memory', message: auditViewTooLargeMessage(this.bundleJson.length, this.limits.memoryBytes) };
  }

  /** check(nameType, name, ok, reasonType, reason) from the prelude. */
  private hostCheck(ctx: QuickJSContext, a: QuickJSHandle[]): QuickJSHandle {
    const problem = this.recordCheck(ctx, a);
    if (problem !== undefined) {
      this.invalid ??= `The script called check() with ${problem}.`;
      throw new TypeError(`check(): ${problem}.`);
    }
    return ctx.undefined;
  }

  private recordCheck(ctx: QuickJSContext, a: QuickJSHandle[]): string | undefined {
    const nameType = readAscii(ctx, a[0]);
    const name = readEncoded(ctx, a[1]);
    const okHandle = a[2];
    const reasonType = readAscii(ctx, a[3]);
    const reasonText = readEncoded(ctx, a[4]);
    if (nameType !== 'string') return `a name that is not a string (${nameType ?? 'unknown'})`;
    if (name === undefined) return 'a name that is not Unicode text';
    const nameProblem = checkTextProblem(name, 'name', MAX_CHECK_NAME, true);
    if (nameProblem !== undefined) return nameProblem;
    if (okHandle === undefined || ctx.typeof(okHandle) !== 'boolean') return `a result that is not true or false for "${name}"`;
    const ok = ctx.sameValue(okHandle, ctx.true);
    let reason = '';
    if (reasonType === 'string') {
      if (reasonText === undefined) return `a reason that is not Unicode text for "${name}"`;
      const reasonProblem = checkTextProblem(reasonText, 'reason', MAX_CHECK_REASON, false);
      if (reasonProblem !== undefined) return `${reasonProblem} for "${name}"`;
      reason = reasonText;
    } else if (reasonType !== 'undefined') {
      return `a reason that is not a string for "${name}"`;
    }
    if (this.names.has(name)) return `the name "${name}" a second time (check names must be unique)`;
    if (this.checks.length >= this.limits.maxChecks) return `more than ${this.limits.maxChecks} checks`;
    this.names.add(name);
    const recorded = Object.freeze({ name: this.prefix + name, ok, reason: reason !== '' || ok ? reason : 'the audit script gave no reason' });
    this.checks.push(recorded);
    this.input.onCheck?.(recorded);
    return undefined;
  }

  private hostLog(ctx: QuickJSContext, a: QuickJSHandle[]): QuickJSHandle {
    const level = readAscii(ctx, a[0]);
    const text = readEncoded(ctx, a[1]);
    if (level === undefined || !LOG_LEVELS.has(level) || text === undefined) return ctx.undefined;
    if (this.logs.length >= this.limits.maxLogLines) {
      this.droppedLogs++;
      return ctx.undefined;
    }
    const line = displayField(text, this.limits.maxLogLineChars);
    this.logs.push(level === 'log' || level === 'info' ? line : `${level}: ${line}`);
    return ctx.undefined;
  }

  /** A pure helper: `count` percent-encoded string arguments in, a handle out; Keyrite errors become TypeErrors in the VM. */
  private hostPure(ctx: QuickJSContext, a: QuickJSHandle[], count: number, fn: (args: string[]) => QuickJSHandle): QuickJSHandle {
    const args: string[] = [];
    for (let i = 0; i < count; i++) {
      const s = readEncoded(ctx, a[i]);
      if (s === undefined) throw new TypeError('keyrite helper: expected a string argument.');
      args.push(s);
    }
    try {
      return fn(args);
    } catch (e) {
      throw new TypeError(e instanceof KeyriteError ? e.message : 'keyrite helper failed.', { cause: e });
    }
  }

  /** What went wrong, from a thrown VM value. `byScript`: thrown while the script ran (vs. during setup). */
  private describe(ctx: QuickJSContext, handle: QuickJSHandle, byScript: boolean, context = 'the script threw'): AuditScriptError {
    try {
      if (this.interrupted !== undefined) return this.timeoutError();
      this.phase = 'extract';
      this.deadline = Date.now() + EXTRACT_BUDGET_MS;
      const type = ctx.typeof(handle);
      if (type === 'object') {
        const name = readStringProp(ctx, handle, 'name');
        const message = readStringProp(ctx, handle, 'message');
        if (message === 'out of memory' && name === 'InternalError') return this.memoryError();
        if (message === 'stack overflow' && (name === 'InternalError' || name === 'SyntaxError' || name === 'RangeError')) return this.stackError();
        if (message === undefined && this.memoryRefused) return this.memoryError();
        if (message === undefined) {
          const isNull = ctx.sameValue(handle, ctx.null);
          return { kind: 'exception', message: `${capital(context)} ${isNull ? 'null' : 'an object that is not an Error'}.` };
        }
        const stack = readStringProp(ctx, handle, 'stack');
        const where = stack !== undefined && byScript ? locate(stack, this.input.fileName) : undefined;
        const text = displayField(name !== undefined && name !== '' ? `${name}: ${message}` : message, 400).replace(/[.\s]+$/, '');
        return { kind: 'exception', message: `${capital(context)} ${text}${where !== undefined ? ` (at ${where})` : ''}.` };
      }
      if (type === 'string') return { kind: 'exception', message: `${capital(context)} the string “${displayField(ctx.getString(handle), 200)}”.` };
      if (type === 'number' || type === 'boolean' || type === 'undefined' || type === 'bigint' || type === 'symbol') {
        return { kind: 'exception', message: `${capital(context)} a value of type ${type}.` };
      }
      if (this.memoryRefused) return this.memoryError();
      return { kind: 'exception', message: `${capital(context)} a value that cannot be described.` };
    } catch (e) {
      return this.hostFailure(e);
    } finally {
      if (handle.alive) handle.dispose();
    }
  }

  /** A host exception escaped the engine: the host stack ran out, or the instance failed. */
  private hostFailure(e: unknown): AuditScriptError {
    if (this.phase === 'load') {
      return { kind: 'crash', message: `The script engine could not be started: ${displayField(e instanceof Error ? `${e.name}: ${e.message}` : String(e), 300)}` };
    }
    if (this.interrupted !== undefined) return this.timeoutError();
    if (e instanceof RangeError && /call stack/i.test(e.message)) return this.stackError();
    // During setup the only large thing in the VM is the bundle data.
    if (this.memoryRefused) return this.phase === 'setup' ? this.bundleTooLarge() : this.memoryError();
    const detail = [e instanceof Error ? `${e.name}: ${e.message}` : String(e), ...this.engineOutput].join(' / ');
    return { kind: 'crash', message: `The script engine failed: ${displayField(detail, 300)}` };
  }

  private timeoutError(): AuditScriptError {
    if (this.interrupted === 'setup') {
      return { kind: 'timeout', message: `Loading the bundle data (${this.bundleJson.length} characters of JSON) took longer than its allowance of ${auditLoadAllowanceMs(this.bundleJson.length)} ms and was stopped.` };
    }
    return { kind: 'timeout', message: `The script ran past its time limit of ${this.limits.timeMs} ms and was stopped.` };
  }

  private memoryError(): AuditScriptError {
    return {
      kind: 'memory',
      message: `The script used more than its memory limit of ${fmtBytes(this.limits.memoryBytes)} and was stopped (keyrite verify --script-memory MIB raises the limit, up to ${AUDIT_MAX_MEMORY_BYTES / MiB} MiB).`,
    };
  }

  private stackError(): AuditScriptError {
    return { kind: 'stack', message: `The script nested calls or expressions too deeply (stack limit ${fmtBytes(this.limits.stackBytes)}) and was stopped.` };
  }

  /** After a clean run: the rules of the contract. */
  private contractError(): AuditScriptError | undefined {
    if (this.invalid !== undefined) return { kind: 'invalid-result', message: this.invalid };
    if (this.checks.length === 0) return { kind: 'invalid-result', message: 'The script recorded no checks: it must call check(name, ok, reason) at least once.' };
    return undefined;
  }

  private finish(error: AuditScriptError | undefined): AuditScriptResult {
    this.phase = 'done';
    const logs = [...this.logs];
    if (this.droppedLogs > 0) logs.push(`… ${this.droppedLogs} more log line${this.droppedLogs === 1 ? '' : 's'} not kept`);
    const checks = Object.freeze([...this.checks]);
    return Object.freeze({
      ok: error === undefined && checks.every((c) => c.ok),
      checks,
      logs: Object.freeze(logs),
      ...(error !== undefined ? { error: Object.freeze({ ...error }) } : {}),
      ms: Date.now() - this.started,
    });
  }
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function fmtBytes(n: number): string {
  return n % MiB === 0 ? `${n / MiB} MiB` : n % KiB === 0 ? `${n / KiB} KiB` : `${n} bytes`;
}

/** A short ASCII string argument written by the prelude (a typeof result or a log level). */
function readAscii(ctx: QuickJSContext, h: QuickJSHandle | undefined): string | undefined {
  if (h === undefined || ctx.typeof(h) !== 'string') return undefined;
  const s = ctx.getString(h);
  return /^[a-z]{1,16}$/.test(s) ? s : undefined;
}

/** A percent-encoded string argument (see prelude.ts), decoded exactly; undefined if absent or malformed. */
function readEncoded(ctx: QuickJSContext, h: QuickJSHandle | undefined): string | undefined {
  if (h === undefined || ctx.typeof(h) !== 'string') return undefined;
  try {
    return decodeURIComponent(ctx.getString(h));
  } catch {
    return undefined;
  }
}

function readStringProp(ctx: QuickJSContext, obj: QuickJSHandle, key: string): string | undefined {
  try {
    const h = ctx.getProp(obj, key);
    try {
      return ctx.typeof(h) === 'string' ? ctx.getString(h) : undefined;
    } finally {
      h.dispose();
    }
  } catch {
    return undefined;
  }
}

/** "file.js:12:5" from the first stack frame in the script itself. */
function locate(stack: string, fileName: string): string | undefined {
  for (const line of stack.split('\n')) {
    const m = /\(?([^\s()]+):(\d+):(\d+)\)?\s*$/.exec(line.trim());
    if (m !== null && m[1] === fileName) return `${fileName}:${m[2]}:${m[3]}`;
  }
  return undefined;
}

/** keyrite.canonicalJson on the host: strict JSON in (the VM wrote it), RFC 8785 out. */
function canonicalJsonOf(text: string): string {
  const value = parseJsonStrict(text, 'value given to keyrite.canonicalJson', { allowFloats: true, maxDepth: 128, maxLength: 16 * MiB });
  return canonicalize(value, { allowUnsafeIntegers: true, maxDepth: 128 });
}

/** keyrite.verifyEd25519 on the host: strict RFC 8032 verification of hex inputs. */
function verifyEd25519Hex(publicKeyHex: string, messageHex: string, signatureHex: string): boolean {
  if (messageHex.length > 32 * MiB) throw new KeyriteError('INVALID_INPUT', 'keyrite.verifyEd25519: the message is longer than 16 MiB.');
  const publicKey = fromHex(publicKeyHex, 'Ed25519 public key (keyrite.verifyEd25519)');
  if (publicKey.length !== ED25519_PUBLIC_KEY_LENGTH) throw new KeyriteError('INVALID_KEY', `keyrite.verifyEd25519: the public key must be ${ED25519_PUBLIC_KEY_LENGTH} bytes (64 hex digits).`);
  const message = fromHex(messageHex, 'message (keyrite.verifyEd25519)');
  const signature = fromHex(signatureHex, 'Ed25519 signature (keyrite.verifyEd25519)');
  return ed25519Verify(publicKey, message, signature);
}
