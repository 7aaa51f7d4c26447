/**
 * What the audit-script sandbox (sandbox.ts) promises its callers, without the engine: the
 * limits and their ranges, the result and error shapes, script names and check prefixes, and
 * the data-loading allowance. The Node runner (core/node/audit-runner.ts) needs only these and
 * runs the engine in a worker, so `keyrite verify` loads QuickJS only when it runs a script.
 */
import { KeyriteError } from '../errors.ts';
import { AUDIT_DEFAULT_MEMORY_BYTES, AUDIT_MAX_MEMORY_BYTES } from './view.ts';

const MiB = 1024 * 1024;
const KiB = 1024;

export interface AuditLimits {
  /** Wall-clock time for the script inside the VM, in ms (loading the bundle data has its own allowance, auditLoadAllowanceMs). Default 5000. */
  readonly timeMs: number;
  /** Memory for the VM heap, bundle copy included, in bytes. Default 64 MiB. */
  readonly memoryBytes: number;
  /** QuickJS stack limit in bytes. Default 512 KiB. */
  readonly stackBytes: number;
  /** Most check() calls accepted. Default 1000. */
  readonly maxChecks: number;
  /** Most log lines kept (the rest are counted, not kept). Default 100. */
  readonly maxLogLines: number;
  /** Longest log line kept, in characters. Default 500. */
  readonly maxLogLineChars: number;
  /** Longest script accepted, in characters. Default 1 MiB. */
  readonly maxSourceChars: number;
}

export const DEFAULT_AUDIT_LIMITS: AuditLimits = Object.freeze({
  timeMs: 5000,
  memoryBytes: AUDIT_DEFAULT_MEMORY_BYTES,
  stackBytes: 512 * KiB,
  maxChecks: 1000,
  maxLogLines: 100,
  maxLogLineChars: 500,
  maxSourceChars: MiB,
});

/** Accepted range of each limit. The stack cap keeps QuickJS's check ahead of the host's own stack in a worker (audit-runner.ts). */
export const AUDIT_LIMIT_RANGES: { readonly [K in keyof AuditLimits]: readonly [number, number] } = Object.freeze({
  timeMs: [1, 10 * 60 * 1000],
  memoryBytes: [8 * MiB, AUDIT_MAX_MEMORY_BYTES],
  stackBytes: [64 * KiB, MiB],
  maxChecks: [1, 100_000],
  maxLogLines: [0, 10_000],
  maxLogLineChars: [16, 100_000],
  maxSourceChars: [1, 16 * MiB],
});

/** Returns complete limits from defaults and `overrides`; throws INVALID_INPUT for a value out of range. */
export function resolveAuditLimits(overrides: Partial<AuditLimits> = {}): AuditLimits {
  if (overrides === null || typeof overrides !== 'object') throw new KeyriteError('INVALID_INPUT', 'The audit script limits must be an object.');
  const out: Record<string, number> = { ...DEFAULT_AUDIT_LIMITS };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    const range = (AUDIT_LIMIT_RANGES as Record<string, readonly [number, number]>)[name];
    if (range === undefined) throw new KeyriteError('INVALID_INPUT', `Unknown audit script limit "${name}" (known: ${Object.keys(DEFAULT_AUDIT_LIMITS).join(', ')}).`);
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < range[0] || value > range[1]) {
      throw new KeyriteError('INVALID_INPUT', `The audit script limit ${name} must be a whole number from ${range[0]} to ${range[1]}.`);
    }
    out[name] = value;
  }
  return Object.freeze(out as unknown as AuditLimits);
}

export interface AuditCheck {
  /** "audit:<file name>: <name given by the script>". */
  readonly name: string;
  readonly ok: boolean;
  readonly reason: string;
}

export type AuditScriptErrorKind =
  | 'timeout' // the time limit was reached (in the VM, or the worker was killed by the watchdog)
  | 'memory' // the memory limit was reached
  | 'stack' // calls or expressions nested too deeply
  | 'exception' // the script threw (syntax errors included) or its promise was rejected
  | 'invalid-result' // bad check() call, duplicate or too many checks, no check at all, promise never settled
  | 'invalid-script' // the source cannot be run: too long, NUL character, not Unicode, not UTF-8
  | 'crash'; // the engine or the worker failed (a bug, not the script's doing)

export interface AuditScriptError {
  readonly kind: AuditScriptErrorKind;
  /** One sentence for the auditor. May quote the script's own error text (sanitised). */
  readonly message: string;
}

export interface AuditScriptResult {
  /** True only when there is no error and every check passed. */
  readonly ok: boolean;
  /** The checks recorded, in call order (kept even when an error follows). */
  readonly checks: readonly AuditCheck[];
  /** Captured console lines, control characters escaped; bounded by the limits. */
  readonly logs: readonly string[];
  /** Present when the script did not complete as the contract asks: report it as an audit script error. */
  readonly error?: AuditScriptError;
  /** Wall-clock duration of the run, in ms (informational). */
  readonly ms: number;
}

/** Script file names: what namespaces the checks, so kept plain. */
export const AUDIT_SCRIPT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export function assertAuditScriptName(fileName: unknown): asserts fileName is string {
  if (typeof fileName !== 'string' || !AUDIT_SCRIPT_NAME.test(fileName)) {
    throw new KeyriteError('INVALID_INPUT', 'An audit script file name must be 1 to 100 letters, digits, ".", "_" or "-" (no folder), starting with a letter or digit.');
  }
}

/** Prefix of every check name an audit script records. */
export function auditCheckPrefix(fileName: string): string {
  return `audit:${fileName}: `;
}

/** Loading the bundle data: a fixed part, and a part per started MiB of its JSON (measured: 0.15–0.3 s per MiB). */
const LOAD_BASE_MS = 1000;
const LOAD_MS_PER_MIB = 1000;

/**
 * Time allowed to load `bundleJsonLength` characters of bundle data into the VM, before the
 * script's own time limit starts: the data is the bundle's, not the script's doing, and a
 * big transcript takes seconds to load.
 */
export function auditLoadAllowanceMs(bundleJsonLength: number): number {
  return LOAD_BASE_MS + LOAD_MS_PER_MIB * Math.ceil(bundleJsonLength / MiB);
}
