/**
 * Share health records (core/escrow/health-record.ts), the health log's judgement
 * (core/verifier/health-log.ts) and its append-only file (core/node/health-log-file.ts), on
 * in-memory escrows: records verify; forged, replayed, foreign, other-epoch and out-of-order
 * records are refused by name; the "alive within N days" count at its boundary; garbage records
 * and logs; the appender refuses what the verifier would and never rewrites a line.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isKeyriteError } from '../../../core/errors.ts';
import { concatBytes, utf8 } from '../../../core/bytes.ts';
import { toHex } from '../../../core/encoding/hex.ts';
import { canonicalize } from '../../../core/encoding/jcs.ts';
import { encodeEntryLine, entryHashHex, GENESIS_PREV, makeEntry, type TranscriptEntry } from '../../../core/transcript/entry.ts';
import { encodeManifest, type EscrowManifest } from '../../../core/escrow/manifest.ts';
import { judgeHealthLog } from '../../../cli/commands/verify-health.ts';
import {
  createHealthRecord,
  encodeHealthRecord,
  healthRecordKey,
  healthRecordToJson,
  parseHealthRecord,
  verifyHealthRecordSignature,
  type HealthRecord,
  type HealthResult,
} from '../../../core/escrow/health-record.ts';
import { checkHealthLog, healthLogStartBody, HEALTH_LOG_FILE, type HealthLogReport } from '../../../core/verifier/health-log.ts';
import { appendHealthRecord, readHealthRecordFile } from '../../../core/node/health-log-file.ts';
import { CEREMONY_B, fiveTrustees, makeEscrow, makeMaster, makeTrustee, type Trustee } from './helpers.ts';

const DAY = 86_400_000;
const NOW = new Date('2026-06-01T12:00:00.000Z');
const ago = (ms: number): Date => new Date(NOW.getTime() - ms);

let trustees: Trustee[];
let manifest: EscrowManifest;
let otherCeremony: EscrowManifest;
let tmp: string;

before(async () => {
  trustees = fiveTrustees();
  const master = makeMaster(1);
  manifest = (await makeEscrow(master, trustees)).manifest;
  otherCeremony = (await makeEscrow(master, trustees, CEREMONY_B)).manifest;
  tmp = mkdtempSync(join(tmpdir(), 'keyrite-health-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Trustee i's (0-based) signed record against manifest `m`. */
function record(i: number, at: Date, result: HealthResult = 'alive', m: EscrowManifest = manifest, signer = trustees[i]!.signer): Promise<HealthRecord> {
  const entry = m.trustees.find((t) => t.id === trustees[i]!.id)!;
  return createHealthRecord({ ceremonyId: m.ceremonyId, epoch: m.epoch, masterFingerprint: m.masterFingerprint, trusteeId: entry.id, x: entry.x, commitment: entry.commitment, checkedAt: at, result, paper: false, trusteeSigner: signer });
}

/** A log's bytes: its start entry for `head`, then one entry per record (or raw entry body). */
function logOf(records: readonly (HealthRecord | { actor: string; body: Record<string, unknown>; type?: string })[], head: EscrowManifest = manifest): Uint8Array {
  const entries: TranscriptEntry[] = [makeEntry({ seq: 0, time: '2026-01-01T00:00:00.000Z', type: 'health-log.start', actor: 'keyrite', body: healthLogStartBody(head), prev: GENESIS_PREV })];
  for (const r of records) {
    const raw = 'body' in r && !('signature' in r) ? r : { actor: (r as HealthRecord).body.trusteeFingerprint, body: { record: healthRecordToJson(r as HealthRecord) } };
    entries.push(makeEntry({ seq: entries.length, time: '2026-01-01T00:00:00.000Z', type: (raw as { type?: string }).type ?? 'health.record', actor: raw.actor, body: raw.body, prev: entryHashHex(entries[entries.length - 1]!) }));
  }
  return concatBytes(...entries.map(encodeEntryLine));
}

function judge(bytes: Uint8Array, days = 90, m: EscrowManifest = manifest, now = NOW): HealthLogReport {
  return checkHealthLog(bytes, { manifest: m, now, aliveWithinDays: days });
}

function statusOf(r: HealthLogReport, name: string): [string, string] {
  const c = r.checks.find((x) => x.name === name);
  assert.ok(c, `no check ${name}: ${JSON.stringify(r.checks)}`);
  return [c.status, c.detail];
}

test('a record round-trips through its file, verifies with the keys it carries, and holds no share', async () => {
  const r = await record(0, ago(DAY));
  const text = encodeHealthRecord(r);
  const back = parseHealthRecord(text);
  assert.equal(encodeHealthRecord(back), text);
  const v = verifyHealthRecordSignature(back);
  assert.deepEqual([v.keysMatch, v.signature.valid], [true, true]);
  assert.equal(back.body.commitment, toHex(manifest.trustees[0]!.commitment));
  assert.deepEqual(Object.keys(JSON.parse(text).body).sort(), ['ceremonyId', 'checkedAt', 'commitment', 'epoch', 'format', 'masterFingerprint', 'paper', 'result', 'sig', 'trusteeFingerprint', 'trusteeId', 'x']);
  // ES256 trustees (trustee-5) sign records too.
  assert.equal(verifyHealthRecordSignature(parseHealthRecord(encodeHealthRecord(await record(4, ago(DAY))))).signature.valid, true);
});

test('garbage record files are refused with a KeyriteError, never a crash', async () => {
  const good = JSON.parse(encodeHealthRecord(await record(0, ago(DAY))));
  const variants: unknown[] = [
    '',
    'null',
    '[]',
    '{"body":{}}',
    { ...good, extra: 1 },
    { ...good, body: { ...good.body, result: 'maybe' } },
    { ...good, body: { ...good.body, checkedAt: '2026-02-30T00:00:00.000Z' } },
    { ...good, body: { ...good.body, checkedAt: '2026-01-01T00:00:00Z' } },
    { ...good, body: { ...good.body, paper: 'no' } },
    { ...good, body: { ...good.body, epoch: -1 } },
    { ...good, body: { ...good.body, secret: 'share' } },
    { ...good, publicKey: { classical: good.publicKey.pq, pq: good.publicKey.classical } },
    { ...good, signature: { classical: 'AA', pq: good.signature.pq } },
  ];
  for (const v of variants) {
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    assert.throws(() => parseHealthRecord(text), (e) => isKeyriteError(e), text.slice(0, 80));
  }
});

test('property: a changed byte of a record file is refused, or leaves the same signed statement', async () => {
  const r = await record(1, ago(DAY));
  const text = encodeHealthRecord(r);
  const key = healthRecordKey(r);
  const bytes = utf8(text);
  fc.assert(
    fc.property(fc.nat(bytes.length - 1), fc.integer({ min: 1, max: 255 }), (at, mask) => {
      const changed = bytes.slice();
      changed[at]! ^= mask;
      // The appender's reader: UTF-8, strict parse, then the signature by the keys the record carries.
      try {
        return healthRecordKey(readHealthRecordFile(changed)) === key;
      } catch (e) {
        return isKeyriteError(e);
      }
    }),
    { numRuns: 150 },
  );
});

test('the log counts each trustee\'s latest record: "3 of 5 shares proven alive", no warning', async () => {
  const log = logOf([await record(0, ago(10 * DAY)), await record(1, ago(20 * DAY)), await record(2, ago(30 * DAY)), await record(2, ago(5 * DAY))]);
  const r = judge(log);
  assert.equal(r.outcome, 'ok', JSON.stringify(r.checks));
  assert.deepEqual([r.alive, r.t, r.n, r.records, r.refused], [3, 3, 5, 4, 0]);
  assert.match(r.statement, /^3 of 5 shares proven alive within 90 days/);
  assert.deepEqual(statusOf(r, 'health-alive')[0], 'pass');
  assert.equal(r.trustees.find((t) => t.trusteeId === 'trustee-3')!.lastCheckedAt, ago(5 * DAY).toISOString());
});

test('the "alive within N days" boundary: exactly N days counts, N days and 1 s does not', async () => {
  const log = logOf([await record(0, ago(30 * DAY)), await record(1, ago(30 * DAY + 1000)), await record(2, ago(0))]);
  const r = judge(log, 30);
  assert.deepEqual(r.trustees.map((t) => t.alive), [true, false, true, false, false]);
  assert.equal(r.alive, 2);
  assert.equal(r.outcome, 'warning');
  const [status, detail] = statusOf(r, 'health-alive');
  assert.equal(status, 'fail');
  assert.match(detail, /WARNING: only 2 of 5 shares proven alive within 30 days.*3 are needed.*trustee-2 \(last alive /);
  assert.equal(judge(log, 31).alive, 3);
  // A day is 86,400 s exactly, and 0 days means "at this very moment".
  assert.equal(judge(log, 0).alive, 1);
});

test('a latest record that failed its check means not alive, whatever came before', async () => {
  const r = judge(logOf([await record(0, ago(3 * DAY)), await record(0, ago(2 * DAY), 'share-failed')]));
  assert.equal(r.trustees[0]!.alive, false);
  assert.match(statusOf(r, 'health-alive')[1], /trustee-1 \(last check: share-failed\)/);
});

test('forged, foreign, other-epoch, replayed, out-of-order and future records are refused by name and not counted', async () => {
  const good = await record(0, ago(DAY));
  const altered = { ...good, body: { ...good.body, checkedAt: ago(0).toISOString() } };
  const outsider = makeTrustee(6);
  const byOutsider = await record(1, ago(DAY), 'alive', manifest, outsider.signer);
  const otherEpoch = await record(2, ago(DAY), 'alive', { ...manifest, epoch: manifest.epoch - 1 });
  const foreign = await record(3, ago(DAY), 'alive', otherCeremony);
  const signedByOther = { ...(await record(3, ago(DAY))), signature: (await record(4, ago(DAY))).signature };
  const reSigned = await record(0, ago(DAY)); // the same body, a fresh (randomised) signature
  const older = await record(0, ago(2 * DAY));
  const future = await record(4, new Date(NOW.getTime() + 1000));
  const log = logOf([good, altered, byOutsider, otherEpoch, foreign, signedByOther, reSigned, older, future, { actor: 'x', body: { record: 'garbage' } }, { actor: 'keyrite', type: 'note', body: {} }]);
  const r = judge(log);
  const expected: [string, RegExp][] = [
    ['health-record-2', /^counted: trustee-1/],
    ['health-record-3', /forged or altered/],
    ['health-record-4', /not trustee-2's registered keys \(unknown trustee key: forged\)/],
    ['health-record-5', new RegExp(`of escrow epoch ${manifest.epoch - 1}, not of the current epoch ${manifest.epoch}`)],
    ['health-record-6', /of another ceremony/],
    ['health-record-7', /does not verify with trustee-4's keys/],
    ['health-record-8', /a replay of the record on line 2; it counts once/],
    ['health-record-9', /not later than trustee-1's record on line 2/],
    ['health-record-10', /dated after the time of this check/],
    ['health-record-11', /cannot be read/],
    ['health-record-12', /"note" entry/],
  ];
  for (const [name, detail] of expected) {
    const [status, text] = statusOf(r, name);
    assert.equal(status, name === 'health-record-2' ? 'pass' : 'fail', `${name}: ${text}`);
    assert.match(text, detail, name);
  }
  assert.deepEqual([r.alive, r.refused, r.outcome], [1, 10, 'warning']);
});

test('garbage logs, and logs of another ceremony or epoch, are "health-log" failures and count nothing', async () => {
  const rec = await record(0, ago(DAY));
  const good = logOf([rec]);
  const cases: [Uint8Array, RegExp][] = [
    [new Uint8Array(0), /does not start with a health-log.start entry/],
    [utf8('not json\n'), /transcript line 1/],
    [good.subarray(0, good.length - 1), /incomplete/],
    [utf8(new TextDecoder().decode(good).split('\n').reverse().join('\n').slice(1) + '\n'), /transcript line 1/],
    [logOf([rec], otherCeremony), /follows ceremony ffeeddcc…/],
    [logOf([rec], { ...manifest, epoch: manifest.epoch - 1 }), /start a new log for epoch/],
    [logOf([{ actor: 'keyrite', type: 'health-log.start', body: { format: 'keyrite/health-log/v1' } }]).subarray(logOf([]).length), /does not start with|transcript line 1/],
  ];
  for (const [bytes, detail] of cases) {
    const r = judge(bytes);
    assert.equal(r.outcome, 'unreadable');
    const [status, text] = statusOf(r, 'health-log');
    assert.equal(status, 'fail');
    assert.match(text, detail);
    assert.equal(r.alive, 0);
    assert.equal(statusOf(r, 'health-alive')[0], 'skipped');
  }
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const r = judge(bytes);
      return r.outcome === 'unreadable' && r.checks.length === 2;
    }),
    { numRuns: 100 },
  );
});

test('append: starts a log, appends, refuses what the verifier would refuse, and only ever appends', async () => {
  const dir = join(tmp, 'log-a');
  const file = (r: HealthRecord): Uint8Array => utf8(encodeHealthRecord(r));
  const r1 = await record(0, ago(3 * DAY));
  const first = await appendHealthRecord(dir, file(r1), () => NOW);
  assert.deepEqual([first.created, first.line], [true, 2]);
  const r2 = await record(1, ago(2 * DAY));
  const second = await appendHealthRecord(dir, file(r2), () => NOW);
  assert.deepEqual([second.created, second.line], [false, 3]);
  const path = join(dir, HEALTH_LOG_FILE);
  const afterTwo = readFileSync(path);

  const refusals: [Uint8Array, RegExp][] = [
    [file(r1), /already on line 2/],
    [file(await record(0, ago(4 * DAY))), /not earlier than this one/],
    [file(await record(2, ago(DAY), 'alive', otherCeremony)), /the record is of ceremony ffeeddcc…/],
    [file(await record(2, ago(DAY), 'alive', { ...manifest, epoch: manifest.epoch + 1 })), /a new epoch starts a new log folder/],
    [utf8(canonicalize({ ...healthRecordToJson(r2), body: { ...healthRecordToJson(r2).body as object, result: 'share-failed' } })), /does not verify/],
    [utf8('{"not":"a record"}'), /not a health record/],
  ];
  for (const [bytes, reason] of refusals) {
    await assert.rejects(appendHealthRecord(dir, bytes, () => NOW), (e) => isKeyriteError(e, 'VERIFY_FAILED') && reason.test(e.message));
  }
  assert.deepEqual(readFileSync(path), afterTwo, 'nothing was written by a refused append');
  assert.equal(existsSync(join(dir, '.append.lock')), false);

  // A torn last line (a crash during an append) is cut back; the log stays a prefix-extension.
  appendFileSync(path, '{"actor":"torn');
  const third = await appendHealthRecord(dir, file(await record(2, ago(DAY))), () => NOW);
  assert.equal(third.line, 4);
  assert.ok(third.repairedBytes > 0);
  const now = readFileSync(path);
  assert.deepEqual(now.subarray(0, afterTwo.length), afterTwo);
  const r = judge(now);
  assert.deepEqual([r.outcome, r.alive, r.records], ['ok', 3, 3]);

  // Another append under way: refused, and the log untouched.
  writeFileSync(join(dir, '.append.lock'), '');
  await assert.rejects(appendHealthRecord(dir, file(await record(3, ago(DAY))), () => NOW), (e) => isKeyriteError(e, 'IO_ERROR') && /under way/.test(e.message));
  rmSync(join(dir, '.append.lock'));

  // A log tampered with before the end is not appended to.
  const bad = join(tmp, 'log-b');
  mkdirSync(bad);
  writeFileSync(join(bad, HEALTH_LOG_FILE), Buffer.concat([utf8('{"x":1}\n'), now]));
  await assert.rejects(appendHealthRecord(bad, file(await record(3, ago(DAY))), () => NOW), (e) => isKeyriteError(e, 'VERIFY_FAILED') && /is damaged/.test(e.message));
});

test('verify --health-log judges against the escrow of the last bundle given that publishes one', async () => {
  const rec = await record(0, ago(DAY));
  const request = { path: 'LOG', bytes: logOf([rec]), days: 90 };
  const withEscrow = (m: EscrowManifest): Map<string, Uint8Array> => new Map([['escrow/manifest.json', utf8(encodeManifest(m) + '\n')]]);
  const noEscrow = new Map<string, Uint8Array>([['bundle.json', utf8('{}')]]);
  assert.equal(judgeHealthLog(request, [withEscrow(manifest), noEscrow], 'hybrid', NOW).outcome, 'warning');
  assert.equal(judgeHealthLog(request, [withEscrow(manifest), noEscrow], 'hybrid', NOW).alive, 1);
  assert.equal(judgeHealthLog(request, [withEscrow(manifest), withEscrow(otherCeremony)], 'hybrid', NOW).outcome, 'unreadable');
  assert.throws(() => judgeHealthLog(request, [noEscrow], 'hybrid', NOW), (e) => isKeyriteError(e, 'USAGE'));
});
