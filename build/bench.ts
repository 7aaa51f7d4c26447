// `npm run bench` (node --import tsx build/bench.ts [--runs N] [--large] [--details]): speed
// lives here, never in tests (docs/CONTRIBUTING.md). By default it prints the rows of the
// performance table (build/bench-rows.ts: whole processes, each row with its target and
// met / not met, then the same as one JSON line). --large adds the 1,000,000-entry bundle.
// --details prints instead ONE JSON document of the in-process breakdowns below.
// Each benchmark is an entry of BENCHMARKS; add verification figures the same way.
// Peak memory is the process's maximum resident set size (getrusage maxRSS), which only
// grows: each benchmark reports the peak reached by the end of its run, so order matters
// and the demo runs first.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PASSPHRASE_FILE, runDemo, shippedScript } from '../cli/commands/demo.ts';
import { runCli } from '../cli/main.ts';
import { fromUtf8 } from '../core/bytes.ts';
import { deriveMasterKeys, deriveTrusteeKeys } from '../core/crypto/derive.ts';
import { ed25519Verify } from '../core/crypto/ed25519.ts';
import { pairwiseTestMessage } from '../core/crypto/pairwise.ts';
import { combineShares, type Share } from '../core/crypto/shamir.ts';
import { wipe } from '../core/crypto/wipe.ts';
import { openEscrowBlob } from '../core/escrow/blob.ts';
import { openEnvelope, parseEnvelope } from '../core/escrow/envelope.ts';
import { parseManifest } from '../core/escrow/manifest.ts';
import { assertSeedMatchesMasterKey } from '../core/escrow/recovery.ts';
import { analyzeJournal } from '../core/ceremony/journal.ts';
import { parseKeyring, trusteeSeedAad } from '../core/ceremony/keyring.ts';
import { openSoftwareTokenFile } from '../core/node/software-token-file.ts';
import { readTranscript } from '../core/transcript/transcript.ts';
import { KEYRITE_VERSION } from '../core/version.ts';
import { APP_BENCHMARK } from './bench-app.ts';
import { SIGNING_BENCHMARK, SIGNING_CEREMONY_BENCHMARK } from './bench-signing.ts';
import { VERIFIER_BENCHMARK } from './bench-verifier.ts';
import { benchRows } from './bench-rows.ts';
import { ARCHIVE_BENCHMARK } from './bench-archive.ts';

interface Figures {
  [name: string]: unknown;
}

interface Benchmark {
  name: string;
  description: string;
  run(workDir: string): Promise<Figures>;
}

async function measure(fn: () => Promise<Figures>): Promise<Figures> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const extra = await fn();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const mem = process.memoryUsage();
  return {
    wallMs: Math.round(wallMs),
    cpuUserMs: Math.round(cpu.user / 1000),
    cpuSystemMs: Math.round(cpu.system / 1000),
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    heapUsedBytesAfter: mem.heapUsed,
    rssBytesAfter: mem.rss,
    ...extra,
  };
}

/** The PIN variables a demo wrote into its REHEARSAL-ONLY passphrase files. */
function demoPins(demo: string, folders: string[]): Record<string, string> {
  const pins: Record<string, string> = {};
  for (const f of folders) {
    for (const line of readFileSync(join(demo, f, PASSPHRASE_FILE), 'utf8').split('\n')) {
      const m = /^([A-Z0-9_]+)='([^']*)'$/.exec(line.trim());
      if (m) pins[m[1]!] = m[2]!;
    }
  }
  return pins;
}

/** Mean milliseconds of `n` runs of fn (after one warm-up run). */
async function meanMs(n: number, fn: (i: number) => Promise<void> | void): Promise<number> {
  await fn(-1);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  return Math.round(((performance.now() - t0) / n) * 1000) / 1000;
}

const RECOVERY_TRUSTEES = ['trustee-1', 'trustee-2', 'trustee-3'];
const RECOVERY_ROUNDS = 20;

const BENCHMARKS: Benchmark[] = [
  {
    name: 'demo',
    description: 'keyrite demo: 7 software tokens (scrypt N=2^15), full 3-of-5 root key ceremony, bundle export and verification',
    async run(dir) {
      const demo = await runDemo({ outDir: join(dir, 'demo') });
      return { transcriptEntries: demo.result.transcriptEntries, checks: demo.checks.length, allChecksPassed: demo.checks.every((c) => c.ok) };
    },
  },
  {
    name: 'recovery',
    description: `escrow recovery compute from 3 of 5 shares of a demo escrow: combine K, decrypt E, re-derive and check the master keys (mean of ${RECOVERY_ROUNDS} rounds each), restore onto a software token (import + test signature), one full keyrite recover run, and one keyrite check-share run`,
    async run(dir) {
      const demo = join(dir, 'demo');
      await runDemo({ outDir: demo });
      const pins = demoPins(demo, [...RECOVERY_TRUSTEES.map((id) => `trustees/${id}`), 'recovery']);
      const pinOf = (who: string) => pins[`KEYRITE_REHEARSAL_PIN_${who.toUpperCase().replace(/-/g, '_')}`]!;
      const manifest = parseManifest(fromUtf8(readFileSync(join(demo, 'bundle', 'escrow', 'manifest.json'))).trim());
      const master = analyzeJournal(readTranscript(readFileSync(join(demo, 'bundle', 'transcript.jsonl'))).entries).master!;
      const shares: Share[] = [];
      for (const id of RECOVERY_TRUSTEES) {
        const folder = join(demo, 'trustees', id);
        const keyring = parseKeyring(readFileSync(join(folder, 'keyring.json')));
        const token = await openSoftwareTokenFile(join(folder, 'token.keyrite-token'));
        await token.login(pinOf(id));
        const seed = await token.unseal(keyring.sealKey, keyring.sealedSeed, trusteeSeedAad(keyring));
        await token.close();
        const keys = deriveTrusteeKeys(seed);
        shares.push(openEnvelope(parseEnvelope(fromUtf8(readFileSync(join(folder, 'share-envelope.json'))).trim()), keys.xwing.secretKey).share);
        wipe(seed, keys.mldsa65.secretKey, keys.xwing.secretKey);
      }
      const combineMs = await meanMs(RECOVERY_ROUNDS, async () => wipe(await combineShares(shares, manifest.t, 32)));
      const K = await combineShares(shares, manifest.t, 32);
      const decryptMs = await meanMs(RECOVERY_ROUNDS, () => wipe(openEscrowBlob(K, manifest.blob)));
      const S = openEscrowBlob(K, manifest.blob);
      const rederiveMs = await meanMs(RECOVERY_ROUNDS, () => assertSeedMatchesMasterKey(S, master.publicKey));
      const keys = deriveMasterKeys(S);
      const token = await openSoftwareTokenFile(join(demo, 'recovery', 'new-master.keyrite-token'));
      await token.login(pinOf('recovery'));
      const restoreMs = await meanMs(3, async (i) => {
        const ref = await token.importEd25519PrivateKey(`bench-restore-${i + 1}`, keys.ed25519.seed);
        const msg = pairwiseTestMessage();
        if (!ed25519Verify(master.publicKey.classical.publicKey, msg, await token.sign(ref, msg))) throw new Error('the restored key does not sign');
        await token.destroyObject(ref);
      });
      await token.close();
      wipe(K, S, keys.ed25519.seed, keys.mldsa65.secretKey);
      for (const s of shares) wipe(s.y);
      const t0 = performance.now();
      const code = await runCli(
        ['recover', shippedScript('escrow-recovery-rehearsal.yaml').pathname, '--bundle', join(demo, 'bundle'), '--answers', join(demo, 'recovery-answers.yaml'), '--out', join(demo, 'rec'), '--json'],
        { stdout: () => undefined, stderr: () => undefined, env: pins, cwd: process.cwd() },
      );
      const recoverCommandMs = Math.round(performance.now() - t0);
      if (code !== 0) throw new Error(`keyrite recover exited ${code}`);
      // A trustee's own share check, alone (the whole command: bundle verification, token, seed, share).
      const t1 = performance.now();
      const folder = join(demo, 'trustees', 'trustee-1');
      const checked = await runCli(
        ['check-share', join(demo, 'bundle'), '--keyring', join(folder, 'keyring.json'), '--envelope', join(folder, 'share-envelope.json'), '--token', `software:${join(folder, 'token.keyrite-token')}`, '--pin-env', 'KEYRITE_REHEARSAL_PIN_TRUSTEE_1', '--json'],
        { stdout: () => undefined, stderr: () => undefined, env: pins, cwd: process.cwd() },
      );
      const checkShareCommandMs = Math.round(performance.now() - t1);
      if (checked !== 0) throw new Error(`keyrite check-share exited ${checked}`);
      return { combineMs, decryptMs, rederiveMs, restoreMs, recoverCommandMs, checkShareCommandMs, rounds: RECOVERY_ROUNDS, restoreRounds: 3 };
    },
  },
  // A relying party's check of one signed document (build/bench-signing.ts), in process and as a whole keyrite process.
  SIGNING_BENCHMARK,
  // A whole signing ceremony on software tokens and on SoftHSM2, step by step (build/bench-signing.ts).
  SIGNING_CEREMONY_BENCHMARK,
  // Desktop renderer figures (build/bench-app.ts): initial JS size and time to first screen in Chromium.
  APP_BENCHMARK,
  // Verification figures (build/bench-verifier.ts); last, as its synthetic bundle makes the process's random sources deterministic.
  VERIFIER_BENCHMARK,
  // Verify from the archive vs from the folder (build/bench-archive.ts); after the verifier's, whose random sources it shares.
  ARCHIVE_BENCHMARK,
];

const { values: flags } = parseArgs({ options: { runs: { type: 'string' }, large: { type: 'boolean' }, details: { type: 'boolean' } } });
const runs = Number(flags.runs ?? 3);
if (!(Number.isSafeInteger(runs) && runs >= 1)) throw new Error('--runs must be a whole number ≥ 1');
const header = { keyrite: KEYRITE_VERSION, node: process.version, platform: `${process.platform}-${process.arch}`, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown' };

if (flags.details) {
  // The in-process breakdowns (recovery compute, app start, verifier parts): where time goes, not the targets.
  const results: Record<string, Figures> = {};
  for (const b of BENCHMARKS) {
    const dir = mkdtempSync(join(tmpdir(), `keyrite-bench-${b.name}-`));
    try {
      results[b.name] = { description: b.description, ...(await measure(() => b.run(dir))) };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  process.stdout.write(JSON.stringify({ ...header, results }, null, 2) + '\n');
} else {
  const build = spawnSync(process.execPath, [fileURLToPath(new URL('./build.mjs', import.meta.url)), 'cli'], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error('the CLI build failed');
  process.stdout.write(`Keyrite ${header.keyrite}, Node ${header.node}, ${header.cpus} × ${header.cpuModel}, load ${loadavg().map((x) => x.toFixed(2)).join(' ')}; min (median) of ${runs}+ runs, whole processes\n`);
  const rows = await benchRows({ runs, large: flags.large === true, log: (line) => process.stdout.write(line + '\n') });
  const met = rows.filter((r) => r.met === true).length;
  process.stdout.write(`${met} of ${rows.length} targets met; load ${loadavg().map((x) => x.toFixed(2)).join(' ')}\n`);
  process.stdout.write(JSON.stringify({ ...header, rows }) + '\n');
}
