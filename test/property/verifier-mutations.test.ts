// Random mutations of the golden bundle against the verifier core (core/verifier/verify.ts).
// 1,100 runs in all, in three properties:
//  1. raw byte changes (flip, truncate, insert, delete, empty, remove, extra file) in any file,
//     bundle.json NOT updated: whatever the file, the bundle must be invalid;
//  2. transcript changes (line swaps / drops / duplicates / moves, a JSON value changed in a
//     line, with or without the hash chain recomputed after it, byte changes), with or without
//     bundle.json re-hashed: cheap to reject, so most of the runs are here;
//  3. structural changes elsewhere WITH bundle.json re-hashed (statement signatures removed,
//     duplicated, keyids swapped, corrupted, foreign ones added, payload changed; JWKS keys
//     swapped or changed; policy / escrow manifest values changed; PEMs replaced; checkpoint
//     roots, sizes and signature lines changed; bytes changed in files a signature or the
//     transcript binds), each chosen so it is a real change under the mode being checked.
// Every run must: not throw, give verdict invalid, have at least one check failing, and have no
// check whose detail says the verifier "could not read this part" (an unexpected exception in a
// check, i.e. a crash in disguise). The verifier runs on `keyrite verify`'s native SHA-256 and
// Ed25519 (whose verdicts equal noble's: test/unit/verifier/native-crypto.test.ts), a third
// cheaper per run than the noble Ed25519. Problems are collected over all runs and reported together
// (each with its mutation, reproducible from the golden bundle), and then fail the test.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { canonicalize } from '../../core/encoding/jcs.ts';
import { toHex } from '../../core/encoding/hex.ts';
import { leafHash } from '../../core/transcript/merkle.ts';
import { verifyBundle } from '../../core/verifier/verify.ts';
import { CACHED_VERIFIER_CRYPTO } from '../helpers/cached-verifier-crypto.ts';
import type { VerifyReport } from '../../core/verifier/report.ts';
import {
  goldenBundle,
  rehash,
  setStatementEnvelope,
  setText,
  setTranscriptLines,
  statementEnvelope,
  text,
  transcriptLines,
  type MutableBundle,
} from '../helpers/bundle-files.ts';

const MODES = ['hybrid', 'classical-only', 'pq-only'] as const;
type Mode = (typeof MODES)[number];
const CRASH_TEXT = 'could not read this part';

const GOLDEN = goldenBundle();
const PATHS = [...GOLDEN.keys()].sort();
const LINES = transcriptLines(GOLDEN);
const SIGS = statementEnvelope(GOLDEN).signatures;
const NOTES = PATHS.filter((p) => p.startsWith('checkpoints/'));
const PEMS = PATHS.filter((p) => p.endsWith('.spki.pem'));
/** Files bound byte for byte by the statement's subjects or the transcript (a re-hash cannot hide a change). */
const BOUND_FILES = ['transcript.jsonl', 'keys/jwks.json', 'keys/fingerprints.txt', 'escrow/manifest.json', 'policy.json', 'script.yaml', ...NOTES.slice(0, -1)];
const FINAL_NOTE = NOTES[NOTES.length - 1]!;

// ---------------------------------------------------------------------------------------------
// Outcome bookkeeping.

interface Tally {
  runs: number;
  problems: string[];
  /** Changes that leave a file meaning the same (e.g. bundle.json re-spaced): allowed to pass, counted. */
  benign: number;
  failedChecks: Map<string, number>;
}

function newTally(): Tally {
  return { runs: 0, problems: [], benign: 0, failedChecks: new Map() };
}

function judge(tally: Tally, mutation: unknown, files: MutableBundle, mode: Mode, mayBeValid = false): void {
  tally.runs++;
  const what = `${JSON.stringify(mutation)} mode=${mode}`;
  let report: VerifyReport;
  try {
    report = verifyBundle(files, { mode, crypto: CACHED_VERIFIER_CRYPTO });
  } catch (e) {
    tally.problems.push(`THREW ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)} :: ${what}`);
    return;
  }
  for (const c of report.checks) {
    if (c.detail.includes(CRASH_TEXT)) tally.problems.push(`CRASH IN CHECK ${c.name}: ${c.detail} :: ${what}`);
    if (c.status === 'fail') tally.failedChecks.set(c.name, (tally.failedChecks.get(c.name) ?? 0) + 1);
  }
  const anyFail = report.checks.some((c) => c.status === 'fail');
  if (report.verdict === 'invalid' && anyFail) return;
  if (mayBeValid && report.verdict === 'valid') {
    tally.benign++;
    return;
  }
  tally.problems.push(`${report.verdict === 'valid' ? 'ACCEPTED' : 'INVALID WITHOUT A FAILING CHECK'} :: ${what}`);
}

function finish(t: TestContext, tally: Tally, minRuns: number): void {
  const failed = [...tally.failedChecks.entries()].sort((a, b) => b[1] - a[1]).map(([n, k]) => `${n}=${k}`).join(' ');
  t.diagnostic(`${tally.runs} mutations; failing checks seen: ${failed}; benign (allowed to pass): ${tally.benign}`);
  assert.ok(tally.runs >= minRuns, `only ${tally.runs} runs`);
  const kinds = new Map<string, number>();
  for (const p of tally.problems) kinds.set(p.split(' ::')[0]!.split(':')[0]!, (kinds.get(p.split(' ::')[0]!.split(':')[0]!) ?? 0) + 1);
  assert.equal(
    tally.problems.length,
    0,
    `${tally.problems.length} of ${tally.runs} mutations were mishandled (${[...kinds].map(([k, n]) => `${k}: ${n}`).join(', ')}):\n${tally.problems.slice(0, 15).join('\n')}`,
  );
}

// ---------------------------------------------------------------------------------------------
// Byte operations.

type ByteOp =
  | { op: 'flip'; pos: number; xor: number }
  | { op: 'truncate'; keep: number }
  | { op: 'insert'; pos: number; bytes: number[] }
  | { op: 'delete'; pos: number; count: number }
  | { op: 'empty' };

const byteOpArb: fc.Arbitrary<ByteOp> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant('flip' as const), pos: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant('truncate' as const), keep: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('insert' as const), pos: fc.nat(), bytes: fc.array(fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x20, 0x0a, 0x0d, 0x22, 0x7b, 0x5d, 0x2c)), { minLength: 1, maxLength: 8 }) }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('delete' as const), pos: fc.nat(), count: fc.integer({ min: 1, max: 16 }) }), weight: 2 },
  { arbitrary: fc.constant({ op: 'empty' as const }), weight: 1 },
);

/** Applies `op`; the result always differs from `b` (truncate keeps at most length - 1 bytes). */
function applyByteOp(b: Uint8Array, op: ByteOp): Uint8Array {
  const n = b.length;
  switch (op.op) {
    case 'flip': {
      if (n === 0) return Uint8Array.of(op.xor);
      const out = b.slice();
      out[op.pos % n]! ^= op.xor;
      return out;
    }
    case 'truncate':
      return b.slice(0, n === 0 ? 0 : op.keep % n);
    case 'insert': {
      const at = op.pos % (n + 1);
      return Uint8Array.from([...b.subarray(0, at), ...op.bytes, ...b.subarray(at)]);
    }
    case 'delete': {
      if (n === 0) return Uint8Array.of(0x20);
      const at = op.pos % n;
      return Uint8Array.from([...b.subarray(0, at), ...b.subarray(Math.min(n, at + op.count))]);
    }
    case 'empty':
      return n === 0 ? Uint8Array.of(0x0a) : new Uint8Array(0);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Whether bundle.json still says the same as the golden one (only its spacing changed). */
function bundleJsonMeansTheSame(bytes: Uint8Array): boolean {
  try {
    return isDeepStrictEqual(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)), JSON.parse(text(GOLDEN, 'bundle.json')));
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// JSON value changes.

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const leafArb: fc.Arbitrary<Json> = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer({ min: -1000, max: 2 ** 40 }),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('', '0', 'trustee-1', 'master', '0'.repeat(64), '2026-01-01T09:00:00.000Z', 'ceremony.end', 'hybrid'),
);
const replacementArb: fc.Arbitrary<Json> = fc.oneof(
  { arbitrary: leafArb, weight: 4 },
  { arbitrary: fc.array(leafArb, { maxLength: 3 }), weight: 1 },
  { arbitrary: fc.dictionary(fc.string({ maxLength: 6 }), leafArb, { maxKeys: 2 }), weight: 1 },
);

interface JsonEdit {
  /** Which node (pre-order index, modulo the node count). */
  node: number;
  how: 'replace' | 'remove' | 'tweak';
  value: Json;
}

const jsonEditArb: fc.Arbitrary<JsonEdit> = fc.record({ node: fc.nat(), how: fc.constantFrom('replace' as const, 'remove' as const, 'tweak' as const), value: replacementArb });

/** Every (parent, key) in pre-order; the root has no parent. */
function nodes(doc: Json): [Json[] | { [k: string]: Json }, string | number][] {
  const out: [Json[] | { [k: string]: Json }, string | number][] = [];
  const walk = (v: Json): void => {
    if (Array.isArray(v)) v.forEach((x, i) => { out.push([v, i]); walk(x); });
    else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) { out.push([v, k]); walk(v[k]!); }
  };
  walk(doc);
  return out;
}

function tweak(v: Json, fallback: Json): Json {
  if (typeof v === 'number') return v + 1;
  if (typeof v === 'string') return v.length > 0 ? v.slice(0, -1) + (v.endsWith('a') ? 'b' : 'a') : 'a';
  if (typeof v === 'boolean') return !v;
  if (v === null) return 0;
  if (Array.isArray(v)) return [...v, fallback];
  return { ...v, zz: fallback };
}

/** Returns a changed deep copy of `doc` (never equal to it). */
function editJson(doc: Json, edit: JsonEdit): Json {
  const copy = structuredClone(doc);
  const all = nodes(copy);
  if (all.length === 0) return [copy];
  const [parent, key] = all[edit.node % all.length]!;
  const get = (): Json => (Array.isArray(parent) ? parent[key as number]! : parent[key as string]!);
  const set = (v: Json): void => {
    if (Array.isArray(parent)) parent[key as number] = v;
    else parent[key as string] = v;
  };
  if (edit.how === 'remove') {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key as string];
  } else if (edit.how === 'tweak' || isDeepStrictEqual(get(), edit.value)) {
    set(tweak(get(), edit.value));
  } else {
    set(edit.value);
  }
  return isDeepStrictEqual(copy, doc) ? [copy] : copy;
}

// ---------------------------------------------------------------------------------------------
// Property 1: raw byte changes, bundle.json not updated.

type RawMutation =
  | { kind: 'bytes'; file: string; op: ByteOp }
  | { kind: 'remove'; file: string }
  | { kind: 'extra'; name: string; copyOf: string };

const rawArb: fc.Arbitrary<RawMutation> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('bytes' as const), file: fc.constantFrom(...PATHS), op: byteOpArb }), weight: 12 },
  { arbitrary: fc.record({ kind: fc.constant('remove' as const), file: fc.constantFrom(...PATHS) }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant('extra' as const),
      name: fc.constantFrom('extra.txt', 'keys/trustee-6.ed25519.spki.pem', 'checkpoints/05-final.note', 'verifier/verify.html', '.hidden', 'a/b/c/d.json'),
      copyOf: fc.constantFrom(...PATHS),
    }).filter((m) => !PATHS.includes(m.name)),
    weight: 1,
  },
);

test('property: any raw byte change, removed or extra file, bundle.json not updated, is invalid', (t) => {
  const tally = newTally();
  fc.assert(
    fc.property(rawArb, fc.constantFrom(...MODES), (m, mode) => {
      const b = goldenBundle();
      let mayBeValid = false;
      if (m.kind === 'bytes') {
        const changed = applyByteOp(b.get(m.file)!, m.op);
        assert.ok(!sameBytes(changed, b.get(m.file)!), 'test bug: byte op did not change the file');
        b.set(m.file, changed);
        // A re-spaced bundle.json lists the same files: it may pass (counted, reported as benign).
        if (m.file === 'bundle.json') mayBeValid = bundleJsonMeansTheSame(changed);
      } else if (m.kind === 'remove') {
        b.delete(m.file);
      } else {
        b.set(m.name, b.get(m.copyOf)!);
      }
      judge(tally, m, b, mode, mayBeValid);
    }),
    { numRuns: 250 },
  );
  finish(t, tally, 250);
});

// ---------------------------------------------------------------------------------------------
// Property 2: the transcript.

type TranscriptMutation =
  | { kind: 'swap'; i: number; j: number; rehash: boolean }
  | { kind: 'drop'; i: number; rehash: boolean }
  | { kind: 'dup'; i: number; at: number; rehash: boolean }
  | { kind: 'move'; i: number; to: number; rehash: boolean }
  | { kind: 'json'; line: number; edit: JsonEdit; rechain: boolean; rehash: boolean }
  | { kind: 'bytes'; op: ByteOp; rehash: boolean };

const lineIndex = fc.integer({ min: 0, max: LINES.length - 1 });
const transcriptArb: fc.Arbitrary<TranscriptMutation> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('swap' as const), i: lineIndex, j: lineIndex, rehash: fc.boolean() }).filter((m) => m.i !== m.j), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('drop' as const), i: lineIndex, rehash: fc.boolean() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('dup' as const), i: lineIndex, at: fc.integer({ min: 0, max: LINES.length }), rehash: fc.boolean() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('move' as const), i: lineIndex, to: lineIndex, rehash: fc.boolean() }).filter((m) => m.i !== m.to), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('json' as const), line: lineIndex, edit: jsonEditArb, rechain: fc.boolean(), rehash: fc.constant(true) }), weight: 5 },
  { arbitrary: fc.record({ kind: fc.constant('bytes' as const), op: byteOpArb, rehash: fc.boolean() }), weight: 2 },
);

/** Recomputes every `prev` from line `from` on (each line re-written canonically). */
function rechain(lines: string[], from: number): void {
  for (let k = Math.max(1, from); k < lines.length; k++) {
    const e = JSON.parse(lines[k]!) as { prev: string };
    e.prev = toHex(leafHash(new TextEncoder().encode(lines[k - 1]!)));
    lines[k] = canonicalize(e);
  }
}

function applyTranscript(b: MutableBundle, m: TranscriptMutation): void {
  const lines = [...LINES];
  switch (m.kind) {
    case 'swap':
      [lines[m.i], lines[m.j]] = [lines[m.j]!, lines[m.i]!];
      break;
    case 'drop':
      lines.splice(m.i, 1);
      break;
    case 'dup':
      lines.splice(m.at, 0, lines[m.i]!);
      break;
    case 'move': {
      const [x] = lines.splice(m.i, 1);
      lines.splice(m.to, 0, x!);
      break;
    }
    case 'json': {
      const changed = editJson(JSON.parse(lines[m.line]!) as Json, m.edit);
      // Canonical when it can be (so the syntax rule passes and deeper checks must catch it).
      let line: string;
      try {
        line = canonicalize(changed);
      } catch {
        line = JSON.stringify(changed);
      }
      lines[m.line] = line;
      if (m.rechain) rechain(lines, m.line + 1);
      break;
    }
    case 'bytes':
      b.set('transcript.jsonl', applyByteOp(b.get('transcript.jsonl')!, m.op));
      if (m.rehash) rehash(b);
      return;
  }
  setTranscriptLines(b, lines);
  if (m.rehash) rehash(b);
}

test('property: transcript lines swapped, dropped, duplicated, moved or edited (chain recomputed or not) are invalid', (t) => {
  const tally = newTally();
  fc.assert(
    fc.property(transcriptArb, fc.constantFrom(...MODES), (m, mode) => {
      const b = goldenBundle();
      applyTranscript(b, m);
      assert.ok(!sameBytes(b.get('transcript.jsonl')!, GOLDEN.get('transcript.jsonl')!), 'test bug: the transcript did not change');
      judge(tally, m, b, mode);
    }),
    { numRuns: 600 },
  );
  finish(t, tally, 600);
});

// ---------------------------------------------------------------------------------------------
// Property 3: structural changes elsewhere, bundle.json re-hashed.

/** Whether statement signature `i` (even: classical, odd: ML-DSA-65 in the fixture) is checked under `mode`. */
function sigChecked(i: number, mode: Mode): boolean {
  const pq = SIGS[i]!.sig.length > 200;
  return mode === 'hybrid' || (mode === 'pq-only') === pq;
}

/** Signature lines of a note: the lines after the blank line. */
function noteParts(note: string): { head: string; sigs: string[] } {
  const at = note.indexOf('\n\n');
  return { head: note.slice(0, at), sigs: note.slice(at + 2).split('\n').filter((l) => l !== '') };
}

function noteSigChecked(line: string, mode: Mode): boolean {
  const pq = line.length > 300;
  return mode === 'hybrid' || (mode === 'pq-only') === pq;
}

type StructuralMutation =
  | { kind: 'stmt-remove'; pick: number }
  | { kind: 'stmt-duplicate'; pick: number }
  | { kind: 'stmt-keyid-swap'; i: number; j: number }
  | { kind: 'stmt-corrupt'; pick: number; pos: number; xor: number }
  | { kind: 'stmt-foreign'; keyid: string | null; copyOf: number }
  | { kind: 'stmt-payload'; edit: JsonEdit }
  | { kind: 'stmt-payload-type'; value: string }
  | { kind: 'json'; file: 'policy.json' | 'keys/jwks.json' | 'escrow/manifest.json'; edit: JsonEdit }
  | { kind: 'jwks-swap'; i: number; j: number }
  | { kind: 'pem-replace'; target: string; source: string }
  | { kind: 'note-root'; note: string; pos: number; xor: number }
  | { kind: 'note-size'; note: string; delta: number }
  | { kind: 'note-drop-sig'; pick: number }
  | { kind: 'note-corrupt-sig'; pick: number; pos: number; xor: number }
  | { kind: 'bound-bytes'; file: string; op: ByteOp };

const sigIndex = fc.integer({ min: 0, max: SIGS.length - 1 });
const structuralArb: fc.Arbitrary<StructuralMutation> = fc.oneof(
  fc.record({ kind: fc.constant('stmt-remove' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('stmt-duplicate' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('stmt-keyid-swap' as const), i: sigIndex, j: sigIndex }).filter((m) => m.i !== m.j),
  fc.record({ kind: fc.constant('stmt-corrupt' as const), pick: fc.nat(), pos: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('stmt-foreign' as const), keyid: fc.option(fc.stringMatching(/^[A-Za-z0-9_-]{43}$/)), copyOf: sigIndex }),
  fc.record({ kind: fc.constant('stmt-payload' as const), edit: jsonEditArb }),
  fc.record({ kind: fc.constant('stmt-payload-type' as const), value: fc.constantFrom('application/json', 'application/vnd.in-toto+json ', '') }),
  fc.record({ kind: fc.constant('json' as const), file: fc.constantFrom('policy.json' as const, 'keys/jwks.json' as const, 'escrow/manifest.json' as const), edit: jsonEditArb }),
  fc.record({ kind: fc.constant('jwks-swap' as const), i: fc.nat(11), j: fc.nat(11) }).filter((m) => m.i !== m.j),
  fc.record({ kind: fc.constant('pem-replace' as const), target: fc.constantFrom(...PEMS), source: fc.constantFrom(...PEMS) }).filter((m) => m.target !== m.source && m.target.endsWith('ml-dsa-65.spki.pem') === m.source.endsWith('ml-dsa-65.spki.pem')),
  fc.record({ kind: fc.constant('note-root' as const), note: fc.constantFrom(...NOTES), pos: fc.nat(31), xor: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('note-size' as const), note: fc.constantFrom(...NOTES), delta: fc.integer({ min: -90, max: 5 }).filter((d) => d !== 0) }),
  fc.record({ kind: fc.constant('note-drop-sig' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('note-corrupt-sig' as const), pick: fc.nat(), pos: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('bound-bytes' as const), file: fc.constantFrom(...BOUND_FILES), op: byteOpArb }),
);

function flipBase64(s: string, pos: number, xor: number): string {
  const url = /[-_]/.test(s) || !/[+/=]/.test(s);
  const raw = Buffer.from(s, url ? 'base64url' : 'base64');
  raw[pos % raw.length]! ^= xor;
  return raw.toString(url ? 'base64url' : 'base64');
}

function applyStructural(b: MutableBundle, m: StructuralMutation, mode: Mode): void {
  const checkedSigs = SIGS.map((_, i) => i).filter((i) => sigChecked(i, mode));
  const env = statementEnvelope(b);
  switch (m.kind) {
    case 'stmt-remove':
      env.signatures.splice(checkedSigs[m.pick % checkedSigs.length]!, 1);
      setStatementEnvelope(b, env);
      break;
    case 'stmt-duplicate': {
      const i = m.pick % env.signatures.length;
      env.signatures.splice(i, 0, { ...env.signatures[i]! });
      setStatementEnvelope(b, env);
      break;
    }
    case 'stmt-keyid-swap': {
      const [x, y] = [env.signatures[m.i]!, env.signatures[m.j]!];
      [x.keyid, y.keyid] = [y.keyid, x.keyid];
      setStatementEnvelope(b, env);
      break;
    }
    case 'stmt-corrupt': {
      const s = env.signatures[checkedSigs[m.pick % checkedSigs.length]!]!;
      s.sig = flipBase64(s.sig, m.pos, m.xor);
      setStatementEnvelope(b, env);
      break;
    }
    case 'stmt-foreign':
      env.signatures.push(m.keyid === null ? { sig: SIGS[m.copyOf]!.sig } : { keyid: m.keyid, sig: SIGS[m.copyOf]!.sig });
      setStatementEnvelope(b, env);
      break;
    case 'stmt-payload': {
      const payload = JSON.parse(Buffer.from(env.payload, 'base64').toString('utf8')) as Json;
      env.payload = Buffer.from(canonicalize(editJson(payload, m.edit))).toString('base64');
      setStatementEnvelope(b, env);
      break;
    }
    case 'stmt-payload-type':
      env.payloadType = m.value;
      setStatementEnvelope(b, env);
      break;
    case 'json':
      setText(b, m.file, `${JSON.stringify(editJson(JSON.parse(text(b, m.file)) as Json, m.edit))}\n`);
      break;
    case 'jwks-swap': {
      const doc = JSON.parse(text(b, 'keys/jwks.json')) as { keys: unknown[] };
      [doc.keys[m.i], doc.keys[m.j]] = [doc.keys[m.j], doc.keys[m.i]];
      setText(b, 'keys/jwks.json', `${JSON.stringify(doc)}\n`);
      break;
    }
    case 'pem-replace':
      b.set(m.target, b.get(m.source)!);
      break;
    case 'note-root': {
      const lines = text(b, m.note).split('\n');
      lines[2] = flipBase64(lines[2]!, m.pos, m.xor);
      setText(b, m.note, lines.join('\n'));
      break;
    }
    case 'note-size': {
      const lines = text(b, m.note).split('\n');
      lines[1] = String(Math.max(0, Number(lines[1]) + m.delta));
      if (lines[1] === text(GOLDEN, m.note).split('\n')[1]) lines[1] = String(Number(lines[1]) + 1);
      setText(b, m.note, lines.join('\n'));
      break;
    }
    case 'note-drop-sig':
    case 'note-corrupt-sig': {
      // The final note is not hashed in the transcript: only its signatures protect it.
      const { head, sigs } = noteParts(text(b, FINAL_NOTE));
      const checked = sigs.map((l, i) => [l, i] as const).filter(([l]) => noteSigChecked(l, mode)).map(([, i]) => i);
      const at = checked[m.pick % checked.length]!;
      if (m.kind === 'note-drop-sig') sigs.splice(at, 1);
      else {
        const parts = sigs[at]!.split(' ');
        parts[2] = flipBase64(parts[2]!, m.pos, m.xor);
        sigs[at] = parts.join(' ');
      }
      setText(b, FINAL_NOTE, `${head}\n\n${sigs.join('\n')}\n`);
      break;
    }
    case 'bound-bytes':
      b.set(m.file, applyByteOp(b.get(m.file)!, m.op));
      break;
  }
  rehash(b);
}

test('property: structural changes (signatures, keys, policy, escrow, checkpoints, bound files), bundle.json re-hashed, are invalid', (t) => {
  const tally = newTally();
  fc.assert(
    fc.property(structuralArb, fc.constantFrom(...MODES), (m, mode) => {
      // Swapping the keyids of two signatures the mode does not check changes nothing checked.
      fc.pre(m.kind !== 'stmt-keyid-swap' || sigChecked(m.i, mode) || sigChecked(m.j, mode));
      const b = goldenBundle();
      applyStructural(b, m, mode);
      const changed = [...b.keys()].filter((p) => p !== 'bundle.json' && !sameBytes(b.get(p)!, GOLDEN.get(p) ?? new Uint8Array(0)));
      assert.ok(changed.length > 0, `test bug: ${JSON.stringify(m)} changed nothing`);
      judge(tally, m, b, mode);
    }),
    { numRuns: 250 },
  );
  finish(t, tally, 250);
});
