/**
 * Rehearsal to live: every difference between two parsed ceremony scripts, and whether the
 * rehearsal is allowed to differ there, so that the script rehearsed is the one run live
 * (docs/CEREMONY-SCRIPTS.md, "Rehearsal and live scripts compared").
 *
 * The parsed scripts are compared, not their text: comments, key order, flow or block style and
 * positions do not count. A rehearsal may differ only in
 *  - `mode` and `airGap` (the air-gap policy),
 *  - anything under `tokens` (software tokens instead of PKCS#11 ones, the master key's label),
 *  - the entropy step's `sources` by the token's own generator (`hsm`) alone, which a software
 *    token has not,
 *  - text people read and nothing runs on: `name`, step titles and a revoke step's `reason` (the
 *    incident's own words; listed, so the room reads them).
 * Everything else — the kind, roles, quorum, algorithms, escrow, and each step's id, action,
 * actor, witness and parameters, their number and order — must be the same.
 */
import type { CeremonyStep, ParsedCeremonyScript } from './script.ts';

export interface ScriptDifference {
  /** Where: "mode", "tokens.master.token.kind", "steps[6] entropy.params.sources". */
  path: string;
  /** The value in each script as JSON, or "(absent)". */
  rehearsal: string;
  live: string;
  allowed: boolean;
  /** Why the rehearsal may differ here, or why it may not. */
  reason: string;
}

export interface ScriptSide {
  name: string;
  mode: string;
  sha256: string;
  hexGroups: string;
  words: string[];
}

export interface ScriptDiff {
  rehearsal: ScriptSide;
  live: ScriptSide;
  differences: ScriptDifference[];
  /** True when every difference is allowed. */
  ok: boolean;
}

const ABSENT = '(absent)';
/** Where a step starts in its file: not part of what the script says. */
const POSITION_KEYS = new Set(['line', 'column']);

const NOT_ALLOWED = 'the rehearsal must run what the live ceremony runs';

function show(v: unknown): string {
  return v === undefined ? ABSENT : JSON.stringify(v);
}

/** Whether a difference at `path` (segments, step indexes as numbers) is one a rehearsal may have. */
function allowance(path: readonly (string | number)[]): { allowed: boolean; reason: string } {
  const [head, , field] = path;
  if (head === 'mode') return { allowed: true, reason: 'the mode: a rehearsal says rehearsal' };
  if (head === 'airGap') return { allowed: true, reason: 'the air-gap policy: a rehearsal may only warn' };
  if (head === 'tokens') return { allowed: true, reason: 'the tokens: a rehearsal may use software tokens' };
  if (head === 'name') return { allowed: true, reason: 'text only: the name people read' };
  if (head === 'steps' && field === 'title' && path.length === 3) return { allowed: true, reason: 'text only: the title people read' };
  if (head === 'steps' && field === 'params' && path[3] === 'reason' && path.length === 4) return { allowed: true, reason: "text only: a revocation's reason, the incident's own words" };
  return { allowed: false, reason: NOT_ALLOWED };
}

/** The step's label in a path: its index and its id. */
const stepLabel = (i: number, a: CeremonyStep | undefined, b: CeremonyStep | undefined): string => `steps[${i + 1}] ${a?.id ?? b?.id}`;

function pathText(path: readonly (string | number)[], labels: Map<number, string>): string {
  let out = '';
  for (let i = 0; i < path.length; i++) {
    const p = path[i]!;
    if (i === 1 && path[0] === 'steps' && typeof p === 'number') out = labels.get(p)!;
    else if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? p : `.${p}`;
  }
  return out;
}

/** Entropy sources that differ by the token's own generator alone. */
function onlyHsmDiffers(a: unknown, b: unknown): boolean {
  if (!Array.isArray(a) || !Array.isArray(b)) return false;
  const withoutHsm = (x: unknown[]) => x.filter((s) => s !== 'hsm');
  return JSON.stringify(withoutHsm(a)) === JSON.stringify(withoutHsm(b));
}

export function diffScripts(rehearsal: ParsedCeremonyScript, live: ParsedCeremonyScript): ScriptDiff {
  const differences: ScriptDifference[] = [];
  const labels = new Map<number, string>();
  const steps = Math.max(rehearsal.script.steps.length, live.script.steps.length);
  for (let i = 0; i < steps; i++) labels.set(i, stepLabel(i, rehearsal.script.steps[i], live.script.steps[i]));

  const add = (path: (string | number)[], a: unknown, b: unknown, rule = allowance(path)): void => {
    differences.push({ path: pathText(path, labels), rehearsal: show(a), live: show(b), ...rule });
  };

  const walk = (path: (string | number)[], a: unknown, b: unknown): void => {
    if (path.length === 4 && path[0] === 'steps' && path[2] === 'params' && path[3] === 'sources' && JSON.stringify(a) !== JSON.stringify(b)) {
      return add(path, a, b, onlyHsmDiffers(a, b) ? { allowed: true, reason: 'the token’s own generator (hsm): a software token has none' } : { allowed: false, reason: NOT_ALLOWED });
    }
    const objects = typeof a === 'object' && a !== null && typeof b === 'object' && b !== null;
    if (objects && Array.isArray(a) === Array.isArray(b)) {
      const keys = Array.isArray(a) ? Array.from({ length: Math.max(a.length, (b as unknown[]).length) }, (_, i) => i) : [...new Set([...Object.keys(a), ...Object.keys(b)])];
      for (const k of keys) {
        if (typeof k === 'string' && POSITION_KEYS.has(k)) continue;
        walk([...path, k], (a as Record<string | number, unknown>)[k], (b as Record<string | number, unknown>)[k]);
      }
      return;
    }
    if (JSON.stringify(a) !== JSON.stringify(b)) add(path, a, b);
  };
  walk([], rehearsal.script, live.script);

  const side = (p: ParsedCeremonyScript): ScriptSide => ({ name: p.script.name, mode: p.script.mode, sha256: p.hashHex, hexGroups: p.hashHexGroups, words: [...p.hashWords] });
  return { rehearsal: side(rehearsal), live: side(live), differences, ok: differences.every((d) => d.allowed) };
}
