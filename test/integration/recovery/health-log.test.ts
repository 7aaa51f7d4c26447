/**
 * The share health log end to end on a copy of the run's shared demo (software tokens, cheap
 * scrypt): `keyrite check-share --health-record`, `keyrite health-log append`, and
 * `keyrite verify BUNDLE --health-log LOG [--alive-within N]` — two records warn (exit 4), three
 * are "3 of 5 shares proven alive"; a record of a failed check is signed but not counted; a
 * replayed record is refused by the appender; a log changed in place fails; usage errors exit 2;
 * and README.md's commands run as written.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, runInProcess, type CliRun } from '../../helpers/cli.ts';
import { encodeEntryLine, entryHashHex, makeEntry, parseEntryLine } from '../../../core/transcript/entry.ts';
import { DemoCopies, pinOf, trustedFingerprint } from './helpers.ts';

let copies: DemoCopies;
let d: string;
let fp: string;
before(async () => {
  copies = await DemoCopies.make('keyrite-health-log-');
  d = copies.copy();
  fp = trustedFingerprint(d);
});
after(() => copies?.remove());

function checkShare(id: string, out: string, envelopeOf = id): Promise<CliRun> {
  const t = join(d, 'trustees', id);
  return runInProcess(
    ['check-share', join(d, 'bundle'), '--trust', fp, '--keyring', join(t, 'keyring.json'), '--envelope', join(d, 'trustees', envelopeOf, 'share-envelope.json'), '--token', `software:${join(t, 'token.keyrite-token')}`, '--pin-env', 'PIN', '--health-record', out, '--json'],
    undefined,
    { PIN: pinOf(copies.pins, id) },
  );
}

const append = (log: string, record: string): Promise<CliRun> => runInProcess(['health-log', 'append', log, record, '--json']);
const verify = (...extra: string[]): Promise<CliRun> => runInProcess(['verify', join(d, 'bundle'), '--trust', fp, ...extra]);

test('records from check-share, appended to a log, make "t of n shares proven alive"; fewer warn with exit 4', async () => {
  const log = join(d, 'health-log');
  for (const id of ['trustee-1', 'trustee-2']) {
    const out = join(d, `health-${id}.json`);
    const r = await checkShare(id, out);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).healthRecord, { written: true, path: out, result: 'alive', checkedAt: JSON.parse(readFileSync(out, 'utf8')).body.checkedAt });
    const a = await append(log, out);
    assert.equal(a.code, 0, a.stdout + a.stderr);
  }
  const two = await verify('--health-log', log);
  assert.equal(two.code, 4, two.stdout + two.stderr);
  assert.match(two.stdout, /VALID/);
  assert.match(two.stdout, /HEALTH WARNING: 2 of 5 shares proven alive within 90 days/);
  assert.match(two.stderr, /health warning \(the bundle itself is valid\)/);

  // trustee-3 offers another trustee's envelope: the token signs a share-failed record, exit 1; it is appended but not counted.
  const failed = join(d, 'health-trustee-3-failed.json');
  const bad = await checkShare('trustee-3', failed, 'trustee-4');
  assert.equal(bad.code, 1, bad.stdout + bad.stderr);
  assert.equal(JSON.parse(bad.stdout).healthRecord.result, 'share-failed');
  assert.equal((await append(log, failed)).code, 0);
  assert.equal((await verify('--health-log', log)).code, 4);

  const good = join(d, 'health-trustee-3.json');
  assert.equal((await checkShare('trustee-3', good)).code, 0);
  const a3 = await append(log, good);
  assert.equal(JSON.parse(a3.stdout).line, 5);
  const three = await verify('--health-log', log, '--alive-within', '1', '--json');
  assert.equal(three.code, 0, three.stdout + three.stderr);
  const health = JSON.parse(three.stdout).health;
  assert.deepEqual([health.alive, health.t, health.n, health.refused, health.outcome, health.aliveWithinDays], [3, 3, 5, 0, 'ok', 1]);
  assert.match(health.statement, /^3 of 5 shares proven alive within 1 days/);
  // The log's file named directly works the same.
  assert.equal((await verify('--health-log', join(log, 'health-log.jsonl'))).code, 0);

  // A replayed record is refused by the appender; the same record written into the log by hand is refused by the verifier and counted once.
  const replay = await append(log, good);
  assert.equal(replay.code, 1);
  assert.match(replay.stderr, /already on line 5/);
  const file = join(log, 'health-log.jsonl');
  const last = parseEntryLine(new TextEncoder().encode(readFileSync(file, 'utf8').split('\n')[4]!));
  appendFileSync(file, encodeEntryLine(makeEntry({ seq: 5, time: last.time, type: last.type, actor: last.actor, body: last.body, prev: entryHashHex(last) })));
  const replayed = await verify('--health-log', log, '--json');
  const h = JSON.parse(replayed.stdout).health;
  assert.equal(replayed.code, 4, replayed.stdout);
  assert.match(h.checks.find((c: { name: string }) => c.name === 'health-record-6').detail, /replay of the record on line 5; it counts once/);
  assert.equal(h.alive, 3);

  // A line changed in place breaks the chain: the log is not read (exit 1).
  writeFileSync(file, readFileSync(file, 'utf8').replace('"result":"alive"', '"result":"alivE"'));
  const broken = await verify('--health-log', log);
  assert.equal(broken.code, 1, broken.stdout);
  assert.match(broken.stdout, /FAIL {2}health-log/);
});

test('usage: --alive-within without a log or not a number, a record file that exists, a missing log: exit 2', async () => {
  assert.equal((await verify('--alive-within', '5')).code, 2);
  assert.equal((await verify('--health-log', join(d, 'health-log'), '--alive-within', '-1')).code, 2);
  assert.equal((await verify('--health-log', join(d, 'no-such-log'))).code, 2);
  const exists = join(d, 'bundle', 'bundle.json');
  const r = await checkShare('trustee-1', exists);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /that file exists/);
});

test("README.md's health-log commands run as written (bash): records appended, then verified with the log", () => {
  const copy = copies.copy();
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const commands = /then verify with the log:\n\n```sh\n([\s\S]*?)\n```/.exec(readme)?.[1];
  assert.ok(commands, 'the health-log commands are in README.md');
  const run = commands.replaceAll('/tmp/keyrite-demo', copy).replaceAll('<the master fingerprint>', trustedFingerprint(copy));
  const r = spawnSync('bash', ['-euc', run], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /HEALTH: 3 of 5 shares proven alive within 90 days/);
  assert.ok(existsSync(join(copy, 'health-log', 'health-log.jsonl')));
});
