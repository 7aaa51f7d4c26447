/**
 * One process per run folder: a ceremony (or recovery) holds `<run folder>/.keyrite.lock` from
 * before it reads the journal until it ends, so a second `keyrite ceremony run`, `recover` or
 * app session on the same folder is refused instead of appending to a journal another
 * process is still writing. The lock file is created exclusively and names its holder (pid,
 * host, start time, a random token); it survives a crash, and the next run diagnoses it:
 *  - held by a process that still runs on this host, or by another host (a folder on shared
 *    storage, whose processes cannot be checked from here): refused, naming the holder;
 *  - left by a process of this host that no longer runs: stale; it is taken over (reported to
 *    the caller, who says so) under a second exclusive name, so that two processes finding the
 *    same stale lock cannot both take it.
 * The lock is released (its file removed, if it is still this process's) when the run ends; a
 * run folder created for the lock alone is removed again if nothing else was written in it.
 */
import { hostname } from 'node:os';
import { mkdir, readFile, rmdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { KeyriteError } from '../errors.ts';
import { createFileExclusive, ioError } from './durable-files.ts';

export const RUN_FOLDER_LOCK = '.keyrite.lock';

export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly started: string;
}

export interface RunFolderLock {
  /** The holder of a stale lock this process took over, to be reported. */
  readonly staleHolder?: LockHolder;
  release(): Promise<void>;
}

function parseHolder(text: string): (LockHolder & { token: string }) | undefined {
  try {
    const o = JSON.parse(text) as Record<string, unknown>;
    if (typeof o.pid === 'number' && Number.isSafeInteger(o.pid) && o.pid > 0 && typeof o.host === 'string' && typeof o.started === 'string' && typeof o.token === 'string') {
      return { pid: o.pid, host: o.host, started: o.started, token: o.token };
    }
  } catch {
    // An unreadable lock file is reported as such below.
  }
  return undefined;
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as { code?: string }).code === 'EPERM';
  }
}

async function readIfThere(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return undefined;
    throw ioError('read the lock file', path, e);
  }
}

function inUse(dir: string, h: LockHolder, why: string, elsewhere = ''): KeyriteError {
  return new KeyriteError('OBJECT_EXISTS', `The run folder ${dir} is in use by another Keyrite process (pid ${h.pid} on ${h.host}, started ${h.started})${why}. Only one ceremony runs in a folder at a time: wait for it to end, or stop it; a crashed run leaves its journal, which the next run resumes.${elsewhere}`);
}

/** Takes the lock of `dir` (created if needed) or refuses (OBJECT_EXISTS) while another process holds it. */
export async function lockRunFolder(dir: string): Promise<RunFolderLock> {
  const path = join(dir, RUN_FOLDER_LOCK);
  // randomUUID, not randomBytes: taking a lock draws nothing from the stream a deterministic (golden) test run replaces.
  const token = randomUUID().replace(/-/g, '');
  const me = { pid: process.pid, host: hostname(), started: new Date().toISOString(), token };
  let created: string | undefined;
  try {
    created = await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw ioError('create the folder', dir, e);
  }
  let staleHolder: LockHolder | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await createFileExclusive(path, new TextEncoder().encode(`${JSON.stringify(me)}\n`), 0o600, 'taken', token.slice(0, 12));
      const release = async (): Promise<void> => {
        const now = await readIfThere(path).catch(() => undefined);
        if (now !== undefined && parseHolder(now)?.token === me.token) await unlink(path).catch(() => undefined);
        // A run refused before it wrote anything leaves no folder it made only for its lock.
        if (created !== undefined) await rmdir(dir).catch(() => undefined);
      };
      return { ...(staleHolder ? { staleHolder } : {}), release };
    } catch (e) {
      if (!(e instanceof KeyriteError && e.code === 'OBJECT_EXISTS')) throw e;
    }
    const text = await readIfThere(path);
    if (text === undefined) continue;
    const holder = parseHolder(text);
    if (holder === undefined) throw new KeyriteError('OBJECT_EXISTS', `The run folder ${dir} holds a lock file (${RUN_FOLDER_LOCK}) that is not Keyrite's or is damaged. If no Keyrite process is running a ceremony in this folder, remove that file and run again.`);
    if (holder.host !== me.host) throw inUse(dir, holder, ', on another computer: Keyrite cannot tell from here whether it still runs', ` A run that crashed on ${holder.host} leaves its lock, which only a run there takes over: run again there, or, once you are sure no Keyrite process on ${holder.host} uses this folder, remove ${RUN_FOLDER_LOCK} and run again here.`);
    if (running(holder.pid)) throw inUse(dir, holder, '');
    // Stale. One process takes it over: the one that creates the takeover marker.
    const marker = `${path}.takeover`;
    try {
      await mkdir(marker);
    } catch {
      throw new KeyriteError('OBJECT_EXISTS', `The run folder ${dir} holds the lock of a Keyrite process that no longer runs (pid ${holder.pid}, started ${holder.started}), and another process is taking it over right now (${RUN_FOLDER_LOCK}.takeover). If none is, remove ${RUN_FOLDER_LOCK}.takeover and run again.`);
    }
    try {
      if ((await readIfThere(path)) === text) await unlink(path);
    } finally {
      await rmdir(marker).catch(() => undefined);
    }
    staleHolder = { pid: holder.pid, host: holder.host, started: holder.started };
  }
  throw new KeyriteError('OBJECT_EXISTS', `The lock of the run folder ${dir} changed hands while Keyrite tried to take it; run again.`);
}
