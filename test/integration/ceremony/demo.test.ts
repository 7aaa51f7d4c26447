/**
 * `keyrite demo --out DIR` end to end through runCli in-process: exit 0, the layout, every
 * bundle file hashed as bundle.json says, the master fingerprint printed, trustee folders
 * holding envelopes that are not in the bundle, recovery answers that validate.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { repoRoot, runInProcess } from '../../helpers/cli.ts';
import { decodeBundleArchive } from '../../../core/bundle/archive.ts';
import { readableFingerprint } from '../../../core/bundle/principals.ts';
import { parseCeremonyScript } from '../../../core/script/script.ts';
import { parseAnswers } from '../../../core/ceremony/answers.ts';
import { listFiles, RECOVERY_SCRIPT, TRUSTEES, journalEntries, spawnCli } from './helpers.ts';

let dir: string;
let out: { code: number; stdout: string; stderr: string };

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keyrite-demo-'));
  out = await runInProcess(['demo', '--out', join(dir, 'demo')]);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('keyrite demo exits 0 and prints the master fingerprint (hex groups and words) and where everything is', () => {
  assert.equal(out.code, 0, out.stderr);
  const m = /Fingerprint \(read it aloud[^\n]*\n {2}((?:[0-9a-f]{4} ){15}[0-9a-f]{4})\n {2}((?:[A-Za-z]+ ){15}[A-Za-z]+)\n/.exec(out.stdout);
  assert.ok(m, `no fingerprint in the output:\n${out.stdout}`);
  const bundleJson = JSON.parse(readFileSync(join(dir, 'demo', 'bundle', 'bundle.json'), 'utf8'));
  assert.equal(m[1]!.replace(/ /g, ''), bundleJson.masterFingerprint);
  assert.match(out.stdout, /Public bundle: .*demo\/bundle/);
  assert.match(out.stdout, /REHEARSAL ONLY/);
  assert.match(out.stdout, /verified from disk: (\d+)\/\1 checks passed, the same as `keyrite verify --trust` \(bundle-manifest, bundle-files, transcript-syntax.*threshold, trust-anchor\); and it is the bundle of this ceremony/);
});

test('the demo counts the checks as keyrite verify --trust does on its bundle, and prints both next commands', async () => {
  const fingerprint = JSON.parse(readFileSync(join(dir, 'demo', 'bundle', 'bundle.json'), 'utf8')).masterFingerprint as string;
  const demoCount = /verified from disk: (\d+)\/\1 checks passed/.exec(out.stdout)![1];
  const verify = await runInProcess(['verify', join(dir, 'demo', 'bundle'), '--trust', fingerprint]);
  assert.equal(verify.code, 0, verify.stderr);
  assert.equal(/all (\d+) checks passed/.exec(verify.stdout)![1], demoCount);
  assert.ok(out.stdout.includes(`keyrite demo recover ${join(dir, 'demo')}\n`));
  assert.ok(out.stdout.includes(`keyrite verify ${join(dir, 'demo', 'bundle')} --trust ${fingerprint}\n`));
});

test('the demo writes the same bundle as one file, DIR/bundle.keyrite.tar, with its SHA-256 in hex and words; keyrite verify of it --trust exits 0 with the folder\'s report, and 1 when any one byte inside changes', async () => {
  const d = join(dir, 'demo');
  const archivePath = join(d, 'bundle.keyrite.tar');
  const archive = new Uint8Array(readFileSync(archivePath));
  const fromArchive = decodeBundleArchive(archive);
  assert.deepEqual([...fromArchive.keys()].sort(), listFiles(join(d, 'bundle')));
  for (const [path, bytes] of fromArchive) assert.ok(readFileSync(join(d, 'bundle', path)).equals(bytes), path);
  const sha = createHash('sha256').update(archive).digest('hex');
  const readable = readableFingerprint(sha);
  assert.ok(out.stdout.includes(`The same bundle as one file: ${archivePath}\n  verified from disk like the folder; its SHA-256 (publish it beside the file):\n  ${readable.hexGroups}\n  ${readable.words.join(' ')}\n`), out.stdout);
  const fingerprint = JSON.parse(readFileSync(join(d, 'bundle', 'bundle.json'), 'utf8')).masterFingerprint as string;
  assert.ok(out.stdout.includes(`keyrite verify ${archivePath} --trust ${fingerprint}\n`));

  const folder = await runInProcess(['verify', join(d, 'bundle'), '--trust', fingerprint, '--json']);
  const whole = await runInProcess(['verify', archivePath, '--trust', fingerprint, '--json']);
  assert.equal(whole.code, 0, whole.stderr);
  const { archive: info, ...report } = JSON.parse(whole.stdout);
  assert.deepEqual(report, JSON.parse(folder.stdout), 'the same checks, details and verdict as the folder');
  assert.deepEqual(info, { sha256: sha, bytes: archive.length });

  // One byte changed anywhere: in a header, in a file's data, in padding, in the end blocks.
  const dataAt = archive.length - 10240 - 100;
  for (const at of [5, 512 + 130, 1024 + 3, dataAt, archive.length - 1]) {
    const changed = Uint8Array.from(archive);
    changed[at] = changed[at]! ^ 0x20;
    const file = join(dir, `changed-${at}.keyrite.tar`);
    writeFileSync(file, changed);
    const r = await runInProcess(['verify', file, '--trust', fingerprint]);
    assert.equal(r.code, 1, `byte ${at}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, /^keyrite: (This bundle archive is refused: |the bundle did not verify: )/, `byte ${at}`);
  }
});

test('the demo writes bundle/, trustees/<id>/ (token, keyring, envelope, paper words), master/, recovery/, rotation/, recovery-answers.yaml, rotation-answers.yaml and revocation-answers.yaml', () => {
  const d = join(dir, 'demo');
  const files = listFiles(d);
  for (const f of ['bundle.keyrite.tar', 'bundle/bundle.json', 'bundle/transcript.jsonl', 'bundle/statement.dsse.json', 'bundle/keys/jwks.json', 'bundle/keys/fingerprints.txt', 'bundle/keys/master.ed25519.spki.pem', 'bundle/keys/master.ml-dsa-65.spki.pem', 'bundle/escrow/manifest.json', 'bundle/policy.json', 'bundle/script.yaml', 'bundle/README.txt', 'bundle/checkpoints/04-final.note', 'recovery-answers.yaml', 'rotation-answers.yaml', 'revocation-answers.yaml', 'master/master.keyrite-token', 'recovery/new-master.keyrite-token', 'rotation/new-master.keyrite-token', 'rotation/REHEARSAL-ONLY-passphrase.env']) {
    assert.ok(files.includes(f), `${f} is missing`);
  }
  for (const id of TRUSTEES) {
    for (const f of ['token.keyrite-token', 'REHEARSAL-ONLY-passphrase.env', 'keyring.json', 'share-envelope.json', 'share-paper-backup.txt', 'share-card.pdf']) assert.ok(files.includes(`trustees/${id}/${f}`), `trustees/${id}/${f} is missing`);
    assert.equal(statSync(join(d, 'trustees', id, 'share-paper-backup.txt')).mode & 0o777, 0o600);
    assert.equal(statSync(join(d, 'trustees', id, 'share-card.pdf')).mode & 0o777, 0o600, 'the card carries the paper words');
    assert.equal(readFileSync(join(d, 'trustees', id, 'share-card.pdf')).subarray(0, 5).toString(), '%PDF-');
    assert.match(readFileSync(join(d, 'trustees', id, 'REHEARSAL-ONLY-passphrase.env'), 'utf8'), /REHEARSAL ONLY/);
    assert.equal(readFileSync(join(d, 'trustees', id, 'share-paper-backup.txt'), 'utf8').match(/^ ?\d+\. [a-z]+$/gm)?.length, 34);
  }
  assert.equal(existsSync(join(d, 'bundle', '.bundle-staging')), false);
  assert.deepEqual(files.filter((f) => f.startsWith('.bundle-staging-')), []);
});

test('every bundle file has the SHA-256 and size bundle.json lists, and nothing else is in the bundle', () => {
  const b = join(dir, 'demo', 'bundle');
  const manifest = JSON.parse(readFileSync(join(b, 'bundle.json'), 'utf8'));
  assert.equal(manifest.format, 'keyrite/bundle/v1');
  const listed = manifest.files.map((f: { path: string }) => f.path).sort();
  assert.deepEqual([...listed, 'bundle.json'].sort(), listFiles(b));
  for (const f of manifest.files as { path: string; sha256: string; size: number }[]) {
    const data = readFileSync(join(b, f.path));
    assert.equal(data.length, f.size, f.path);
    assert.equal(createHash('sha256').update(data).digest('hex'), f.sha256, f.path);
  }
});

test('envelopes, keyrings and paper words are only in the trustees\' folders, never in the bundle', () => {
  const d = join(dir, 'demo');
  const bundleFiles = listFiles(join(d, 'bundle')).map((f) => readFileSync(join(d, 'bundle', f)));
  for (const id of TRUSTEES) {
    const envelope = readFileSync(join(d, 'trustees', id, 'share-envelope.json'));
    const sealed = JSON.parse(envelope.toString('utf8')).sealed.ciphertext as string;
    for (const f of bundleFiles) {
      assert.equal(f.includes(envelope.subarray(0, 200)), false, `the envelope of ${id} is in the bundle`);
      assert.equal(f.includes(Buffer.from(sealed)), false, `the sealed share of ${id} is in the bundle`);
    }
  }
  assert.deepEqual(listFiles(join(d, 'bundle')).filter((f) => /envelope|keyring|paper|token/.test(f)), []);
});

test('the transcript records the ceremony from ceremony.start to ceremony.end, with the air-gap warning of a rehearsal', () => {
  const entries = journalEntries(join(dir, 'demo'));
  assert.equal(entries[0]!.type, 'ceremony.start');
  assert.equal(entries[entries.length - 1]!.type, 'ceremony.end');
  const airgap = entries.filter((e) => e.type === 'airgap.check');
  assert.equal(airgap.length, 2);
  for (const e of entries) assert.doesNotMatch(JSON.stringify(e.body), /passphrase|"pin":"/i);
  assert.equal(entries.filter((e) => e.type === 'participant.check-in').length, 5);
  assert.equal(entries.filter((e) => e.type === 'share.receipt').length, 5);
});

test('recovery-answers.yaml names 3 trustees, their keyrings and envelopes, and validates against a rehearsal recovery script', () => {
  const live = readFileSync(RECOVERY_SCRIPT, 'utf8');
  const rehearsal = live
    .replace('mode: live', 'mode: rehearsal')
    .replace('air-gap: block', 'air-gap: warn')
    .replace(/match: \{ token: "Keyrite Root" \}[^\n]*/, 'software: true')
    .replace(/trustee:\n {4}match: \{\}/, 'trustee:\n    software: true');
  const parsed = parseCeremonyScript(new TextEncoder().encode(rehearsal));
  const text = readFileSync(join(dir, 'demo', 'recovery-answers.yaml'));
  const answers = parseAnswers(text, parsed);
  const trustees = answers.participants.filter((p) => p.role === 'trustee');
  assert.equal(trustees.length, 3);
  for (const t of trustees) {
    assert.ok(t.role === 'trustee' && t.envelope && existsSync(join(dir, 'demo', t.envelope)));
    assert.ok(t.role === 'trustee' && t.keyring && existsSync(join(dir, 'demo', t.keyring)));
  }
  assert.equal(answers.bundle?.path, 'bundle');
  assert.ok(answers.bundle?.trust);
});

test('rotation-answers.yaml validates against the shipped rotation rehearsal: all 5 trustees with their shares of the root key and new output folders, the empty rotation token, the root bundle anchored', () => {
  const parsed = parseCeremonyScript(readFileSync(join(repoRoot, 'ceremony-scripts', 'rotation-rehearsal.yaml')));
  const answers = parseAnswers(readFileSync(join(dir, 'demo', 'rotation-answers.yaml')), parsed);
  const trustees = answers.participants.filter((p) => p.role === 'trustee');
  assert.deepEqual(trustees.map((t) => t.id), TRUSTEES);
  for (const t of trustees) {
    assert.ok(t.role === 'trustee' && t.envelope && existsSync(join(dir, 'demo', t.envelope)));
    assert.ok(t.role === 'trustee' && t.output === `rotation/trustees/${t.id}` && !existsSync(join(dir, 'demo', t.output)));
  }
  assert.deepEqual(answers.master!.token, { kind: 'software', path: 'rotation/new-master.keyrite-token' });
  assert.equal(answers.bundle?.path, 'bundle');
  assert.match(readFileSync(join(dir, 'demo', 'rotation-answers.yaml'), 'utf8'), /^# REHEARSAL ONLY: the trustees' dice below were simulated/m);
});

test('revocation-answers.yaml validates against the shipped revocation rehearsal: trustees 3 to 5 with their shares of the root key, no master token, the root bundle anchored', () => {
  const parsed = parseCeremonyScript(readFileSync(join(repoRoot, 'ceremony-scripts', 'revocation-rehearsal.yaml')));
  const answers = parseAnswers(readFileSync(join(dir, 'demo', 'revocation-answers.yaml')), parsed);
  const trustees = answers.participants.filter((p) => p.role === 'trustee');
  assert.deepEqual(trustees.map((t) => t.id), TRUSTEES.slice(2));
  for (const t of trustees) assert.ok(t.role === 'trustee' && t.envelope && existsSync(join(dir, 'demo', t.envelope)));
  assert.equal(answers.master, undefined);
  assert.equal(answers.bundle?.path, 'bundle');
  assert.ok(answers.bundle?.trust);
});

test('keyrite demo refuses a finished demo, pointing at its recovery rehearsal, and a folder that holds something else (exit 2)', async () => {
  const again = await runInProcess(['demo', '--out', join(dir, 'demo')]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /holds a finished demo; .*keyrite demo recover /);
  mkdirSync(join(dir, 'other'));
  writeFileSync(join(dir, 'other', 'notes.txt'), 'x');
  const other = await runInProcess(['demo', '--out', join(dir, 'other')]);
  assert.equal(other.code, 2);
  assert.match(other.stderr, /is not empty and holds no demo that can be resumed/);
});

test('keyrite demo recover rehearses the recovery again and again, from any folder, each run onto a fresh token, each bundle verifying', async () => {
  const fingerprint = JSON.parse(readFileSync(join(dir, 'demo', 'bundle', 'bundle.json'), 'utf8')).masterFingerprint as string;
  for (const n of [1, 2]) {
    const r = await runInProcess(['demo', 'recover', join(dir, 'demo'), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { recoveredFingerprint: string; used: string[]; bundle: string; rehearsal: boolean; folder: string };
    assert.equal(doc.recoveredFingerprint, fingerprint);
    assert.deepEqual(doc.used, ['trustee-1', 'trustee-2', 'trustee-3']);
    assert.equal(doc.folder, join(dir, 'demo', 'recoveries', String(n)));
    assert.equal(doc.bundle, join(doc.folder, 'run', 'bundle'));
    const verified = await runInProcess(['verify', doc.bundle, '--trust', fingerprint]);
    assert.equal(verified.code, 0, verified.stdout);
    assert.match(verified.stdout, /VALID REHEARSAL BUNDLE: all \d+ checks passed/);
  }
  assert.equal(existsSync(join(dir, 'demo', 'recovery', 'new-master.keyrite-token')), true, "the demo's own new-master token is left for keyrite recover");
});

test('keyrite demo recover on a folder without a finished demo says what to run first (exit 2)', async () => {
  const r = await runInProcess(['demo', 'recover', join(dir, 'nothing-here')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /holds no finished demo \(recovery-answers\.yaml is missing\); run `keyrite demo --out .*nothing-here` first/);
});

test('a demo killed during its ceremony, before its master key exists, is finished by running the same command again: resumed, verified', async () => {
  const d = join(dir, 'killed');
  const killed = await spawnCli(['demo', '--out', d], {}, { killOn: /\[ 8\/17\] entropy/ }).done;
  assert.equal(killed.signal, 'SIGKILL');
  assert.equal(existsSync(join(d, 'bundle')), false);
  const again = await runInProcess(['demo', '--out', d]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /Ceremony [0-9a-f]{32} complete \(resumed: run 2\)/);
  assert.equal(journalEntries(d).filter((e) => e.type === 'ceremony.resume').length, 1);
  const fingerprint = JSON.parse(readFileSync(join(d, 'bundle', 'bundle.json'), 'utf8')).masterFingerprint as string;
  const verified = await runInProcess(['verify', join(d, 'bundle'), '--trust', fingerprint]);
  assert.equal(verified.code, 0, verified.stdout);
});

// The way on it names, a demo in a new folder, is the demo of before(): its bundle verifies anchored above.
test('a demo killed after its master key was made says to start a new demo in a new folder', async () => {
  const d = join(dir, 'killed-late');
  const killed = await spawnCli(['demo', '--out', d], {}, { killOn: /\[12\/17\] split/ }).done;
  assert.equal(killed.signal, 'SIGKILL');
  const again = await runInProcess(['demo', '--out', d]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /interrupted after its rehearsal master key was made.*run `keyrite demo --out` with a new folder/);
});

test('the by-hand recovery docs/CEREMONY-SCRIPTS.md gives for recovery-answers.yaml runs as written (bash) to a verified recovery bundle', async () => {
  const doc = readFileSync(join(repoRoot, 'docs', 'CEREMONY-SCRIPTS.md'), 'utf8');
  const block = /Its PINs come from the environment:\n\n```sh\n([\s\S]*?)\n```/.exec(doc)?.[1];
  assert.ok(block, 'the recipe is in docs/CEREMONY-SCRIPTS.md');
  const d = join(dir, 'demo');
  const script = block.replaceAll('<the clone>', repoRoot.replace(/\/$/, '')).replace(/^cd DIR /, `cd ${d} `);
  const r = spawnSync('bash', ['-euc', script], { cwd: tmpdir(), encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /Master key recovered and verified/);
  const fingerprint = JSON.parse(readFileSync(join(d, 'bundle', 'bundle.json'), 'utf8')).masterFingerprint as string;
  const verified = await runInProcess(['verify', join(d, 'recovery-run', 'bundle'), '--trust', fingerprint]);
  assert.equal(verified.code, 0, verified.stdout);
});
