// The rows of issue 18's performance table, each a whole process timed from outside, with its
// target and whether it is met (reported, never enforced). `npm run bench` prints them.
//
// Every figure is a whole process (`node bin/keyrite.mjs …`, the built CLI, rebuilt first), run
// `runs` times: wall time from spawn to exit in the bench, CPU time (user + system, all threads)
// and peak RSS (VmHWM) from inside the process at exit (build/bench-rusage.mjs). Targets are judged on
// the minimum over the runs (the run least disturbed by other load), as the issue measured;
// medians and the load average before and after each row are printed beside them, because
// the development machine is shared. CPU time is less noisy than wall time under load.
//
// Baselines in the same run: `node -e 0` (the floor of any Node process) for start-up, and the
// minimal noble-only verifier (build/bench-minimal-verifier.mjs) for every verification row.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createSoftHsm } from '../test/helpers/softhsm.ts';
import { emptyNetworkNamespace } from '../test/helpers/netns.ts';
import { HSM_TOKEN_LABELS, rootOnSoftHsm, stepMs, type KeyriteRunner } from '../test/helpers/softhsm-signing.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The CLI timed: this checkout's, or another build's bin/keyrite.mjs given in KEYRITE_BENCH_CLI (to compare two versions with the same bench). */
const KEYRITE = process.env.KEYRITE_BENCH_CLI ?? join(ROOT, 'bin/keyrite.mjs');
const MINIMAL = join(ROOT, 'build/bench-minimal-verifier.mjs');
const RUSAGE = join(ROOT, 'build/bench-rusage.mjs');
const SYNTHETIC = join(ROOT, 'build/synthetic-bundle.ts');
const MIB = 1024 * 1024;

export interface RunFigures {
  wallMs: number;
  cpuMs: number;
  peakRssMiB: number;
}

export interface Stats {
  runs: number;
  wallMs: { min: number; median: number };
  cpuMs: { min: number; median: number };
  peakRssMiB: { min: number; median: number };
  loadavg: { before: number[]; after: number[] };
}

export interface Row {
  what: string;
  target: string;
  met: boolean | 'not measured';
  figures: string;
  stats: Record<string, Stats>;
}

const round = (x: number, digits = 0): number => Math.round(x * 10 ** digits) / 10 ** digits;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const load = (): number[] => loadavg().map((x) => round(x, 2));

/** One whole process: node [--import rusage] ...args, which must exit 0. */
async function runProcess(args: string[], scratch: string): Promise<RunFigures> {
  const usageFile = join(mkdtempSync(join(scratch, 'rusage-')), 'usage.json');
  const t0 = performance.now();
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', RUSAGE, ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, KEYRITE_BENCH_RUSAGE: usageFile } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (c) => (c === 0 ? resolve(c) : reject(new Error(`${args.join(' ')} exited ${c}: ${stderr.slice(-2000)}`))));
  });
  const wallMs = performance.now() - t0;
  if (code !== 0) throw new Error('unreachable');
  const u = JSON.parse(readFileSync(usageFile, 'utf8')) as { userMs: number; systemMs: number; maxRssKiB: number };
  return { wallMs, cpuMs: u.userMs + u.systemMs, peakRssMiB: (u.maxRssKiB * 1024) / MIB };
}

/** `runs` runs of each process in `procs`, interleaved (a, b, a, b, …) so that load hits them alike. */
async function measure(procs: Record<string, (i: number) => string[]>, runs: number, scratch: string): Promise<Record<string, Stats>> {
  const before = load();
  const figures: Record<string, RunFigures[]> = Object.fromEntries(Object.keys(procs).map((k) => [k, []]));
  for (let i = 0; i < runs; i++) for (const [name, args] of Object.entries(procs)) figures[name]!.push(await runProcess(args(i), scratch));
  const after = load();
  const stats: Record<string, Stats> = {};
  for (const [name, fs] of Object.entries(figures)) {
    const of = (key: keyof RunFigures, digits: number) => ({ min: round(Math.min(...fs.map((f) => f[key])), digits), median: round(median(fs.map((f) => f[key])), digits) });
    stats[name] = { runs, wallMs: of('wallMs', 0), cpuMs: of('cpuMs', 0), peakRssMiB: of('peakRssMiB', 1), loadavg: { before, after } };
  }
  return stats;
}

const fmt = (s: Stats): string => `wall ${s.wallMs.min} ms (median ${s.wallMs.median}), CPU ${s.cpuMs.min} ms (median ${s.cpuMs.median}), peak ${s.peakRssMiB.min} MiB`;

export interface RowOptions {
  runs: number;
  /** Adds the 1,000,000-entry bundle (about 4 minutes to generate, 330 MB). */
  large: boolean;
  log: (line: string) => void;
}

interface Synthetic {
  dir: string;
  fingerprint: string;
  entries: number;
}

/** Generated in a child process, so that the bench itself stays small while it times. */
function synthetic(entries: number, scratch: string): Synthetic {
  const dir = join(scratch, `synthetic-${entries}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', SYNTHETIC, '--entries', String(entries), '--out', dir], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1024 * 1024 });
  if (r.status !== 0) throw new Error(`build/synthetic-bundle.ts failed: ${r.stderr.slice(-2000)}`);
  return { dir, fingerprint: r.stdout.trim(), entries };
}

const verifyArgs = (s: { dir: string; fingerprint?: string }): string[] => [KEYRITE, 'verify', s.dir, ...(s.fingerprint ? ['--trust', s.fingerprint] : []), '--json'];

/**
 * The live root script (3-of-5) on six fresh SoftHSM2 tokens per run, as a built keyrite process in
 * an empty network namespace. Compute = the run's steps, from its transcript's step.start and
 * step.end times, co-sign and export until the process ended (stepMs): a headless run waits for no
 * person, and start-up, script and answers checks are left out; the whole process is given too.
 */
async function rootCeremonyOnSoftHsm(runs: number, scratch: string): Promise<{ computeMs: { min: number; median: number }; processMs: { min: number; median: number } }> {
  const wrap = emptyNetworkNamespace();
  const keyrite: KeyriteRunner = (argv, env) =>
    new Promise((resolve, reject) => {
      const child = spawn(wrap[0]!, [...wrap.slice(1), process.execPath, KEYRITE, ...argv], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  const compute: number[] = [];
  const whole: number[] = [];
  for (let i = 0; i < runs; i++) {
    const hsm = createSoftHsm(HSM_TOKEN_LABELS, { setProcessEnv: false });
    try {
      const t0 = performance.now();
      const run = await rootOnSoftHsm(mkdtempSync(join(scratch, 'hsm-root-')), hsm, keyrite);
      whole.push(Math.round(performance.now() - t0));
      compute.push(Object.values(stepMs(run.out, run.endedAt)).reduce((a, b) => a + b, 0));
    } finally {
      hsm.cleanup();
    }
  }
  return { computeMs: { min: Math.min(...compute), median: median(compute) }, processMs: { min: Math.min(...whole), median: median(whole) } };
}

export async function benchRows(options: RowOptions): Promise<Row[]> {
  const { runs, log } = options;
  if (!existsSync(join(KEYRITE, '../../dist/cli/keyrite.mjs'))) throw new Error(`build the CLI first (node build/build.mjs cli) for ${KEYRITE}`);
  const scratch = mkdtempSync(join(tmpdir(), 'keyrite-bench-rows-'));
  const rows: Row[] = [];
  const add = (row: Row): void => {
    rows.push(row);
    log(`${row.met === true ? 'MET    ' : row.met === false ? 'NOT MET' : 'n/a    '}  ${row.what}: ${row.figures} (target ${row.target})`);
  };
  try {
    // Start-up.
    const help = await measure({ keyrite: () => [KEYRITE, '--help'], node: () => ['-e', '0'] }, runs + 2, scratch);
    add({ what: 'keyrite --help', target: '≤ 150 ms wall', met: help.keyrite!.wallMs.min <= 150, figures: `${fmt(help.keyrite!)}; bare node -e 0: ${fmt(help.node!)}`, stats: help });

    // The demo, then verifying its bundle and rehearsing its recovery.
    const demos = (i: number) => join(scratch, `demo-${i}`);
    const demo = await measure({ demo: (i) => [KEYRITE, 'demo', '--out', demos(i)] }, runs, scratch);
    add({ what: 'keyrite demo', target: '≤ 2.0 s wall, ≤ 128 MiB', met: demo.demo!.wallMs.min <= 2000 && demo.demo!.peakRssMiB.min <= 128, figures: fmt(demo.demo!), stats: demo });
    const demoBundle = { dir: join(demos(0), 'bundle') };
    const demoVerify = await measure({ keyrite: () => verifyArgs(demoBundle), minimal: () => [MINIMAL, demoBundle.dir] }, runs + 2, scratch);
    add({ what: 'keyrite verify of the demo bundle', target: '≤ 250 ms wall', met: demoVerify.keyrite!.wallMs.min <= 250, figures: `${fmt(demoVerify.keyrite!)}; minimal verifier: ${fmt(demoVerify.minimal!)}`, stats: demoVerify });
    const recover = await measure({ recover: () => [KEYRITE, 'demo', 'recover', demos(0)] }, runs, scratch);
    add({ what: 'keyrite demo recover (rehearsal recovery)', target: '≤ 0.8 s wall', met: recover.recover!.wallMs.min <= 800, figures: fmt(recover.recover!), stats: recover });

    // Verification of synthetic bundles against the minimal verifier.
    const sizes = [1_000, 10_000, 100_000, ...(options.large ? [1_000_000] : [])];
    const scaling: Record<string, Stats> = {};
    let big: Record<string, Stats> | undefined;
    for (const n of sizes) {
      log(`  (generating a ${n}-entry synthetic bundle)`);
      const s = synthetic(n, scratch);
      const st = await measure({ keyrite: () => verifyArgs(s), minimal: () => [MINIMAL, s.dir] }, n >= 1_000_000 ? Math.min(runs, 2) : runs, scratch);
      scaling[`keyrite-${n}`] = st.keyrite!;
      scaling[`minimal-${n}`] = st.minimal!;
      if (n === 100_000) big = st;
      rmSync(s.dir, { recursive: true, force: true });
    }
    const k = big!.keyrite!;
    const m = big!.minimal!;
    add({ what: 'keyrite verify, 100,000 entries, 7 principals', target: '≤ 1.0 s wall, ≤ 150 MiB', met: k.wallMs.min <= 1000 && k.peakRssMiB.min <= 150, figures: fmt(k), stats: big! });
    const ratio = round(m.cpuMs.min / k.cpuMs.min, 2);
    add({
      what: 'the same vs the minimal noble-only verifier (CPU)',
      target: 'Keyrite ≥ 2× faster',
      met: ratio >= 2,
      figures: `Keyrite ${round((k.cpuMs.min * 1000) / 100_000, 1)} µs/entry, minimal ${round((m.cpuMs.min * 1000) / 100_000, 1)} µs/entry: Keyrite ${ratio >= 1 ? `${ratio}× faster` : `${round(1 / ratio, 2)}× slower`}; peak ${k.peakRssMiB.min} vs ${m.peakRssMiB.min} MiB`,
      stats: big!,
    });
    // Per entry beyond the 1,000-entry bundle's cost (start-up and signatures are the same at every size).
    const base = scaling['keyrite-1000']!.cpuMs.min;
    const perEntry = sizes.slice(1).map((n) => `${n}: ${round(((scaling[`keyrite-${n}`]!.cpuMs.min - base) * 1000) / (n - 1000), 1)} µs/entry, ${scaling[`keyrite-${n}`]!.peakRssMiB.min} MiB`).join('; ');
    const million = scaling['keyrite-1000000'];
    add({
      what: 'verify cost per entry, 1k to 1M entries',
      target: 'linear time, flat memory: 1,000,000 entries ≤ 10 s and ≤ 300 MiB',
      met: million === undefined ? 'not measured' : million.wallMs.min <= 10_000 && million.peakRssMiB.min <= 300,
      figures: `1000: CPU ${base} ms, ${scaling['keyrite-1000']!.peakRssMiB.min} MiB; CPU per entry beyond that, peak: ${perEntry}${million === undefined ? ' (1,000,000 only with --large)' : ''}`,
      stats: scaling,
    });
    const hsmRoot = await rootCeremonyOnSoftHsm(runs, scratch);
    add({
      what: 'root ceremony on SoftHSM, compute only',
      target: '≤ 1.5 s',
      met: hsmRoot.computeMs.min <= 1500,
      figures: `compute ${hsmRoot.computeMs.min} ms min, ${hsmRoot.computeMs.median} ms median (its steps from the transcript); the whole process ${hsmRoot.processMs.min} ms min`,
      stats: {},
    });
    return rows;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
