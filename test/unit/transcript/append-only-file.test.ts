// The durable file sink (core/node/append-only-file.ts) and crash simulation: a transcript
// written through the real sink, cut at every byte of its last line, recovered, repaired and
// resumed into a valid chain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppendOnlyFile, TRANSCRIPT_FILE_MODE, repairTornTail } from '../../../core/node/append-only-file.ts';
import { TranscriptWriter, readTranscript, recoverTranscript } from '../../../core/transcript/transcript.ts';
import { toHex } from '../../../core/encoding/hex.ts';
import { rejectsCode, steppingClock } from './helpers.ts';

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'keyrite-transcript-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function writeTranscript(path: string, n: number): Promise<Uint8Array> {
  const sink = await AppendOnlyFile.create(path);
  const w = new TranscriptWriter(sink, { clock: steppingClock() });
  for (let i = 0; i < n; i++) await w.append('step.done', `trustee-${i + 1}`, { i, detail: 'x'.repeat(i * 7), unicode: 'Ω≈ç√' });
  await sink.close();
  return new Uint8Array(await readFile(path));
}

test('create writes a new file, appends durably, and refuses to overwrite', async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, 'transcript.jsonl');
    const bytes = await writeTranscript(path, 3);
    assert.equal(readTranscript(bytes).size, 3);
    if (process.platform !== 'win32') {
      const mode = (await stat(path)).mode & 0o777;
      assert.equal(mode & ~TRANSCRIPT_FILE_MODE, 0, `mode ${mode.toString(8)} has bits beyond 0644`);
      assert.equal(mode & 0o600, 0o600);
    }
    await rejectsCode(AppendOnlyFile.create(path), 'IO_ERROR');
    assert.deepEqual(new Uint8Array(await readFile(path)), bytes, 'a refused create must not touch the file');
  });
});

test('openExisting appends at the end, never creates and never truncates', async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, 'transcript.jsonl');
    await rejectsCode(AppendOnlyFile.openExisting(path), 'IO_ERROR');
    await assert.rejects(stat(path), { code: 'ENOENT' }, 'openExisting must not create the file');
    await writeFile(path, 'abc\n');
    const f = await AppendOnlyFile.openExisting(path);
    await Promise.all([f.append(new TextEncoder().encode('d\n')), f.append(new TextEncoder().encode('e\n'))]);
    await f.close();
    assert.equal(await readFile(path, 'utf8'), 'abc\nd\ne\n');
    await rejectsCode(f.append(new Uint8Array([1])), 'IO_ERROR');
    await rejectsCode(f.append('x' as never), 'INVALID_INPUT');
  });
});

test('repairTornTail cuts only back to a line boundary and reports the bytes removed', async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, 't.jsonl');
    await writeFile(path, 'line one\nline two\npartial');
    await rejectsCode(repairTornTail(path, 12), 'INVALID_INPUT'); // not after an LF
    await rejectsCode(repairTornTail(path, 1000), 'INVALID_INPUT'); // beyond the end
    await rejectsCode(repairTornTail(path, -1), 'INVALID_INPUT');
    await rejectsCode(repairTornTail(join(dir, 'missing'), 0), 'IO_ERROR');
    assert.equal(await readFile(path, 'utf8'), 'line one\nline two\npartial', 'refusals change nothing');
    assert.equal(await repairTornTail(path, 18), 7);
    assert.equal(await readFile(path, 'utf8'), 'line one\nline two\n');
    assert.equal(await repairTornTail(path, 18), 0);
    assert.equal(await repairTornTail(path, 0), 18);
    assert.equal((await stat(path)).size, 0);
  });
});

test('crash simulation: cut at every byte of the last line, recover, repair, resume', async () => {
  await withTempDir(async (dir) => {
    const N = 4;
    const original = join(dir, 'original.jsonl');
    const full = await writeTranscript(original, N);
    const fullRead = readTranscript(full);
    const lastStart = full.lastIndexOf(0x0a, full.length - 2) + 1;
    const path = join(dir, 'transcript.jsonl');
    for (let cut = lastStart; cut <= full.length; cut++) {
      await writeFile(path, full);
      await truncate(path, cut); // what the disk holds after a crash mid-append
      const onDisk = new Uint8Array(await readFile(path));
      const rec = recoverTranscript(onDisk);
      if (cut === full.length) {
        assert.equal(rec.size, N);
        continue;
      }
      assert.equal(rec.size, N - 1, `cut at ${cut}`);
      assert.equal(rec.validLength, lastStart);
      assert.equal(rec.droppedBytes, cut - lastStart);
      assert.equal(rec.dropped, cut === lastStart ? 'none' : 'no-final-newline');
      assert.deepEqual(rec.root, fullRead.tree.root(N - 1));

      assert.equal(await repairTornTail(path, rec.validLength), cut - lastStart);
      const sink = await AppendOnlyFile.openExisting(path);
      const w = TranscriptWriter.resume(rec.entries, sink, { clock: steppingClock('2026-03-02T00:00:00.000Z') });
      const e = await w.append('step.aborted', 'administrator-1', { seq: N - 1, reason: 'crash' });
      await sink.close();

      const after = new Uint8Array(await readFile(path));
      const r = readTranscript(after);
      assert.equal(r.size, N);
      assert.equal(e.seq, N - 1);
      assert.equal(e.prev, toHex(fullRead.leafHashes[N - 2]!));
      assert.deepEqual(after.subarray(0, lastStart), full.subarray(0, lastStart), 'the valid prefix is untouched');
      assert.deepEqual(r.root, w.root());
    }
  });
});

test('crash simulation: a zero-filled final block is dropped as an unparsable final line', async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, 'transcript.jsonl');
    const full = await writeTranscript(path, 3);
    const lastStart = full.lastIndexOf(0x0a, full.length - 2) + 1;
    const damaged = full.slice();
    damaged.fill(0, lastStart, full.length - 1); // data blocks lost, size and final LF kept
    await writeFile(path, damaged);
    const rec = recoverTranscript(damaged);
    assert.equal(rec.size, 2);
    assert.equal(rec.dropped, 'unparsable-final-line');
    assert.equal(await repairTornTail(path, rec.validLength), full.length - lastStart);
    assert.equal(readTranscript(new Uint8Array(await readFile(path))).size, 2);
  });
});
