/**
 * Appends a signed health record to a health log folder (`keyrite health-log append`;
 * core/verifier/health-log.ts has the format). Append-only and durable:
 *  - a new log is written whole (its first entry and the record) with an exclusive create, so
 *    no log is ever overwritten and none is left half-made;
 *  - an existing log is read strictly (only a torn final line, left by a crash during an
 *    earlier append, is cut back to the last whole line) and the record is added with O_APPEND
 *    and fsync (AppendOnlyFile);
 *  - one append at a time: `LOG/.append.lock` is created exclusively for the append and removed after.
 * Before anything is written, the record must be signed by the keys it carries, follow the
 * log's escrow (ceremony, epoch, master key), not be in the log already, and be later than that
 * trustee's last record: what the verifier would refuse is refused here, by name.
 */
import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { KeyriteError } from '../errors.ts';
import { concatBytes, toPlainBytes } from '../bytes.ts';
import { TranscriptWriter, recoverTranscript } from '../transcript/transcript.ts';
import { encodeEntryLine, formatTranscriptTime, GENESIS_PREV, makeEntry, entryHashHex } from '../transcript/entry.ts';
import { healthRecordKey, healthRecordToJson, parseHealthRecord, verifyHealthRecordSignature, type HealthRecord } from '../escrow/health-record.ts';
import { HEALTH_LOG_ACTOR, HEALTH_LOG_FILE, HEALTH_LOG_START, HEALTH_RECORD_ENTRY, healthLogStartBody, readHealthLogHead, readHealthLogRecord } from '../verifier/health-log.ts';
import { AppendOnlyFile, repairTornTail, TRANSCRIPT_FILE_MODE } from './append-only-file.ts';
import { createFileExclusive, ioError } from './durable-files.ts';

export interface HealthLogAppend {
  /** The log file. */
  path: string;
  /** Whether this append started the log. */
  created: boolean;
  /** The record's line in the log (1-based). */
  line: number;
  record: HealthRecord;
  /** Bytes of a torn final line cut off first (an earlier append interrupted by a crash). */
  repairedBytes: number;
}

function refuse(reason: string): never {
  throw new KeyriteError('VERIFY_FAILED', `This health record is not appended: ${reason}.`);
}

/** The record file's text, checked to be signed by the keys it carries. */
export function readHealthRecordFile(bytes: Uint8Array): HealthRecord {
  let record: HealthRecord;
  try {
    record = parseHealthRecord(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    return refuse(`the file is not a health record (${e instanceof KeyriteError ? e.message.replace(/\.$/, '') : 'not UTF-8 text'})`);
  }
  const sig = verifyHealthRecordSignature(record);
  if (!sig.keysMatch) refuse('the keys it carries are not the ones its body names');
  if (!sig.signature.valid) refuse('its signature does not verify with the keys it carries (forged or altered)');
  return record;
}

async function readIfExists(path: string): Promise<Uint8Array | undefined> {
  try {
    return toPlainBytes(await readFile(path));
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return undefined;
    throw ioError('read the health log', path, e);
  }
}

async function withLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const lock = join(dir, '.append.lock');
  let h;
  try {
    h = await open(lock, 'wx', 0o600);
  } catch (e) {
    if ((e as { code?: string }).code === 'EEXIST') throw new KeyriteError('IO_ERROR', `Another append to this health log is under way (${lock} exists). If none is, an append was interrupted: remove that file and append again.`);
    throw ioError('lock the health log', lock, e);
  }
  await h.close();
  try {
    return await fn();
  } finally {
    await unlink(lock).catch(() => undefined);
  }
}

/** Appends the record (the file's bytes) to the log in folder `dir` (created if missing); `clock` dates the entry. */
export async function appendHealthRecord(dir: string, recordBytes: Uint8Array, clock: () => Date = () => new Date()): Promise<HealthLogAppend> {
  const record = readHealthRecordFile(recordBytes);
  const b = record.body;
  const body = { record: healthRecordToJson(record) };
  try {
    await mkdir(dir, { recursive: true, mode: 0o755 });
  } catch (e) {
    throw ioError('create the health log folder', dir, e);
  }
  const path = join(dir, HEALTH_LOG_FILE);
  return withLock(dir, async () => {
    const existing = await readIfExists(path);
    if (existing === undefined) {
      const time = formatTranscriptTime(clock());
      const start = makeEntry({ seq: 0, time, type: HEALTH_LOG_START, actor: HEALTH_LOG_ACTOR, body: healthLogStartBody(b), prev: GENESIS_PREV });
      const first = makeEntry({ seq: 1, time, type: HEALTH_RECORD_ENTRY, actor: b.trusteeFingerprint, body, prev: entryHashHex(start) });
      await createFileExclusive(path, concatBytes(encodeEntryLine(start), encodeEntryLine(first)), TRANSCRIPT_FILE_MODE, `The health log ${path} appeared while this append ran; nothing was written.`);
      return { path, created: true, line: 2, record, repairedBytes: 0 };
    }
    let recovered;
    try {
      recovered = recoverTranscript(existing);
    } catch (e) {
      return refuse(`the log ${path} is damaged (${e instanceof KeyriteError ? e.message.replace(/\.$/, '') : 'unreadable'}); it is left as it is`);
    }
    const head = readHealthLogHead(recovered.entries[0]);
    if (head.ceremonyId !== b.ceremonyId || head.masterFingerprint !== b.masterFingerprint) refuse(`the log follows ceremony ${head.ceremonyId.slice(0, 8)}…, the record is of ceremony ${b.ceremonyId.slice(0, 8)}…`);
    if (head.epoch !== b.epoch) refuse(`the log follows escrow epoch ${head.epoch}, the record is of epoch ${b.epoch}; a new epoch starts a new log folder`);
    const key = healthRecordKey(record);
    for (const entry of recovered.entries.slice(1)) {
      const earlier = readHealthLogRecord(entry);
      if (healthRecordKey(earlier) === key) refuse(`the same record is already on line ${entry.seq + 1}`);
      if (earlier.body.trusteeId === b.trusteeId && earlier.body.checkedAt >= b.checkedAt) refuse(`${b.trusteeId}'s record on line ${entry.seq + 1} is of ${earlier.body.checkedAt}, not earlier than this one (${b.checkedAt})`);
    }
    const repairedBytes = recovered.droppedBytes > 0 ? await repairTornTail(path, recovered.validLength) : 0;
    const sink = await AppendOnlyFile.openExisting(path);
    try {
      const writer = TranscriptWriter.resume(recovered.entries, sink, { clock });
      const entry = await writer.append(HEALTH_RECORD_ENTRY, b.trusteeFingerprint, body);
      return { path, created: false, line: entry.seq + 1, record, repairedBytes };
    } finally {
      await sink.close();
    }
  });
}
