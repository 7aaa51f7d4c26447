// The `archive` entry of `npm run bench` (build/bench.ts): a bundle verified from its archive
// (docs/FORMATS.md "Bundle archive": read whole, SHA-256, decoded strictly in memory) against
// the same bundle verified from its folder (every file read from disk), as `keyrite verify`
// does either, for the demo's bundle and for the synthetic 100,000-entry bundle
// (build/synthetic-bundle.ts). Warm-up once, then the median of 5; the page cache is warm for
// both. Also the cost of writing the archive (encode) and of reading it (decode) alone.
// Runs last: the synthetic bundle makes the process's random sources deterministic.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runDemo } from '../cli/commands/demo.ts';
import { decodeBundleArchive, encodeBundleArchive } from '../core/bundle/archive.ts';
import { readBundleDirectory } from '../core/node/bundle-directory.ts';
import { readBundleArchive } from '../core/node/bundle-source.ts';
import { NATIVE_VERIFIER_CRYPTO } from '../core/node/native-verifier-crypto.ts';
import { verifyBundle } from '../core/verifier/verify.ts';
import { generateSyntheticBundle } from './synthetic-bundle.ts';

type Figures = Record<string, unknown>;

/** Warm-up once, then `runs` timed runs: the median and every run, in ms (to 0.1 ms). */
async function medianMs(fn: () => unknown, runs = 5): Promise<{ medianMs: number; runsMs: number[] }> {
  await fn();
  const runsMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    runsMs.push(Math.round((performance.now() - t0) * 10) / 10);
  }
  return { medianMs: [...runsMs].sort((a, b) => a - b)[Math.floor(runs / 2)]!, runsMs };
}

function writeFolder(dir: string, files: ReadonlyMap<string, Uint8Array>): void {
  for (const [path, bytes] of files) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), bytes);
  }
}

/** Both ways of verifying the bundle at `folder` / `archive`, which must be valid and give the same report. */
async function compare(folder: string, archive: string): Promise<Figures> {
  const fromFolder = verifyBundle(await readBundleDirectory(folder), { crypto: NATIVE_VERIFIER_CRYPTO });
  const fromArchive = verifyBundle((await readBundleArchive(archive)).files, { crypto: NATIVE_VERIFIER_CRYPTO });
  if (fromFolder.verdict !== 'valid' || JSON.stringify(fromFolder) !== JSON.stringify(fromArchive)) throw new Error('the folder and its archive do not give the same valid report');
  const files = await readBundleDirectory(folder);
  const bytes = encodeBundleArchive(files);
  const folderVerify = await medianMs(async () => verifyBundle(await readBundleDirectory(folder), { crypto: NATIVE_VERIFIER_CRYPTO }));
  const archiveVerify = await medianMs(async () => verifyBundle((await readBundleArchive(archive)).files, { crypto: NATIVE_VERIFIER_CRYPTO }));
  return {
    files: files.size,
    bundleBytes: [...files.values()].reduce((n, b) => n + b.length, 0),
    archiveBytes: bytes.length,
    readFolderMs: (await medianMs(() => readBundleDirectory(folder))).medianMs,
    readArchiveMs: (await medianMs(() => readBundleArchive(archive))).medianMs,
    encodeMs: (await medianMs(() => encodeBundleArchive(files))).medianMs,
    decodeMs: (await medianMs(() => decodeBundleArchive(bytes))).medianMs,
    verifyFromFolderMs: folderVerify.medianMs,
    verifyFromArchiveMs: archiveVerify.medianMs,
    verifyFromFolderRunsMs: folderVerify.runsMs,
    verifyFromArchiveRunsMs: archiveVerify.runsMs,
  };
}

export const ARCHIVE_BENCHMARK = {
  name: 'archive',
  description:
    'verify from the bundle archive (read, SHA-256, strict decode in memory, verifyBundle on node:crypto) vs from the bundle folder (read every file, verifyBundle), ' +
    'for the demo bundle and the synthetic 100,000-entry bundle: warm-up once, median of 5; encode and decode alone',
  async run(workDir: string): Promise<Figures> {
    const synthetic = await generateSyntheticBundle({});
    const big = join(workDir, 'synthetic');
    writeFolder(join(big, 'bundle'), synthetic.files);
    writeFileSync(join(big, 'bundle.keyrite.tar'), encodeBundleArchive(synthetic.files));
    const demo = await runDemo({ outDir: join(workDir, 'demo'), scrypt: { N: 2 ** 10, r: 8, p: 1 } });
    return {
      demo: await compare(demo.bundle, demo.archive),
      synthetic: { transcriptEntries: synthetic.entries, ...(await compare(join(big, 'bundle'), join(big, 'bundle.keyrite.tar'))) },
    };
  },
};
