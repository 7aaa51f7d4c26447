// Preloaded by the bench (`node --import build/bench-rusage.mjs …`) into each process it times:
// at exit, writes the whole process's CPU time (all threads) and peak resident set size as JSON
// to the file named by KEYRITE_BENCH_RUSAGE (which must not exist yet). Never loaded otherwise.
// The peak is VmHWM from /proc/self/status where there is one: getrusage's maxRSS is carried
// over fork and exec on Linux, so a child started by a big process would report its parent's peak.
import { readFileSync, writeFileSync } from 'node:fs';

function peakRssKiB() {
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]);
  } catch {
    // not Linux: getrusage's figure below
  }
  return process.resourceUsage().maxRSS;
}

const out = process.env.KEYRITE_BENCH_RUSAGE;
if (out) {
  process.on('exit', () => {
    const r = process.resourceUsage();
    writeFileSync(out, JSON.stringify({ userMs: r.userCPUTime / 1000, systemMs: r.systemCPUTime / 1000, maxRssKiB: peakRssKiB() }), { flag: 'wx' });
  });
}
