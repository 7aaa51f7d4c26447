// The transcript journal: writer, strict reader, crash-recovery reader, resume, checkpoint
// issuance, a golden fixture, and fast-check properties (random appends, single-byte mutations).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { isKeyriteError } from '../../../core/errors.ts';
import { toHex } from '../../../core/encoding/hex.ts';
import { GENESIS_PREV, TranscriptError, encodeEntryLine, makeEntry } from '../../../core/transcript/entry.ts';
import type { TranscriptEntry } from '../../../core/transcript/entry.ts';
import { leafHash, verifyConsistency, verifyInclusion } from '../../../core/transcript/merkle.ts';
import { TranscriptWriter, readTranscript, recoverTranscript } from '../../../core/transcript/transcript.ts';
import { ceremonyOrigin, formatCheckpoint } from '../../../core/transcript/checkpoint.ts';
import { FIXTURES, MemorySink, dec, enc, loadJson, rejectsCode, steppingClock, throwsCode } from './helpers.ts';

const ORIGIN = ceremonyOrigin('00112233445566778899aabbccddeeff');

async function writeN(n: number, opts: { start?: string; step?: number } = {}): Promise<{ bytes: Uint8Array; writer: TranscriptWriter; entries: TranscriptEntry[] }> {
  const sink = new MemorySink();
  const writer = new TranscriptWriter(sink, { clock: steppingClock(opts.start, opts.step) });
  const entries: TranscriptEntry[] = [];
  for (let i = 0; i < n; i++) entries.push(await writer.append('step.done', `trustee-${(i % 5) + 1}`, { i, note: `entry ${i}`, nested: { ok: i % 2 === 0 } }));
  return { bytes: sink.bytes(), writer, entries };
}

function lines(bytes: Uint8Array): string[] {
  return dec.decode(bytes).split('\n').slice(0, -1);
}

function join(ls: string[]): Uint8Array {
  return enc.encode(ls.map((l) => `${l}\n`).join(''));
}

function transcriptError(fn: () => unknown, line: number, code?: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof TranscriptError, `not a TranscriptError: ${String(e)}`);
    assert.equal(e.line, line, `line of: ${e.message}`);
    if (code !== undefined) assert.equal(e.code, code, e.message);
    assert.match(e.message, new RegExp(`line ${line}\\b`));
    return true;
  });
}

test('golden transcript: a fixed clock gives byte-identical output and known hashes', async () => {
  const golden = readFileSync(`${FIXTURES}transcript/golden-4.jsonl`);
  const expected = loadJson<{ size: number; leafHashes: string[]; root: string; checkpoint: string }>('transcript/golden-4.json');
  const sink = new MemorySink();
  const w = new TranscriptWriter(sink, { clock: steppingClock('2026-03-01T09:00:00.000Z', 1500) });
  await w.append('ceremony.start', 'administrator-1', { ceremonyId: '00112233445566778899aabbccddeeff', scriptSha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', kind: 'root-keygen' });
  await w.append('selftest.result', 'administrator-1', { passed: true, tests: ['sha2', 'hkdf', 'ed25519', 'ml-dsa-65'] });
  await w.append('entropy.sources', 'administrator-1', { sources: ['hsm', 'os-csprng', 'dice'], bits: '256' });
  await w.append('trustee.checkin', 'trustee-1', { name: 'Zoë Ångström', token: { label: 'Trustee 1', serial: '0001' } });
  assert.deepEqual(sink.bytes(), new Uint8Array(golden));
  const r = readTranscript(new Uint8Array(golden));
  assert.equal(r.size, expected.size);
  assert.deepEqual(r.leafHashes.map(toHex), expected.leafHashes);
  assert.equal(toHex(r.root), expected.root);
  assert.equal(toHex(w.root()), expected.root);
  assert.equal(formatCheckpoint(await w.checkpoint(ORIGIN)), expected.checkpoint);
});

test('the writer chains entries and keeps root and size in step with the reader', async () => {
  const { bytes, writer, entries } = await writeN(7);
  const r = readTranscript(bytes);
  assert.equal(r.size, 7);
  assert.deepEqual(r.entries, entries);
  assert.equal(entries[0]!.prev, GENESIS_PREV);
  for (let i = 1; i < 7; i++) assert.equal(entries[i]!.prev, toHex(r.leafHashes[i - 1]!));
  assert.deepEqual(r.root, writer.root());
  assert.equal(writer.size(), 7);
  assert.deepEqual(writer.last(), entries[6]);
  assert.deepEqual(r.tree.root(3), readTranscript(join(lines(bytes).slice(0, 3))).root);
  assert.deepEqual(writer.rootAt(3), r.tree.root(3));
  for (let seq = 0; seq < 7; seq++) {
    assert.ok(verifyInclusion(seq, 7, r.leafHashes[seq]!, writer.inclusionProof(seq), writer.root()));
    assert.ok(verifyInclusion(seq, 7, leafHash(enc.encode(lines(bytes)[seq]!)), r.tree.inclusionProof(seq), r.root));
  }
});

test('an empty file is an empty transcript', () => {
  const r = readTranscript(new Uint8Array(0));
  assert.equal(r.size, 0);
  assert.equal(toHex(r.root), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  const rec = recoverTranscript(new Uint8Array(0));
  assert.equal(rec.size, 0);
  assert.equal(rec.validLength, 0);
  assert.equal(rec.dropped, 'none');
});

test('readTranscript rejects broken chains, naming the line', async () => {
  const { bytes, entries } = await writeN(5);
  const ls = lines(bytes);
  // Gap in seq: line 3 removed, so line 3 now holds seq 3.
  transcriptError(() => readTranscript(join([ls[0]!, ls[1]!, ls[3]!, ls[4]!])), 3, 'VERIFY_FAILED');
  // Reordered lines.
  transcriptError(() => readTranscript(join([ls[0]!, ls[2]!, ls[1]!, ls[3]!])), 2, 'VERIFY_FAILED');
  // Duplicated line.
  transcriptError(() => readTranscript(join([ls[0]!, ls[1]!, ls[1]!])), 3, 'VERIFY_FAILED');
  // Does not start at seq 0.
  transcriptError(() => readTranscript(join(ls.slice(1))), 1, 'VERIFY_FAILED');
  // Altered entry 1 (canonical, valid on its own): entry 2's prev no longer matches.
  const altered = encodeEntryLine(makeEntry({ ...entries[1]!, body: { i: 1, note: 'forged', nested: { ok: false } } }));
  transcriptError(() => readTranscript(join([ls[0]!, dec.decode(altered).trimEnd(), ...ls.slice(2)])), 3, 'VERIFY_FAILED');
  // A re-chained forgery with a wrong first prev.
  const first = encodeEntryLine(makeEntry({ ...entries[0]!, prev: 'f'.repeat(64) }));
  transcriptError(() => readTranscript(join([dec.decode(first).trimEnd()])), 1, 'VERIFY_FAILED');
  // Time going backwards.
  const e0 = makeEntry({ ...entries[0]!, time: '2026-03-01T10:00:00.000Z' });
  const e1 = makeEntry({ ...entries[1]!, time: '2026-03-01T09:59:59.999Z', prev: toHex(leafHash(encodeEntryLine(e0).subarray(0, -1))) });
  transcriptError(() => readTranscript(join([dec.decode(encodeEntryLine(e0)).trimEnd(), dec.decode(encodeEntryLine(e1)).trimEnd()])), 2, 'VERIFY_FAILED');
  // Equal times are fine.
  const e1same = makeEntry({ ...e1, time: e0.time });
  assert.equal(readTranscript(join([dec.decode(encodeEntryLine(e0)).trimEnd(), dec.decode(encodeEntryLine(e1same)).trimEnd()])).size, 2);
});

test('readTranscript rejects garbage lines in the middle, naming the line', async () => {
  const { bytes } = await writeN(4);
  const ls = lines(bytes);
  const bad: [string, string, string][] = [
    ['not JSON', 'garbage', 'INVALID_JSON'],
    ['duplicate key', ls[1]!.replace('"v":1}', '"v":1,"v":1}'), 'INVALID_JSON'],
    ['non-canonical spacing', ls[1]!.replace('"seq":1', '"seq": 1'), 'INVALID_ENCODING'],
    ['non-canonical key order', ls[1]!.replace(/"seq":1,("time":"[^"]*"),/, '$1,"seq":1,'), 'INVALID_ENCODING'],
    ['wrong v', ls[1]!.replace('"v":1}', '"v":2}'), 'INVALID_ENCODING'],
    ['unknown member', ls[1]!.replace('"v":1}', '"v":1,"w":1}'), 'INVALID_ENCODING'],
    ['huge number', ls[1]!.replace('"i":1', '"i":123456789012345678901234567890'), 'INVALID_JSON'],
    ['empty line', '', 'INVALID_ENCODING'],
    ['CR at end', `${ls[1]!}\r`, 'INVALID_ENCODING'],
  ];
  for (const [name, line, code] of bad) {
    assert.notEqual(line, ls[1], name);
    transcriptError(() => readTranscript(join([ls[0]!, line, ls[2]!, ls[3]!])), 2, code);
    // In the middle it is tampering for the crash reader too.
    transcriptError(() => recoverTranscript(join([ls[0]!, line, ls[2]!, ls[3]!])), 2, code);
  }
});

test('readTranscript refuses a torn tail; recoverTranscript drops it', async () => {
  const { bytes } = await writeN(3);
  const ls = lines(bytes);
  const torn = enc.encode(`${ls.join('\n')}`); // last line without its LF
  transcriptError(() => readTranscript(torn), 3, 'VERIFY_FAILED');
  const r = recoverTranscript(torn);
  assert.equal(r.size, 2);
  assert.equal(r.dropped, 'no-final-newline');
  assert.equal(r.validLength, enc.encode(`${ls[0]}\n${ls[1]}\n`).length);
  assert.equal(r.droppedBytes, torn.length - r.validLength);
  assert.deepEqual(r.root, readTranscript(torn.subarray(0, r.validLength)).root);

  // Half a line without LF.
  const half = bytes.subarray(0, bytes.length - 40);
  const rh = recoverTranscript(half);
  assert.equal(rh.size, 2);
  assert.equal(rh.droppedBytes, half.length - rh.validLength);

  // A final LF-terminated line that is not JSON (a partially persisted write: zeros).
  const zeros = new Uint8Array([...bytes, 0, 0, 0, 0, 0x0a]);
  const rz = recoverTranscript(zeros);
  assert.equal(rz.size, 3);
  assert.equal(rz.dropped, 'unparsable-final-line');
  assert.equal(rz.droppedBytes, 5);
  assert.equal(rz.validLength, bytes.length);

  // Complete file: nothing dropped.
  const rc = recoverTranscript(bytes);
  assert.equal(rc.size, 3);
  assert.equal(rc.droppedBytes, 0);
  assert.equal(rc.validLength, bytes.length);
});

test('recoverTranscript refuses a final line that is JSON but wrong: that is tampering, not a crash', async () => {
  const { bytes, entries } = await writeN(3);
  const ls = lines(bytes);
  // Valid canonical entry with a wrong prev.
  const forged = dec.decode(encodeEntryLine(makeEntry({ ...entries[2]!, prev: 'a'.repeat(64) }))).trimEnd();
  transcriptError(() => recoverTranscript(join([ls[0]!, ls[1]!, forged])), 3, 'VERIFY_FAILED');
  // Non-canonical final line.
  transcriptError(() => recoverTranscript(join([ls[0]!, ls[1]!, ls[2]!.replace('"seq":2', '"seq": 2')])), 3, 'INVALID_ENCODING');
  // Garbage before a good final line.
  transcriptError(() => recoverTranscript(join([ls[0]!, 'xx', ls[2]!])), 2);
  // A lost line break glues two durable entries: refused, not dropped as a torn line.
  transcriptError(() => recoverTranscript(enc.encode(`${ls[0]}\n${ls[1]}${ls[2]}\n`)), 2, 'VERIFY_FAILED');
  transcriptError(() => recoverTranscript(enc.encode(`${ls[0]}\n${ls[1]}\u000b${ls[2]}`)), 2, 'VERIFY_FAILED');
  // Two torn lines: only the last can be a crash.
  transcriptError(() => recoverTranscript(enc.encode(`${ls[0]}\n${ls[1]}\n\u0000\u0000\n{"act`)), 3);
});

test('the writer clamps a clock that steps back, and refuses explicit times in the past', async () => {
  const times = ['2026-03-01T10:00:00.000Z', '2026-03-01T09:00:00.000Z', '2026-03-01T10:00:01.000Z'];
  let i = 0;
  const w = new TranscriptWriter(new MemorySink(), { clock: () => new Date(times[i++]!) });
  assert.equal((await w.append('a', 'x', {})).time, times[0]);
  assert.equal((await w.append('a', 'x', {})).time, times[0]);
  assert.equal((await w.append('a', 'x', {})).time, times[2]);
  await rejectsCode(w.append('a', 'x', {}, '2026-03-01T09:00:00.000Z'), 'INVALID_INPUT');
  await rejectsCode(w.append('a', 'x', {}, 'yesterday'), 'INVALID_INPUT');
  assert.equal((await w.append('a', 'x', {}, new Date('2026-03-02T00:00:00Z'))).time, '2026-03-02T00:00:00.000Z');
  assert.equal(w.size(), 4);
});

test('concurrent appends are serialised in call order', async () => {
  const sink = new MemorySink();
  const w = new TranscriptWriter(sink, { clock: steppingClock() });
  const got = await Promise.all(Array.from({ length: 10 }, (_, i) => w.append('step', 'x', { i })));
  assert.deepEqual(got.map((e) => e.seq), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(got.map((e) => e.body.i), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(readTranscript(sink.bytes()).size, 10);
});

test('a bad entry is refused without harming the writer; a failed write stops it', async () => {
  const sink = new MemorySink(2);
  const w = new TranscriptWriter(sink, { clock: steppingClock() });
  await w.append('ok', 'x', {});
  await rejectsCode(w.append('Bad Type', 'x', {}), 'INVALID_INPUT');
  await rejectsCode(w.append('ok', 'x', { n: 2 ** 60 }), 'INVALID_INPUT');
  await w.append('ok', 'x', {});
  assert.equal(w.size(), 2);
  await rejectsCode(w.append('ok', 'x', {}), 'IO_ERROR'); // the sink fails its third call
  await rejectsCode(w.append('ok', 'x', {}), 'IO_ERROR');
  await rejectsCode(w.checkpoint(ORIGIN), 'IO_ERROR');
  assert.equal(w.size(), 2);
  assert.equal(readTranscript(sink.bytes()).size, 2);
  throwsCode(() => new TranscriptWriter({} as never), 'INVALID_INPUT');
});

test('resume continues the chain from a valid prefix', async () => {
  const { bytes } = await writeN(3);
  const r = readTranscript(bytes);
  const sink = new MemorySink();
  const w = TranscriptWriter.resume(r.entries, sink, { clock: steppingClock('2026-03-01T12:00:00.000Z') });
  assert.equal(w.size(), 3);
  assert.deepEqual(w.root(), r.root);
  const e = await w.append('ceremony.resumed', 'administrator-1', { aborted: 'step.done' });
  assert.equal(e.seq, 3);
  assert.equal(e.prev, toHex(r.leafHashes[2]!));
  const all = readTranscript(new Uint8Array([...bytes, ...sink.bytes()]));
  assert.equal(all.size, 4);
  assert.deepEqual(all.root, w.root());
  // A resumed writer also refuses to go back in time.
  const w2 = TranscriptWriter.resume(r.entries, new MemorySink(), { clock: () => new Date('2020-01-01T00:00:00Z') });
  assert.equal((await w2.append('a', 'x', {})).time, r.entries[2]!.time);
});

test('resume refuses entries that do not form a chain', async () => {
  const { entries } = await writeN(3);
  throwsCode(() => TranscriptWriter.resume([entries[0]!, entries[2]!], new MemorySink()), 'VERIFY_FAILED');
  throwsCode(() => TranscriptWriter.resume([entries[1]!], new MemorySink()), 'VERIFY_FAILED');
  const forged = { ...entries[1]!, body: { forged: true } };
  throwsCode(() => TranscriptWriter.resume([entries[0]!, forged, entries[2]!], new MemorySink()), 'VERIFY_FAILED');
  throwsCode(() => TranscriptWriter.resume([{ ...entries[0]!, extra: 1 } as TranscriptEntry], new MemorySink()), 'INVALID_ENCODING');
  throwsCode(() => TranscriptWriter.resume('x' as never, new MemorySink()), 'INVALID_INPUT');
});

test('the writer never issues two inconsistent checkpoints', async () => {
  const sink = new MemorySink();
  const w = new TranscriptWriter(sink, { clock: steppingClock() });
  assert.equal(w.lastCheckpoint(), undefined);
  const c0 = await w.checkpoint(ORIGIN);
  assert.equal(c0.size, 0);
  await w.append('a', 'x', {});
  await w.append('a', 'x', {});
  const c2 = await w.checkpoint(ORIGIN);
  await w.append('a', 'x', {});
  const c3 = await w.checkpoint(ORIGIN);
  const c3again = await w.checkpoint(ORIGIN);
  assert.deepEqual(c3again, c3);
  assert.deepEqual(w.lastCheckpoint(), c3);
  assert.ok(verifyConsistency(c2.size, c3.size, c2.root, c3.root, w.consistencyProof(2, 3)));
  // Another origin for the same log is refused.
  await rejectsCode(w.checkpoint(ceremonyOrigin('ffeeddccbbaa99887766554433221100')), 'VERIFY_FAILED');
  await rejectsCode(w.checkpoint('bad origin'), 'INVALID_INPUT');
  // Pending appends are included: the checkpoint waits for them.
  const p = w.append('a', 'x', {});
  const c4 = await w.checkpoint(ORIGIN);
  await p;
  assert.equal(c4.size, 4);

  // Resuming with the last issued checkpoint: accepted when the entries reproduce it...
  const r = readTranscript(sink.bytes());
  const resumed = TranscriptWriter.resume(r.entries, new MemorySink(), { lastCheckpoint: c4 });
  assert.deepEqual(resumed.lastCheckpoint(), c4);
  assert.equal((await resumed.checkpoint(ORIGIN)).size, 4);
  // ...refused when entries it covered are missing (a truncated transcript)...
  throwsCode(() => TranscriptWriter.resume(r.entries.slice(0, 3), new MemorySink(), { lastCheckpoint: c4 }), 'VERIFY_FAILED');
  // ...and refused when the entries are a different history (a fork).
  const fork = await writeN(5);
  throwsCode(() => TranscriptWriter.resume(fork.entries, new MemorySink(), { lastCheckpoint: c4 }), 'VERIFY_FAILED');
  // A fork resumed without its history would sign a checkpoint inconsistent with c4: a
  // verifier holding both catches it with the consistency check.
  const forkCp = await TranscriptWriter.resume(fork.entries, new MemorySink()).checkpoint(ORIGIN);
  assert.equal(verifyConsistency(c4.size, forkCp.size, c4.root, forkCp.root, fork.writer.consistencyProof(4, 5)), false);
});

// ---- properties ----

const jsonLeaf = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }),
  fc.boolean(),
  fc.constant(null),
);
const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, jsonLeaf, fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(fc.string({ unit: 'binary', maxLength: 6 }), tie('value'), { maxKeys: 3 })),
})).value;
const bodyArb = fc.dictionary(fc.string({ unit: 'binary', maxLength: 8 }), jsonValue, { maxKeys: 4 });
const appendArb = fc.record({
  type: fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,15}$/),
  actor: fc.stringMatching(/^[\x21-\x7e]{1,20}$/),
  body: bodyArb,
  advanceMs: fc.integer({ min: 0, max: 5000 }),
});

test('property: any sequence of appends reads back exactly, with roots matching the incremental roots', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(appendArb, { minLength: 0, maxLength: 12 }), async (ops) => {
      const sink = new MemorySink();
      let t = Date.parse('2026-03-01T09:00:00.000Z');
      const w = new TranscriptWriter(sink, { clock: () => new Date(t) });
      const written: TranscriptEntry[] = [];
      const roots: Uint8Array[] = [w.root()];
      for (const op of ops) {
        t += op.advanceMs;
        written.push(await w.append(op.type, op.actor, op.body));
        roots.push(w.root());
      }
      const r = readTranscript(sink.bytes());
      assert.equal(r.size, ops.length);
      assert.deepEqual(r.entries, written);
      for (let k = 0; k <= ops.length; k++) assert.deepEqual(r.tree.root(k), roots[k]);
      const rec = recoverTranscript(sink.bytes());
      assert.equal(rec.size, ops.length);
      assert.equal(rec.droppedBytes, 0);
    }),
    { numRuns: 60 },
  );
});

test('property: a single-byte change is rejected, or changes the root, or (torn tail) shortens the recovered prefix', async () => {
  const samples = await Promise.all([1, 2, 3, 5].map((n) => writeN(n)));
  fc.assert(
    fc.property(fc.integer({ min: 0, max: samples.length - 1 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (which, posSeed, delta) => {
      const { bytes } = samples[which]!;
      const original = readTranscript(bytes);
      const pos = posSeed % bytes.length;
      const mutated = bytes.slice();
      mutated[pos] = (mutated[pos]! + delta) % 256;
      const lastLineStart = bytes.lastIndexOf(0x0a, bytes.length - 2) + 1;

      let read: ReturnType<typeof readTranscript> | undefined;
      try {
        read = readTranscript(mutated);
      } catch (e) {
        assert.ok(isKeyriteError(e), `unexpected error type: ${String(e)}`);
      }
      if (read !== undefined) {
        // Accepted by the chain checks alone: only possible for the last entry, and the
        // root (what checkpoints and the statement sign) then differs.
        assert.ok(pos >= lastLineStart, `a change at ${pos} before the last line was accepted`);
        assert.notDeepEqual(read.root, original.root);
      }

      let rec: ReturnType<typeof recoverTranscript> | undefined;
      try {
        rec = recoverTranscript(mutated);
      } catch (e) {
        assert.ok(isKeyriteError(e), `unexpected error type: ${String(e)}`);
      }
      if (rec !== undefined) {
        if (rec.size === original.size) {
          assert.ok(pos >= lastLineStart);
          assert.notDeepEqual(rec.root, original.root);
        } else {
          // Only the final line may be dropped, and what stays is the original prefix.
          assert.equal(rec.size, original.size - 1);
          assert.ok(pos >= lastLineStart, `a change at ${pos} before the last line was dropped as a torn tail`);
          assert.equal(rec.validLength, lastLineStart);
          assert.deepEqual(rec.root, original.tree.root(rec.size));
        }
      }
    }),
    { numRuns: 1500 },
  );
});
