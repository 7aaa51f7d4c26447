/**
 * Escrow recovery on SoftHSM2 tokens: the shipped live root script on six tokens (master +
 * five trustees), the master token is then lost (deleted), and three trustees recover with the
 * shipped live recovery script onto a fresh token — all through the CLI with `--module`,
 * tokens chosen by label and serial, PINs from environment variables, in an empty network
 * namespace where the live air-gap check passes (as test/integration/ceremony/softhsm.test.ts;
 * without one the test fails: test/helpers/netns.ts).
 * pkcs11-tool must then show the restored key sensitive and not extractable, and its public
 * key with the published ML-DSA-65 key must give the original master fingerprint. Before the
 * loss, a trustee checks their own share on their token (keyrite check-share, and twice through
 * the app's share-check session, counting the real module's initialisations and sessions).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import type * as Pkcs11js from 'pkcs11js';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyNetworkNamespace } from '../../helpers/netns.ts';
import { createSoftHsm, pkcs11ToolAvailable, softHsmAvailable, type SoftHsmHarness } from '../../helpers/softhsm.ts';
import { toHex } from '../../../core/encoding/hex.ts';
import { pemToPublicKey } from '../../../core/encoding/pem.ts';
import { hybridFingerprint } from '../../../core/escrow/fields.ts';
import { analyzeJournal } from '../../../core/ceremony/journal.ts';
import { readTranscript } from '../../../core/transcript/transcript.ts';
import { LIVE_SCRIPT, RECOVERY_SCRIPT, WITNESS_STEPS, answersYaml, rolls, spawnCli } from '../ceremony/helpers.ts';
import { checkRecoveryCheckpoints } from './helpers.ts';
import { ShareCheckSession } from '../../../electron/ipc/share-check-session.ts';
import { readHealthRecordFile } from '../../../core/node/health-log-file.ts';
import { checkHealthLog, healthLogStartBody } from '../../../core/verifier/health-log.ts';
import { healthRecordToJson, type HealthRecord } from '../../../core/escrow/health-record.ts';
import { parseManifest } from '../../../core/escrow/manifest.ts';
import { encodeEntryLine, entryHashHex, GENESIS_PREV, makeEntry } from '../../../core/transcript/entry.ts';
import { concatBytes } from '../../../core/bytes.ts';

/** A health log holding one record. */
function logOfOne(r: HealthRecord): Uint8Array {
  const start = makeEntry({ seq: 0, time: r.body.checkedAt, type: 'health-log.start', actor: 'keyrite', body: healthLogStartBody(r.body), prev: GENESIS_PREV });
  return concatBytes(encodeEntryLine(start), encodeEntryLine(makeEntry({ seq: 1, time: r.body.checkedAt, type: 'health.record', actor: r.body.trusteeFingerprint, body: { record: healthRecordToJson(r) }, prev: entryHashHex(start) })));
}

if (!softHsmAvailable() || !pkcs11ToolAvailable()) throw new Error('SoftHSM2 and OpenSC pkcs11-tool are required for the recovery integration tests');

const TRUSTEE_LABELS = ['Trustee 1', 'Trustee 2', 'Trustee 3', 'Trustee 4', 'Trustee 5'];
const RECOVERY_TRUSTEES = [2, 4, 5];
const NETNS = emptyNetworkNamespace();
let hsm: SoftHsmHarness;
let dir: string;

function uri(label: string, serial: string): string {
  return `pkcs11:token=${encodeURIComponent(label)};serial=${serial}`;
}

async function cli(argv: string[], env: Record<string, string>) {
  return spawnCli([...argv, '--module', hsm.module], { SOFTHSM2_CONF: hsm.conf, ...env }, { wrap: NETNS }).done;
}

const PKCS11_LIFECYCLE = ['C_Initialize', 'C_Finalize', 'C_OpenSession', 'C_CloseSession'] as const;
type Pkcs11LifecycleCall = (typeof PKCS11_LIFECYCLE)[number];

/**
 * Counts the lifecycle calls of every pkcs11js library created while installed, each passed on to
 * the real one (SoftHSM). pkcs11js copies the native methods onto each library when it is
 * created, so wrapping the native prototype reaches the module a check opens itself.
 */
function countPkcs11Lifecycle(): { counts: Record<Pkcs11LifecycleCall, number>; restore(): void } {
  const { PKCS11 } = createRequire(import.meta.url)('pkcs11js') as typeof Pkcs11js;
  const native = Object.getPrototypeOf(PKCS11.prototype) as Record<Pkcs11LifecycleCall, (...args: unknown[]) => unknown>;
  const counts = { C_Initialize: 0, C_Finalize: 0, C_OpenSession: 0, C_CloseSession: 0 };
  const real = PKCS11_LIFECYCLE.map((name) => [name, native[name]] as const);
  for (const [name, call] of real) {
    native[name] = function (this: unknown, ...args: unknown[]) {
      counts[name]++;
      return call.apply(this, args);
    };
  }
  return {
    counts,
    restore: () => {
      for (const [name, call] of real) native[name] = call;
    },
  };
}

/** A fresh token with the given label: SoftHSM assigns its serial. */
function newToken(label: string): { serial: string; pin: string } {
  const pin = `pin-new-${Date.now().toString(36)}`;
  execFileSync('softhsm2-util', ['--init-token', '--free', '--label', label, '--so-pin', `so-${pin}`, '--pin', pin], { env: hsm.env, stdio: 'pipe' });
  const slots = execFileSync('softhsm2-util', ['--show-slots'], { env: hsm.env, encoding: 'utf8' });
  const serials = [...slots.matchAll(/Serial number:\s*(\S+)\s*\n\s*Initialized:\s*yes[\s\S]*?Label:\s*(.*)\n/g)].filter((m) => m[2]!.trim() === label).map((m) => m[1]!);
  assert.equal(serials.length, 1, slots);
  return { serial: serials[0]!, pin };
}

before(() => {
  hsm = createSoftHsm(['Keyrite Root', ...TRUSTEE_LABELS], { setProcessEnv: false });
  dir = mkdtempSync(join(tmpdir(), 'keyrite-hsm-recovery-'));
});
after(() => {
  hsm?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('a root ceremony on SoftHSM, the master token lost, three trustees restore the key onto a fresh SoftHSM token', async () => {
  const trusteePins = Object.fromEntries(TRUSTEE_LABELS.map((_, i) => [`KR_HSM_PIN_${i + 1}`, hsm.tokens[i + 1]!.pin]));
  const answers = join(dir, 'answers.yaml');
  writeFileSync(
    answers,
    answersYaml({
      trustees: TRUSTEE_LABELS.map((label, i) => ({
        id: `trustee-${i + 1}`,
        name: `HSM Trustee ${i + 1}`,
        token: { uri: uri(label, hsm.tokens[i + 1]!.serial) },
        pin: { env: `KR_HSM_PIN_${i + 1}` },
        output: `trustees/trustee-${i + 1}`,
        dice: rolls(),
      })),
      master: { token: { uri: uri('Keyrite Root', hsm.tokens[0]!.serial) }, pin: { env: 'KR_HSM_PIN_MASTER' } },
      confirm: WITNESS_STEPS,
    }),
  );
  const root = await cli(['ceremony', 'run', LIVE_SCRIPT, '--answers', answers, '--out', join(dir, 'out')], { KR_HSM_PIN_MASTER: hsm.tokens[0]!.pin, ...trusteePins });
  assert.equal(root.code, 0, `stdout:\n${root.stdout}\nstderr:\n${root.stderr}`);
  const bundle = join(dir, 'out', 'bundle');
  const original = JSON.parse(readFileSync(join(bundle, 'bundle.json'), 'utf8')).masterFingerprint as string;

  // Each trustee can check their own share alone on their SoftHSM token (keyrite check-share); another trustee's token is refused.
  // With a health record: the SoftHSM token signs it (classical half); it is counted against the escrow manifest (health-alive warns: 1 of 5).
  const healthRecord = join(dir, 'trustee-1-health.json');
  const own = await cli(['check-share', bundle, '--keyring', join(dir, 'trustees', 'trustee-1', 'keyring.json'), '--envelope', join(dir, 'trustees', 'trustee-1', 'share-envelope.json'), '--token', uri(TRUSTEE_LABELS[0]!, hsm.tokens[1]!.serial), '--pin-env', 'KR_HSM_PIN_1', '--trust', original, '--health-record', healthRecord, '--json'], trusteePins);
  assert.equal(own.code, 0, `stdout:\n${own.stdout}\nstderr:\n${own.stderr}`);
  assert.deepEqual(JSON.parse(own.stdout).checks.map((c: { name: string; ok: boolean }) => `${c.name}:${c.ok}`), ['bundle:true', 'keyring:true', 'token:true', 'seed:true', 'share:true']);
  const health = checkHealthLog(logOfOne(readHealthRecordFile(readFileSync(healthRecord))), { manifest: parseManifest(readFileSync(join(bundle, 'escrow', 'manifest.json'), 'utf8').replace(/\n$/, '')), now: new Date(), aliveWithinDays: 1 });
  assert.deepEqual([health.checks.map((c) => c.status).join(), health.alive], ['pass,pass,fail', 1], JSON.stringify(health.checks));
  const other = await cli(['check-share', bundle, '--keyring', join(dir, 'trustees', 'trustee-1', 'keyring.json'), '--envelope', join(dir, 'trustees', 'trustee-1', 'share-envelope.json'), '--token', uri(TRUSTEE_LABELS[1]!, hsm.tokens[2]!.serial), '--pin-env', 'KR_HSM_PIN_2', '--json'], trusteePins);
  assert.equal(other.code, 1, other.stdout + other.stderr);
  assert.match(JSON.parse(other.stdout).checks.at(-1).detail, /but the keyring belongs to token "Trustee 1"/);

  // The same check in the app's session (My share), twice in a row: each check initialises the
  // module and opens a session, and releases both (C_Finalize, C_CloseSession) before it returns.
  const mine = join(dir, 'out', 'trustee-1-files');
  mkdirSync(mine);
  for (const f of ['keyring.json', 'share-envelope.json']) copyFileSync(join(dir, 'trustees', 'trustee-1', f), join(mine, f));
  const confBefore = process.env.SOFTHSM2_CONF;
  process.env.SOFTHSM2_CONF = hsm.conf;
  const pkcs11 = countPkcs11Lifecycle();
  try {
    const session = new ShareCheckSession({ modulePath: hsm.module, pickBundleFolder: async () => bundle });
    await session.openBundle();
    for (let i = 1; i <= 2; i++) {
      const v = await session.check({ trusteeId: 'trustee-1', keyring: 'trustee-1-files/keyring.json', envelope: { file: 'trustee-1-files/share-envelope.json' }, token: uri(TRUSTEE_LABELS[0]!, hsm.tokens[1]!.serial), pin: hsm.tokens[1]!.pin, paperWords: '', trust: original });
      assert.deepEqual([v.ok, v.anchored, v.checks.map((c) => c.name).join()], [true, true, 'bundle,keyring,token,seed,share'], JSON.stringify(v.checks));
      const { C_Initialize, C_Finalize, C_OpenSession, C_CloseSession } = pkcs11.counts;
      assert.deepEqual({ C_Initialize, C_Finalize }, { C_Initialize: i, C_Finalize: i }, `after check ${i}: the PKCS#11 module must be initialised once per check and finalised before the check returns`);
      assert.ok(C_OpenSession >= i, `after check ${i}: ${C_OpenSession} sessions opened`);
      assert.equal(C_CloseSession, C_OpenSession, `after check ${i}: every session the check opened must be closed`);
    }
  } finally {
    pkcs11.restore();
    if (confBefore === undefined) delete process.env.SOFTHSM2_CONF;
    else process.env.SOFTHSM2_CONF = confBefore;
  }

  // The master token is lost; a fresh token with the label the live recovery script matches replaces it.
  execFileSync('softhsm2-util', ['--delete-token', '--serial', hsm.tokens[0]!.serial], { env: hsm.env, stdio: 'pipe' });
  const fresh = newToken('Keyrite Root');
  const recoveryAnswers = join(dir, 'recovery-answers.yaml');
  writeFileSync(
    recoveryAnswers,
    [
      'keyrite-answers: 1',
      'participants:',
      '  - id: admin',
      '    name: Alice Admin',
      '    role: administrator',
      ...RECOVERY_TRUSTEES.flatMap((n) => [
        `  - id: trustee-${n}`,
        `    name: HSM Trustee ${n}`,
        '    role: trustee',
        `    token: { uri: "${uri(TRUSTEE_LABELS[n - 1]!, hsm.tokens[n]!.serial)}" }`,
        `    pin: { env: KR_HSM_PIN_${n} }`,
        `    keyring: trustees/trustee-${n}/keyring.json`,
        `    envelope: trustees/trustee-${n}/share-envelope.json`,
      ]),
      '  - id: witness',
      '    name: Grace Witness',
      '    role: witness',
      'master:',
      `  token: { uri: "${uri('Keyrite Root', fresh.serial)}" }`,
      '  pin: { env: KR_HSM_PIN_NEW }',
      'bundle:',
      '  path: out/bundle',
      `  trust: "${original}"`,
      'confirm: [verify-bundle, check-in, quorum-present, collect-share, combine, restore, restored, co-sign]',
      '',
    ].join('\n'),
  );
  const rec = await cli(['recover', RECOVERY_SCRIPT, '--bundle', bundle, '--answers', recoveryAnswers, '--out', join(dir, 'recovery'), '--json'], { KR_HSM_PIN_NEW: fresh.pin, ...trusteePins });
  assert.equal(rec.code, 0, `stdout:\n${rec.stdout}\nstderr:\n${rec.stderr}`);
  const res = JSON.parse(rec.stdout);
  assert.equal(res.recoveredFingerprint, original);
  assert.equal(res.anchored, true);
  assert.deepEqual(res.used, RECOVERY_TRUSTEES.map((n) => `trustee-${n}`));
  assert.equal(res.restored.token.serial, fresh.serial);
  assert.equal(res.restored.token.rehearsalOnly, false);
  checkRecoveryCheckpoints(join(dir, 'recovery'), bundle);
  assert.doesNotMatch(rec.stdout + rec.stderr, new RegExp([fresh.pin, ...Object.values(trusteePins)].join('|')));

  const listing = hsm.pkcs11Tool(['--token-label', 'Keyrite Root', '--login', '--pin', fresh.pin, '--list-objects']);
  const priv = listing.split(/\n(?=\S)/).find((b) => /^Private Key Object/.test(b) && /label:\s+keyrite:keyrite-root\s*$/m.test(b));
  assert.ok(priv, `no private key labelled keyrite:keyrite-root on the new token:\n${listing}`);
  const access = /Access:\s*(.*)/.exec(priv!)?.[1] ?? '';
  assert.match(access, /\bsensitive\b/, access);
  assert.doesNotMatch(access, /(^|, )extractable/, access);
  const pubFile = join(dir, 'restored.pub.pem');
  hsm.pkcs11Tool(['--token-label', 'Keyrite Root', '--read-object', '--type', 'pubkey', '--label', 'keyrite:keyrite-root', '--output-file', pubFile]);
  const published = analyzeJournal(readTranscript(readFileSync(join(bundle, 'transcript.jsonl'))).entries).master!.publicKey;
  const onToken = pemToPublicKey(readFileSync(pubFile, 'utf8'), 'the public key pkcs11-tool exported');
  assert.equal(onToken.alg, 'Ed25519');
  assert.equal(toHex(hybridFingerprint({ classical: { alg: 'Ed25519', publicKey: onToken.publicKey }, pq: published.pq })), original);
});
