import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileExclusive, replaceFileAtomically } from '../../../core/node/durable-files.ts';
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
