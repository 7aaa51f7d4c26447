/**
 * What a signing ceremony refuses, on copies of one `keyrite demo` output (plus a second demo,
 * only for its share envelope): a request that breaks a rule of docs/FORMATS.md "Signing
 * request" is REQUEST_REFUSED with its sentence at check-request, after the trustees checked in
 * and before any share is opened; a request changed after everyone confirmed its digest is
 * refused by sign-document and nothing is signed (putting the confirmed request back, as the
 * sentence says, finishes the ceremony); a share of another ceremony is named before anything is
 * combined; a trustee or the witness who does not confirm the digest stops the run before any
 * share is opened. The runs that need a confirmation to change go through runSigning in
 * process, with the CLI's own Node environment wrapped.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyriteError } from '../../../core/errors.ts';
import { parseCeremonyScript } from '../../../core/script/script.ts';
import { parseAnswers } from '../../../core/ceremony/answers.ts';
import { runSigning, type SigningOutcome } from '../../../core/ceremony/kinds/signing.ts';
import type { ConfirmAnswer, ConfirmRequest } from '../../../core/ceremony/types.ts';
import { createNodeCeremonyEnvironment } from '../../../core/node/ceremony-environment.ts';
import { assertVerifiesAnchored } from '../ceremony/helpers.ts';
import { DemoCopies, makeTestDemo, trustedFingerprint } from '../recovery/helpers.ts';
import { REHEARSAL_SIGNING, demoPins, sign, signingEntries } from './helpers.ts';
import type { CliRun } from '../../helpers/cli.ts';

let copies: DemoCopies;
let pins: Record<string, string>;
let otherDemo: string;

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyrite-signing-refusals-'));
  const demo = join(dir, 'demo');
  otherDemo = join(dir, 'other-demo');
  await makeTestDemo(demo);
  await makeTestDemo(otherDemo, 'another');
  copies = new DemoCopies(dir, demo, {});
  pins = demoPins(demo);
});
after(() => copies?.remove());

interface RequestKey {
  kid: string;
  nbf: string;
  exp: string;
  [member: string]: unknown;
}

/** Rewrites the copy's signing request and gives its new SHA-256 in the answers, as its author would. */
function editRequest(d: string, edit: (req: { title: string; keys: RequestKey[] }) => void): void {
  const p = join(d, 'signing-request.json');
  const req = JSON.parse(readFileSync(p, 'utf8'));
  edit(req);
  const bytes = Buffer.from(`${JSON.stringify(req, null, 2)}\n`);
  writeFileSync(p, bytes);
  const a = join(d, 'signing-answers.yaml');
  const text = readFileSync(a, 'utf8');
  const next = text.replace(/^( {2}sha256: )[0-9a-f]{64}$/m, `$1${createHash('sha256').update(bytes).digest('hex')}`);
  assert.notEqual(next, text, 'the answers give no request.sha256');
  writeFileSync(a, next);
}

function utcSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The run stopped at check-request with REQUEST_REFUSED and `sentence`: trustees checked in, no share opened, nothing signed. */
function assertRequestRefused(d: string, r: CliRun, sentence: RegExp): void {
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const res = JSON.parse(r.stdout);
  assert.equal(res.code, 'REQUEST_REFUSED', res.message);
  assert.match(res.message, /^The signing request is refused: /);
  assert.match(res.message, sentence);
  const entries = signingEntries(join(d, 'sign'));
  const types = entries.map((e) => e.type);
  assert.ok(types.filter((t) => t === 'participant.check-in').length >= 3, 'the trustees checked in first');
  const failed = entries.find((e) => e.type === 'step.failed')!;
  assert.equal(failed.body.step, 'check-request');
  assert.equal(failed.body.code, 'REQUEST_REFUSED');
  assert.equal(failed.body.reason, res.message);
  for (const t of ['request.check', 'request.confirm', 'share.accepted', 'share.rejected', 'document.sign']) assert.equal(types.includes(t), false, `${t} recorded`);
  assert.equal(existsSync(join(d, 'sign', 'signed')), false, 'something was written to signed/');
}

test('a key that has already expired is refused at check-request, naming it, before any share is opened', async () => {
  const d = copies.copy();
  editRequest(d, (req) => {
    req.keys[0]!.nbf = '2020-01-01T00:00:00Z';
    req.keys[0]!.exp = '2021-01-01T00:00:00Z';
  });
  assertRequestRefused(d, await sign(d, 'sign', pins), /key 1 \(kid "[^"]+"\) has already expired: exp 2021-01-01T00:00:00Z is not after the time of the check\.$/);
});

test("a validity one day over the script's cap (400 days) is refused, naming the key and the limit", async () => {
  const d = copies.copy();
  editRequest(d, (req) => {
    req.keys[1]!.exp = utcSeconds(Date.parse(req.keys[1]!.nbf) + 401 * 86_400_000);
  });
  assertRequestRefused(d, await sign(d, 'sign', pins), /key 2 \(kid "[^"]+"\) is valid from \S+ to \S+, longer than this script's limit of 400 days \(max-validity-days\)\.$/);
});

test('a private member (d) in a JWK is refused, and the sentence says to treat the key as exposed', async () => {
  const d = copies.copy();
  editRequest(d, (req) => {
    req.keys[0]!.d = randomBytes(32).toString('base64url');
  });
  assertRequestRefused(d, await sign(d, 'sign', pins), /key 1 contains private key material \(.*"?d"?.*\): only public keys are endorsed\. Treat that key as exposed and make a new one\.$/);
});

test('a duplicate kid is refused, naming both keys', async () => {
  const d = copies.copy();
  editRequest(d, (req) => {
    req.keys[1]!.kid = req.keys[0]!.kid;
  });
  assertRequestRefused(d, await sign(d, 'sign', pins), /key 2 \(kid "[^"]+"\) repeats the kid of key 1: every kid must be unique in the request\.$/);
});

test("a site script's max-keys: 1 refuses the demo's two keys, naming the limit", async () => {
  const d = copies.copy();
  const site = join(d, 'site-signing.yaml');
  const text = readFileSync(REHEARSAL_SIGNING, 'utf8');
  writeFileSync(site, text.replace('max-keys: 16', 'max-keys: 1'));
  assert.notEqual(readFileSync(site, 'utf8'), text);
  assertRequestRefused(d, await sign(d, 'sign', pins, site), /it has 2 keys, more than this script's limit of 1 \(max-keys\)\.$/);
});

/** runSigning in process on copy `d` (run folder d/out), the CLI's Node environment with its confirmations passed through `confirm`. */
async function signInProcess(d: string, out: string, confirm: (req: ConfirmRequest, next: () => Promise<ConfirmAnswer>) => Promise<ConfirmAnswer>): Promise<SigningOutcome> {
  const parsed = parseCeremonyScript(readFileSync(REHEARSAL_SIGNING));
  const answers = parseAnswers(readFileSync(join(d, 'signing-answers.yaml')), parsed);
  const env = createNodeCeremonyEnvironment({ outDir: join(d, out), answersDir: d, env: pins, interactive: false, confirmations: answers.confirm, progress: () => undefined });
  try {
    return await runSigning({ parsed, answers, env: { ...env, confirm: (req) => confirm(req, () => env.confirm(req)) } });
  } finally {
    await env.close();
  }
}

async function refusedWith(p: Promise<unknown>, code: string, sentence: RegExp): Promise<KeyriteError> {
  const e = await p.then(
    () => assert.fail('the run was not refused'),
    (x: unknown) => x,
  );
  assert.ok(e instanceof KeyriteError, String(e));
  assert.equal(e.code, code, e.message);
  assert.match(e.message, sentence);
  return e;
}

test('a request changed after everyone confirmed its digest (while the key was being combined) is refused by sign-document and nothing is signed; with the confirmed request put back, the same run folder finishes and verifies', async () => {
  const d = copies.copy();
  const p = join(d, 'signing-request.json');
  const confirmed = readFileSync(p);
  const swapped = Buffer.from(confirmed.toString('utf8').replace(/"title": "/, '"title": "Swapped: '));
  assert.ok(!swapped.equals(confirmed));
  let rewritten = false;
  await refusedWith(
    signInProcess(d, 'sign', async (req, next) => {
      if (req.stepId === 'combine') {
        writeFileSync(p, swapped);
        rewritten = true;
      }
      return next();
    }),
    'REQUEST_REFUSED',
    /^The signing request changed after it was confirmed \(its SHA-256 is now [0-9a-f]{64}\); nothing was signed\./,
  );
  assert.equal(rewritten, true);
  const entries = signingEntries(join(d, 'sign'));
  const types = entries.map((e) => e.type);
  assert.equal(types.filter((t) => t === 'request.confirm').length, 3);
  assert.equal(types.filter((t) => t === 'share.accepted').length, 3, 'the key was unlocked before the change');
  assert.equal(entries.find((e) => e.type === 'step.failed')!.body.step, 'sign');
  assert.equal(types.includes('document.sign'), false);
  assert.equal(existsSync(join(d, 'sign', 'signed')), false, 'a document or envelope was written');

  // The sentence's way on: the confirmed request back in place, the same --out folder.
  writeFileSync(p, confirmed);
  const again = await sign(d, 'sign', pins);
  assert.equal(again.code, 0, again.stdout + again.stderr);
  const res = JSON.parse(again.stdout);
  assert.equal(res.resumed, true);
  assert.equal(res.request.sha256, createHash('sha256').update(confirmed).digest('hex'));
  await assertVerifiesAnchored(join(d, 'sign', 'bundle'), trustedFingerprint(d));
});

test('a share of another ceremony is named with its reason before anything is combined, and nothing is signed', async () => {
  const d = copies.copy();
  copyFileSync(join(otherDemo, 'trustees', 'trustee-2', 'share-envelope.json'), join(d, 'trustees', 'trustee-2', 'share-envelope.json'));
  const r = await sign(d, 'sign', pins);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const res = JSON.parse(r.stdout);
  assert.equal(res.code, 'SHARE_REJECTED');
  assert.match(res.message, /^Unlocking the master key needs 3 valid shares; only 2 were accepted \(the share of Carol Trustee \(trustee-2\) was refused: .*belongs to another ceremony.*\)\. Nothing was combined or signed\.$/);
  const entries = signingEntries(join(d, 'sign'));
  const rejected = entries.filter((e) => e.type === 'share.rejected');
  assert.deepEqual(rejected.map((e) => e.actor), ['trustee-2']);
  assert.match(rejected[0]!.body.reason as string, /belongs to another ceremony/);
  assert.equal(entries.some((e) => e.type === 'step.start' && e.body.step === 'combine'), false, 'the combine step started');
  assert.equal(entries.some((e) => e.type === 'document.sign'), false);
  assert.equal(existsSync(join(d, 'sign', 'signed')), false);
});

test('a trustee, or the witness, who does not confirm the digest stops the run at check-request, before any share is opened', async () => {
  const d = copies.copy();
  const reason = 'The digest read aloud is not the one the requester gave.';
  await refusedWith(
    signInProcess(d, 'sign-trustee', async (req, next) => (req.stepId === 'check-request' && req.witness.id === 'trustee-2' ? { confirmed: false, reason } : next())),
    'CEREMONY_ERROR',
    /^Carol Trustee \(trustee-2\) did not confirm the signing request's digest: The digest read aloud is not the one the requester gave\. Nothing was unlocked; the ceremony stopped here\.$/,
  );
  let types = signingEntries(join(d, 'sign-trustee')).map((e) => e.type);
  assert.equal(types.filter((t) => t === 'request.confirm').length, 1, 'only trustee-1 confirmed');
  assert.equal(types.includes('share.accepted'), false);

  const seen: string[] = [];
  await refusedWith(
    signInProcess(d, 'sign-witness', async (req, next) => {
      if (req.stepId !== 'check-request') return next();
      seen.push(req.witness.id);
      // Everyone is shown the digest as hex groups and words.
      assert.match(req.summary.join('\n'), /Request SHA-256 (?:[0-9a-f]{4} ){15}[0-9a-f]{4}\n {4}\S+( \S+){15}$/);
      return req.witness.id === 'witness' ? { confirmed: false, reason } : next();
    }),
    'CEREMONY_ERROR',
    /^The witness Grace Witness \(witness\) did not confirm step "check-request": The digest read aloud is not the one the requester gave\. The ceremony stopped here; run it again to resume\.$/,
  );
  assert.deepEqual(seen, ['trustee-1', 'trustee-2', 'trustee-3', 'witness']);
  const entries = signingEntries(join(d, 'sign-witness'));
  types = entries.map((e) => e.type);
  assert.equal(types.filter((t) => t === 'request.confirm').length, 3);
  assert.equal(entries.some((e) => e.type === 'witness.confirm' && e.body.step === 'check-request'), false);
  assert.equal(types.includes('share.accepted'), false);
  assert.equal(existsSync(join(d, 'sign-witness', 'signed')), false);
});
