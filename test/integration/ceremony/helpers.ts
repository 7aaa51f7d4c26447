/**
 * Fixtures for the ceremony integration tests: rehearsal software tokens with the cheapest
 * scrypt the software token accepts, answers files, CLI runners (in-process and child
 * process), and a scanner that looks for every secret a test can know on disk.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { repoRoot, runInProcess } from '../../helpers/cli.ts';
import { fromUtf8 } from '../../../core/bytes.ts';
import { deriveMasterKeys, deriveSeed, deriveTrusteeKeys, DERIVATION_LABELS } from '../../../core/crypto/derive.ts';
import { combineShares, type Share } from '../../../core/crypto/shamir.ts';
import { openEnvelope, parseEnvelope } from '../../../core/escrow/envelope.ts';
import { openEscrowBlob } from '../../../core/escrow/blob.ts';
import { parseKeyring, trusteeSeedAad } from '../../../core/ceremony/keyring.ts';
import { fileTokenStore, openSoftwareTokenFile } from '../../../core/node/software-token-file.ts';
import { SoftwareToken } from '../../../core/tokens/software-token.ts';
import { readTranscript, recoverTranscript } from '../../../core/transcript/transcript.ts';
import type { TranscriptEntry } from '../../../core/transcript/entry.ts';
import { encodeAnswers, type AnswersDocument, type PinEntry, type TokenEntry } from '../../../core/ceremony/answers-writer.ts';

export const REHEARSAL_SCRIPT = join(repoRoot, 'ceremony-scripts/root-keygen-3of5-rehearsal.yaml');
export const LIVE_SCRIPT = join(repoRoot, 'ceremony-scripts/root-keygen-3of5.yaml');
export const RECOVERY_SCRIPT = join(repoRoot, 'ceremony-scripts/escrow-recovery.yaml');
/** The smallest scrypt parameters the software token accepts (2^10): tests only. */
export const CHEAP_SCRYPT = { N: 2 ** 10, r: 8, p: 1 };
export const TRUSTEES = ['trustee-1', 'trustee-2', 'trustee-3', 'trustee-4', 'trustee-5'];
export const WITNESS_STEPS = ['check-in', 'enrolled', 'generate', 'import', 'key-generated', 'receipts', 'escrowed', 'co-sign'];

export function pinVar(id: string): string {
  return `KR_TEST_PIN_${id.toUpperCase().replace(/-/g, '_')}`;
}

export function rolls(n = 50): string {
  const out: number[] = [];
  while (out.length < n) for (const b of nodeRandomBytes(64)) if (b < 252 && out.length < n) out.push((b % 6) + 1);
  return out.join(' ');
}

export interface TrusteeLine {
  id: string;
  name: string;
  token: TokenEntry;
  pin: PinEntry;
  output: string;
  dice?: string;
}

export interface AnswersSpec {
  trustees: TrusteeLine[];
  master: { token?: TokenEntry; pin: PinEntry };
  confirm: string[];
  /** script-sha256, ceremony-id, clock. */
  top?: Pick<AnswersDocument, 'scriptSha256' | 'ceremonyId' | 'clock'>;
  witness?: boolean;
}

/** The answers file of a root ceremony: Alice Admin, the spec's trustees, Grace Witness (unless left out). */
export function answersYaml(spec: AnswersSpec): string {
  return encodeAnswers({
    ...spec.top,
    participants: [
      { id: 'admin', name: 'Alice Admin', role: 'administrator' },
      ...spec.trustees.map((t) => ({ ...t, role: 'trustee' as const })),
      ...(spec.witness === false ? [] : [{ id: 'witness', name: 'Grace Witness', role: 'witness' as const }]),
    ],
    master: spec.master,
    confirm: spec.confirm,
  });
}

export interface RehearsalFixture {
  dir: string;
  answersPath: string;
  outDir: string;
  /** Environment: PIN variable → passphrase. */
  env: Record<string, string>;
  passphrases: Map<string, string>;
  dice: Map<string, string>;
  spec: AnswersSpec;
  writeAnswers(text: string, name?: string): string;
}

/** Six rehearsal software tokens (cheap scrypt), an answers file for the rehearsal script, an empty run folder. */
export async function makeRehearsalFixture(prefix = 'keyrite-ceremony-'): Promise<RehearsalFixture> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(join(dir, 'tokens'));
  const passphrases = new Map<string, string>();
  const env: Record<string, string> = {};
  for (const id of ['master', ...TRUSTEES]) {
    const pass = `pass-${nodeRandomBytes(12).toString('base64url')}`;
    passphrases.set(id, pass);
    env[pinVar(id)] = pass;
    const token = await SoftwareToken.create(fileTokenStore(join(dir, 'tokens', `${id}.keyrite-token`)), { label: `Test ${id}`, passphrase: pass, scrypt: CHEAP_SCRYPT });
    await token.close();
  }
  const dice = new Map(TRUSTEES.map((id) => [id, rolls()]));
  const spec: AnswersSpec = {
    trustees: TRUSTEES.map((id, i) => ({
      id,
      name: `Trustee Number ${i + 1}`,
      token: { software: `tokens/${id}.keyrite-token` },
      pin: { env: pinVar(id) },
      output: `trustees/${id}`,
      dice: dice.get(id)!,
    })),
    master: { token: { software: 'tokens/master.keyrite-token' }, pin: { env: pinVar('master') } },
    confirm: WITNESS_STEPS,
  };
  const writeAnswers = (text: string, name = 'answers.yaml') => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const answersPath = writeAnswers(answersYaml(spec));
  return { dir, answersPath, outDir: join(dir, 'out'), env, passphrases, dice, spec, writeAnswers };
}

// ---- running the CLI in a child process --------------------------------------------------

export interface Spawned {
  child: ChildProcess;
  /** Resolves once stopOn matched and the child was stopped. */
  stopped: Promise<void>;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/**
 * `keyrite …` as a child process (sources through tsx). `killOn`: SIGKILL the child when a stdout
 * line matches; `stopOn`: SIGSTOP it then (it holds what it holds until the test sends SIGCONT),
 * and `stopped` resolves.
 */
export function spawnCli(argv: string[], env: Record<string, string>, opts: { killOn?: RegExp; stopOn?: RegExp; cwd?: string; wrap?: string[] } = {}): Spawned {
  const cmd = [...(opts.wrap ?? []), process.execPath, '--import', 'tsx', join(repoRoot, 'cli/bin.ts'), ...argv];
  const child = spawn(cmd[0]!, cmd.slice(1), { cwd: opts.cwd ?? repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let stopSent = false;
  let onStopped: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (onStopped = resolve));
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stdout!.on('data', (d: string) => {
    stdout += d;
    if (opts.killOn && opts.killOn.test(stdout) && child.exitCode === null && !child.killed) child.kill('SIGKILL');
    if (opts.stopOn && !stopSent && opts.stopOn.test(stdout) && child.exitCode === null) {
      stopSent = true;
      child.kill('SIGSTOP');
      onStopped();
    }
  });
  child.stderr!.on('data', (d: string) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done, stopped };
}

// ---- reading results -------------------------------------------------------------------------

export function journalEntries(outDir: string): TranscriptEntry[] {
  return [...readTranscript(readFileSync(join(outDir, 'journal', 'transcript.jsonl'))).entries];
}

export function recoveredEntries(outDir: string): TranscriptEntry[] {
  return [...recoverTranscript(readFileSync(join(outDir, 'journal', 'transcript.jsonl'))).entries];
}

export function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(d, n);
      const r = rel ? `${rel}/${n}` : n;
      let st;
      try {
        st = statSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) walk(p, r);
      else if (st.isFile()) out.push(r);
    }
  };
  walk(dir, '');
  return out.sort();
}

/** No bundle that looks complete: no bundle/ folder and no bundle.json anywhere under the run folder. */
export function assertNoBundle(outDir: string): void {
  assert.equal(existsSync(join(outDir, 'bundle')), false, 'a bundle folder exists');
  assert.deepEqual(listFiles(outDir).filter((f) => f.endsWith('bundle.json')), [], 'a bundle.json exists');
}

/** The master fingerprint (64 hex digits) a finished `keyrite ceremony run` or `keyrite demo` printed to be read aloud. */
export function announcedFingerprint(stdout: string): string {
  const m = /Fingerprint \(read it aloud[^\n]*\n {2}((?:[0-9a-f]{4} ){15}[0-9a-f]{4})\n/.exec(stdout);
  assert.ok(m, `no fingerprint to read aloud in the output:\n${stdout}`);
  return m[1]!.replace(/ /g, '');
}

/** `keyrite verify BUNDLE --trust FINGERPRINT`, as an auditor runs it: exit 0, VALID, anchored by that fingerprint. */
export async function assertVerifiesAnchored(bundle: string, fingerprint: string): Promise<void> {
  const r = await runInProcess(['verify', bundle, '--trust', fingerprint, '--json']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const report = JSON.parse(r.stdout) as { verdict: string; anchor: { anchored: boolean; matches: boolean } };
  assert.equal(report.verdict, 'valid');
  assert.equal(report.anchor.anchored && report.anchor.matches, true, 'the bundle is not anchored by the fingerprint');
}

// ---- secrets ---------------------------------------------------------------------------------

export interface Secret {
  label: string;
  bytes?: Uint8Array;
  text?: string;
}

/**
 * Every secret of a rehearsal run that the test can know afterwards: the passphrases and dice
 * (given), each trustee seed (unsealed from their keyring with their token) and the keys
 * derived from it, each share and salt (opened from the envelopes), and — with t shares —
 * the escrow key K, the master seed S and the master private keys.
 */
export async function knownSecrets(fx: { dir: string; passphrases: Map<string, string>; dice?: Map<string, string> }, tokenPath: (id: string) => string, outputOf: (id: string) => string, t = 3): Promise<Secret[]> {
  const secrets: Secret[] = [];
  for (const [id, p] of fx.passphrases) secrets.push({ label: `passphrase of ${id}`, text: p });
  for (const [id, d] of fx.dice ?? []) secrets.push({ label: `dice of ${id}`, text: d });
  const shares: Share[] = [];
  let blob: ReturnType<typeof openEnvelope>['blob'] | undefined;
  for (const id of TRUSTEES) {
    const keyringPath = join(outputOf(id), 'keyring.json');
    if (!existsSync(keyringPath)) continue;
    const keyring = parseKeyring(readFileSync(keyringPath));
    const token = await openSoftwareTokenFile(tokenPath(id));
    await token.login(fx.passphrases.get(id)!);
    const seed = await token.unseal(keyring.sealKey, keyring.sealedSeed, trusteeSeedAad(keyring));
    await token.close();
    secrets.push({ label: `trustee seed of ${id}`, bytes: seed });
    secrets.push({ label: `ML-DSA seed of ${id}`, bytes: deriveSeed(seed, DERIVATION_LABELS.trusteeMlDsa65) });
    const keys = deriveTrusteeKeys(seed);
    secrets.push({ label: `ML-DSA secret key of ${id}`, bytes: keys.mldsa65.secretKey });
    secrets.push({ label: `X-Wing secret key of ${id}`, bytes: keys.xwing.secretKey });
    const envelopePath = join(outputOf(id), 'share-envelope.json');
    if (!existsSync(envelopePath)) continue;
    const opened = openEnvelope(parseEnvelope(fromUtf8(readFileSync(envelopePath)).trim()), keys.xwing.secretKey);
    secrets.push({ label: `share of ${id}`, bytes: opened.share.y });
    secrets.push({ label: `commitment salt of ${id}`, bytes: opened.salt });
    shares.push(opened.share);
    blob = opened.blob;
  }
  if (shares.length >= t && blob) {
    const K = await combineShares(shares.slice(0, t), t, 32);
    const S = openEscrowBlob(K, blob);
    const m = deriveMasterKeys(S);
    secrets.push({ label: 'escrow key K', bytes: K }, { label: 'master seed S', bytes: S }, { label: 'master Ed25519 seed', bytes: m.ed25519.seed });
    secrets.push({ label: 'master ML-DSA seed', bytes: deriveSeed(S, DERIVATION_LABELS.masterMlDsa65) }, { label: 'master ML-DSA secret key', bytes: m.mldsa65.secretKey });
  }
  return secrets;
}

function forms(s: Secret): { form: string; needle: Buffer }[] {
  if (s.text !== undefined) return [{ form: 'text', needle: Buffer.from(s.text, 'utf8') }];
  const b = Buffer.from(s.bytes!);
  const b64 = b.toString('base64');
  return [
    { form: 'raw', needle: b },
    { form: 'hex', needle: Buffer.from(b.toString('hex')) },
    { form: 'HEX', needle: Buffer.from(b.toString('hex').toUpperCase()) },
    { form: 'base64', needle: Buffer.from(b64.replace(/=+$/, '')) },
    { form: 'base64url', needle: Buffer.from(b.toString('base64url')) },
  ];
}

/** Files under `roots` that contain any form of any secret. `skip` excludes files (e.g. the demo's own passphrase files). */
export function scanForSecrets(roots: string[], secrets: Secret[], skip: (path: string) => boolean = () => false): string[] {
  const findings: string[] = [];
  const needles = secrets.flatMap((s) => forms(s).map((f) => ({ ...f, label: s.label })));
  for (const root of roots) {
    for (const rel of listFiles(root)) {
      const path = join(root, rel);
      if (skip(path)) continue;
      let data: Buffer;
      try {
        data = readFileSync(path);
      } catch {
        continue;
      }
      for (const n of needles) if (data.includes(n.needle)) findings.push(`${path}: ${n.label} (${n.form})`);
    }
  }
  return findings;
}

/** Entries of os.tmpdir() now, to find the ones a run creates. */
export function tmpSnapshot(): Set<string> {
  return new Set(readdirSync(tmpdir()));
}

/**
 * The demo's REHEARSAL-ONLY passphrase files, which hold its tokens' passphrases by design
 * (docs/CEREMONY-SCRIPTS.md "The demo"). With one demo per test run (test/helpers/run-cache.ts),
 * other test files' copies of it are among the new temporary entries a scan sees; a scan for
 * what a run under test wrote skips them.
 */
export function isDemoPassphraseFile(path: string): boolean {
  return basename(path) === 'REHEARSAL-ONLY-passphrase.env';
}

export function newTmpEntries(before: Set<string>, exclude: string[] = []): string[] {
  return readdirSync(tmpdir())
    .filter((n) => !before.has(n))
    .map((n) => join(tmpdir(), n))
    .filter((p) => !exclude.some((e) => p === e || e.startsWith(p + '/')));
}

export function types(entries: readonly TranscriptEntry[]): string[] {
  return entries.map((e) => e.type);
}
