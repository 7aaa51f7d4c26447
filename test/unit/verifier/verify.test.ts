// The verifier core (core/verifier/verify.ts) on the golden bundle: valid in every mode (on
// its default noble crypto), with and without a trust anchor; then one targeted tamper per test, each asserting the verdict is
// invalid AND the named check that must catch it fails. Where a deeper check than bundle-files
// must be the one that catches the change, bundle.json is recomputed over the changed files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyriteError } from '../../../core/errors.ts';
import { GENESIS_PREV, entryHashHex, makeEntry, type EntryBody, type TranscriptEntry } from '../../../core/transcript/entry.ts';
import { fromHex } from '../../../core/encoding/hex.ts';
import { fingerprint, fingerprintWords, formatFingerprintHex } from '../../../core/encoding/fingerprint.ts';
import { NOBLE_VERIFIER_CRYPTO, verifyBundle, type VerifyOptions } from '../../../core/verifier/verify.ts';
import { CACHED_VERIFIER_CRYPTO } from '../../helpers/cached-verifier-crypto.ts';
import type { VerifyReport } from '../../../core/verifier/report.ts';
import {
  GOLDEN_MASTER_FINGERPRINT,
  goldenBundle,
  rehash,
  setStatementEnvelope,
  setText,
  setTranscriptLines,
  statementEnvelope,
  text,
  transcriptLines,
  type MutableBundle,
} from '../../helpers/bundle-files.ts';

const MODES = ['hybrid', 'classical-only', 'pq-only'] as const;
const CHECKS = [
  'bundle-manifest', 'bundle-files', 'transcript-syntax', 'transcript-sequence', 'transcript-chain', 'transcript-timestamps',
  'transcript-structure', 'script-hash', 'policy', 'transcript-steps', 'keys', 'bundle-layout', 'readme', 'escrow-manifest', 'share-receipts', 'checkpoint-roots',
  'checkpoint-consistency', 'checkpoint-signatures', 'statement', 'statement-signatures', 'hybrid-rule', 'threshold',
];
const TRUSTEE_1_FINGERPRINT = '0de61ac7929772f8f696606dd2bc69c8251e578d63f61fc8ba975d9be8e69693';
const CRASH_TEXT = 'could not read this part';

/** Runs the verifier on the tests' cached ML-DSA-65 (test/helpers/cached-verifier-crypto.ts) unless `options.crypto` says which. */
function verify(files: MutableBundle, options: VerifyOptions = {}): VerifyReport {
  const report = verifyBundle(files, { crypto: CACHED_VERIFIER_CRYPTO, ...options });
  for (const c of report.checks) assert.ok(!c.detail.includes(CRASH_TEXT), `check ${c.name} hit an unexpected exception: ${c.detail}`);
  return report;
}

function status(report: VerifyReport, name: string): string | undefined {
  return report.checks.find((c) => c.name === name)?.status;
}

/** The verdict is invalid and `name` (one of `names`) failed, with its detail shown on error. */
function assertFails(report: VerifyReport, ...names: string[]): void {
  const summary = report.checks.filter((c) => c.status !== 'pass').map((c) => `${c.name}: ${c.status}: ${c.detail}`).join('\n');
  assert.equal(report.verdict, 'invalid', `tampered bundle was accepted:\n${summary}`);
  assert.ok(names.some((n) => status(report, n) === 'fail'), `expected one of ${names.join(', ')} to fail; got:\n${summary}`);
}

function rewriteJson(files: MutableBundle, path: string, change: (doc: Record<string, unknown>) => void): void {
  const original = text(files, path);
  const doc = JSON.parse(original) as Record<string, unknown>;
  assert.equal(`${JSON.stringify(doc)}\n`, original, `test bug: ${path} does not round-trip through JSON.stringify`);
  change(doc);
  setText(files, path, `${JSON.stringify(doc)}\n`);
}

/** The statement signature indexes by principal: [classical, ML-DSA-65] of master, trustee-1..5. */
function signatureIndexes(files: MutableBundle): { classical: number[]; pq: number[] } {
  const sigs = statementEnvelope(files).signatures;
  const classical = sigs.flatMap((s, i) => (s.sig.length < 200 ? [i] : []));
  const pq = sigs.flatMap((s, i) => (s.sig.length >= 200 ? [i] : []));
  assert.equal(classical.length, 6);
  assert.equal(pq.length, 6);
  return { classical, pq };
}

// ---------------------------------------------------------------------------------------------
// The golden bundle.

for (const mode of MODES) {
  test(`golden bundle: valid in ${mode} mode, unanchored, every check passes`, () => {
    // The verifier's default crypto (noble throughout), as the app and verify.html run it.
    const r = verify(goldenBundle(), { mode, crypto: NOBLE_VERIFIER_CRYPTO });
    assert.equal(r.verdict, 'valid');
    assert.equal(r.mode, mode);
    assert.equal(r.anchor.anchored, false);
    assert.equal(r.masterFingerprint, GOLDEN_MASTER_FINGERPRINT);
    assert.equal(r.transcriptEntries, 86);
    assert.deepEqual(r.checks.map((c) => c.name), CHECKS);
    for (const c of r.checks) assert.equal(c.status, 'pass', `${c.name}: ${c.detail}`);
  });
}

test('golden bundle: anchored with the hex fingerprint (plain, grouped, upper case)', () => {
  const grouped = formatFingerprintHex(fingerprint(fromHex(GOLDEN_MASTER_FINGERPRINT)));
  for (const trust of [GOLDEN_MASTER_FINGERPRINT, grouped, GOLDEN_MASTER_FINGERPRINT.toUpperCase()]) {
    const r = verify(goldenBundle(), { trust });
    assert.equal(r.verdict, 'valid', trust);
    assert.deepEqual(r.anchor, { anchored: true, given: trust, compared: 'full', matches: true });
    assert.equal(status(r, 'trust-anchor'), 'pass');
    assert.deepEqual(r.checks.map((c) => c.name), [...CHECKS, 'trust-anchor']);
  }
});

test('golden bundle: anchored with the 16 words (prefix compared), in every mode', () => {
  const words = fingerprintWords(fingerprint(fromHex(GOLDEN_MASTER_FINGERPRINT))).join(' ');
  for (const mode of MODES) {
    const r = verify(goldenBundle(), { trust: words, mode });
    assert.equal(r.verdict, 'valid');
    assert.deepEqual(r.anchor, { anchored: true, given: words, compared: 'words-prefix', matches: true });
    assert.equal(status(r, 'trust-anchor'), 'pass');
  }
});

test('a wrong trust anchor (hex or words of another key) makes the bundle invalid', () => {
  const otherWords = fingerprintWords(fingerprint(fromHex(TRUSTEE_1_FINGERPRINT))).join(' ');
  for (const trust of [TRUSTEE_1_FINGERPRINT, otherWords]) {
    const r = verify(goldenBundle(), { trust });
    assertFails(r, 'trust-anchor');
    assert.equal(r.anchor.anchored, true);
    assert.equal(r.anchor.matches, false);
    // Everything else about the bundle is fine: only the anchor fails.
    assert.deepEqual(r.checks.filter((c) => c.status !== 'pass').map((c) => c.name), ['trust-anchor']);
  }
});

test('a malformed trust anchor, an unknown mode or a non-map bundle is a usage error, thrown', () => {
  for (const trust of ['', 'not a fingerprint', GOLDEN_MASTER_FINGERPRINT.slice(0, 63), `${GOLDEN_MASTER_FINGERPRINT}00`, 'x'.repeat(2000)]) {
    assert.throws(() => verifyBundle(goldenBundle(), { trust }), (e: unknown) => e instanceof KeyriteError && /^INVALID_|^USAGE$/.test(e.code), JSON.stringify(trust.slice(0, 40)));
  }
  const fifteenWords = fingerprintWords(fingerprint(fromHex(GOLDEN_MASTER_FINGERPRINT))).slice(0, 15).join(' ');
  assert.throws(() => verifyBundle(goldenBundle(), { trust: fifteenWords }), KeyriteError);
  assert.throws(() => verifyBundle(goldenBundle(), { mode: 'pq-first' as never }), KeyriteError);
  assert.throws(() => verifyBundle({} as never), KeyriteError);
});

test('an empty bundle is invalid, not an exception', () => {
  const r = verify(new Map());
  assertFails(r, 'bundle-manifest');
  assert.ok(r.checks.every((c) => c.status !== 'pass'));
});

// ---------------------------------------------------------------------------------------------
// Files against bundle.json.

test('a byte flipped in any file, bundle.json not updated: bundle-files fails', () => {
  const paths = [...goldenBundle().keys()].filter((p) => p !== 'bundle.json').sort();
  const listed = (JSON.parse(text(goldenBundle(), 'bundle.json')) as { files: { path: string }[] }).files.map((f) => f.path);
  assert.deepEqual(paths, listed);
  assert.ok(paths.length >= 24);
  for (const path of paths) {
    const b = goldenBundle();
    const bytes = b.get(path)!;
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    assertFails(verify(b), 'bundle-files');
  }
});

test('bundle.json changed (a listed hash): bundle-files fails; bundle.json not JSON: bundle-manifest fails', () => {
  const b = goldenBundle();
  const manifest = text(b, 'bundle.json');
  const at = manifest.indexOf('"sha256":"') + '"sha256":"'.length;
  setText(b, 'bundle.json', `${manifest.slice(0, at)}${manifest[at] === '0' ? '1' : '0'}${manifest.slice(at + 1)}`);
  assert.notEqual(text(b, 'bundle.json'), manifest);
  assertFails(verify(b), 'bundle-files');
  const c = goldenBundle();
  setText(c, 'bundle.json', text(c, 'bundle.json').slice(0, 100));
  assertFails(verify(c), 'bundle-manifest');
});

test('a missing file: bundle-files fails; re-listed without it, the check that needs it fails', () => {
  for (const [path, deeper] of [
    ['keys/trustee-3.ed25519.spki.pem', 'keys'],
    ['escrow/manifest.json', 'escrow-manifest'],
    ['policy.json', 'policy'],
    ['script.yaml', 'script-hash'],
    ['statement.dsse.json', 'statement'],
    ['checkpoints/02-key-generation.note', 'checkpoint-roots'],
    ['checkpoints/04-final.note', 'checkpoint-roots'],
    ['transcript.jsonl', 'transcript-syntax'],
  ] as const) {
    const b = goldenBundle();
    b.delete(path);
    assertFails(verify(b), 'bundle-files');
    assertFails(verify(rehash(b)), deeper);
  }
});

test('an extra file not listed in bundle.json: bundle-files fails', () => {
  const b = goldenBundle();
  setText(b, 'extra.txt', 'hello\n');
  assertFails(verify(b), 'bundle-files');
});

test('an extra PEM or checkpoint note, even listed in bundle.json, is refused', () => {
  const b = goldenBundle();
  b.set('keys/trustee-6.ed25519.spki.pem', b.get('keys/trustee-1.ed25519.spki.pem')!);
  assertFails(verify(rehash(b)), 'keys');
  const c = goldenBundle();
  c.set('checkpoints/05-final.note', c.get('checkpoints/04-final.note')!);
  assertFails(verify(rehash(c)), 'checkpoint-roots');
});

// ---------------------------------------------------------------------------------------------
// The transcript (bundle.json re-hashed each time).

test('transcript entries reordered, dropped or duplicated: transcript-sequence or -chain fails', () => {
  const SEQ = ['transcript-sequence', 'transcript-chain'];
  const cases: [string, (lines: string[]) => string[], string[]][] = [
    ['two entries swapped', (l) => { [l[10], l[11]] = [l[11]!, l[10]!]; return l; }, SEQ],
    ['first and last swapped', (l) => { [l[0], l[l.length - 1]] = [l[l.length - 1]!, l[0]!]; return l; }, SEQ],
    ['one dropped', (l) => { l.splice(40, 1); return l; }, SEQ],
    ['first dropped', (l) => l.slice(1), SEQ],
    ['one duplicated', (l) => { l.splice(40, 0, l[40]!); return l; }, SEQ],
    ['last duplicated', (l) => [...l, l[l.length - 1]!], SEQ],
    ['reversed', (l) => l.reverse(), SEQ],
    // A prefix of a valid transcript is a valid chain: what it lacks is the ceremony's end.
    ['last dropped', (l) => l.slice(0, -1), ['transcript-structure']],
  ];
  for (const [what, change, expected] of cases) {
    const b = goldenBundle();
    setTranscriptLines(b, change(transcriptLines(b)));
    const r = verify(rehash(b));
    assert.equal(r.verdict, 'invalid', what);
    assertFails(r, ...expected);
  }
});

test("one entry's time changed: transcript-chain fails (the next entry's prev)", () => {
  const b = goldenBundle();
  const lines = transcriptLines(b);
  assert.ok(lines[40]!.includes('"time":"2026-01-01T09:00:40.000Z"'));
  lines[40] = lines[40]!.replace('"time":"2026-01-01T09:00:40.000Z"', '"time":"2026-01-01T09:00:40.001Z"');
  setTranscriptLines(b, lines);
  assertFails(verify(rehash(b)), 'transcript-chain');
});

test("the last entry's time changed (no next prev): the Merkle root no longer matches the final checkpoint", () => {
  const b = goldenBundle();
  const lines = transcriptLines(b);
  const last = lines.length - 1;
  assert.ok(lines[last]!.includes('"time":"2026-01-01T09:01:25.000Z"'));
  lines[last] = lines[last]!.replace('"time":"2026-01-01T09:01:25.000Z"', '"time":"2026-01-01T09:01:26.000Z"');
  setTranscriptLines(b, lines);
  assertFails(verify(rehash(b)), 'checkpoint-roots');
});

type EntryDraft = Pick<TranscriptEntry, 'type' | 'actor' | 'time' | 'body'>;

/** The transcript lines after `edit`, every seq and prev made right again (times kept): only the later checks can tell. */
function rewriteEntries(lines: readonly string[], edit: (entries: EntryDraft[]) => EntryDraft[]): string[] {
  let prev = GENESIS_PREV;
  return edit(lines.map((l) => JSON.parse(l) as TranscriptEntry)).map((e, seq) => {
    const entry = makeEntry({ seq, time: e.time, type: e.type, actor: e.actor, body: e.body, prev });
    prev = entryHashHex(entry);
    return JSON.stringify(entry);
  });
}

/** The lines with `extra` entries inserted at `at` (rechained, the time of the entry they precede). */
function withEntriesInserted(lines: readonly string[], at: number, extra: readonly { type: string; body: EntryBody }[]): string[] {
  return rewriteEntries(lines, (all) => {
    const time = all[Math.min(at, all.length - 1)]!.time;
    return [...all.slice(0, at), ...extra.map((e) => ({ actor: 'admin', time, ...e })), ...all.slice(at)];
  });
}

test('entries of a type no check reads (step.progress) are chained and counted, but cannot stand first or after ceremony.end', () => {
  const progress = { type: 'step.progress', body: { step: 'entropy', progress: { done: 1, total: 2 } } };
  const cases: [string, number, string[]][] = [
    ['before ceremony.start', 0, ['transcript-structure']],
    ['after ceremony.end', 86, ['transcript-structure']],
    // In the middle the structure holds; the checkpoints signed another transcript.
    ['in the middle', 40, ['checkpoint-roots']],
  ];
  for (const [where, at, expected] of cases) {
    const b = goldenBundle();
    setTranscriptLines(b, withEntriesInserted(transcriptLines(b), at, [progress, progress]));
    const r = verify(rehash(b));
    assert.equal(r.transcriptEntries, 88, where);
    for (const rule of ['transcript-syntax', 'transcript-sequence', 'transcript-chain', 'transcript-timestamps']) assert.equal(status(r, rule), 'pass', `${where}: ${rule}`);
    assertFails(r, ...expected);
  }
});

test('a transcript that does not follow its script: transcript-steps fails, naming the step', () => {
  const isStep = (id: string) => (e: EntryDraft) => e.body.step === id && e.type.startsWith('step.');
  const cases: [string, (all: EntryDraft[]) => EntryDraft[], RegExp][] = [
    ['the self-test step left out', (all) => all.filter((e) => !isStep('self-test')(e)), /does not record the step\(s\) self-test/],
    ['the air-gap check after the self-test', (all) => {
      const airGap = all.filter(isStep('air-gap'));
      const rest = all.filter((e) => !isStep('air-gap')(e));
      const after = rest.findIndex((e) => e.type === 'step.end' && e.body.step === 'self-test') + 1;
      return [...rest.slice(0, after), ...airGap.map((e) => ({ ...e, time: rest[after - 1]!.time })), ...rest.slice(after)];
    }, /starts air-gap after self-test in the same run/],
    ['a step the script does not have', (all) => all.map((e) => (isStep('self-test')(e) ? { ...e, body: { ...e.body, step: 'self-check' } } : e)), /names the step "self-check", which is not in the script/],
    ['a step under another action', (all) => all.map((e) => (isStep('self-test')(e) && e.type === 'step.start' ? { ...e, body: { ...e.body, action: 'air-gap-check' } } : e)), /gives the step self-test the action "air-gap-check"; the script's is self-test/],
    ['a step ended twice', (all) => all.flatMap((e) => (isStep('self-test')(e) && e.type === 'step.end' ? [e, e] : [e])), /ends self-test, which was not started in this run/],
  ];
  for (const [what, edit, message] of cases) {
    const b = goldenBundle();
    setTranscriptLines(b, rewriteEntries(transcriptLines(b), edit));
    const r = verify(rehash(b));
    for (const rule of ['transcript-chain', 'transcript-structure', 'script-hash']) assert.equal(status(r, rule), 'pass', `${what}: ${rule}`);
    assertFails(r, 'transcript-steps');
    assert.match(r.checks.find((c) => c.name === 'transcript-steps')!.detail, message, what);
  }
});

test('a transcript line made non-canonical (a space added): transcript-syntax fails', () => {
  const b = goldenBundle();
  const lines = transcriptLines(b);
  lines[5] = lines[5]!.replace('{"actor"', '{ "actor"');
  setTranscriptLines(b, lines);
  assertFails(verify(rehash(b)), 'transcript-syntax');
});

test('the transcript without its final line break: transcript-syntax fails', () => {
  const b = goldenBundle();
  setText(b, 'transcript.jsonl', text(b, 'transcript.jsonl').slice(0, -1));
  assertFails(verify(rehash(b)), 'transcript-syntax');
});

// ---------------------------------------------------------------------------------------------
// The statement's signatures (bundle.json re-hashed each time).

test('a statement signature removed: hybrid-rule (and so the threshold) fails', () => {
  for (const half of ['classical', 'pq'] as const) {
    for (const principal of [0, 3]) {
      const b = goldenBundle();
      const env = statementEnvelope(b);
      env.signatures.splice(signatureIndexes(b)[half][principal]!, 1);
      setStatementEnvelope(b, env);
      const r = verify(rehash(b));
      assertFails(r, 'hybrid-rule', 'threshold');
      assert.notEqual(status(r, 'threshold'), 'pass');
    }
  }
});

test('every statement signature removed: invalid in every mode', () => {
  for (const mode of MODES) {
    const b = goldenBundle();
    const env = statementEnvelope(b);
    env.signatures = [];
    setStatementEnvelope(b, env);
    assertFails(verify(rehash(b), { mode }), 'statement', 'statement-signatures', 'hybrid-rule', 'threshold');
  }
});

test('a statement signature duplicated: statement-signatures fails (a key signs once)', () => {
  for (const mode of MODES) {
    const b = goldenBundle();
    const env = statementEnvelope(b);
    env.signatures.push({ ...env.signatures[2]! });
    setStatementEnvelope(b, env);
    assertFails(verify(rehash(b), { mode }), 'statement-signatures');
  }
});

test("a statement signature's keyid swapped with another principal's: statement-signatures fails", () => {
  for (const half of ['classical', 'pq'] as const) {
    const b = goldenBundle();
    const env = statementEnvelope(b);
    const [i, j] = [signatureIndexes(b)[half][1]!, signatureIndexes(b)[half][2]!];
    const [a, c] = [env.signatures[i]!, env.signatures[j]!];
    [a.keyid, c.keyid] = [c.keyid, a.keyid];
    setStatementEnvelope(b, env);
    assertFails(verify(rehash(b)), 'statement-signatures');
  }
});

test('a foreign signature added (unknown keyid, or no keyid): statement-signatures fails', () => {
  const foreign = [
    { keyid: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', sig: statementEnvelope(goldenBundle()).signatures[0]!.sig },
    { sig: statementEnvelope(goldenBundle()).signatures[0]!.sig },
  ];
  for (const extra of foreign) {
    for (const mode of MODES) {
      const b = goldenBundle();
      const env = statementEnvelope(b);
      env.signatures.push(extra);
      setStatementEnvelope(b, env);
      assertFails(verify(rehash(b), { mode }), 'statement-signatures');
    }
  }
});

test('a statement signature with one bit changed: statement-signatures fails in the modes that check it', () => {
  for (const [half, modes] of [['classical', ['hybrid', 'classical-only']], ['pq', ['hybrid', 'pq-only']]] as const) {
    const b = goldenBundle();
    const env = statementEnvelope(b);
    const s = env.signatures[signatureIndexes(b)[half][4]!]!;
    const raw = Buffer.from(s.sig, 'base64');
    raw[7]! ^= 0x10;
    s.sig = raw.toString(s.sig.includes('-') || s.sig.includes('_') ? 'base64url' : 'base64');
    setStatementEnvelope(b, env);
    rehash(b);
    for (const mode of modes) assertFails(verify(b, { mode }), 'statement-signatures');
  }
});

test('the ML-DSA-65 signature of one principal removed: hybrid and pq-only fail hybrid-rule, classical-only passes', () => {
  const b = goldenBundle();
  const env = statementEnvelope(b);
  env.signatures.splice(signatureIndexes(b).pq[2]!, 1);
  setStatementEnvelope(b, env);
  rehash(b);
  assertFails(verify(b, { mode: 'hybrid' }), 'hybrid-rule');
  assertFails(verify(b, { mode: 'pq-only' }), 'hybrid-rule');
  const classical = verify(b, { mode: 'classical-only' });
  assert.equal(classical.verdict, 'valid', classical.checks.filter((c) => c.status !== 'pass').map((c) => c.detail).join('\n'));
});

test('the statement payload changed (re-encoded): statement or statement-signatures fails', () => {
  const b = goldenBundle();
  const env = statementEnvelope(b);
  const payload = JSON.parse(Buffer.from(env.payload, 'base64').toString('utf8')) as { predicate: { policy: { t: number } } };
  payload.predicate.policy.t = 2;
  env.payload = Buffer.from(JSON.stringify(payload)).toString('base64');
  setStatementEnvelope(b, env);
  const r = verify(rehash(b));
  assertFails(r, 'statement', 'statement-signatures');
  assert.notEqual(status(r, 'statement-signatures'), 'pass');
});

// ---------------------------------------------------------------------------------------------
// Keys, policy, escrow, script, checkpoints (bundle.json re-hashed each time).

test('keys/jwks.json with two keys swapped: keys fails', () => {
  const b = goldenBundle();
  rewriteJson(b, 'keys/jwks.json', (doc) => {
    const keys = doc.keys as unknown[];
    [keys[0], keys[2]] = [keys[2], keys[0]];
  });
  assertFails(verify(rehash(b)), 'keys');
});

test('keys/jwks.json with one key dropped: keys fails', () => {
  const b = goldenBundle();
  rewriteJson(b, 'keys/jwks.json', (doc) => {
    (doc.keys as unknown[]).splice(3, 1);
  });
  assertFails(verify(rehash(b)), 'keys');
});

test('a PEM replaced by another valid key: keys fails', () => {
  for (const [target, source] of [
    ['keys/trustee-1.ed25519.spki.pem', 'keys/trustee-2.ed25519.spki.pem'],
    ['keys/master.ml-dsa-65.spki.pem', 'keys/trustee-5.ml-dsa-65.spki.pem'],
    ['keys/master.ed25519.spki.pem', 'keys/trustee-4.ed25519.spki.pem'],
  ] as const) {
    const b = goldenBundle();
    b.set(target, b.get(source)!);
    assertFails(verify(rehash(b)), 'keys');
  }
});

test('keys/fingerprints.txt edited: keys fails', () => {
  const b = goldenBundle();
  setText(b, 'keys/fingerprints.txt', text(b, 'keys/fingerprints.txt').replace('8047', '8048'));
  assertFails(verify(rehash(b)), 'keys');
});

test('policy.json threshold changed to 2: policy (or statement) fails', () => {
  const b = goldenBundle();
  rewriteJson(b, 'policy.json', (doc) => {
    (doc.quorum as { t: number }).t = 2;
  });
  const r = verify(rehash(b));
  assertFails(r, 'policy', 'statement');
  assert.notEqual(status(r, 'threshold'), 'pass');
});

test('policy.json with the statement signers cut to three: policy fails', () => {
  const b = goldenBundle();
  rewriteJson(b, 'policy.json', (doc) => {
    const s = doc.signatures as { statementSigners: string[] };
    s.statementSigners = s.statementSigners.slice(0, 3);
  });
  assertFails(verify(rehash(b)), 'policy');
});

test('escrow/manifest.json changed: escrow-manifest fails', () => {
  const b = goldenBundle();
  rewriteJson(b, 'escrow/manifest.json', (doc) => {
    doc.epoch = 1;
  });
  assertFails(verify(rehash(b)), 'escrow-manifest');
  const c = goldenBundle();
  setText(c, 'escrow/manifest.json', text(c, 'escrow/manifest.json').replace('"t":3', '"t":2'));
  assert.notEqual(text(c, 'escrow/manifest.json'), text(goldenBundle(), 'escrow/manifest.json'));
  assertFails(verify(rehash(c)), 'escrow-manifest');
});

test('script.yaml edited (even a comment): script-hash fails', () => {
  const b = goldenBundle();
  setText(b, 'script.yaml', `${text(b, 'script.yaml')}# an added comment\n`);
  assertFails(verify(rehash(b)), 'script-hash');
});

test('the final checkpoint note with one signature line removed: checkpoint-signatures fails', () => {
  for (const mode of MODES) {
    for (const lineIndex of [0, 1, 7]) {
      const b = goldenBundle();
      const note = text(b, 'checkpoints/04-final.note');
      const [head, sigs] = note.split('\n\n') as [string, string];
      const sigLines = sigs.split('\n');
      // Drop the classical (even) or ML-DSA (odd) line; in a single-half mode drop the checked half.
      const drop = mode === 'classical-only' ? lineIndex - (lineIndex % 2) : mode === 'pq-only' ? lineIndex - (lineIndex % 2) + 1 : lineIndex;
      sigLines.splice(drop, 1);
      setText(b, 'checkpoints/04-final.note', `${head}\n\n${sigLines.join('\n')}`);
      assertFails(verify(rehash(b), { mode }), 'checkpoint-signatures');
    }
  }
});

test('a checkpoint note recorded in the transcript with a signature line removed: checkpoint-roots or -signatures fails', () => {
  const b = goldenBundle();
  const path = 'checkpoints/02-key-generation.note';
  const lines = text(b, path).split('\n');
  const at = lines.findIndex((l) => l.startsWith('—'));
  lines.splice(at, 1);
  setText(b, path, lines.join('\n'));
  assertFails(verify(rehash(b)), 'checkpoint-roots', 'checkpoint-signatures');
});

test('a checkpoint note with its root changed: checkpoint-roots fails', () => {
  for (const path of ['checkpoints/01-enrollment.note', 'checkpoints/04-final.note']) {
    const b = goldenBundle();
    const lines = text(b, path).split('\n');
    const root = Buffer.from(lines[2]!, 'base64');
    root[0]! ^= 0x80;
    lines[2] = root.toString('base64');
    setText(b, path, lines.join('\n'));
    assertFails(verify(rehash(b)), 'checkpoint-roots');
  }
});

test('a checkpoint note with its size changed: checkpoint-roots fails', () => {
  const b = goldenBundle();
  const path = 'checkpoints/04-final.note';
  setText(b, path, text(b, path).replace(/\n86\n/, '\n85\n'));
  assert.notEqual(text(b, path), text(goldenBundle(), path));
  assertFails(verify(rehash(b)), 'checkpoint-roots');
});

test('checkpoint notes renamed out of sequence: checkpoint-roots fails', () => {
  const b = goldenBundle();
  b.set('checkpoints/05-escrow.note', b.get('checkpoints/03-escrow.note')!);
  b.delete('checkpoints/03-escrow.note');
  assertFails(verify(rehash(b)), 'checkpoint-roots');
});
