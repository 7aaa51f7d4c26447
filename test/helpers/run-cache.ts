/**
 * Fixtures made once per `node build/run-tests.mjs` run and shared by its test files (the
 * suite's 12-minute budget on 2 cores, docs/CONTRIBUTING.md "Suite time"): the runner sets
 * KEYRITE_TEST_RUN_CACHE to a fresh folder it deletes at the end; the first file that needs a
 * fixture makes it there, the others wait for it and read it. Each file still works on its own
 * copy. Run alone (no runner, no variable), a file makes the fixture itself, as before.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const RUN_CACHE_VARIABLE = 'KEYRITE_TEST_RUN_CACHE';

/** How long a file waits for another to finish a fixture before it fails (a stuck maker). */
const WAIT_MS = 300_000;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The folder holding fixture `name`, made by `make(folder)` once per run (or, outside the runner,
 * once per call in a new temporary folder). Callers must treat the folder as read-only.
 */
export async function sharedFixture(name: string, make: (folder: string) => Promise<void>): Promise<string> {
  const cache = process.env[RUN_CACHE_VARIABLE];
  if (cache === undefined || cache === '') {
    const folder = join(mkdtempSync(join(tmpdir(), `keyrite-fixture-${name}-`)), name);
    await make(folder);
    return folder;
  }
  const ready = join(cache, name);
  const lock = join(cache, `${name}.lock`);
  const started = Date.now();
  for (;;) {
    if (existsSync(ready)) return ready;
    if (takeLock(lock)) break;
    if (existsSync(join(lock, 'failed'))) throw new Error(`Another test file failed to make the shared fixture ${name}: ${readFileSync(join(lock, 'failed'), 'utf8')}`);
    const owner = Number(readFileSync(join(lock, 'pid'), { encoding: 'utf8', flag: 'a+' }) || 0);
    if (owner > 0 && !processAlive(owner)) throw new Error(`The test process ${owner} died while making the shared fixture ${name} in ${cache}.`);
    if (Date.now() - started > WAIT_MS) throw new Error(`Waited ${WAIT_MS / 1000} s for the shared fixture ${name} in ${cache}.`);
    await sleep(200);
  }
  writeFileSync(join(lock, 'pid'), String(process.pid));
  const building = join(cache, `${name}.building`);
  rmSync(building, { recursive: true, force: true });
  try {
    await make(building);
  } catch (e) {
    writeFileSync(join(lock, 'failed'), e instanceof Error ? e.message : String(e));
    throw e;
  }
  renameSync(building, ready);
  return ready;
}

/** True when this process made the lock folder; false when another process holds it. */
function takeLock(lock: string): boolean {
  try {
    mkdirSync(lock);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}
