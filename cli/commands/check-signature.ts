/**
 * `keyrite check-signature DOCUMENT --signature ENVELOPE --trust FINGERPRINT [--mode MODE]
 * [--at TIME] [--json]` (docs/CLI.md): a relying party checks one document a signing ceremony
 * signed — an endorsement of operational keys, a signed-artifacts statement, or a file that
 * statement lists — offline, from the document, its DSSE envelope and the master fingerprint
 * read aloud (core/signing/check-signature.ts). Exit 0 good, 1 a check failed, 2 usage or I/O.
 */
import { open } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { EXIT, printJson, type CliIO, type Command } from '../command.ts';
import { KeyriteError } from '../../core/errors.ts';
import { toPlainBytes } from '../../core/bytes.ts';
import { VERIFY_MODES, type VerifyMode } from '../../core/crypto/hybrid.ts';
import { parseFingerprint, type ParsedFingerprint } from '../../core/encoding/fingerprint.ts';
import { displayField } from '../../core/encoding/display.ts';
import { readableFingerprint } from '../../core/bundle/principals.ts';
import { checkSignedDocument, MAX_CHECKED_FILE_BYTES, MAX_ENVELOPE_BYTES, type EndorsedKeyStatus, type SignatureCheckReport } from '../../core/signing/check-signature.ts';
import { endorsedKeyState, purposeWord, REHEARSAL_LINE, signatureVerdict } from '../../core/signing/check-signature-words.ts';
import { formatUtcSecond, parseUtcSecond } from '../../core/signing/fields.ts';
import { ioError } from '../../core/node/durable-files.ts';
import { NATIVE_VERIFIER_CRYPTO } from '../../core/node/native-verifier-crypto.ts';
import { CHECK_SIGNATURE_SPEC } from './specs.ts';
import { keyUse, verifyChain } from '../../core/verifier/chain.ts';
import { readBundleSource } from '../../core/node/bundle-source.ts';

async function readCapped(path: string, what: string, maxBytes: number): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    throw ioError(`open the ${what}`, path, e);
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new KeyriteError('IO_ERROR', `The ${what} ${path} is not a file.`);
    if (st.size > maxBytes) throw new KeyriteError('IO_ERROR', `The ${what} ${path} is ${st.size} bytes, more than the ${maxBytes} bytes check-signature reads.`);
    return toPlainBytes(await handle.readFile());
  } catch (e) {
    if (e instanceof KeyriteError) throw e;
    throw ioError(`read the ${what}`, path, e);
  } finally {
    await handle.close();
  }
}

function modeOf(value: string | undefined): VerifyMode {
  if (value === undefined) return 'hybrid';
  if (!(VERIFY_MODES as readonly string[]).includes(value)) throw new KeyriteError('USAGE', `--mode must be hybrid, classical-only or pq-only, not "${displayField(value, 40)}".`);
  return value as VerifyMode;
}

function trustOf(value: string): ParsedFingerprint {
  try {
    return parseFingerprint(value);
  } catch (e) {
    throw new KeyriteError('USAGE', `--trust must be the master fingerprint: 64 hex digits or its 16 words. ${e instanceof KeyriteError ? e.message : ''}`.trim());
  }
}

function atOf(value: string | undefined): Date {
  if (value === undefined) return new Date();
  const t = parseUtcSecond(value);
  if (t === undefined) throw new KeyriteError('USAGE', '--at must be a UTC time written YYYY-MM-DDTHH:MM:SSZ, e.g. 2027-01-31T12:00:00Z.');
  return new Date(t);
}

function keyTable(keys: readonly EndorsedKeyStatus[], now: Date): string[] {
  const rows = keys.map((k) => [displayField(k.kid, 64), k.alg, purposeWord(k), displayField(k.label), k.nbf, k.exp, endorsedKeyState(k, now)]);
  const head = ['kid', 'algorithm', 'purpose', 'label', 'not before', 'expires', `at ${formatUtcSecond(now)}`];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}`;
  return [line(head), ...rows.map(line)];
}

function printHuman(io: CliIO, documentPath: string, r: SignatureCheckReport, now: Date): void {
  const lines = [`Checking ${displayField(documentPath)} (${r.mode === 'hybrid' ? 'hybrid signatures' : r.mode})`];
  if (r.rehearsal === true) lines.push(`  ${REHEARSAL_LINE}`);
  if (r.issuerFingerprint !== undefined) {
    const fp = readableFingerprint(r.issuerFingerprint);
    const label = r.ok ? 'master key fingerprint:' : 'master key fingerprint (as the document states it; NOT verified):';
    lines.push(`  ${label} ${fp.hexGroups}`, `  ${' '.repeat(label.length)} ${fp.words.join(' ')}`);
  }
  if (r.ceremonyId !== undefined) lines.push(`  signing ceremony ${r.ceremonyId}, request confirmed ${r.signedAt}`);
  lines.push('');
  const width = Math.max(...r.checks.map((c) => c.name.length)) + 2;
  for (const c of r.checks) lines.push(`${c.ok ? 'pass' : 'FAIL'}  ${c.name.padEnd(width)}${c.detail}`);
  if (r.keys !== undefined) lines.push('', 'Endorsed keys:', ...keyTable(r.keys, now));
  if (r.artifact !== undefined) lines.push('', `Signed artifact: ${displayField(r.artifact.name)}, ${r.artifact.size} bytes, SHA-256 ${r.artifact.sha256}`);
  lines.push('', signatureVerdict(r));
  io.stdout(lines.join('\n') + '\n');
}

/**
 * --chain: the chain is verified from the root fingerprint; the document is checked against the
 * key of the chain that signed it, and that key must be one to rely on now (chain.ts keyUse).
 */
async function checkOverChain(paths: readonly string[], rootTrust: string, mode: VerifyMode, now: Date, check: (anchor: ParsedFingerprint) => SignatureCheckReport): Promise<SignatureCheckReport> {
  if (paths.length < 2) throw new KeyriteError('USAGE', '--chain names every bundle of the chain: the root bundle, then each rotation bundle in order, then a revocation bundle if there is one (at least two).');
  const files = [];
  for (const p of paths) files.push((await readBundleSource(p)).files);
  const chain = verifyChain(files, { trust: rootTrust, mode, crypto: NATIVE_VERIFIER_CRYPTO, at: now });
  // The newest key of a valid chain: the active one, or the revoked one when a revocation ends it.
  const newest = chain.current?.fingerprint ?? chain.revoked?.fingerprint;
  if (chain.verdict !== 'valid' || newest === undefined || !chain.keys) {
    const failed = chain.checks.filter((c) => c.status !== 'pass').map((c) => `${c.name}: ${c.detail}`);
    return { ok: false, mode, checks: [{ name: 'chain', ok: false, detail: `The chain does not verify from the root fingerprint (${failed.join(' ')})` }] };
  }
  const first = check(parseFingerprint(newest));
  const key = chain.keys.find((k) => k.fingerprint === first.issuerFingerprint);
  const report = key && key.fingerprint !== newest ? check(parseFingerprint(key.fingerprint)) : first;
  if (!report.ok) return report;
  try {
    const detail = keyUse(key!, report.signedAt!, now);
    return { ...report, checks: [...report.checks, { name: 'chain', ok: true, detail: `the key is a master key of the chain verified from the root fingerprint (${chain.path.length} bundles); ${detail}` }] };
  } catch (e) {
    return { ...report, ok: false, checks: [...report.checks, { name: 'chain', ok: false, detail: e instanceof KeyriteError ? e.message : 'the key cannot be judged' }] };
  }
}

export const checkSignatureCommand: Command = {
  ...CHECK_SIGNATURE_SPEC,
  async run(args, io) {
    const mode = modeOf(args.value('mode'));
    const trust = trustOf(args.required('trust'));
    const now = atOf(args.value('at'));
    const envelopePath = resolve(io.cwd, args.required('signature'));
    const documentPath = resolve(io.cwd, args.positionals[0]!);
    const document = await readCapped(documentPath, 'document', MAX_CHECKED_FILE_BYTES);
    const envelope = await readCapped(envelopePath, 'signature envelope', MAX_ENVELOPE_BYTES);
    const chainPaths = args.all('chain').map((p) => resolve(io.cwd, p));
    const check = (anchor: ParsedFingerprint) => checkSignedDocument({ document, documentName: basename(documentPath), envelope, trust: anchor, now, mode, ed25519: NATIVE_VERIFIER_CRYPTO.ed25519 });
    const report = chainPaths.length === 0 ? check(trust) : await checkOverChain(chainPaths, args.required('trust'), mode, now, check);
    if (args.flag('json')) printJson(io, { ...report, at: formatUtcSecond(now) });
    else printHuman(io, documentPath, report, now);
    if (!report.ok) {
      const failed = report.checks[report.checks.length - 1]!;
      io.stderr(`keyrite: the signature check failed at "${failed.name}": ${failed.detail}\n`);
      return EXIT.CHECK_FAILED;
    }
    if (report.rehearsal === true) io.stderr(`keyrite: note: ${REHEARSAL_LINE}\n`);
    return EXIT.OK;
  },
};
