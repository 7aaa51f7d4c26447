// The shared-fixture cache of build/run-tests.mjs (test/helpers/run-cache.ts): a fixture is made
// once however many files ask at the same time, and a maker's failure reaches every waiter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { RUN_CACHE_VARIABLE, sharedFixture } from '../../helpers/run-cache.ts';

async function withCache<T>(body: (cache: string) => Promise<T>): Promise<T> {
  const cache = mkdtempSync(join(tmpdir(), 'keyrite-run-cache-test-'));
  const before = process.env[RUN_CACHE_VARIABLE];
  process.env[RUN_CACHE_VARIABLE] = cache;
  try {
    return await body(cache);
  } finally {
    if (before === undefined) delete process.env[RUN_CACHE_VARIABLE];
    else process.env[RUN_CACHE_VARIABLE] = before;
    rmSync(cache, { recursive: true, force: true });
  }
}

test('three callers at once: the fixture is made once, and all read the same folder', async () => {
  await withCache(async (cache) => {
    let made = 0;
    const make = async (folder: string) => {
      made++;
      mkdirSync(folder);
      await sleep(300);
      writeFileSync(join(folder, 'made'), String(made));
    };
    const folders = await Promise.all([sharedFixture('thing', make), sharedFixture('thing', make), sharedFixture('thing', make)]);
    assert.equal(made, 1);
    assert.deepEqual(new Set(folders), new Set([join(cache, 'thing')]));
    assert.equal(readFileSync(join(folders[0]!, 'made'), 'utf8'), '1');
  });
});

test('a maker that fails: its error is thrown, and a caller waiting for it is told, not left waiting', async () => {
  await withCache(async () => {
    const failing = sharedFixture('broken', async () => {
      await sleep(300);
      throw new Error('no disk left');
    });
    const waiting = sharedFixture('broken', async () => assert.fail('a second maker ran'));
    await assert.rejects(failing, /no disk left/);
    await assert.rejects(waiting, /Another test file failed to make the shared fixture broken: no disk left/);
  });
});

test('outside the runner (no cache variable) each call makes its own fixture', async () => {
  const before = process.env[RUN_CACHE_VARIABLE];
  delete process.env[RUN_CACHE_VARIABLE];
  try {
    let made = 0;
    const make = async (folder: string) => {
      made++;
      mkdirSync(folder);
    };
    const a = await sharedFixture('alone', make);
    const b = await sharedFixture('alone', make);
    assert.equal(made, 2);
    assert.notEqual(a, b);
    rmSync(join(a, '..'), { recursive: true });
    rmSync(join(b, '..'), { recursive: true });
  } finally {
    if (before !== undefined) process.env[RUN_CACHE_VARIABLE] = before;
  }
});
