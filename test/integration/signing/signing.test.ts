/**
 * The signing ceremony on the output of one `keyrite demo` (made once for this file), run as
 * README.md says: `keyrite ceremony run ceremony-scripts/signing-rehearsal.yaml --answers
 * DIR/signing-answers.yaml --out OUT`. Three trustees unlock the master key; every document is
 * written to OUT/signed/ next to its envelope; `keyrite verify OUT/bundle --trust FP` and
 * `keyrite check-signature` accept them, and refuse them when one byte changes. Refusals happen
 * before anything is unlocked, and name what is wrong.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runInProcess, withBuiltCli } from '../../helpers/cli.ts';
import { trustedFingerprint, type DemoCopies } from '../recovery/helpers.ts';
import { sign, signingCopies, signingEntries } from './helpers.ts';

let copies: DemoCopies & { allPins: Record<string, string> };
before(async () => {
  copies = await signingCopies('keyrite-signing-');
});
after(() => copies.remove());

function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

test('three trustees unlock the master key and sign the demo request: two documents with their envelopes, a signing bundle that verifies anchored, and signatures a relying party checks; a second rehearsal in another folder works too', async () => {
  const d = copies.copy();
  const fp = trustedFingerprint(d);
  const r = await sign(d, 'sign-1', copies.allPins);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const res = JSON.parse(r.stdout);
  assert.equal(res.kind, 'signing');
  assert.equal(res.original.masterFingerprint, fp);
  assert.equal(res.anchored, true);
  assert.deepEqual(res.used, ['trustee-1', 'trustee-2', 'trustee-3']);
  assert.equal(res.request.sha256, sha256(readFileSync(join(d, 'signing-request.json'))));
  assert.deepEqual(res.documents.map((x: { name: string }) => x.name), ['endorsed-keys.jwks.json', 'artifacts.intoto.json']);
  assert.ok(res.exportChecks.every((c: { ok: boolean }) => c.ok));
  const signed = join(d, 'sign-1', 'signed');
  assert.deepEqual(readdirSync(signed).sort(), ['artifacts.intoto.json', 'artifacts.intoto.json.dsse.json', 'endorsed-keys.jwks.json', 'endorsed-keys.jwks.json.dsse.json']);
  for (const doc of res.documents as { name: string; sha256: string; envelopeSha256: string }[]) {
    assert.equal(sha256(readFileSync(join(signed, doc.name))), doc.sha256);
    assert.equal(sha256(readFileSync(join(signed, `${doc.name}.dsse.json`))), doc.envelopeSha256);
    // The bundle holds the same bytes.
    assert.deepEqual(readFileSync(join(d, 'sign-1', 'bundle', 'signed', doc.name)), readFileSync(join(signed, doc.name)));
  }

  // The transcript: the request is checked and confirmed by every trustee before any share is opened; the token holds the key before that.
  const entries = signingEntries(join(d, 'sign-1'));
  const types = entries.map((e) => e.type);
  const firstShare = types.indexOf('share.accepted');
  assert.ok(types.indexOf('request.check') < firstShare);
  assert.deepEqual(entries.filter((e) => e.type === 'request.confirm').map((e) => e.actor), ['trustee-1', 'trustee-2', 'trustee-3']);
  assert.ok(entries.findIndex((e) => e.type === 'token.label-check' && e.body.outcome === 'holds-this-ceremony-key') < firstShare);
  assert.equal(entries.filter((e) => e.type === 'document.sign').length, 2);

  const verify = await runInProcess(['verify', join(d, 'sign-1', 'bundle'), '--trust', fp, '--json']);
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  const report = JSON.parse(verify.stdout);
  assert.equal(report.kind, 'signing');
  for (const name of ['original-link', 'signing-request', 'signed-documents']) assert.ok(report.checks.some((c: { name: string; status: string }) => c.name === name && c.status === 'pass'), name);

  for (const name of ['endorsed-keys.jwks.json', 'artifacts.intoto.json']) {
    const ok = await runInProcess(['check-signature', join(signed, name), '--signature', join(signed, `${name}.dsse.json`), '--trust', fp]);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  }
  // The artifact itself, checked against the signed artifacts statement.
  const artifact = await runInProcess(['check-signature', join(d, 'keyrite-demo-release.txt'), '--signature', join(signed, 'artifacts.intoto.json.dsse.json'), '--trust', fp]);
  assert.equal(artifact.code, 0, artifact.stdout + artifact.stderr);

  // One byte of a document changed: check-signature says bad (exit 1).
  const doc = join(signed, 'endorsed-keys.jwks.json');
  const bytes = readFileSync(doc);
  bytes[bytes.length - 2] = bytes[bytes.length - 2]! ^ 1;
  writeFileSync(doc, bytes);
  const bad = await runInProcess(['check-signature', doc, '--signature', `${doc}.dsse.json`, '--trust', fp]);
  assert.equal(bad.code, 1, bad.stdout);

  // A rehearsal can be run again from the same demo, in another folder.
  const again = await sign(d, 'sign-2', copies.allPins);
  assert.equal(again.code, 0, again.stderr + again.stdout);
});

test('a request whose SHA-256 is not the one the answers give is refused before anything is unlocked, naming it', async () => {
  const d = copies.copy();
  const p = join(d, 'signing-request.json');
  const req = JSON.parse(readFileSync(p, 'utf8'));
  req.title = `${req.title} (changed)`;
  writeFileSync(p, JSON.stringify(req));
  const r = await sign(d, 'sign', copies.allPins);
  assert.equal(r.code, 1, r.stdout);
  assert.match(JSON.parse(r.stdout).message, /not the one the answers file gives as its author sent it; this is not the request that was agreed\. Nothing was unlocked\./);
  const types = signingEntries(join(d, 'sign')).map((e) => e.type);
  assert.equal(types.includes('share.accepted'), false);
  assert.equal(existsSync(join(d, 'sign', 'signed')), false);
});

test('a master token that does not hold the master key is refused when it is logged into, before any trustee checks in', async () => {
  const d = copies.copy();
  const a = join(d, 'signing-answers.yaml');
  writeFileSync(a, readFileSync(a, 'utf8').replace('master/master.keyrite-token', 'recovery/new-master.keyrite-token').replace('KEYRITE_REHEARSAL_PIN_MASTER', 'KEYRITE_REHEARSAL_PIN_RECOVERY'));
  const r = await sign(d, 'sign', copies.allPins);
  assert.equal(r.code, 1, r.stdout);
  assert.match(JSON.parse(r.stdout).message, /holds no key labelled "keyrite:keyrite-root-rehearsal"\. Bring the token that holds the master key/);
  const types = signingEntries(join(d, 'sign')).map((e) => e.type);
  assert.equal(types.includes('participant.check-in'), false);
});

test('the signing rehearsal docs/CEREMONY-SCRIPTS.md gives runs as written (bash) to a signing bundle that verifies, and so does the one in README.md', async () => {
  const d = copies.copy();
  const fp = trustedFingerprint(d);
  const doc = readFileSync(join(repoRoot, 'docs', 'CEREMONY-SCRIPTS.md'), 'utf8');
  const block = /each time into a new `--out` folder:\n\n```sh\n([\s\S]*?)\n```/.exec(doc)?.[1];
  assert.ok(block, 'the recipe is in docs/CEREMONY-SCRIPTS.md');
  const script = block.replaceAll('<the clone>', repoRoot.replace(/\/$/, '')).replace(/^cd DIR /, `cd ${d} `);
  const r = spawnSync('bash', ['-euc', script], { cwd: tmpdir(), encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /Signing ceremony [0-9a-f]{32} complete/);
  const verified = await runInProcess(['verify', join(d, 'signing-run', 'bundle'), '--trust', fp]);
  assert.equal(verified.code, 0, verified.stdout);

  // README.md's commands, on this copy instead of /tmp/keyrite-demo, run in the clone.
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const commands = /with a new `--out` folder:\n\n```sh\n([\s\S]*?)\n```/.exec(readme)?.[1];
  assert.ok(commands, 'the signing commands are in README.md');
  const run = withBuiltCli(commands.replaceAll('/tmp/keyrite-demo', d).replaceAll('<the master fingerprint>', fp));
  const rr = spawnSync('bash', ['-euc', run], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  assert.equal(rr.status, 0, rr.stdout + rr.stderr);
  assert.match(rr.stdout, /VALID/);
});
