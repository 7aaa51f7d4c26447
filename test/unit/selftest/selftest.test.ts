import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KNOWN_ANSWER_TESTS, type KnownAnswerTest } from '../../../core/selftest/kats.ts';
import { requirePassingSelfTests, runSelfTests } from '../../../core/selftest/run.ts';
import { makeSelftestCommand } from '../../../cli/commands/selftest.ts';
import { sha256 } from '../../../core/crypto/hash.ts';
import { toHex } from '../../../core/encoding/hex.ts';
import { utf8 } from '../../../core/bytes.ts';
import { KeyriteError, isKeyriteError } from '../../../core/errors.ts';
import { runInProcess } from '../../helpers/cli.ts';

/** The SHA-256 KAT with one hex digit of its known answer changed. */
const corruptedSha256: KnownAnswerTest = {
  name: 'SHA-256',
  run() {
    if (toHex(sha256(utf8('abc'))) !== 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ae') {
      throw new KeyriteError('SELFTEST_FAILED', 'SHA-256("abc") differs from the known answer.');
    }
  },
};
const corruptedKats = KNOWN_ANSWER_TESTS.map((k) => (k.name === 'SHA-256' ? corruptedSha256 : k));

test('all known-answer tests pass and cover the required algorithms', async () => {
  const report = await runSelfTests();
  assert.equal(report.ok, true, JSON.stringify(report.results.filter((r) => !r.ok)));
  const names = report.results.map((r) => r.name);
  for (const required of ['SHA-256', 'SHA-512', 'HKDF-SHA-256', 'Ed25519', 'ML-DSA-65', 'ML-KEM-768', 'X-Wing', 'XChaCha20-Poly1305', 'Shamir', 'JCS (RFC 8785)']) {
    assert.ok(names.includes(required), `missing KAT ${required}`);
  }
  assert.ok(report.results.every((r) => r.ms >= 0));
  requirePassingSelfTests(report);
});

test('one corrupted KAT fails the report, names it, and blocks ceremonies', async () => {
  const report = await runSelfTests(corruptedKats);
  assert.equal(report.ok, false);
  const failed = report.results.filter((r) => !r.ok);
  assert.deepEqual(failed.map((r) => r.name), ['SHA-256']);
  assert.match(failed[0]!.detail ?? '', /differs from the known answer/);
  assert.throws(() => requirePassingSelfTests(report), (e) => isKeyriteError(e, 'SELFTEST_FAILED') && /SHA-256/.test(e.message));
});

test('an empty KAT list never counts as passing', async () => {
  const report = await runSelfTests([]);
  assert.equal(report.ok, false);
  assert.throws(() => requirePassingSelfTests(report), (e) => isKeyriteError(e, 'SELFTEST_FAILED'));
});

test('a KAT that throws a non-Keyrite error is reported without its message', async () => {
  const report = await runSelfTests([{ name: 'Boom', run: () => { throw new Error('secret-ish internals'); } }]);
  assert.equal(report.ok, false);
  assert.equal(report.results[0]!.detail, 'Boom threw an unexpected error.');
});

test('`keyrite selftest` exits 1 with a corrupted KAT, 0 otherwise', async () => {
  const bad = await runInProcess(['selftest', '--json'], [makeSelftestCommand(corruptedKats)]);
  assert.equal(bad.code, 1);
  const badReport = JSON.parse(bad.stdout) as { ok: boolean };
  assert.equal(badReport.ok, false);
  assert.match(bad.stderr, /self-tests failed/);

  const good = await runInProcess(['selftest'], [makeSelftestCommand()]);
  assert.equal(good.code, 0);
  assert.match(good.stdout, /All \d+ self-tests passed/);
  assert.match(good.stdout, /^pass {2}SHA-256/m);
});
