/**
 * The share health log (DESIGN.md "Share health log"; docs/FORMATS.md "Share health log"): a
 * folder holding `health-log.jsonl`, a transcript (core/transcript: canonical lines, hash chain)
 * whose first entry names the escrow it follows and whose every other entry is one signed health
 * record (core/escrow/health-record.ts), appended by `keyrite health-log append`.
 *
 *   seq 0  health-log.start  actor "keyrite"  body {"format":"keyrite/health-log/v1","ceremonyId","epoch","masterFingerprint"}
 *   seq ≥1 health.record     actor the trustee's fingerprint  body {"record": <the record file's JSON>}
 *
 * The log has no checkpoints and no signer of its own: every record authenticates itself against
 * the escrow manifest of a bundle the auditor verified from the root fingerprint (docs/DESIGN.md,
 * decision "Share health log"). Removing records can only lower the count; adding one needs a
 * trustee's token.
 *
 * checkHealthLog judges a log against that manifest at a time `now`, in the verifier's check-table
 * style: `health-log` (the file and its first entry), one `health-record-L` per record (L its line:
 * pass = counted, fail = refused by name), and `health-alive` ("k of n shares proven alive within N
 * days"; fails when k < t). A share counts when its trustee's latest accepted record says "alive"
 * and was made at most N days (N × 86,400 s) before `now`.
 */
import { KeyriteError } from '../errors.ts';
import type { VerifyMode } from '../crypto/hybrid.ts';
import { checkTranscript } from '../transcript/transcript.ts';
import type { TranscriptEntry } from '../transcript/entry.ts';
import { expectMembers, expectObject, readInt, readLiteral, readPattern } from '../encoding/json-fields.ts';
import { toHex } from '../encoding/hex.ts';
import { CEREMONY_ID_HEX, FINGERPRINT_HEX } from '../escrow/fields.ts';
import { findManifestTrustee, type EscrowManifest } from '../escrow/manifest.ts';
import { healthRecordFromJson, healthRecordKey, verifyHealthRecordSignature, type HealthRecord } from '../escrow/health-record.ts';
import { CheckList, fail, type Check } from './check-list.ts';
import type { CheckResult } from './report.ts';
import type { VerifierCrypto } from './context.ts';

export const HEALTH_LOG_FORMAT = 'keyrite/health-log/v1';
export const HEALTH_LOG_FILE = 'health-log.jsonl';
export const HEALTH_LOG_START = 'health-log.start';
export const HEALTH_RECORD_ENTRY = 'health.record';
export const HEALTH_LOG_ACTOR = 'keyrite';
/** `keyrite verify --alive-within` when not given: a quarter of a year. */
export const DEFAULT_ALIVE_WITHIN_DAYS = 90;
export const MAX_ALIVE_WITHIN_DAYS = 36500;
const DAY_MS = 86_400_000;

export interface HealthLogHead {
  ceremonyId: string;
  epoch: number;
  masterFingerprint: string;
}

export function healthLogStartBody(head: HealthLogHead): Record<string, unknown> {
  return { format: HEALTH_LOG_FORMAT, ceremonyId: head.ceremonyId, epoch: head.epoch, masterFingerprint: head.masterFingerprint };
}

/** The first entry of a log: which escrow (ceremony, epoch, master key) it follows. */
export function readHealthLogHead(entry: TranscriptEntry | undefined): HealthLogHead {
  if (entry === undefined || entry.type !== HEALTH_LOG_START || entry.actor !== HEALTH_LOG_ACTOR) {
    throw new KeyriteError('VERIFY_FAILED', `The health log does not start with a ${HEALTH_LOG_START} entry; it is not a Keyrite health log.`);
  }
  const w = 'health log start';
  const o = expectObject(entry.body, w);
  expectMembers(o, w, ['ceremonyId', 'epoch', 'format', 'masterFingerprint']);
  readLiteral(o, 'format', w, [HEALTH_LOG_FORMAT] as const);
  return {
    ceremonyId: readPattern(o, 'ceremonyId', w, CEREMONY_ID_HEX, '32 lowercase hex digits'),
    epoch: readInt(o, 'epoch', w, 0, Number.MAX_SAFE_INTEGER),
    masterFingerprint: readPattern(o, 'masterFingerprint', w, FINGERPRINT_HEX, '64 lowercase hex digits'),
  };
}

/** The record an entry of the log holds. */
export function readHealthLogRecord(entry: TranscriptEntry): HealthRecord {
  if (entry.type !== HEALTH_RECORD_ENTRY) throw new KeyriteError('VERIFY_FAILED', `it is a "${entry.type}" entry; after the first line a health log holds only ${HEALTH_RECORD_ENTRY} entries`);
  const o = expectObject(entry.body, 'health log entry');
  expectMembers(o, 'health log entry', ['record']);
  const record = healthRecordFromJson(o.record);
  if (entry.actor !== record.body.trusteeFingerprint) throw new KeyriteError('VERIFY_FAILED', "its actor is not the fingerprint of the record's trustee");
  return record;
}

export interface HealthLogOptions {
  manifest: EscrowManifest;
  now: Date;
  aliveWithinDays: number;
  mode?: VerifyMode;
  crypto?: VerifierCrypto;
}

export interface HealthTrustee {
  trusteeId: string;
  x: number;
  /** The latest accepted record: its time and result; absent when the trustee has none. */
  lastCheckedAt?: string;
  lastResult?: string;
  alive: boolean;
}

export interface HealthLogReport {
  readonly checks: readonly CheckResult[];
  readonly at: string;
  readonly aliveWithinDays: number;
  readonly t: number;
  readonly n: number;
  readonly epoch: number;
  /** Shares proven alive within the window. */
  readonly alive: number;
  readonly records: number;
  readonly refused: number;
  readonly trustees: readonly HealthTrustee[];
  /** One sentence: "k of n shares proven alive within N days (t needed)". */
  readonly statement: string;
  /** `ok` all records counted and at least t alive; `warning` otherwise; `unreadable` the log is not a health log of this escrow. */
  readonly outcome: 'ok' | 'warning' | 'unreadable';
}

function refuse(reason: string): never {
  throw new KeyriteError('VERIFY_FAILED', `Refused: ${reason}.`);
}

/** Judges one record against the manifest and the records accepted before it; returns the pass detail or throws the refusal. */
function judgeRecord(entry: TranscriptEntry, opts: HealthLogOptions, seen: Map<string, number>, latest: Map<string, { checkedAt: string; line: number; record: HealthRecord }>): string {
  const m = opts.manifest;
  let record: HealthRecord;
  try {
    record = readHealthLogRecord(entry);
  } catch (e) {
    return refuse(`the record cannot be read (${e instanceof KeyriteError ? e.message.replace(/\.$/, '') : 'unreadable'})`);
  }
  const b = record.body;
  const who = `${b.trusteeId}'s record of ${b.checkedAt}`;
  if (b.ceremonyId !== m.ceremonyId || b.masterFingerprint !== m.masterFingerprint) refuse(`${who} is of another ceremony (${b.ceremonyId.slice(0, 8)}…, master ${b.masterFingerprint.slice(0, 8)}…), not of ceremony ${m.ceremonyId.slice(0, 8)}…`);
  if (b.epoch !== m.epoch) refuse(`${who} is of escrow epoch ${b.epoch}, not of the current epoch ${m.epoch}; its share no longer recovers the key`);
  const trustee = findManifestTrustee(m, b.trusteeId);
  if (trustee === undefined) refuse(`${who} names a trustee the escrow manifest does not list (unknown trustee key)`);
  const sig = verifyHealthRecordSignature(record, opts.mode ?? 'hybrid', opts.crypto ? { ed25519: opts.crypto.ed25519, mldsa65: opts.crypto.mldsa65 } : {});
  if (!sig.keysMatch || trustee!.fingerprint !== b.trusteeFingerprint) refuse(`${who} is signed by keys that are not ${b.trusteeId}'s registered keys (unknown trustee key: forged)`);
  if (!sig.signature.valid) refuse(`${who} has a signature that does not verify with ${b.trusteeId}'s keys (forged or altered)`);
  if (trustee!.x !== b.x || toHex(trustee!.commitment) !== b.commitment) refuse(`${who} names another share (index or commitment) than the escrow manifest's for ${b.trusteeId}`);
  if (Date.parse(b.checkedAt) > opts.now.getTime()) refuse(`${who} is dated after the time of this check (${opts.now.toISOString()}); a clock was wrong or the record is not genuine`);
  const key = healthRecordKey(record);
  const replayed = seen.get(key);
  if (replayed !== undefined) refuse(`${who} is a replay of the record on line ${replayed}; it counts once`);
  const before = latest.get(b.trusteeId);
  if (before !== undefined && b.checkedAt <= before.checkedAt) refuse(`${who} is not later than ${b.trusteeId}'s record on line ${before.line} (${before.checkedAt}); records of a trustee only move forward in time`);
  seen.set(key, entry.seq + 1);
  latest.set(b.trusteeId, { checkedAt: b.checkedAt, line: entry.seq + 1, record });
  return `counted: ${b.trusteeId} (share ${b.x}) checked at ${b.checkedAt}: ${b.result}${b.paper ? ', paper words checked too' : ''}; signed by the trustee's registered keys`;
}

export function checkHealthLog(bytes: Uint8Array, opts: HealthLogOptions): HealthLogReport {
  const days = opts.aliveWithinDays;
  if (!Number.isSafeInteger(days) || days < 0 || days > MAX_ALIVE_WITHIN_DAYS) throw new KeyriteError('INVALID_INPUT', `The "alive within" period must be a whole number of days from 0 to ${MAX_ALIVE_WITHIN_DAYS}.`);
  if (!(opts.now instanceof Date) || Number.isNaN(opts.now.getTime())) throw new KeyriteError('INVALID_INPUT', 'The time of the health check must be a valid date.');
  const m = opts.manifest;
  const list = new CheckList();
  let entries: readonly TranscriptEntry[] = [];
  const fileCheck: Check<void> = {
    name: 'health-log',
    needs: [],
    run: () => {
      const checked = checkTranscript(bytes, opts.crypto ? { sha256: (d) => opts.crypto!.sha256(d) } : {});
      const head = readHealthLogHead(checked.entries[0]);
      if (head.ceremonyId !== m.ceremonyId || head.masterFingerprint !== m.masterFingerprint) fail(`The health log follows ceremony ${head.ceremonyId.slice(0, 8)}… (master ${head.masterFingerprint.slice(0, 8)}…), not this bundle's ceremony ${m.ceremonyId.slice(0, 8)}…`);
      if (head.epoch !== m.epoch) fail(`The health log follows escrow epoch ${head.epoch}, but the current epoch is ${m.epoch}: its shares no longer recover the key; start a new log for epoch ${m.epoch}.`);
      entries = checked.entries.slice(1);
      return `${checked.size} entries, hash-chained; the log follows ceremony ${m.ceremonyId}, escrow epoch ${m.epoch}`;
    },
  };
  list.run(fileCheck, undefined);
  const seen = new Map<string, number>();
  const latest = new Map<string, { checkedAt: string; line: number; record: HealthRecord }>();
  for (const entry of entries) list.run({ name: `health-record-${entry.seq + 1}`, needs: ['health-log'], run: () => judgeRecord(entry, opts, seen, latest) }, undefined);

  const windowStart = opts.now.getTime() - days * DAY_MS;
  const trustees: HealthTrustee[] = m.trustees.map((t) => {
    const last = latest.get(t.id);
    const alive = last !== undefined && last.record.body.result === 'alive' && Date.parse(last.checkedAt) >= windowStart;
    return { trusteeId: t.id, x: t.x, ...(last ? { lastCheckedAt: last.checkedAt, lastResult: last.record.body.result } : {}), alive };
  });
  const alive = trustees.filter((t) => t.alive).length;
  const statement = `${alive} of ${m.n} shares proven alive within ${days} days (before ${opts.now.toISOString()}); ${m.t} are needed to recover the key`;
  list.run(
    {
      name: 'health-alive',
      needs: ['health-log'],
      run: () => {
        const missing = trustees.filter((t) => !t.alive).map((t) => `${t.trusteeId} (${t.lastCheckedAt === undefined ? 'no record' : t.lastResult !== 'alive' ? `last check: ${t.lastResult}` : `last alive ${t.lastCheckedAt}`})`);
        if (alive < m.t) fail(`WARNING: only ${statement}. Not proven alive: ${missing.join(', ')}.`);
        return `${statement}${missing.length > 0 ? `. Not proven alive: ${missing.join(', ')}` : ''}.`;
      },
    },
    undefined,
  );
  const checks = list.results;
  const refused = checks.filter((c) => c.name.startsWith('health-record-') && c.status !== 'pass').length;
  const outcome = checks[0]!.status !== 'pass' ? 'unreadable' : refused > 0 || alive < m.t ? 'warning' : 'ok';
  return { checks, at: opts.now.toISOString(), aliveWithinDays: days, t: m.t, n: m.n, epoch: m.epoch, alive: outcome === 'unreadable' ? 0 : alive, records: entries.length, refused, trustees, statement, outcome };
}
