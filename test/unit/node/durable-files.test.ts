import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileExclusive, replaceFileAtomically, sweepTemporaries } from '../../../core/node/durable-files.ts';
import { isKeyriteError } from '../../../core/errors.ts';

test('createFileExclusive writes once, never overwrites, leaves no temporary files', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'keyrite-durable-'));
  try {
    const path = join(dir, 'a.json');
    await createFileExclusive(path, new TextEncoder().encode('first'), 0o600, 'exists');
    await assert.rejects(createFileExclusive(path, new TextEncoder().encode('second'), 0o600, 'a.json exists'), (e) => isKeyriteError(e, 'OBJECT_EXISTS') && e.message === 'a.json exists');
    assert.equal(await readFile(path, 'utf8'), 'first');
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.deepEqual(await readdir(dir), ['a.json']);
    await replaceFileAtomically(path, new TextEncoder().encode('third'), 0o644);
    assert.equal(await readFile(path, 'utf8'), 'third');
    assert.deepEqual(await readdir(dir), ['a.json']);
    await assert.rejects(createFileExclusive(join(dir, 'missing', 'b'), new Uint8Array(1), 0o600, 'x'), (e) => isKeyriteError(e, 'IO_ERROR') && /does not exist/.test(e.message));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a write that fails once the temporary file exists (as on a full disk) leaves no temporary file, and sweepTemporaries removes a killed writer\'s', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'keyrite-durable-'));
  try {
    // The data cannot be written after the file was created: the same path as ENOSPC in the middle of writeFile.
    const unwritable = 42 as unknown as Uint8Array;
    await assert.rejects(createFileExclusive(join(dir, 'card.pdf'), unwritable, 0o600, 'x'));
    await assert.rejects(replaceFileAtomically(join(dir, 'token'), unwritable, 0o600));
    assert.deepEqual(await readdir(dir), []);
    // What a SIGKILL between create and link leaves: removed by name, and only the given file's when asked.
    await writeFile(join(dir, '.share-card.pdf.0123456789ab.tmp'), 'x');
    await writeFile(join(dir, '.token.aaaaaaaaaaaa.tmp'), 'x');
    await writeFile(join(dir, '.not-ours.tmp'), 'x');
    assert.deepEqual(await sweepTemporaries(dir, 'token'), [join(dir, '.token.aaaaaaaaaaaa.tmp')]);
    assert.deepEqual(await sweepTemporaries(dir), [join(dir, '.share-card.pdf.0123456789ab.tmp')]);
    assert.deepEqual(await readdir(dir), ['.not-ours.tmp']);
    assert.deepEqual(await sweepTemporaries(join(dir, 'absent')), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
