// The static checks of `npm test` — lint, typecheck, Electronegativity — run side by side (they
// are independent, and two cores finish them in about half the time: docs/CONTRIBUTING.md
// "Suite time"). Each one's output is printed whole when it ends; the exit code is 1 if any failed.
import { spawn } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const CHECKS = ['lint', 'typecheck', 'electronegativity'];

function run(script) {
  return new Promise((resolve) => {
    const child = spawn(npm, ['run', '--silent', script], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (e) => resolve({ script, code: 1, output: `${output}${e.message}\n` }));
    child.on('close', (code) => resolve({ script, code: code ?? 1, output }));
  });
}

const started = Date.now();
const results = await Promise.all(CHECKS.map(run));
let failed = 0;
for (const r of results) {
  process.stdout.write(`> npm run ${r.script}: ${r.code === 0 ? 'ok' : `FAILED (exit ${r.code})`}\n${r.output}`);
  if (r.code !== 0) failed++;
}
console.log(`checks: ${CHECKS.length - failed} of ${CHECKS.length} passed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exit(failed === 0 ? 0 : 1);
