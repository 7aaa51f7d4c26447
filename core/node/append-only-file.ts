/**
 * The durable, append-only file behind transcript.jsonl (core/transcript/transcript.ts
 * TranscriptSink; docs/FORMATS.md "Transcript"). POSIX semantics through Node's fs:
 *  - a new transcript is created with O_CREAT | O_EXCL (never over an existing file), the
 *    file is fsynced and then its directory is fsynced, so the name itself survives a crash;
 *  - an existing transcript is opened with O_APPEND and without O_TRUNC: every write lands at
 *    the end of the file whatever else happens;
 *  - every append writes the whole line (looping over short writes) and fsyncs before the
 *    promise resolves, so an entry the writer reports is on disk;
 *  - nothing here shortens a file except repairTornTail, the explicit torn-tail repair after
 *    recoverTranscript, which cuts only back to a line boundary the caller proved valid.
 * Mode 0644: the transcript is public by design (it ships in the public bundle and records
 * which entropy sources were used, never their values), so others may read it; only the
 * owner may write. The process umask may narrow it further.
 */
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { constants } from 'node:fs';
import { dirname } from 'node:path';
import { KeyriteError } from '../errors.ts';
import { ioError, syncDirectory } from './durable-files.ts';
import type { TranscriptSink } from '../transcript/transcript.ts';

export const TRANSCRIPT_FILE_MODE = 0o644;


export class AppendOnlyFile implements TranscriptSink {
  private handle: FileHandle | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly path: string,
    handle: FileHandle,
  ) {
    this.handle = handle;
  }

  /** Creates a new, empty file (fails with IO_ERROR if `path` exists), durable with its directory entry. */
  static async create(path: string): Promise<AppendOnlyFile> {
    let h: FileHandle;
    try {
      h = await open(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_EXCL, TRANSCRIPT_FILE_MODE);
    } catch (e) {
      throw ioError('create the transcript', path, e);
    }
    try {
      await h.sync();
      await syncDirectory(dirname(path));
    } catch (e) {
      await h.close().catch(() => undefined);
      throw ioError('make the new transcript durable:', path, e);
    }
    return new AppendOnlyFile(path, h);
  }

  /** Opens an existing file for appending (never creates, never truncates). */
  static async openExisting(path: string): Promise<AppendOnlyFile> {
    try {
      return new AppendOnlyFile(path, await open(path, constants.O_WRONLY | constants.O_APPEND));
    } catch (e) {
      throw ioError('open the transcript for appending:', path, e);
    }
  }

  /** Writes all of `bytes` at the end of the file and fsyncs before resolving. Appends are serialised. */
  append(bytes: Uint8Array): Promise<void> {
    if (!(bytes instanceof Uint8Array)) return Promise.reject(new KeyriteError('INVALID_INPUT', 'Only bytes can be appended to the transcript.'));
    const data = bytes.slice();
    const run = this.queue.then(() => this.appendNow(data));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async appendNow(data: Uint8Array): Promise<void> {
    const h = this.handle;
    if (h === undefined) throw new KeyriteError('IO_ERROR', `The transcript ${this.path} is closed.`);
    try {
      let done = 0;
      while (done < data.length) {
        const { bytesWritten } = await h.write(data, done, data.length - done);
        if (bytesWritten <= 0) throw new Error('the write made no progress');
        done += bytesWritten;
      }
      await h.sync();
    } catch (e) {
      throw ioError('append to the transcript', this.path, e);
    }
  }

  /** Waits for pending appends and closes the file. */
  async close(): Promise<void> {
    await this.queue;
    const h = this.handle;
    this.handle = undefined;
    if (h !== undefined) await h.close();
  }
}

/**
 * The torn-tail repair, and the only way Keyrite shortens a transcript: truncates `path` to
 * `validLength` (recoverTranscript's validLength), fsyncs, and returns how many bytes were
 * removed. Refuses (IO_ERROR / INVALID_INPUT) when the file is shorter than validLength or
 * when validLength does not end a line, so it can never cut into a valid entry.
 */
export async function repairTornTail(path: string, validLength: number): Promise<number> {
  if (typeof validLength !== 'number' || !Number.isSafeInteger(validLength) || validLength < 0) {
    throw new KeyriteError('INVALID_INPUT', 'The valid transcript length must be a whole number of bytes.');
  }
  let h: FileHandle;
  try {
    h = await open(path, constants.O_RDWR);
  } catch (e) {
    throw ioError('open the transcript for repair:', path, e);
  }
  try {
    const { size } = await h.stat();
    if (validLength > size) {
      throw new KeyriteError('INVALID_INPUT', `The transcript ${path} is ${size} bytes, shorter than the ${validLength} valid bytes given; nothing was changed.`);
    }
    if (validLength > 0) {
      const last = new Uint8Array(1);
      const { bytesRead } = await h.read(last, 0, 1, validLength - 1);
      if (bytesRead !== 1 || last[0] !== 0x0a) {
        throw new KeyriteError('INVALID_INPUT', `Byte ${validLength} of ${path} does not end a line; the repair would cut an entry, nothing was changed.`);
      }
    }
    const removed = size - validLength;
    if (removed > 0) {
      await h.truncate(validLength);
      await h.sync();
    }
    return removed;
  } catch (e) {
    if (e instanceof KeyriteError) throw e;
    throw ioError('repair the transcript', path, e);
  } finally {
    await h.close().catch(() => undefined);
  }
}
