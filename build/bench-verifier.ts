// The `verifier` entry of `npm run bench` (build/bench.ts): verifyBundle on a synthetic valid
// bundle with a 100,000-entry transcript (build/synthetic-bundle.ts) and on the golden
// bundle, with node:crypto and with noble, plus where the time goes in the transcript reader.
// No targets here (`npm run bench --details`): the targets are the rows of build/bench-rows.ts
// (issue 18 replaced issue 5's "≥ 5× a noble-only Keyrite").
// `perCall` times the two primitives the backends differ in, alone, in the same run: Ed25519
// verification (where the 5× applies) and SHA-256 of a transcript line and of a Merkle node,
// whose per-call ratio caps the whole-bundle ratio (docs/VERIFIER.md "Performance").
import { performance } from 'node:perf_hooks';
import { ed25519 } from '@noble/curves/ed25519.js';
import { analyzeJournal } from '../core/ceremony/journal.ts';
import { NATIVE_VERIFIER_CRYPTO } from '../core/node/native-verifier-crypto.ts';
import { parseEntryLine } from '../core/transcript/entry.ts';
import { MerkleTree, leafHash, type Sha256 } from '../core/transcript/merkle.ts';
import { readTranscript } from '../core/transcript/transcript.ts';
import { NOBLE_VERIFIER_CRYPTO, verifyBundle, type VerifierCrypto } from '../core/verifier/verify.ts';
import { readBundleDir } from '../test/helpers/bundle-files.ts';
import { GOLDEN_FIXTURE } from '../test/helpers/golden.ts';
import { generateSyntheticBundle } from './synthetic-bundle.ts';

export const SYNTHETIC_ENTRIES = 100_000;
export const SYNTHETIC_TRUSTEES = 6;

type Figures = Record<string, unknown>;

/** Warm-up once, then `runs` timed runs: the median and every run, in ms (to 0.1 ms). */
export function timeMedian(fn: () => void, runs = 3): { medianMs: number; runsMs: number[] } {
  fn();
  const runsMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    runsMs.push(Math.round((performance.now() - t0) * 10) / 10);
  }
  const sorted = [...runsMs].sort((a, b) => a - b);
  return { medianMs: sorted[Math.floor(sorted.length / 2)]!, runsMs };
}

/** verifyBundle must say valid with every check passed: timing a failing verification would measure nothing. */
function verifyValid(files: Map<string, Uint8Array>, crypto: VerifierCrypto): void {
  const r = verifyBundle(files, { crypto });
  const bad = r.checks.filter((c) => c.status !== 'pass');
  if (r.verdict !== 'valid' || bad.length > 0) throw new Error(`verification (${crypto.name}) is ${r.verdict}: ${bad.map((c) => `${c.name} ${c.status}: ${c.detail}`).join('; ')}`);
}

/** The transcript reader's parts, each timed alone on the same bytes (medians of 3 after a warm-up). */
function transcriptBreakdown(transcript: Uint8Array, verifyNativeMs: number): Figures {
  const spans: [number, number][] = [];
  for (let start = 0; ; ) {
    const lf = transcript.indexOf(0x0a, start);
    if (lf < 0) break;
    spans.push([start, lf]);
    start = lf + 1;
  }
  const native = NATIVE_VERIFIER_CRYPTO.sha256;
  const noble = NOBLE_VERIFIER_CRYPTO.sha256;
  const leaves = spans.map(([a, z]) => leafHash(transcript.subarray(a, z)));
  const entries = readTranscript(transcript).entries;
  const ms = (fn: () => void): number => timeMedian(fn).medianMs;
  const leafMs = (h: Sha256): number =>
    ms(() => {
      for (const [a, z] of spans) leafHash(transcript.subarray(a, z), h);
    });
  const merkleMs = (h: Sha256): number =>
    ms(() => {
      const t = new MerkleTree(h);
      for (const l of leaves) t.append(l);
      t.root();
    });
  const readNativeMs = ms(() => readTranscript(transcript, { sha256: native }));
  return {
    readTranscriptNativeHashMs: readNativeMs,
    readTranscriptNobleHashMs: ms(() => readTranscript(transcript, { sha256: noble })),
    parseEntryLinesMs: ms(() => {
      for (const [a, z] of spans) parseEntryLine(transcript.subarray(a, z));
    }),
    leafHashesNativeMs: leafMs(native),
    leafHashesNobleMs: leafMs(noble),
    merkleAppendsNativeMs: merkleMs(native),
    merkleAppendsNobleMs: merkleMs(noble),
    analyzeJournalMs: ms(() => analyzeJournal(entries)),
    transcriptFileSha256NativeMs: ms(() => native(transcript)),
    transcriptFileSha256NobleMs: ms(() => noble(transcript)),
    restOfVerifyNativeMs: Math.round((verifyNativeMs - readNativeMs) * 10) / 10,
    note: 'readTranscript = strict parse of each line (crypto-independent) + leaf hashes + Merkle appends (the verifier\'s SHA-256); restOfVerify = everything else in verifyBundle (file hashes, journal, checkpoints, ML-DSA-65 (always noble) and Ed25519 signatures)',
  };
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

/** Mean µs per call over `calls` calls (after one warm-up pass), median of 3 passes. */
function microsPerCall(calls: number, fn: (i: number) => void): number {
  const pass = (): void => {
    for (let i = 0; i < calls; i++) fn(i);
  };
  return round2((timeMedian(pass).medianMs * 1000) / calls);
}

/**
 * The primitives alone. SHA-256 inputs are a leaf input of the synthetic transcript's mean line
 * length and a 65-byte node input; the ceiling is the noble/native ratio of one entry's two
 * hashes (leaf and its share of the nodes), i.e. the whole-bundle ratio if nothing but SHA-256 took time.
 */
function perCallFigures(transcript: Uint8Array, entries: number): Figures {
  const lineBytes = Math.round(transcript.length / entries) + 1;
  const inputs = (n: number): Uint8Array[] => Array.from({ length: 1024 }, (_, i) => transcript.slice(i * 7, i * 7 + n));
  const leafInputs = inputs(lineBytes);
  const nodeInputs = inputs(65);
  const sha = (h: Sha256, xs: Uint8Array[]): number => microsPerCall(100_000, (i) => h(xs[i & 1023]!));
  const leaf = { nobleUs: sha(NOBLE_VERIFIER_CRYPTO.sha256, leafInputs), nativeUs: sha(NATIVE_VERIFIER_CRYPTO.sha256, leafInputs) };
  const node = { nobleUs: sha(NOBLE_VERIFIER_CRYPTO.sha256, nodeInputs), nativeUs: sha(NATIVE_VERIFIER_CRYPTO.sha256, nodeInputs) };
  const secretKey = ed25519.utils.randomSecretKey();
  const publicKey = ed25519.getPublicKey(secretKey);
  const message = transcript.slice(0, 600);
  const signature = ed25519.sign(message, secretKey);
  const verifyOrThrow = (ok: boolean): void => {
    if (!ok) throw new Error('a valid Ed25519 signature did not verify');
  };
  const ed = {
    nobleUs: microsPerCall(300, () => verifyOrThrow(NOBLE_VERIFIER_CRYPTO.ed25519.verify(publicKey, message, signature))),
    nativeUs: microsPerCall(3000, () => verifyOrThrow(NATIVE_VERIFIER_CRYPTO.ed25519.verify(publicKey, message, signature))),
  };
  return {
    ed25519Verify: { ...ed, ratioNobleToNative: round2(ed.nobleUs / ed.nativeUs) },
    sha256Leaf: { inputBytes: lineBytes, ...leaf, ratioNobleToNative: round2(leaf.nobleUs / leaf.nativeUs) },
    sha256Node: { inputBytes: 65, ...node, ratioNobleToNative: round2(node.nobleUs / node.nativeUs) },
    sha256CeilingRatio: round2((leaf.nobleUs + node.nobleUs) / (leaf.nativeUs + node.nativeUs)),
    note: 'sha256CeilingRatio is the best whole-bundle ratio possible with these backends: each entry costs one leaf and about one node hash in both paths, and nothing else differs per entry',
  };
}

export const VERIFIER_BENCHMARK = {
  name: 'verifier',
  description:
    `verifyBundle on a synthetic valid root-keygen bundle (${SYNTHETIC_ENTRIES} transcript entries, master + ${SYNTHETIC_TRUSTEES} trustees; build/synthetic-bundle.ts) ` +
    'and on the golden bundle, node:crypto vs noble: warm-up once, then the median of 3. wallMs includes generating the bundle (generation.ms); the targets are in the default bench rows',
  async run(): Promise<Figures> {
    const golden = readBundleDir(GOLDEN_FIXTURE);
    verifyValid(golden, NATIVE_VERIFIER_CRYPTO);
    verifyValid(golden, NOBLE_VERIFIER_CRYPTO);
    const goldenNative = timeMedian(() => verifyBundle(golden, { crypto: NATIVE_VERIFIER_CRYPTO }));
    const goldenNoble = timeMedian(() => verifyBundle(golden, { crypto: NOBLE_VERIFIER_CRYPTO }));

    const synthetic = await generateSyntheticBundle({ entries: SYNTHETIC_ENTRIES, trustees: SYNTHETIC_TRUSTEES });
    const { files } = synthetic;
    verifyValid(files, NATIVE_VERIFIER_CRYPTO);
    verifyValid(files, NOBLE_VERIFIER_CRYPTO);
    const native = timeMedian(() => verifyBundle(files, { crypto: NATIVE_VERIFIER_CRYPTO }));
    const noble = timeMedian(() => verifyBundle(files, { crypto: NOBLE_VERIFIER_CRYPTO }));
    const ratio = round2(noble.medianMs / native.medianMs);
    const perCall = perCallFigures(files.get('transcript.jsonl')!, synthetic.entries);
    return {
      generation: {
        ms: synthetic.generationMs,
        entries: synthetic.entries,
        paddingEntries: synthetic.paddingEntries,
        principals: synthetic.trustees + 1,
        quorum: `${synthetic.quorum.t}-of-${synthetic.quorum.n}`,
        transcriptBytes: synthetic.transcriptBytes,
        bundleFiles: files.size,
        bundleBytes: synthetic.bundleBytes,
      },
      synthetic: {
        nativeMs: native.medianMs,
        nobleMs: noble.medianMs,
        ratioNobleToNative: ratio,
        nativeRunsMs: native.runsMs,
        nobleRunsMs: noble.runsMs,
        entriesPerSecondNative: Math.round(synthetic.entries / (native.medianMs / 1000)),
      },
      ratioCeiling: perCall.sha256CeilingRatio,
      perCall,
      breakdown: transcriptBreakdown(files.get('transcript.jsonl')!, native.medianMs),
      golden: {
        transcriptEntries: readTranscript(golden.get('transcript.jsonl')!).size,
        nativeMs: goldenNative.medianMs,
        nobleMs: goldenNoble.medianMs,
        ratioNobleToNative: round2(goldenNoble.medianMs / goldenNative.medianMs),
        nativeRunsMs: goldenNative.runsMs,
        nobleRunsMs: goldenNoble.runsMs,
      },
    };
  },
};
