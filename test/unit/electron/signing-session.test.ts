// The signing session before anything runs (electron/ipc/signing-session.ts) on a copy of the
// golden root bundle: a request is checked against the script's caps when opened and shown as a
// table, or refused with its sentence (then no check-in is possible); a request outside the
// bundle's folder is refused; at check-in a typed digest that is not the file's, or none with a
// live script, is refused; a digest confirmation cannot be given without its words; a share card
// is read only at the check-in; an interrupted run is resumed only from a listed folder.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SigningSession, firstTwoWords } from '../../../electron/ipc/signing-session.ts';
import { exampleSigningRequest } from '../../../core/signing/example-request.ts';
import { sha256 } from '../../../core/crypto/hash.ts';
import { toHex } from '../../../core/encoding/hex.ts';
import { isKeyriteError } from '../../../core/errors.ts';
import type { SigningCheckInForm, SigningView } from '../../../core/ipc/contract.ts';

const repo = new URL('../../../', import.meta.url).pathname;
const GOLDEN_FP = '8047460895e45caaf54a2be033a6aa947ac20e4f4dc484f0892b52005038a27a';
const NOW = new Date('2026-03-01T12:00:00Z');
let dir: string;
let request: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'keyrite-signing-session-'));
  cpSync(join(repo, 'test/fixtures/golden-bundle'), join(dir, 'bundle'), { recursive: true });
  request = join(dir, 'signing-request.json');
  writeFileSync(request, exampleSigningRequest(NOW, (n) => new Uint8Array(randomBytes(n))));
});

after(() => rmSync(dir, { recursive: true, force: true }));

function session(picks: { request?: string }): { s: SigningSession; views: SigningView[] } {
  const views: SigningView[] = [];
  const s = new SigningSession({
    workRoot: dir,
    scriptsDir: join(repo, 'ceremony-scripts'),
    listTokens: async () => [],
    pickBundleFolder: async () => join(dir, 'bundle'),
    pickScriptFile: async () => undefined,
    pickRequestFile: async () => picks.request,
    pickExportFolder: async () => undefined,
    publish: (v) => views.push(v),
    clock: () => NOW,
  });
  return { s, views };
}

const form = (digest: string): SigningCheckInForm => ({
  administrator: 'Alice Admin',
  witnesses: ['Grace Witness'],
  trust: GOLDEN_FP,
  requestDigest: digest,
  masterToken: 'master/master.keyrite-token',
  trustees: ['trustee-1', 'trustee-2', 'trustee-3'].map((id) => ({ id, name: `Trustee ${id}`, token: `trustees/${id}/token.keyrite-token`, keyring: `trustees/${id}/keyring.json`, envelope: `trustees/${id}/share-envelope.json` })),
});

async function refusal(p: Promise<unknown> | (() => unknown), code: string): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    assert.ok(isKeyriteError(e), String(e));
    assert.equal(e.code, code, e.message);
    return e.message;
  }
  assert.fail('not refused');
}

test('an accepted request is shown as its table and digest, then the check-in pins its digest', async () => {
  const p = { request };
  const { s } = session(p);
  assert.equal((await s.openBundle()).phase, 'script');
  assert.equal((await s.load({ shipped: 'signing-rehearsal.yaml' })).phase, 'request');
  const v = await s.openRequest();
  assert.equal(v.phase, 'check-in');
  const r = v.request!;
  assert.equal(r.verdict, 'accepted');
  assert.equal(r.refusal, null);
  assert.equal(r.path, 'signing-request.json');
  assert.equal(r.digest.hex, toHex(sha256(new Uint8Array(readFileSync(request)))));
  assert.equal(r.digest.words.length, 16);
  assert.deepEqual(r.limits, { maxValidityDays: 400, maxKeys: 16, maxArtifacts: 64 });
  assert.deepEqual(r.keys.map((k) => [k.alg, k.use, k.days]), [['Ed25519', 'sig', 365], ['X-Wing', 'enc', 365]]);
  assert.equal(r.artifacts.length, 1);
  assert.equal(v.digestStep, 'check-request');

  const wrong = r.digest.hex.slice(0, 10) + (r.digest.hex[10] === '0' ? '1' : '0') + r.digest.hex.slice(11);
  assert.match(await refusal(s.checkIn(form(wrong)), 'REQUEST_REFUSED'), /not the digest its author sent: this is not the request that was agreed\. Nothing was unlocked/);
  assert.equal((await s.checkIn(form(r.digest.hexGroups))).phase, 'ready');
  // No digest prompt is open: confirming one is refused.
  assert.match(await refusal(() => s.confirmDigest(1, firstTwoWords(r.digest.words)), 'USAGE'), /no longer open/);
});

test('a live script needs the digest the requester sent', async () => {
  const { s } = session({ request });
  await s.openBundle();
  await s.load({ shipped: 'signing.yaml' });
  await s.openRequest();
  assert.match(await refusal(s.checkIn(form('')), 'ANSWERS_INVALID'), /A live signing ceremony signs only the request whose SHA-256 its author sent out of band/);
});

test('a request beyond the caps is shown refused with its sentence, and no check-in is taken', async () => {
  const doc = JSON.parse(readFileSync(request, 'utf8'));
  doc.keys[1].kid = doc.keys[0].kid;
  const bad = join(dir, 'duplicate-kid.json');
  writeFileSync(bad, JSON.stringify(doc));
  const { s } = session({ request: bad });
  await s.openBundle();
  await s.load({ shipped: 'signing-rehearsal.yaml' });
  const v = await s.openRequest();
  assert.equal(v.phase, 'request');
  assert.equal(v.request!.verdict, 'refused');
  assert.match(v.request!.refusal!, /^The signing request is refused: key 2 \(kid "[^"]+"\) repeats the kid of key 1/);
  assert.deepEqual(v.request!.keys, []);
  assert.match(await refusal(s.checkIn(form('')), 'USAGE'), /open an accepted request first/);
  assert.match(await refusal(() => s.start(), 'USAGE'), /Check the quorum in/);
});

test('a request outside the folder holding the bundle is refused with what to do', async () => {
  const outside = mkdtempSync(join(tmpdir(), 'keyrite-signing-outside-'));
  try {
    const file = join(outside, 'signing-request.json');
    writeFileSync(file, readFileSync(request));
    const { s } = session({ request: file });
    await s.openBundle();
    await s.load({ shipped: 'signing-rehearsal.yaml' });
    assert.match(await refusal(s.openRequest(), 'USAGE'), /must be in .* \(the folder holding the root bundle\) or a folder inside it: copy signing-request\.json there/);
  } finally {
    rmSync(outside, { recursive: true, force: true });
  }
});

test('a share card is read only during the check-in and only for a trustee of the root bundle', async () => {
  const p = { request };
  const { s } = session(p);
  const scan = { trusteeId: 'trustee-1', scanned: 'KR1:anything\n' };
  assert.match(await refusal(s.readShareCard(scan), 'USAGE'), /cards are read during the check-in/);
  await s.openBundle();
  await s.load({ shipped: 'signing-rehearsal.yaml' });
  assert.match(await refusal(s.readShareCard(scan), 'USAGE'), /cards are read during the check-in/, 'not before the request is accepted');
  await s.openRequest();
  assert.match(await refusal(s.readShareCard({ trusteeId: 'trustee-9', scanned: 'x' }), 'INVALID_INPUT'), /^trustee-9 is not a trustee of the original ceremony\.$/);
  // A scan that is not a card of this bundle is refused with the card reader's sentence, and nothing is saved.
  assert.match(await refusal(s.readShareCard(scan), 'INVALID_ENCODING'), /is not a Keyrite share card part/);
  assert.throws(() => readFileSync(join(dir, 'scanned-share-cards', 'trustee-1.share-envelope.json')));
});

test('an interrupted signing run is resumed only with its root bundle open, and only from a listed folder', async () => {
  const { s } = session({ request });
  assert.deepEqual(await s.interrupted(), [], 'nothing listed before a root bundle is open');
  assert.match(await refusal(s.resume('signing-abc123'), 'USAGE'), /Open the root ceremony's bundle first/);
  await s.openBundle();
  assert.deepEqual(await s.interrupted(), []);
  assert.match(await refusal(s.resume('signing-abc123'), 'INVALID_INPUT'), /^signing-abc123 holds no interrupted signing run/);
});
