/**
 * `keyrite recover` on the output of one `keyrite demo` run (made once for this file):
 * three trustees recover and the restored key's fingerprint equals the original; the recovery
 * transcript starts with the link to the original ceremony and its checkpoints are co-signed
 * (trustees, then the recovered master key too); a share envelope with one flipped byte is
 * refused naming the trustee, and nothing is restored; fewer than t trustees are refused; the
 * new master token is never overwritten.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTranscript } from '../../../core/transcript/transcript.ts';
import { fromUtf8 } from '../../../core/bytes.ts';
import { toHex } from '../../../core/encoding/hex.ts';
import { deriveMasterKeys, deriveTrusteeKeys } from '../../../core/crypto/derive.ts';
import { openEnvelope, parseEnvelope } from '../../../core/escrow/envelope.ts';
import { parseManifest } from '../../../core/escrow/manifest.ts';
import { hybridFingerprint } from '../../../core/escrow/fields.ts';
import { recoverFromShares, ShareRejectedError, type OfferedShare } from '../../../core/escrow/recovery.ts';
import { parseKeyring, trusteeSeedAad } from '../../../core/ceremony/keyring.ts';
import { analyzeJournal } from '../../../core/ceremony/journal.ts';
import { fileTokenStore, openSoftwareTokenFile } from '../../../core/node/software-token-file.ts';
import { SoftwareToken } from '../../../core/tokens/software-token.ts';
import { assertVerifiesAnchored, CHEAP_SCRYPT } from '../ceremony/helpers.ts';
import { DemoCopies, makeTestDemo, REHEARSAL_RECOVERY as SCRIPT, checkRecoveryCheckpoints, loadPins, pinOf, recoveryEntries, setAnswers, trustedFingerprint } from './helpers.ts';

let dir: string;
let demo: string;
let pins: Record<string, string>;
let copies: DemoCopies;
const copyDemo = () => copies.copy();
const recover = (d: string, out?: string, script?: string) => copies.recover(d, out, script);

function flipEnvelopeByte(d: string, trustee: string): void {
  const file = join(d, 'trustees', trustee, 'share-envelope.json');
  const env = JSON.parse(readFileSync(file, 'utf8'));
  const ct: string = env.sealed.ciphertext;
  const i = Math.floor(ct.length / 2);
  env.sealed.ciphertext = ct.slice(0, i) + (ct[i] === 'A' ? 'B' : 'A') + ct.slice(i + 1);
  writeFileSync(file, JSON.stringify(env));
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keyrite-recover-'));
  demo = join(dir, 'demo');
  await makeTestDemo(demo);
  pins = loadPins(demo);
  copies = new DemoCopies(dir, demo, pins);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('three trustees recover; the restored key has the original fingerprint; a second restore onto the same token is refused, and with a fresh token, as the message says, that recovery finishes with a bundle that verifies', async () => {
  const d = copyDemo();
  const r = await recover(d, 'rec');
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const res = JSON.parse(r.stdout);
  const original = JSON.parse(readFileSync(join(d, 'bundle', 'bundle.json'), 'utf8')).masterFingerprint;
  assert.equal(res.recoveredFingerprint, original);
  assert.equal(res.original.masterFingerprint, original);
  assert.equal(res.anchored, true);
  assert.deepEqual(res.used, ['trustee-1', 'trustee-2', 'trustee-3']);
  assert.equal(res.restored.publicKeyMatches, true);
  assert.equal(res.restored.token.rehearsalOnly, true);
  assert.ok(res.exportChecks.length > 20 && res.exportChecks.every((c: { ok: boolean }) => c.ok), 'the recovery bundle verifies from disk');
  assert.equal(res.resumed, false);
  const entries = recoveryEntries(join(d, 'rec'));
  const types = entries.map((e) => e.type);
  // The link to the original ceremony, at the start.
  const bundleJson = JSON.parse(readFileSync(join(d, 'bundle', 'bundle.json'), 'utf8'));
  const statementSha256 = createHash('sha256').update(readFileSync(join(d, 'bundle', 'statement.dsse.json'))).digest('hex');
  assert.equal(entries[0]!.type, 'ceremony.start');
  assert.deepEqual(entries[0]!.body.original, { ceremonyId: bundleJson.ceremonyId, masterFingerprint: original, statementSha256 });
  assert.deepEqual(res.original, { ceremonyId: bundleJson.ceremonyId, masterFingerprint: original, statementSha256 });
  // Checkpoints: the quorum before combining (trustees), after the restore and at the end (master key too).
  const notes = checkRecoveryCheckpoints(join(d, 'rec'), join(d, 'bundle'));
  assert.deepEqual([...notes], [
    ['01-quorum-present.note', ['trustee-1', 'trustee-2', 'trustee-3']],
    ['02-restored.note', ['master', 'trustee-1', 'trustee-2', 'trustee-3']],
    ['03-final.note', ['master', 'trustee-1', 'trustee-2', 'trustee-3']],
  ]);
  assert.deepEqual(res.checkpoints, [...notes.keys()]);
  assert.equal(types[types.length - 1], 'ceremony.end');
  assert.equal(types.filter((t) => t === 'ceremony.end').length, 1);
  assert.equal(types.indexOf('key.import') < types.indexOf('checkpoint.sign', types.indexOf('key.import')), true, 'the master key co-signs only after it is on the new token');
  assert.equal(types.filter((t) => t === 'share.accepted').length, 3);
  assert.ok(types.includes('key.restore') && types.includes('key.import'));
  const imp = entries.find((e) => e.type === 'key.import')!.body as { fingerprint: string; testSignature: string };
  assert.equal(imp.fingerprint, original);
  assert.equal(imp.testSignature, 'pass');

  // The new master token now holds the key: never overwritten.
  const again = await recover(d, 'rec-again');
  assert.equal(again.code, 1, again.stdout);
  assert.match(JSON.parse(again.stdout).message, /already holds a key labelled "keyrite:keyrite-root-rehearsal"; Keyrite never overwrites a key\. Use a fresh token\.$/);
  const fresh = await SoftwareToken.create(fileTokenStore(join(d, 'recovery', 'fresh-new-master.keyrite-token')), { label: 'Fresh new master', passphrase: pinOf(pins, 'recovery'), scrypt: CHEAP_SCRYPT });
  await fresh.close();
  setAnswers(d, (a) => a.replace('recovery/new-master.keyrite-token', 'recovery/fresh-new-master.keyrite-token'));
  const onFresh = await recover(d, 'rec-again');
  assert.equal(onFresh.code, 0, onFresh.stdout + onFresh.stderr);
  assert.equal(JSON.parse(onFresh.stdout).resumed, true);
  await assertVerifiesAnchored(join(d, 'rec-again', 'bundle'), trustedFingerprint(d));
});

test('a share envelope with one flipped byte is refused naming the trustee, and nothing is restored', async () => {
  const d = copyDemo();
  const file = join(d, 'trustees', 'trustee-2', 'share-envelope.json');
  const good = readFileSync(file, 'utf8');
  flipEnvelopeByte(d, 'trustee-2');
  const r = await recover(d);
  assert.equal(r.code, 1, r.stdout);
  const text = r.stdout + r.stderr;
  assert.match(text, /Carol Trustee \(trustee-2\)/);
  assert.match(text, /refused/);
  assert.match(text, /Nothing was combined or restored/);
  // Nothing was restored: with the genuine envelope back, the same new token takes the key.
  writeFileSync(file, good);
  const ok = await recover(d);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
});

test('only 2 trustees: refused before anything is opened', async () => {
  const d = copyDemo();
  const answers = readFileSync(join(d, 'recovery-answers.yaml'), 'utf8');
  const cut = answers.replace(/ {2}- id: trustee-3\n(?: {4}.*\n)+/, '');
  assert.notEqual(cut, answers);
  writeFileSync(join(d, 'recovery-answers.yaml'), cut);
  const r = await recover(d);
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stdout + r.stderr, /the script needs 3 trustees; the answers file lists 2/);
  assert.doesNotMatch(r.stdout, /"recoveredFingerprint"/);
});

test('4 shares of which one is corrupted: the bad one is named and the key still recovers from the other three', async () => {
  const d = copyDemo();
  const script = join(d, 'escrow-recovery-4.yaml');
  writeFileSync(script, readFileSync(SCRIPT, 'utf8').replace(/\n {2}trustee: 3\n/, '\n  trustee: 4\n'));
  const answers = readFileSync(join(d, 'recovery-answers.yaml'), 'utf8');
  const t3 = /( {2}- id: trustee-3\n(?: {4}.*\n)+)/.exec(answers)![1]!;
  const t4 = t3.replace(/trustee-3/g, 'trustee-4').replace(/TRUSTEE_3/g, 'TRUSTEE_4').replace(/name: .*/, 'name: Erin Trustee');
  writeFileSync(join(d, 'recovery-answers.yaml'), answers.replace(t3, t3 + t4));
  flipEnvelopeByte(d, 'trustee-2');
  const r = await recover(d, 'rec4', script);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const res = JSON.parse(r.stdout);
  assert.deepEqual(res.used, ['trustee-1', 'trustee-3', 'trustee-4']);
  assert.equal(res.rejected.length, 1);
  assert.equal(res.rejected[0].trusteeId, 'trustee-2');
  assert.match(res.rejected[0].label, /trustee-2/);
  assert.equal(res.recoveredFingerprint, JSON.parse(readFileSync(join(d, 'bundle', 'bundle.json'), 'utf8')).masterFingerprint);
});

/** Every trustee opens their own envelope with their token (in-process, as collect-share does). */
async function allOffers(d: string): Promise<OfferedShare[]> {
  const offers: OfferedShare[] = [];
  for (const id of ['trustee-1', 'trustee-2', 'trustee-3', 'trustee-4', 'trustee-5']) {
    const t = join(d, 'trustees', id);
    const keyring = parseKeyring(readFileSync(join(t, 'keyring.json')));
    const token = await openSoftwareTokenFile(join(t, 'token.keyrite-token'));
    await token.login(pinOf(pins, id));
    const seed = await token.unseal(keyring.sealKey, keyring.sealedSeed, trusteeSeedAad(keyring));
    await token.close();
    const envelope = parseEnvelope(fromUtf8(readFileSync(join(t, 'share-envelope.json'))).trim());
    const opened = openEnvelope(envelope, deriveTrusteeKeys(seed).xwing.secretKey);
    offers.push({ trusteeId: id, envelope, share: opened.share, salt: opened.salt });
  }
  return offers;
}

test('every one of the 10 trustee triples recovers the original master fingerprint; a forged x = 0 share is named', async () => {
  const manifest = parseManifest(fromUtf8(readFileSync(join(demo, 'bundle', 'escrow', 'manifest.json'))).replace(/\n$/, ''));
  const master = analyzeJournal(readTranscript(readFileSync(join(demo, 'bundle', 'transcript.jsonl'))).entries).master!;
  const offers = await allOffers(demo);
  let triples = 0;
  for (let a = 0; a < 5; a++) {
    for (let b = a + 1; b < 5; b++) {
      for (let c = b + 1; c < 5; c++) {
        const copy = [a, b, c].map((i) => ({ ...offers[i]!, share: { x: offers[i]!.share.x, y: Uint8Array.from(offers[i]!.share.y) } }));
        const r = await recoverFromShares({ manifest, masterPublicKey: master.publicKey, offered: copy });
        const k = deriveMasterKeys(r.seed);
        const fp = toHex(hybridFingerprint({ classical: { alg: 'Ed25519', publicKey: k.ed25519.publicKey }, pq: { alg: 'ML-DSA-65', publicKey: k.mldsa65.publicKey } }));
        assert.equal(fp, master.fingerprint, `triple ${a + 1},${b + 1},${c + 1}`);
        triples++;
      }
    }
  }
  assert.equal(triples, 10);

  const forged = [{ ...offers[0]!, share: { x: 0, y: Uint8Array.from(offers[0]!.share.y) } }, offers[1]!, offers[2]!];
  await assert.rejects(recoverFromShares({ manifest, masterPublicKey: master.publicKey, offered: forged }), (e: unknown) => {
    assert.ok(e instanceof ShareRejectedError);
    assert.equal(e.rejections[0]!.trusteeId, 'trustee-1');
    assert.equal(e.rejections[0]!.kind, 'forged-index');
    assert.match(e.message, /Bob Trustee \(trustee-1\)|trustee-1/);
    return true;
  });
});
