/**
 * `keyrite check-share`: a trustee checks their own share, alone, on a `keyrite demo` output
 * (software tokens). A good share passes all five checks (from the envelope file or from the
 * printed card's scan), and the sixth with the trustee's paper words; each way it can go wrong
 * stops at the check that names it; usage errors
 * exit 2; and nothing is written anywhere in the trustee's or the bundle's folders.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { runInProcess, type CliRun } from '../../helpers/cli.ts';
import { shareCardParts } from '../../../core/escrow/share-card-parts.ts';
import { DemoCopies, paperWordsOf, pinOf } from './helpers.ts';

let copies: DemoCopies;
before(async () => {
  copies = await DemoCopies.make('keyrite-check-share-');
});
after(() => copies?.remove());

const fingerprintOf = (d: string): string => JSON.parse(readFileSync(join(d, 'bundle', 'bundle.json'), 'utf8')).masterFingerprint;

/** `keyrite check-share --json` for trustee `id` of copy `d`, with PIN variable and files from the demo layout; `over` replaces flags. */
function checkShare(d: string, id: string, over: Record<string, string | null> = {}, pin = pinOf(copies.pins, id), words?: string): Promise<CliRun> {
  const flags: Record<string, string | null> = {
    keyring: join(d, 'trustees', id, 'keyring.json'),
    envelope: join(d, 'trustees', id, 'share-envelope.json'),
    token: `software:${join(d, 'trustees', id, 'token.keyrite-token')}`,
    'pin-env': 'TRUSTEE_PIN',
    ...over,
  };
  const argv = ['check-share', join(d, 'bundle'), '--json'];
  // null leaves a flag out; '' gives a switch.
  for (const [k, v] of Object.entries(flags)) {
    if (v === '') argv.push(`--${k}`);
    else if (v !== null) argv.push(`--${k}`, v);
  }
  return runInProcess(argv, undefined, { TRUSTEE_PIN: pin, ...(words !== undefined ? { PAPER_WORDS: words } : {}) });
}

function failedAt(r: CliRun, check: string, detail: RegExp): void {
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const res = JSON.parse(r.stdout);
  assert.equal(res.ok, false);
  const last = res.checks[res.checks.length - 1];
  assert.deepEqual([last.name, last.ok], [check, false], JSON.stringify(res.checks));
  assert.match(last.detail, detail);
  assert.ok(res.checks.slice(0, -1).every((c: { ok: boolean }) => c.ok), 'the checks before the failing one passed');
  assert.match(r.stderr, new RegExp(`the share check failed at "${check}"`));
}

function snapshot(d: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else out.push(`${relative(d, p)} ${st.size} ${st.mtimeMs}`);
    }
  };
  walk(d);
  return out;
}

test('a good share passes all five checks, anchored, from the envelope file and from the card scan, with the bundle folder or its archive; nothing is written', async () => {
  const d = copies.copy();
  const before = snapshot(d);
  const r = await checkShare(d, 'trustee-2', { trust: fingerprintOf(d) });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const res = JSON.parse(r.stdout);
  assert.equal(res.ok, true);
  assert.equal(res.anchored, true);
  assert.deepEqual(res.checks.map((c: { name: string; ok: boolean }) => [c.name, c.ok]), [['bundle', true], ['keyring', true], ['token', true], ['seed', true], ['share', true]]);
  const manifest = JSON.parse(readFileSync(join(d, 'bundle', 'escrow', 'manifest.json'), 'utf8'));
  assert.equal(res.x, manifest.trustees.find((t: { id: string }) => t.id === 'trustee-2').x);
  assert.deepEqual([res.trusteeId, res.name, res.ceremonyId, res.masterFingerprint], ['trustee-2', 'Carol Trustee', manifest.ceremonyId, fingerprintOf(d)]);

  const scan = join(d, '..', `card-scan-${Date.now()}.txt`);
  writeFileSync(scan, shareCardParts(new Uint8Array(readFileSync(join(d, 'trustees', 'trustee-2', 'share-envelope.json'))), manifest.ceremonyId).reverse().join('\n'));
  const card = await checkShare(d, 'trustee-2', { envelope: null, 'envelope-card': scan });
  assert.equal(card.code, 0, card.stdout + card.stderr);
  assert.equal(JSON.parse(card.stdout).anchored, false);
  assert.deepEqual(snapshot(d), before, 'check-share wrote nothing');

  const text = await runInProcess(['check-share', join(d, 'bundle'), '--keyring', join(d, 'trustees/trustee-2/keyring.json'), '--envelope', join(d, 'trustees/trustee-2/share-envelope.json'), '--token', `software:${join(d, 'trustees/trustee-2/token.keyrite-token')}`, '--pin-env', 'P'], undefined, { P: pinOf(copies.pins, 'trustee-2') });
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^Share of Carol Trustee \(trustee-2\), index \d+ \(3 of 5 recover the key\)/);
  assert.match(text.stdout, /NOT ANCHORED: no --trust fingerprint was given/);
  assert.match(text.stdout, /GOOD: your token opens your share and it passes every check a recovery makes\./);

  // The same bundle as one file (its archive, read in memory).
  const archive = await runInProcess(['check-share', join(d, 'bundle.keyrite.tar'), '--keyring', join(d, 'trustees/trustee-2/keyring.json'), '--envelope', join(d, 'trustees/trustee-2/share-envelope.json'), '--token', `software:${join(d, 'trustees/trustee-2/token.keyrite-token')}`, '--pin-env', 'P', '--trust', fingerprintOf(d), '--json'], undefined, { P: pinOf(copies.pins, 'trustee-2') });
  assert.equal(archive.code, 0, archive.stdout + archive.stderr);
  assert.deepEqual(JSON.parse(archive.stdout).checks.map((c: { ok: boolean }) => c.ok), [true, true, true, true, true]);
});

test('each way a share can be unusable stops at the check that names it', async () => {
  const d = copies.copy();
  failedAt(await checkShare(d, 'trustee-2', { envelope: join(d, 'trustees', 'trustee-3', 'share-envelope.json') }), 'share', /addressed to trustee "trustee-3", not to this trustee/);
  failedAt(await checkShare(d, 'trustee-2', { token: `software:${join(d, 'trustees', 'trustee-3', 'token.keyrite-token')}` }, pinOf(copies.pins, 'trustee-3')), 'token', /but the keyring belongs to token "Rehearsal trustee-2"/);
  failedAt(await checkShare(d, 'trustee-2', { trust: 'ab'.repeat(32) }), 'bundle', /the public bundle does not verify \(trust-anchor: /);

  // Damaged files: the envelope's ciphertext, then the escrow manifest in the bundle.
  const bad = copies.copy();
  const envelopeFile = join(bad, 'trustees', 'trustee-2', 'share-envelope.json');
  const env = JSON.parse(readFileSync(envelopeFile, 'utf8'));
  const ct: string = env.sealed.ciphertext;
  env.sealed.ciphertext = ct.slice(0, 40) + (ct[40] === 'A' ? 'B' : 'A') + ct.slice(41);
  writeFileSync(envelopeFile, JSON.stringify(env) + '\n');
  failedAt(await checkShare(bad, 'trustee-2'), 'share', /\S/);
  writeFileSync(join(bad, 'trustees', 'trustee-2', 'keyring.json'), '{"format":"not a keyring"}');
  failedAt(await checkShare(bad, 'trustee-2'), 'keyring', /the keyring file cannot be read/);
  const manifestFile = join(bad, 'bundle', 'escrow', 'manifest.json');
  writeFileSync(manifestFile, readFileSync(manifestFile, 'utf8').replace('"t":3', '"t":2'));
  failedAt(await checkShare(bad, 'trustee-2'), 'bundle', /the public bundle does not verify/);

  // A card scan of another trustee's card.
  const scan = join(d, '..', `wrong-card-${Date.now()}.txt`);
  const ceremonyId = JSON.parse(readFileSync(join(d, 'bundle', 'bundle.json'), 'utf8')).ceremonyId;
  writeFileSync(scan, shareCardParts(new Uint8Array(readFileSync(join(d, 'trustees', 'trustee-4', 'share-envelope.json'))), ceremonyId).join('\n'));
  failedAt(await checkShare(d, 'trustee-2', { envelope: null, 'envelope-card': scan }), 'share', /the share card scan cannot be used \(This is the card of trustee-4, not of trustee-2/);
});

test('a wrong PIN is refused by the token with its own sentence, exit 1', async () => {
  const d = copies.copy();
  const r = await checkShare(d, 'trustee-1', {}, 'not-the-passphrase');
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(JSON.parse(r.stdout).message, /Wrong passphrase for software token "Rehearsal trustee-1"/);
});

test('usage errors exit 2 with a sentence: both envelopes, neither, no PIN source without a terminal, a bad token, a bad fingerprint, keyring and envelope swapped', async () => {
  const d = copies.copy();
  const cases: [Record<string, string | null>, RegExp][] = [
    [{ 'envelope-card': join(d, 'x.txt') }, /Give exactly one of --envelope FILE and --envelope-card FILE\./],
    [{ envelope: null }, /Give exactly one of --envelope FILE and --envelope-card FILE\./],
    [{ 'pin-env': null }, /Without a terminal the PIN cannot be typed at a prompt: name an environment variable with --pin-env NAME\./],
    [{ 'pin-env': 'lower-case' }, /--pin-env must be an environment variable name/],
    [{ 'pin-env': 'UNSET_VARIABLE' }, /--pin-env UNSET_VARIABLE: that environment variable is not set/],
    [{ token: 'pkcs11:model=SoftHSM%20v2' }, /--token must name your own token by token= \(its label\) or serial=\./],
    [{ token: 'my token' }, /--token must be software:PATH or a PKCS#11 URI/],
    [{ trust: 'not a fingerprint' }, /--trust must be the master fingerprint/],
    [{ keyring: join(d, 'missing.json') }, /Could not read the keyring .*missing\.json: it does not exist\./],
    // Files in each other's place are a mix-up, not a bad share (no "BAD … tell the administrator").
    [{ envelope: join(d, 'trustees', 'trustee-1', 'keyring.json') }, /^The file given as your share envelope is a trustee keyring \(keyring\.json\), not a share envelope \(share-envelope\.json\)/],
    [{ keyring: join(d, 'trustees', 'trustee-1', 'share-envelope.json') }, /^The file given as your keyring is a share envelope \(share-envelope\.json\), not a trustee keyring \(keyring\.json\)/],
  ];
  for (const [over, message] of cases) {
    const r = await checkShare(d, 'trustee-1', over);
    assert.equal(r.code, 2, `${JSON.stringify(over)}: ${r.stdout}${r.stderr}`);
    assert.match(JSON.parse(r.stdout).message, message);
  }
});

test("paper words: the trustee's own words pass the sixth check; another's, a typo, a swapped pair and a missing word are refused without quoting the words", async () => {
  const d = copies.copy();
  const own = paperWordsOf(d, 'trustee-3');
  assert.equal(own.length, 34);
  const ok = await checkShare(d, 'trustee-3', { 'paper-words-env': 'PAPER_WORDS' }, undefined, own.join(' '));
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  const last = JSON.parse(ok.stdout).checks.at(-1);
  assert.deepEqual([last.name, last.ok], ['paper', true]);
  assert.match(last.detail, /^the 34 paper words are exactly share \d+$/);

  const refusals: [string, RegExp][] = [
    [paperWordsOf(d, 'trustee-4').join(' '), /not this share: they are another trustee's copy, or of an earlier split/],
    [[...own.slice(0, 10), own[10] === 'academic' ? 'acid' : 'academic', ...own.slice(11)].join(' '), /the paper words do not decode/],
    [[...own.slice(0, 5), own[6], own[5], ...own.slice(7)].join(' '), /the paper words do not decode/],
    [own.slice(0, 33).join(' '), /the paper words do not decode/],
  ];
  for (const [words, reason] of refusals) {
    const r = await checkShare(d, 'trustee-3', { 'paper-words-env': 'PAPER_WORDS' }, undefined, words);
    failedAt(r, 'paper', reason);
    const detail: string = JSON.parse(r.stdout).checks.at(-1).detail;
    for (let i = 0; i + 1 < own.length; i++) assert.ok(!detail.includes(`${own[i]} ${own[i + 1]}`), 'the paper words are quoted');
    assert.ok(!detail.includes(words), 'the words typed are quoted');
  }
  const both = await checkShare(d, 'trustee-3', { 'paper-words-env': 'PAPER_WORDS', 'paper-words': '' }, undefined, own.join(' '));
  assert.equal(both.code, 2);
});
