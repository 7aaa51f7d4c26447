// Preloaded by the bench (`node --import build/bench-rusage.mjs …`) into each process it times:
// at exit, writes the whole process's CPU time (all threads) and peak resident set size as JSON
// to the file named by KEYRITE_BENCH_RUSAGE (which must not exist yet). Never loaded otherwise.
import { writeFileSync } from 'node:fs';

const out = process.env.KEYRITE_BENCH_RUSAGE;
if (out) {
  process.on('exit', () => {
    const r = process.resourceUsage();
    writeFileSync(out, JSON.stringify({ userMs: r.userCPUTime / 1000, systemMs: r.systemCPUTime / 1000, maxRssKiB: r.maxRSS }), { flag: 'wx' });
  });
}
