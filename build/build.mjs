// Builds everything Keyrite ships into dist/ (run by `npm run build`, and by `npm ci`
// through "prepare"):
//   cli       cli/bin.ts                → dist/cli/keyrite.mjs        (ESM, Node 20, packages external; one chunk per command beside it: code that finds files by import.meta.url stays in dist/cli/)
//             core/node/audit-worker.ts → dist/cli/audit-worker.mjs   (same; the audit-script worker thread)
//   electron  electron/main.ts          → dist/electron/main.cjs      (CJS, electron + native modules external)
//             electron/preload.ts       → dist/electron/preload.cjs   (CJS, only `electron` may stay external)
//   renderer  renderer/ (Vite + React)  → dist/renderer/
//   verifier  renderer/verify-html/     → dist/verifier/verify.html   (one self-contained page, build/verifier-page.mjs)
// Usage: node build/build.mjs [cli|electron|renderer|verifier ...]   (no argument: all four)
// Quiet: one line on success, the error and exit code 1 on failure.
import * as esbuild from 'esbuild';
import { fileURLToPath } from 'node:url';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildVerifierPage } from './verifier-page.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const at = (...p) => join(root, ...p);

/** Native modules are loaded from node_modules at run time (asarUnpack in electron-builder.yml). */
const NATIVE = ['pkcs11js', 'usb'];

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  logLevel: 'warning',
  legalComments: 'none',
  sourcemap: false,
  metafile: true,
};

async function buildCli() {
  const cliCommon = { ...common, format: 'esm', target: 'node20', packages: 'external' };
  // Chunk names change with their contents: start from an empty folder so no stale chunk stays.
  rmSync(at('dist/cli'), { recursive: true, force: true });
  await Promise.all([
    // Split: each command's module (cli/commands/index.ts imports them on first use) is its own
    // chunk, so start-up loads only what the command run needs.
    esbuild.build({ ...cliCommon, entryPoints: { keyrite: at('cli/bin.ts') }, outdir: at('dist/cli'), splitting: true, chunkNames: '[name]-[hash]', outExtension: { '.js': '.mjs' } }),
    // The audit-script worker is its own file: core/node/audit-runner.ts starts it from
    // new URL('./audit-worker.mjs', import.meta.url), i.e. next to the CLI bundle.
    esbuild.build({ ...cliCommon, entryPoints: [at('core/node/audit-worker.ts')], outfile: at('dist/cli/audit-worker.mjs') }),
  ]);
}

async function buildElectron() {
  const electronCommon = { ...common, format: 'cjs', target: 'node22' };
  await esbuild.build({
    ...electronCommon,
    entryPoints: [at('electron/main.ts')],
    outfile: at('dist/electron/main.cjs'),
    external: ['electron', ...NATIVE],
    // core/node/audit-runner.ts finds its worker through import.meta only when no workerUrl is
    // given; main.ts always gives one (dist/cli/audit-worker.mjs), so the empty import.meta is fine.
    logOverride: { 'empty-import-meta': 'silent' },
  });
  const preload = await esbuild.build({
    ...electronCommon,
    entryPoints: [at('electron/preload.ts')],
    outfile: at('dist/electron/preload.cjs'),
    external: ['electron'],
  });
  // A sandboxed preload can require only `electron`: refuse anything else left external.
  for (const output of Object.values(preload.metafile.outputs)) {
    for (const imp of output.imports) {
      if (imp.external && imp.path !== 'electron') {
        throw new Error(`the preload imports "${imp.path}", but a sandboxed preload can only require "electron"`);
      }
    }
  }
}

async function buildRenderer() {
  const { build } = await import('vite');
  await build({
    root: at('renderer'),
    configFile: at('renderer/vite.config.ts'),
    logLevel: 'warn',
  });
}

async function buildVerifier() {
  await buildVerifierPage(root, at('dist/verifier/verify.html'));
}

const TARGETS = { cli: buildCli, electron: buildElectron, renderer: buildRenderer, verifier: buildVerifier };

const wanted = process.argv.slice(2);
for (const w of wanted) {
  if (!(w in TARGETS)) {
    console.error(`build: unknown target "${w}" (known: ${Object.keys(TARGETS).join(', ')})`);
    process.exit(2);
  }
}
const names = wanted.length > 0 ? wanted : Object.keys(TARGETS);
const started = performance.now();
const results = await Promise.allSettled(names.map((n) => TARGETS[n]()));
const failed = results.map((r, i) => [names[i], r]).filter(([, r]) => r.status === 'rejected');
if (failed.length > 0) {
  for (const [name, r] of failed) {
    const reason = r.reason;
    // esbuild (cli, electron) has already printed its diagnostics: one line is enough.
    // Vite's (renderer) are in the message: print it whole (never a stack).
    const message = reason instanceof Error ? reason.message : String(reason);
    console.error(`build: ${name} failed: ${name === 'renderer' ? message : message.split('\n')[0]}`);
  }
  process.exit(1);
}
console.log(`build: ${names.join(', ')} → dist/ in ${((performance.now() - started) / 1000).toFixed(1)} s`);
