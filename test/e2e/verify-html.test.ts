// verifier/verify.html end to end: the built single file opened from file:// in Chromium with
// every other request aborted, a bundle folder given to its folder input (or its archive to the
// archive input, or dropped; every hostile archive refused with its sentence), and the page's
// report compared with verifyBundle run here on the same files; and the relying party's check
// of one signed document compared with checkSignedDocument. Also the file's own properties:
// a hash-pinned CSP, nothing inline but those two blocks, no outside reference.
// Needs Chromium at /usr/bin/chromium (Debian package `chromium`) or $KEYRITE_CHROMIUM.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { buildVerifierPage } from '../../build/verifier-page.mjs';
import { verifyBundle, type VerifyOptions } from '../../core/verifier/verify.ts';
import { IN_TOTO_STATEMENT_TYPE } from '../../core/bundle/statement.ts';
import { BUNDLE_KIND_SPECS } from '../../core/bundle/kinds.ts';
import { GOLDEN_MASTER_FINGERPRINT as GOLDEN_FINGERPRINT, readBundleDir } from '../helpers/bundle-files.ts';
import { GOLDEN_ARCHIVE, GOLDEN_FIXTURE as GOLDEN } from '../helpers/golden.ts';
import { hostileArchives } from '../helpers/hostile-archives.ts';
import { decodeBundleArchive } from '../../core/bundle/archive.ts';
import { launchChromium, repo } from './harness.ts';
import { axeViolations } from './a11y.ts';
import { SIGNED_ARTIFACTS_PREDICATE_TYPE } from '../../core/signing/documents.ts';
import { checkSignedDocument, type SignatureCheckReport } from '../../core/signing/check-signature.ts';
import { endorsedKeyState, REHEARSAL_LINE, signatureVerdict } from '../../core/signing/check-signature-words.ts';
import { parseFingerprint } from '../../core/encoding/fingerprint.ts';

let work: string;
let pageFile: string;
let html: string;
let browser: Browser;

interface VerifierPage {
  page: Page;
  /** Every request the page made, the page file itself included. */
  requests: string[];
  problems: string[];
}

async function openVerifier(): Promise<VerifierPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, serviceWorkers: 'block', locale: 'en-US' });
  const page = await context.newPage();
  const v: VerifierPage = { page, requests: [], problems: [] };
  const self = pathToFileURL(pageFile).href;
  page.on('request', (r) => v.requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') v.problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => v.problems.push(`pageerror: ${e.message}`));
  await page.route('**/*', (route, request) => (request.url() === self ? route.continue() : route.abort('blockedbyclient')));
  await page.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));`,
  });
  await page.goto(self);
  return v;
}

/** Gives the folder to the page's folder input and waits for the verdict. */
async function verifyInPage(v: VerifierPage, folder: string, trust?: string): Promise<{ verdict: string; checks: string[]; anchor: string }> {
  if (trust !== undefined) await v.page.fill('#trust', trust);
  await v.page.setInputFiles('#folder', folder);
  const verdict = v.page.locator('[data-testid=verdict]');
  await verdict.waitFor();
  const checks = await v.page.locator('[data-check]').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-check')} ${e.getAttribute('data-status')}`));
  return { verdict: (await verdict.getAttribute('data-verdict')) ?? '', checks, anchor: await v.page.locator('[data-testid=anchor]').innerText() };
}

function expected(folder: string, options: VerifyOptions = {}): { verdict: string; checks: string[] } {
  const report = verifyBundle(readBundleDir(folder), options);
  return { verdict: report.verdict, checks: report.checks.map((c) => `${c.name} ${c.status}`) };
}

function assertClean(v: VerifierPage): void {
  assert.deepEqual(v.requests, [pathToFileURL(pageFile).href], 'no request but the page itself');
  assert.deepEqual(v.problems, [], 'no console error, page error or CSP violation');
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'keyrite-verify-html-'));
  pageFile = join(work, 'verify.html');
  html = await buildVerifierPage(repo, pageFile);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the built file pins its one script and one style by hash and references nothing outside itself', () => {
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
  assert.ok(csp, 'a CSP meta tag');
  const script = /<script>([\s\S]*)<\/script>/.exec(html)![1]!;
  const style = /<style>([\s\S]*)<\/style>/.exec(html)![1]!;
  const hash = (t: string): string => `'sha256-${createHash('sha256').update(t).digest('base64')}'`;
  for (const directive of ["default-src 'none'", `script-src ${hash(script)}`, `style-src ${hash(style)}`, "img-src 'none'", "connect-src 'none'", "form-action 'none'", "base-uri 'none'"]) {
    assert.ok(csp.split('; ').includes(directive), `CSP has ${directive}`);
  }
  assert.ok(!html.includes('unsafe-'), 'no unsafe-inline or unsafe-eval');
  assert.equal(html.match(/<script/g)?.length, 1, 'one script element');
  assert.equal(html.match(/<style/g)?.length, 1, 'one style element');
  assert.ok(!/<link|<img|<iframe|<object|<embed/i.test(html), 'no element that loads a resource');
  assert.ok(!/\s(src|href|action)=/i.test(html), 'no src, href or action attribute');
  assert.ok(!/url\(|@import/i.test(style), 'no outside resource in the style');
  // The in-toto type URIs (a signing bundle's signed-artifacts statement among them) are identifiers the verifier compares, never fetched.
  const urls = new Set(html.match(/https?:\/\/[^"'\s)]*/g) ?? []);
  assert.deepEqual([...urls].filter((u) => u !== IN_TOTO_STATEMENT_TYPE && u !== SIGNED_ARTIFACTS_PREDICATE_TYPE && !Object.values(BUNDLE_KIND_SPECS).some((k) => k.predicateType === u)), []);
});

test('the golden bundle: VALID, every check passing, the same checks as verifyBundle, not anchored', async () => {
  const v = await openVerifier();
  const shown = await verifyInPage(v, GOLDEN);
  const want = expected(GOLDEN);
  assert.equal(shown.verdict, 'valid');
  assert.equal(await v.page.locator('.verdict-word').innerText(), 'VALID');
  assert.match(await v.page.locator('[data-testid=rehearsal]').innerText(), /^REHEARSAL BUNDLE: .*never be used for real/);
  assert.deepEqual(shown.checks, want.checks);
  assert.ok(shown.checks.length > 10 && shown.checks.every((c) => c.endsWith(' pass')));
  assert.match(shown.anchor, /^Not anchored: no trusted fingerprint was given\./);
  assert.equal((await v.page.locator('[data-testid=master-fingerprint]').innerText()).replaceAll(' ', ''), GOLDEN_FINGERPRINT);
  assert.match(await v.page.locator('.note').innerText(), /keyrite verify BUNDLE --script/);
  assert.deepEqual(await axeViolations(v.page), [], 'axe-core: no violation of serious or critical impact on a VALID report');
  assertClean(v);
  await v.page.context().close();
});

test('the golden bundle with its fingerprint as trust anchor: VALID and anchored', async () => {
  const v = await openVerifier();
  const shown = await verifyInPage(v, GOLDEN, GOLDEN_FINGERPRINT);
  assert.equal(shown.verdict, 'valid');
  assert.deepEqual(shown.checks, expected(GOLDEN, { trust: GOLDEN_FINGERPRINT }).checks);
  assert.ok(shown.checks.includes('trust-anchor pass'));
  assert.match(shown.anchor, /^Anchored: /);
  assertClean(v);
  await v.page.context().close();
});

test('one flipped byte in transcript.jsonl: INVALID, the same failing checks as verifyBundle', async () => {
  const tampered = join(work, 'tampered');
  cpSync(GOLDEN, tampered, { recursive: true });
  const transcript = readFileSync(join(tampered, 'transcript.jsonl'));
  transcript[200] = transcript[200]! ^ 0x01;
  writeFileSync(join(tampered, 'transcript.jsonl'), transcript);
  const want = expected(tampered);
  assert.equal(want.verdict, 'invalid');
  const v = await openVerifier();
  const shown = await verifyInPage(v, tampered);
  assert.equal(shown.verdict, 'invalid');
  assert.equal(await v.page.locator('.verdict-word').innerText(), 'INVALID');
  assert.deepEqual(shown.checks, want.checks);
  assert.ok(shown.checks.includes('bundle-files fail'));
  assert.equal(shown.anchor, 'Not anchored: no trusted fingerprint was given.');
  assert.deepEqual(await axeViolations(v.page), [], 'axe-core: no violation of serious or critical impact on an INVALID report');
  assertClean(v);
  await v.page.context().close();
});

test('a wrong trust fingerprint: INVALID with trust-anchor failing', async () => {
  const wrong = 'ff' + GOLDEN_FINGERPRINT.slice(2);
  const v = await openVerifier();
  const shown = await verifyInPage(v, GOLDEN, wrong);
  assert.equal(shown.verdict, 'invalid');
  assert.ok(shown.checks.includes('trust-anchor fail'));
  assert.deepEqual(shown.checks, expected(GOLDEN, { trust: wrong }).checks);
  assert.match(shown.anchor, /^Anchor failed: /);
  assertClean(v);
  await v.page.context().close();
});

test('a malformed trust fingerprint or a hidden file is refused with a sentence, nothing verified', async () => {
  const v = await openVerifier();
  await v.page.fill('#trust', 'not a fingerprint');
  await v.page.setInputFiles('#folder', GOLDEN);
  await v.page.locator('.status-line.error').waitFor();
  assert.equal(await v.page.locator('[data-testid=verdict]').count(), 0);
  const withHidden = join(work, 'with-hidden');
  cpSync(GOLDEN, withHidden, { recursive: true });
  writeFileSync(join(withHidden, '.DS_Store'), 'x');
  await v.page.fill('#trust', '');
  await v.page.setInputFiles('#folder', withHidden);
  await v.page.locator('.status-line.error', { hasText: '".DS_Store"' }).waitFor();
  const message = await v.page.locator('#status').innerText();
  assert.match(message, /not a plain relative file name/);
  assert.ok(!/at \S+:\d+|Error:/.test(message), 'a sentence, not a stack trace');
  assert.equal(await v.page.locator('[data-testid=verdict]').count(), 0);
  assertClean(v);
  await v.page.context().close();
});

test('a file name with a bidi override and zero-width characters is shown escaped in the refusal, never raw', async () => {
  const spoofed = join(work, 'spoofed');
  cpSync(GOLDEN, spoofed, { recursive: true });
  writeFileSync(join(spoofed, 'escrow', 'share\u202etxt.exe\u200b'), 'x');
  const v = await openVerifier();
  await v.page.setInputFiles('#folder', spoofed);
  const status = v.page.locator('.status-line.error');
  await status.waitFor();
  const message = await status.innerText();
  assert.match(message, /share\\u\{202e\}txt\.exe\\u\{200b\}/);
  assert.doesNotMatch(await v.page.locator('body').innerText(), /[\u202e\u200b]/);
  assertClean(v);
  await v.page.context().close();
});

test('dropping loose files instead of a folder is refused with a sentence', async () => {
  const v = await openVerifier();
  await v.page.evaluate(() => {
    const data = new DataTransfer();
    data.items.add(new File(['{}'], 'bundle.json'));
    document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  });
  await v.page.locator('.status-line.error', { hasText: 'Drop the bundle folder itself' }).waitFor();
  assertClean(v);
  await v.page.context().close();
});

/** Gives a file to the page's archive input and waits for the verdict. */
async function verifyArchiveInPage(v: VerifierPage, file: string, trust?: string): Promise<{ verdict: string; checks: string[]; anchor: string }> {
  if (trust !== undefined) await v.page.fill('#trust', trust);
  await v.page.setInputFiles('#archive', file);
  const verdict = v.page.locator('[data-testid=verdict]');
  await verdict.waitFor();
  const checks = await v.page.locator('[data-check]').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-check')} ${e.getAttribute('data-status')}`));
  return { verdict: (await verdict.getAttribute('data-verdict')) ?? '', checks, anchor: await v.page.locator('[data-testid=anchor]').innerText() };
}

test('the golden archive picked as one file: the folder\'s verdict and checks, anchored, and the archive\'s SHA-256 shown', async () => {
  const v = await openVerifier();
  const shown = await verifyArchiveInPage(v, GOLDEN_ARCHIVE, GOLDEN_FINGERPRINT);
  assert.equal(shown.verdict, 'valid');
  assert.deepEqual(shown.checks, expected(GOLDEN, { trust: GOLDEN_FINGERPRINT }).checks);
  assert.match(shown.anchor, /^Anchored: /);
  const sha = createHash('sha256').update(readFileSync(GOLDEN_ARCHIVE)).digest('hex');
  assert.equal(await v.page.locator('#status').innerText(), `Checked 26 files from the archive golden-bundle.keyrite.tar, SHA-256 ${sha.match(/.{4}/g)!.join(' ')}.`);
  assertClean(v);
  await v.page.context().close();
});

test('an archive with one byte changed in a file: INVALID with the same failing checks as verifyBundle on its files', async () => {
  const archive = new Uint8Array(readFileSync(GOLDEN_ARCHIVE));
  const files = decodeBundleArchive(archive);
  const transcript = files.get('transcript.jsonl')!;
  const at = transcript.byteOffset + 200;
  const changed = Uint8Array.from(archive);
  changed[at] = changed[at]! ^ 0x01;
  const file = join(work, 'tampered.keyrite.tar');
  writeFileSync(file, changed);
  const want = verifyBundle(decodeBundleArchive(changed));
  assert.equal(want.verdict, 'invalid');
  const v = await openVerifier();
  const shown = await verifyArchiveInPage(v, file);
  assert.equal(shown.verdict, 'invalid');
  assert.deepEqual(shown.checks, want.checks.map((c) => `${c.name} ${c.status}`));
  assert.ok(shown.checks.includes('bundle-files fail'));
  assertClean(v);
  await v.page.context().close();
});

test('every hostile archive, picked or dropped, is refused with its sentence and nothing is verified', async () => {
  const v = await openVerifier();
  for (const [i, h] of hostileArchives(readBundleDir(GOLDEN)).entries()) {
    const file = join(work, `hostile-${i}.keyrite.tar`);
    writeFileSync(file, h.bytes);
    await v.page.setInputFiles('#archive', file);
    const status = v.page.locator('.status-line.error', { hasText: 'This bundle archive is refused' });
    await status.waitFor();
    const message = await status.innerText();
    assert.match(message, h.sentence, h.name);
    assert.ok(!/at \S+:\d+|Error:/.test(message), 'a sentence, not a stack trace');
    assert.equal(await v.page.locator('[data-testid=verdict]').count(), 0, h.name);
    // Reset the status so the next case waits for its own refusal.
    await v.page.setInputFiles('#archive', GOLDEN_ARCHIVE);
    await v.page.locator('[data-testid=verdict]').waitFor();
  }
  const dotdot = hostileArchives(readBundleDir(GOLDEN)).find((h) => h.reason === 'escaping-path')!;
  await v.page.evaluate((bytes) => {
    const data = new DataTransfer();
    data.items.add(new File([new Uint8Array(bytes)], 'bundle.keyrite.tar', { type: 'application/x-tar' }));
    document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  }, [...dotdot.bytes]);
  await v.page.locator('.status-line.error', { hasText: 'would be placed outside its folder' }).waitFor();
  assert.equal(await v.page.locator('[data-testid=verdict]').count(), 0);
  assertClean(v);
  await v.page.context().close();
});

test('the golden archive dropped on the page verifies like the folder', async () => {
  const v = await openVerifier();
  await v.page.evaluate((bytes) => {
    const data = new DataTransfer();
    data.items.add(new File([new Uint8Array(bytes)], 'bundle.keyrite.tar', { type: 'application/x-tar' }));
    document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  }, [...readFileSync(GOLDEN_ARCHIVE)]);
  const verdict = v.page.locator('[data-testid=verdict]');
  await verdict.waitFor();
  assert.equal(await verdict.getAttribute('data-verdict'), 'valid');
  assert.deepEqual(await v.page.locator('[data-check]').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-check')} ${e.getAttribute('data-status')}`)), expected(GOLDEN).checks);
  assertClean(v);
  await v.page.context().close();
});

// The relying party's section: one signed document, its envelope and the fingerprint, checked
// by the page as `keyrite check-signature` does (the same checkSignedDocument, run here on the
// same files, gives the expected check names and results).
const SIGNED = new URL('../fixtures/golden-signing/', import.meta.url).pathname;
const SIGNING_FINGERPRINT = readFileSync(join(SIGNED, 'master-fingerprint.txt'), 'utf8').trim();
const ENDORSEMENT = join(SIGNED, 'endorsed-keys.jwks.json');
const ENDORSEMENT_ENVELOPE = join(SIGNED, 'endorsed-keys.jwks.json.dsse.json');

interface ShownSignatureCheck {
  verdict: string;
  sentence: string;
  checks: string[];
  keys: string[];
}

async function checkSignatureInPage(v: VerifierPage, document: string, envelope: string, trust: string, at = ''): Promise<ShownSignatureCheck> {
  await v.page.setInputFiles('#sig-document', document);
  await v.page.setInputFiles('#sig-envelope', envelope);
  await v.page.fill('#sig-trust', trust);
  await v.page.fill('#sig-at', at);
  await v.page.click('#signature-form button[type=submit]');
  const verdict = v.page.locator('[data-testid=signature-verdict]');
  await verdict.waitFor();
  return {
    verdict: (await verdict.getAttribute('data-verdict')) ?? '',
    sentence: await v.page.locator('[data-testid=signature-sentence]').innerText(),
    checks: await v.page.locator('[data-sig-check]').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-sig-check')} ${e.getAttribute('data-status')}`)),
    keys: await v.page.locator('[data-testid=endorsed-keys] tbody tr').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-kid')} ${e.lastElementChild!.textContent}`)),
  };
}

function expectedSignature(document: string, envelope: string, trust: string, at: string): SignatureCheckReport {
  return checkSignedDocument({ document: readFileSync(document), documentName: basename(document), envelope: readFileSync(envelope), trust: parseFingerprint(trust), now: new Date(at) });
}

const checkNames = (r: SignatureCheckReport): string[] => r.checks.map((c) => `${c.name} ${c.ok ? 'pass' : 'fail'}`);

test('check one signed document: the endorsement GOOD with every key VALID NOW, NOT YET VALID or EXPIRED at the time typed, as check-signature says', async () => {
  const v = await openVerifier();
  for (const [at, state] of [['2027-01-31T12:00:00Z', 'VALID NOW'], ['2026-12-01T00:00:00Z', 'NOT YET VALID'], ['2028-01-01T00:00:00Z', 'EXPIRED']] as const) {
    const want = expectedSignature(ENDORSEMENT, ENDORSEMENT_ENVELOPE, SIGNING_FINGERPRINT, at);
    const shown = await checkSignatureInPage(v, ENDORSEMENT, ENDORSEMENT_ENVELOPE, SIGNING_FINGERPRINT, at);
    assert.deepEqual(shown.checks, checkNames(want), at);
    assert.equal(shown.sentence, signatureVerdict(want), at);
    assert.deepEqual(shown.keys, want.keys!.map((k) => `${k.kid} ${endorsedKeyState(k, new Date(at))}`), at);
    assert.equal(shown.keys.length, 2);
    assert.ok(shown.keys.every((k) => k.endsWith(` ${state}`)), `${at}: ${shown.keys.join(', ')}`);
    if (state === 'VALID NOW') {
      assert.equal(shown.verdict, 'good');
      assert.equal(shown.sentence, 'GOOD: the master key endorsed these keys (use only those VALID NOW).');
    } else {
      // No key valid at that time: the validity check fails, as in the CLI.
      assert.equal(shown.verdict, 'bad');
      assert.equal(shown.checks.at(-1), 'validity fail');
    }
  }
  assert.equal(await v.page.locator('[data-testid=signature-rehearsal]').count(), 0, 'a live document carries no rehearsal warning');
  assert.equal((await v.page.locator('[data-testid=issuer-fingerprint]').innerText()).replaceAll(' ', ''), SIGNING_FINGERPRINT);
  assertClean(v);
  await v.page.context().close();
});

test('check one signed document: a rehearsal document is GOOD (REHEARSAL) with the rehearsal warning under the verdict, as check-signature says', async () => {
  const signed = new URL('../fixtures/golden-signing-bundle/signed/', import.meta.url).pathname;
  const document = join(signed, 'endorsed-keys.jwks.json');
  const envelope = join(signed, 'endorsed-keys.jwks.json.dsse.json');
  const v = await openVerifier();
  const at = '2026-06-01T12:00:00Z';
  const want = expectedSignature(document, envelope, GOLDEN_FINGERPRINT, at);
  assert.equal(want.rehearsal, true);
  const shown = await checkSignatureInPage(v, document, envelope, GOLDEN_FINGERPRINT, at);
  assert.deepEqual(shown.checks, checkNames(want));
  assert.equal(shown.sentence, signatureVerdict(want));
  assert.match(shown.sentence, /^GOOD \(REHEARSAL\): /);
  assert.equal(await v.page.locator('[data-testid=signature-rehearsal]').innerText(), REHEARSAL_LINE);
  assertClean(v);
  await v.page.context().close();
});

test('check one signed document: an artifact the statement lists is GOOD and named; the same file under another name is BAD', async () => {
  const v = await openVerifier();
  const artifact = join(SIGNED, 'keyrite-demo-release.txt');
  const statementEnvelope = join(SIGNED, 'artifacts.intoto.json.dsse.json');
  const at = '2027-01-31T12:00:00Z';
  const good = await checkSignatureInPage(v, artifact, statementEnvelope, SIGNING_FINGERPRINT, at);
  assert.equal(good.verdict, 'good');
  assert.deepEqual(good.checks, checkNames(expectedSignature(artifact, statementEnvelope, SIGNING_FINGERPRINT, at)));
  assert.match(await v.page.locator('[data-testid=signed-artifact]').innerText(), /^Signed artifact: keyrite-demo-release\.txt, \d+ bytes, SHA-256 [0-9a-f]{64}$/);
  const renamed = join(work, 'renamed-release.txt');
  cpSync(artifact, renamed);
  const bad = await checkSignatureInPage(v, renamed, statementEnvelope, SIGNING_FINGERPRINT, at);
  assert.equal(bad.verdict, 'bad');
  assert.deepEqual(bad.checks, checkNames(expectedSignature(renamed, statementEnvelope, SIGNING_FINGERPRINT, at)));
  assert.equal(bad.checks.at(-1), 'document fail');
  assertClean(v);
  await v.page.context().close();
});

test('check one signed document: one byte changed in the document is BAD at the document check, nothing it states is shown', async () => {
  const changed = join(work, 'endorsed-keys.jwks.json');
  const bytes = readFileSync(ENDORSEMENT);
  bytes[100] = bytes[100]! ^ 0x01;
  writeFileSync(changed, bytes);
  const at = '2027-01-31T12:00:00Z';
  const want = expectedSignature(changed, ENDORSEMENT_ENVELOPE, SIGNING_FINGERPRINT, at);
  assert.equal(want.ok, false);
  const v = await openVerifier();
  const shown = await checkSignatureInPage(v, changed, ENDORSEMENT_ENVELOPE, SIGNING_FINGERPRINT, at);
  assert.equal(shown.verdict, 'bad');
  assert.equal(await v.page.locator('[data-testid=signature-verdict] .verdict-word').innerText(), 'BAD');
  assert.deepEqual(shown.checks, checkNames(want));
  assert.deepEqual(shown.checks, ['envelope pass', 'document fail']);
  assert.equal(shown.sentence, 'BAD: the document check failed. Do not rely on this document.');
  assert.deepEqual(shown.keys, [], 'no endorsed key listed');
  assertClean(v);
  await v.page.context().close();
});

test('check one signed document: a wrong fingerprint is BAD at the trust check; a malformed or missing one is refused with a sentence', async () => {
  const at = '2027-01-31T12:00:00Z';
  const wrong = (SIGNING_FINGERPRINT.startsWith('ff') ? '00' : 'ff') + SIGNING_FINGERPRINT.slice(2);
  const want = expectedSignature(ENDORSEMENT, ENDORSEMENT_ENVELOPE, wrong, at);
  const v = await openVerifier();
  const shown = await checkSignatureInPage(v, ENDORSEMENT, ENDORSEMENT_ENVELOPE, wrong, at);
  assert.equal(shown.verdict, 'bad');
  assert.deepEqual(shown.checks, checkNames(want));
  assert.equal(shown.checks.at(-1), 'trust fail');
  assert.match(await v.page.locator('[data-sig-check=trust] .detail').innerText(), /NOT the master key whose fingerprint was given/);
  assert.deepEqual(shown.keys, []);
  assert.match(await v.page.locator('[data-testid=issuer-fingerprint]').locator('xpath=..').innerText(), /as the document states it; not verified/);
  for (const [trust, sentence] of [['not a fingerprint', /^The trusted fingerprint must be 64 hex digits or the 16 words\./], ['', /^Type the trusted master fingerprint first/]] as const) {
    await v.page.fill('#sig-trust', trust);
    await v.page.click('#signature-form button[type=submit]');
    await v.page.locator('#sig-status.error').waitFor();
    assert.match(await v.page.locator('#sig-status').innerText(), sentence);
    assert.equal(await v.page.locator('[data-testid=signature-verdict]').count(), 0, 'nothing checked');
  }
  assertClean(v);
  await v.page.context().close();
});

test('check one signed document: a file dropped on that section is not taken for a bundle; the section says to use its buttons', async () => {
  const v = await openVerifier();
  await v.page.evaluate(() => {
    const data = new DataTransfer();
    data.items.add(new File(['{}'], 'endorsed-keys.jwks.json'));
    document.getElementById('sig-document')!.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  });
  await v.page.locator('#sig-status.error', { hasText: 'pick the signed document and its envelope with the two buttons' }).waitFor();
  assert.match(await v.page.locator('#status').innerText(), /^Pick the bundle folder or its archive to verify it\.$/, 'the bundle section is untouched');
  assertClean(v);
  await v.page.context().close();
});

test('check one signed document: a document name with a bidi override and a zero-width space is shown escaped, never raw', async () => {
  const spoofed = join(work, 'endorsed\u202ekeys.json\u200b');
  cpSync(ENDORSEMENT, spoofed);
  const v = await openVerifier();
  const shown = await checkSignatureInPage(v, spoofed, ENDORSEMENT_ENVELOPE, SIGNING_FINGERPRINT, '2027-01-31T12:00:00Z');
  assert.equal(shown.verdict, 'good', 'an endorsement is compared byte for byte, not by name');
  assert.match(await v.page.locator('#sig-status').innerText(), /^Checked endorsed\\u\{202e\}keys\.json\\u\{200b\} against endorsed-keys\.jwks\.json\.dsse\.json/);
  assert.doesNotMatch(await v.page.locator('body').innerText(), /[\u202e\u200b]/);
  assertClean(v);
  await v.page.context().close();
});
