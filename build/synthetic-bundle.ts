// A VALID synthetic root-keygen bundle with a large transcript, for `npm run bench` (verifier
// figures). Never used by tests; nothing is written into the repository.
// Also a command (below) that writes one into a folder, for whole-process timings.
//
// How: the real engine runs a rehearsal ceremony (like test/helpers/golden.ts, but with
// `trustees` trustees and a ceil(2n/3)-of-n quorum), in a temp folder, with
//  - the deterministic random stream of test/helpers/golden.ts seeded by `seed` (so the bundle
//    is the same for the same options; this patches the process's random sources for good:
//    load this module only in a bench or dev process, never in the app);
//  - an in-memory transcript store (no fsync per entry);
//  - CeremonyRun.prototype.record wrapped for the run only: right after the step.start of the
//    check-in, entropy, receipts and co-sign steps it appends `step.progress` entries (an entry
//    type the journal does not interpret, ~300 bytes a line) so the transcript ends with
//    exactly `entries` entries. The phase checkpoints, the final checkpoint and the statement
//    are then signed by the engine over the padded transcript, as in a real ceremony.
// The bundle folder is read back into a Map and the temp folder removed.
//
//   node --import tsx build/synthetic-bundle.ts --entries N --out DIR [--trustees N] [--seed TEXT]
// writes the bundle into DIR (which must not exist), prints the master fingerprint on stdout
// and a JSON summary on stderr; `keyrite verify DIR --trust <that fingerprint>` then says VALID.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { concatBytes, utf8 } from '../core/bytes.ts';
import { toHex } from '../core/encoding/hex.ts';
import { sha256 } from '../core/crypto/hash.ts';
import { parseCeremonyScript } from '../core/script/script.ts';
import { parseAnswers } from '../core/ceremony/answers.ts';
import { CeremonyRun } from '../core/ceremony/run.ts';
import type { TranscriptStore } from '../core/ceremony/types.ts';
import type { EntryBody } from '../core/transcript/entry.ts';
import { createNodeCeremonyEnvironment } from '../core/node/ceremony-environment.ts';
import { fixtureAnswersText, fixtureDice, installDeterministicRandom, makeFixtureTokens } from '../test/helpers/golden.ts';
import { readBundleDir } from '../test/helpers/bundle-files.ts';
import { runCeremony } from '../core/ceremony/kinds/root-keygen.ts';

export interface SyntheticBundleOptions {
  /** Transcript entries in total (default 100,000). */
  entries?: number;
  /** Trustees (default 6: 7 principals with the master key). */
  trustees?: number;
  /** Seed of the deterministic random stream (default 'keyrite/bench/synthetic-bundle/v1'). */
  seed?: string;
}

export interface SyntheticBundle {
  files: Map<string, Uint8Array>;
  entries: number;
  paddingEntries: number;
  trustees: number;
  quorum: { n: number; t: number };
  masterFingerprint: string;
  transcriptBytes: number;
  bundleBytes: number;
  generationMs: number;
}

const SCRIPT = new URL('../ceremony-scripts/root-keygen-3of5-rehearsal.yaml', import.meta.url);
const CEREMONY_ID = 'bec4b0000000000000000000000000b1';
const CLOCK = '2026-02-01T09:00:00Z';
/** Steps after whose step.start padding goes, with their share of it (co-sign takes the rest). */
const PAD_SHARES: ReadonlyMap<string, number> = new Map([['check-in', 0.3], ['entropy', 0.3], ['receipts', 0.2]]);
const LAST_PAD_STEP = 'co-sign';
/** Entries the co-sign step writes after its step.start: statement.plan, witness.confirm, ceremony.end. */
const ENTRIES_AFTER_LAST_PAD = 3;

function scriptFor(n: number, t: number): Uint8Array {
  const text = readFileSync(SCRIPT, 'utf8')
    .replace('(3-of-5 escrow)', `(${t}-of-${n} escrow, synthetic bench)`)
    .replace('  trustee: 5\n', `  trustee: ${n}\n`)
    .replace('quorum: { n: 5, t: 3 }', `quorum: { n: ${n}, t: ${t} }`)
    .replace('3-of-5 and check every 3-subset', `${t}-of-${n} and check every ${t}-subset`);
  return utf8(text);
}


function memoryTranscriptStore(): TranscriptStore & { bytes(): Uint8Array | undefined } {
  let chunks: Uint8Array[] | undefined;
  let joined: Uint8Array | undefined;
  const bytes = (): Uint8Array | undefined => {
    if (chunks === undefined) return undefined;
    if (joined === undefined) {
      joined = concatBytes(...chunks);
      chunks = [joined];
    }
    return joined;
  };
  const sink = {
    append(b: Uint8Array): Promise<void> {
      chunks!.push(b.slice());
      joined = undefined;
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
  return {
    // One process owns this in-memory journal.
    lock: () => Promise.resolve({ release: () => Promise.resolve() }),
    read: () => Promise.resolve(bytes()?.slice()),
    create() {
      if (chunks !== undefined) throw new Error('the in-memory journal exists already');
      chunks = [];
      return Promise.resolve(sink);
    },
    openExisting: () => Promise.resolve(sink),
    repairTornTail: () => Promise.resolve(0),
    bytes,
  };
}


/** Generates the bundle (see the header). Deterministic for the same options in a fresh process. */
export async function generateSyntheticBundle(options: SyntheticBundleOptions = {}): Promise<SyntheticBundle> {
  const target = options.entries ?? 100_000;
  const n = options.trustees ?? 6;
  const t = Math.ceil((2 * n) / 3);
  if (!(Number.isSafeInteger(n) && n >= 2 && n <= 20)) throw new Error('trustees must be 2 to 20');
  const t0 = performance.now();
  const random = installDeterministicRandom(options.seed ?? 'keyrite/bench/synthetic-bundle/v1');
  const dir = mkdtempSync(join(tmpdir(), 'keyrite-synthetic-'));
  const originalRecord = Object.getOwnPropertyDescriptor(CeremonyRun.prototype, 'record')!;
  try {
    const parsed = parseCeremonyScript(scriptFor(n, t));
    const trustees = Array.from({ length: n }, (_, i) => `trustee-${i + 1}`);
    const { env, pinVar } = await makeFixtureTokens(dir, { tag: 'Synthetic', envPrefix: 'SYNTH', ids: ['master', ...trustees], clock: CLOCK });
    const confirm = parsed.script.steps.filter((st) => st.witness).map((st) => st.id);
    const text = fixtureAnswersText({ ceremonyId: CEREMONY_ID, clock: CLOCK, tag: 'Synthetic', trustees, pinVar, dice: (i) => fixtureDice(2000, i), confirm });
    writeFileSync(join(dir, 'answers.yaml'), text);
    const answers = parseAnswers(utf8(text), parsed);
    const store = memoryTranscriptStore();
    const nodeEnv = createNodeCeremonyEnvironment({
      outDir: join(dir, 'out'),
      answersDir: dir,
      env,
      interactive: false,
      confirmations: answers.confirm,
      progress: () => undefined,
      random,
      clock: () => new Date(Date.parse(CLOCK)),
      networkInterfaces: () => [{ name: 'lo', addresses: [{ family: 'IPv4', address: '127.0.0.1', internal: true }] }],
    });

    let padded = 0;
    const budget = target - 200; // what the steps before co-sign may take; co-sign pads to the exact total
    const record = originalRecord.value as CeremonyRun['record'];
    async function pad(run: CeremonyRun, step: string, count: number): Promise<void> {
      for (let i = 0; i < count; i++) {
        const digest = toHex(random(16));
        await record.call(run, 'step.progress', run.admin.id, {
          step,
          progress: { done: i + 1, total: count },
          detail: `synthetic record ${padded + 1} (bench padding)`,
          sample: digest,
        });
        padded++;
      }
    }
    Object.defineProperty(CeremonyRun.prototype, 'record', {
      ...originalRecord,
      value: async function (this: CeremonyRun, type: string, actor: string, body: EntryBody): Promise<void> {
        await record.call(this, type, actor, body);
        if (type !== 'step.start' || this.sealed) return;
        const step = String(body.step);
        const share = PAD_SHARES.get(step);
        if (share !== undefined) await pad(this, step, Math.floor(budget * share));
        else if (step === LAST_PAD_STEP) await pad(this, step, target - this.writer.size() - ENTRIES_AFTER_LAST_PAD);
      },
    });

    let masterFingerprint: string;
    try {
      const result = await runCeremony({ parsed, answers, env: { ...nodeEnv, transcript: store }, options: { mldsaSigning: 'deterministic' } });
      masterFingerprint = result.master.fingerprint;
    } finally {
      Object.defineProperty(CeremonyRun.prototype, 'record', originalRecord);
      await nodeEnv.close();
    }
    const files = readBundleDir(join(dir, 'out', 'bundle'));
    const transcript = files.get('transcript.jsonl')!;
    let entries = 0;
    for (const b of transcript) if (b === 0x0a) entries++;
    if (entries !== target) throw new Error(`the synthetic transcript has ${entries} entries, not ${target}`);
    let bundleBytes = 0;
    for (const b of files.values()) bundleBytes += b.length;
    return {
      files,
      entries,
      paddingEntries: padded,
      trustees: n,
      quorum: { n, t },
      masterFingerprint,
      transcriptBytes: transcript.length,
      bundleBytes,
      generationMs: Math.round(performance.now() - t0),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes the bundle's files under `dir`, which must not exist yet (no file is ever overwritten). */
export function writeSyntheticBundle(files: ReadonlyMap<string, Uint8Array>, dir: string): void {
  mkdirSync(dir);
  for (const [path, bytes] of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), bytes, { flag: 'wx' });
  }
}

const USAGE = 'usage: node --import tsx build/synthetic-bundle.ts --entries N --out DIR [--trustees N] [--seed TEXT]';

if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const { values } = parseArgs({ options: { entries: { type: 'string' }, out: { type: 'string' }, trustees: { type: 'string' }, seed: { type: 'string' } } });
  if (values.entries === undefined || values.out === undefined || !/^[1-9][0-9]*$/.test(values.entries)) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(2);
  }
  const b = await generateSyntheticBundle({
    entries: Number(values.entries),
    ...(values.trustees ? { trustees: Number(values.trustees) } : {}),
    ...(values.seed ? { seed: values.seed } : {}),
  });
  writeSyntheticBundle(b.files, values.out);
  const { files, ...summary } = b;
  process.stderr.write(JSON.stringify({ ...summary, out: values.out, files: files.size, transcriptSha256: toHex(sha256(files.get('transcript.jsonl')!)) }) + '\n');
  process.stdout.write(`${b.masterFingerprint}\n`);
}
