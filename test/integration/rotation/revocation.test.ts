/**
 * Emergency revocation on rehearsal software tokens, from the run's rotated demo (makeRotatedDemo:
 * the shared demo, a document the root key signed, the rotation; cheapest scrypt): the revocation
 * of the root key (`keyrite ceremony run revocation-rehearsal.yaml --answers DIR/revocation-answers.yaml`,
 * the master token never opened) and of the rotated key; the chains they end (valid, no current
 * key, the revoked key named with its time and reason); check-signature over the chain (a document
 * the revoked key signed before the revocation is good, one it signed after is refused by name);
 * and the refusals: a revocation not signed by a threshold, a revocation of a key not in the chain
 * (a gap), a fork, anything after a revocation, changed bytes.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runInProcess, type CliRun } from '../../helpers/cli.ts';
import { readBundleDir } from '../../helpers/bundle-files.ts';
import { trustedFingerprint } from '../recovery/helpers.ts';
import { sign } from '../signing/helpers.ts';
import { makeRotatedDemo } from './helpers.ts';
import { verifyChain, type ChainReport } from '../../../core/verifier/chain.ts';
import { verifyBundle } from '../../../core/verifier/verify.ts';
import { parseKeyStates } from '../../../core/bundle/key-states.ts';
import { encodeEnvelope, parseEnvelope } from '../../../core/encoding/dsse.ts';
import { fromUtf8, utf8 } from '../../../core/bytes.ts';

const SCRIPT = join(repoRoot, 'ceremony-scripts/revocation-rehearsal.yaml');
const REASON = 'Rehearsal: the master token is reported lost';

let work: string;
let d: string;
let root: string;
let next: string;
let pins: Record<string, string>;
/** SHA-256 of the master token before the revocations, and after them (before anything else opens it). */
let masterTokenBefore: string;
let masterTokenAfter: string;
/** The revocation of the root key (revocation-1/, README.md's commands run by the shared fixture) and of the rotated key (rev-next/). */
let readmeRun: { status: number | null; stdout: string; stderr: string };
let revNext: CliRun;

function revoke(answers: string, out: string): Promise<CliRun> {
  return runInProcess(['ceremony', 'run', SCRIPT, '--answers', join(d, answers), '--out', join(d, out), '--json'], undefined, pins);
}

function chain(...dirs: string[]): ChainReport {
  return verifyChain(dirs.map((x) => readBundleDir(join(d, x))), { trust: root });
}

function failed(r: ChainReport): string {
  return JSON.stringify(r.checks.filter((c) => c.status === 'fail'));
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'keyrite-revocation-'));
  d = join(work, 'demo');
  const made = await makeRotatedDemo(d);
  pins = made.pins;
  next = made.rotation.master.fingerprint;
  root = trustedFingerprint(d);
  masterTokenBefore = readFileSync(join(d, 'master-token-before-rev.sha256'), 'utf8');
  readmeRun = JSON.parse(readFileSync(join(d, 'revocation-readme.json'), 'utf8'));
  assert.equal(readmeRun.status, 0, readmeRun.stdout + readmeRun.stderr);
  // The rotated key, revoked by the same trustees with their shares of it, anchored on its fingerprint.
  const text = readFileSync(join(d, 'revocation-answers.yaml'), 'utf8')
    .replace(/envelope: trustees\/(trustee-\d)\/share-envelope\.json/g, 'envelope: rotation/trustees/$1/share-envelope.json')
    .replace(/^( {2}path: )bundle$/m, '$1rot/bundle')
    .replace(/^( {2}trust: )[0-9a-f]{64}$/m, `$1${next}`);
  writeFileSync(join(d, 'revocation-next-answers.yaml'), text);
  revNext = await revoke('revocation-next-answers.yaml', 'rev-next');
  assert.equal(revNext.code, 0, revNext.stdout + revNext.stderr);
  masterTokenAfter = createHash('sha256').update(readFileSync(join(d, 'master', 'master.keyrite-token'))).digest('hex');
  // The root key signs once more after its revocation (its token still works: that is why it was revoked).
  const late = await sign(d, 'sign-after-revocation', pins);
  assert.equal(late.code, 0, late.stdout + late.stderr);
});
after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the revocation writes OUT/bundle: the key unlocked by three shares, its token never opened, the key states with the key revoked', () => {
  const end = JSON.parse(readFileSync(join(d, 'revocation-1', 'bundle', 'transcript.jsonl'), 'utf8').trimEnd().split('\n').at(-1)!).body;
  assert.equal(end.kind, 'revocation');
  assert.equal(end.masterFingerprint, root);
  assert.equal(end.reason, REASON);
  assert.deepEqual(end.sharesCombined, ['trustee-3', 'trustee-4', 'trustee-5']);
  const res = { revoked: { revokedAt: end.revokedAt } };
  assert.equal(masterTokenAfter, masterTokenBefore, 'the master token was never opened');
  const states = parseKeyStates(new Uint8Array(readFileSync(join(d, 'revocation-1', 'bundle', 'keys', 'key-states.json'))));
  assert.deepEqual(states.keys.map((k) => [k.fingerprint, k.state, k.revokedAt]), [[root, 'revoked', res.revoked.revokedAt]]);
  const nextStates = parseKeyStates(new Uint8Array(readFileSync(join(d, 'rev-next', 'bundle', 'keys', 'key-states.json'))));
  assert.deepEqual(nextStates.keys.map((k) => [k.fingerprint, k.state]), [[next, 'revoked'], [root, 'deprecated']]);
  assert.match(readFileSync(join(d, 'revocation-1', 'bundle', 'README.txt'), 'utf8'), new RegExp(`Reason: {14}${REASON}`));
});

test('keyrite verify ROOT REVOCATION --trust ROOT: a valid chain with no active key, the revoked key named with its time and reason', async () => {
  const r = await runInProcess(['verify', join(d, 'bundle'), join(d, 'revocation-1', 'bundle'), '--trust', root, '--json']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.current, undefined);
  assert.equal(report.revoked.fingerprint, root);
  assert.equal(report.revoked.reason, REASON);
  assert.match(report.revoked.message, /^No active key: the key [0-9a-f]{16}… was revoked on \S+Z; a rotation is needed\.$/);
  assert.match(r.stderr, /No active key/);
  const text = await runInProcess(['verify', join(d, 'bundle'), join(d, 'revocation-1', 'bundle'), '--trust', root]);
  assert.match(text.stdout, /NO ACTIVE MASTER KEY: the last key was REVOKED at /);
  // The revocation of the rotated key ends the 3-link chain root → rotation → revocation.
  const three = chain('bundle', 'rot/bundle', 'rev-next/bundle');
  assert.equal(three.verdict, 'valid', failed(three));
  assert.equal(three.revoked!.fingerprint, next);
  assert.deepEqual(three.keys!.map((k) => [k.fingerprint, k.state]), [[next, 'revoked'], [root, 'deprecated']]);
});

function checkSignature(run: string, chainDirs: string[]): Promise<CliRun> {
  const doc = join(d, run, 'signed', 'endorsed-keys.jwks.json');
  return runInProcess(['check-signature', doc, '--signature', `${doc}.dsse.json`, '--trust', root, ...chainDirs.flatMap((b) => ['--chain', join(d, b)]), '--json']);
}

test('check-signature --chain: signed by the revoked key before its revocation is good; signed after it is refused, naming why', async () => {
  const chainDirs = ['bundle', 'revocation-1/bundle'];
  const before = await checkSignature('sign-before', chainDirs);
  assert.equal(before.code, 0, before.stdout + before.stderr);
  assert.match(JSON.parse(before.stdout).checks.at(-1).detail, /before its revocation at /);
  const late = await checkSignature('sign-after-revocation', chainDirs);
  assert.equal(late.code, 1, late.stdout);
  assert.match(JSON.parse(late.stdout).checks.at(-1).detail, /was revoked at \S+, and this was signed at \S+, after that: it is not trusted/);
  assert.match(late.stderr, /failed at "chain"/);
});

test('refusals: a revocation short of the threshold, of a key not in the chain (gap), a fork, anything after a revocation, changed bytes', () => {
  // Fewer trustee signatures than the threshold: the last trustee's two signatures removed.
  const files = readBundleDir(join(d, 'revocation-1', 'bundle'));
  const env = parseEnvelope(fromUtf8(files.get('statement.dsse.json')!));
  files.set('statement.dsse.json', utf8(encodeEnvelope({ ...env, signatures: env.signatures.slice(0, -2) }) + '\n'));
  const alone = verifyBundle(files, { trust: root });
  const bad = alone.checks.filter((c) => c.status === 'fail').map((c) => c.name);
  assert.ok(bad.includes('revocation-signers') && bad.includes('hybrid-rule'), JSON.stringify(alone.checks.filter((c) => c.status !== 'pass')));
  assert.match(alone.checks.find((c) => c.name === 'revocation-signers')!.detail, /^Only 2 trustees of the key's escrow signed the revocation; its threshold is 3\./);
  const short = verifyChain([readBundleDir(join(d, 'bundle')), files], { trust: root });
  assert.equal(short.verdict, 'invalid');
  assert.equal(short.revoked, undefined);

  const gap = chain('bundle', 'rev-next/bundle');
  assert.match(failed(gap), /Gap: bundle 1 builds on ceremony [0-9a-f]{32} .*not in the chain/);
  const fork = chain('bundle', 'rot/bundle', 'revocation-1/bundle');
  assert.match(failed(fork), /Fork: bundles 1 and 2 both rotate or revoke the key of ceremony/);
  const afterRevocation = chain('bundle', 'revocation-1/bundle', 'rot/bundle');
  assert.match(failed(afterRevocation), /Bundle 2 follows bundle 1, a revocation: the key it revoked signs nothing more in this chain/);
  assert.equal(afterRevocation.revoked, undefined);

  for (const name of ['keys/key-states.json', 'policy.json', 'README.txt']) {
    const changed = readBundleDir(join(d, 'revocation-1', 'bundle'));
    const bytes = new Uint8Array(changed.get(name)!);
    const at = fromUtf8(bytes).indexOf('Rehearsal') >= 0 ? fromUtf8(bytes).indexOf('Rehearsal') : 30;
    bytes[at] = bytes[at] === 0x52 ? 0x72 : 0x52;
    changed.set(name, bytes);
    const r = verifyChain([readBundleDir(join(d, 'bundle')), changed], { trust: root });
    assert.equal(r.verdict, 'invalid', name);
    assert.ok(r.checks.some((c) => c.name === 'chain-bundles' && c.status === 'fail'), name);
  }
});

test('an interrupted revocation is refused, never resumed', async () => {
  // A journal already in the run folder (here: of the finished revocation) is refused before anything happens.
  cpSync(join(d, 'revocation-1', 'journal'), join(d, 'again', 'journal'), { recursive: true });
  const again = await runInProcess(['ceremony', 'run', SCRIPT, '--answers', join(d, 'revocation-answers.yaml'), '--out', join(d, 'again'), '--json'], undefined, pins);
  assert.equal(again.code, 1, again.stdout + again.stderr);
  assert.match(JSON.parse(again.stdout).message, /a revocation is not resumed/);
});

test("README.md's revocation runs as written (bash): the revocation, then the chain with no active key", () => {
  // The shared fixture ran the commands (test/integration/rotation/helpers.ts): the revocation above is theirs.
  assert.match(readmeRun.stdout, /Revocation [0-9a-f]{32} complete: the master key of ceremony [0-9a-f]{32} is REVOKED\.[\s\S]*NO ACTIVE MASTER KEY[\s\S]*VALID CHAIN/);
});
