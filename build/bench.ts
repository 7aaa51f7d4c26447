// `npm run bench` (node --import tsx build/bench.ts): measures Keyrite's costly paths and
// prints ONE JSON document. Speed lives here, never in tests (docs/CONTRIBUTING.md).
// Each benchmark is an entry of BENCHMARKS; add verification and recovery figures the same way.
// Peak memory is the process's maximum resident set size (getrusage maxRSS), which only
// grows: each benchmark reports the peak reached by the end of its run, so order matters
// and the demo runs first.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runDemo } from '../cli/commands/demo.ts';

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

const BENCHMARKS: Benchmark[] = [
  {
    name: 'demo',
    description: 'keyrite demo: 7 software tokens (scrypt N=2^15), full 3-of-5 root key ceremony, bundle export and verification',
    async run(dir) {
      const demo = await runDemo({ outDir: join(dir, 'demo') });
      return { transcriptEntries: demo.result.transcriptEntries, checks: demo.checks.length, allChecksPassed: demo.checks.every((c) => c.ok) };
    },
  },
];

const results: Record<string, Figures> = {};
for (const b of BENCHMARKS) {
  const dir = mkdtempSync(join(tmpdir(), `keyrite-bench-${b.name}-`));
  try {
    results[b.name] = { description: b.description, ...(await measure(() => b.run(dir))) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
process.stdout.write(
  JSON.stringify({ keyrite: '0.1.0', node: process.version, platform: `${process.platform}-${process.arch}`, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', results }, null, 2) + '\n',
);
