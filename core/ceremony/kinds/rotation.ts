/**
 * rotation (DESIGN.md "The key's life after the root ceremony"; docs/CEREMONY-SCRIPTS.md
 * "Rotation"; docs/FORMATS.md "Rotation"): the master key of the current bundle is replaced.
 * What this kind adds to the engine, from the kinds before it:
 *  - pre-flight: the link to the current bundle (a root-keygen or a rotation bundle), read before
 *    anything is written and recorded in ceremony.start, as a recovery does; the trustees' new
 *    output folders hold no share files; an interrupted rotation is refused, never resumed;
 *  - the quorum unlock of a recovery (verify-bundle, check-in against the current bundle,
 *    collect-share, combine); the OLD key is then taken out of `run.master`, both halves in
 *    memory only, and its token is never opened;
 *  - the root ceremony's key steps for the NEW key (the key label free on the new master token,
 *    entropy, generate, import, split, distribute, verify-receipts), through the same actions;
 *  - cross-sign: the key states (actions/cross-sign.ts);
 *  - co-sign: the final checkpoint by the new key and the trustees, the statement by the new key,
 *    the old key and every trustee; the old key's halves are wiped once it has signed.
 */
import { KeyriteError } from '../../errors.ts';
import { ed25519Sign } from '../../crypto/ed25519.ts';
import { makeHybridSigner, type HybridSigner } from '../../crypto/hybrid.ts';
import { mldsa65Sign } from '../../crypto/mldsa65.ts';
import { expectStrings } from '../../encoding/json-fields.ts';
import { readTranscript } from '../../transcript/transcript.ts';
import type { CeremonyStep, ParsedCeremonyScript, StepOf } from '../../script/script.ts';
import { ENTRY } from '../../bundle/entries.ts';
import { parseKeyStates } from '../../bundle/key-states.ts';
import { KEY_STATES_FILE, TRANSCRIPT_FILE } from '../../bundle/layout.ts';
import { principalName, readableFingerprint } from '../../bundle/principals.ts';
import type { BundleLink } from '../../bundle/statement.ts';
import { sha256Hex, type RotationFacts } from '../bundle-writer.ts';
import { TRUSTEE_FILES } from '../journal.ts';
import { tokenRecordOf, type CeremonyRun } from '../run.ts';
import type { BundleArchive, BundleCheck, CeremonyEnvironment, FileRef, TrusteeSummary } from '../types.ts';
import type { Answers } from '../answers.ts';
import { assertTrusteeCoSignBeforeExport, type KindEngine, type Preflight } from '../kind.ts';
import { runKind, type RunInput } from '../engine.ts';
import { airGapCheck } from '../actions/air-gap-check.ts';
import { selfTest } from '../actions/self-test.ts';
import { checkIn } from '../actions/check-in.ts';
import { login, tokenSelect } from '../actions/token-select.ts';
import { entropy } from '../actions/entropy.ts';
import { generate } from '../actions/generate.ts';
import { importKey } from '../actions/import.ts';
import { split } from '../actions/split.ts';
import { distribute } from '../actions/distribute.ts';
import { verifyReceipts } from '../actions/verify-receipts.ts';
import { checkpoint, journalCheckpointNotes } from '../actions/checkpoint.ts';
import { coSign, type Closing } from '../actions/co-sign.ts';
import { requireManifest } from '../actions/escrow-files.ts';
import { requireMasterSecret } from '../actions/master-restore.ts';
import { bundleDir, verifyBundle } from '../actions/verify-bundle.ts';
import { collectShares } from '../actions/collect-share.ts';
import { combine } from '../actions/combine.ts';
import { crossSign } from '../actions/cross-sign.ts';
import { wipeRotationSecrets, type RotationState } from '../actions/rotation-state.ts';
import type { ShareRejection } from '../../escrow/recovery.ts';
import { admitTrusteeOfOriginal, readLink, closedLinkAndStatement } from './escrow-recovery.ts';
import { masterPrecheck } from './root-keygen.ts';

const GATES: ReadonlySet<string> = new Set(['air-gap-check', 'self-test']);

export interface RotationOutcome {
  readonly ok: true;
  /** Id of this rotation (its transcript's origin). */
  readonly ceremonyId: string;
  readonly run: number;
  /** The bundle whose key was rotated out, as recorded at the start and checked against its verified bundle. */
  readonly original: BundleLink;
  readonly anchored: boolean;
  readonly bundleChecks: readonly BundleCheck[];
  /** Trustees whose shares unlocked the old key. */
  readonly used: readonly string[];
  readonly rejected: readonly ShareRejection[];
  /** The key rotated out: deprecated (verify-only) until `until`. */
  readonly previous: { readonly fingerprint: string; readonly hexGroups: string; readonly words: readonly string[]; readonly until: string };
  /** The new master key: active. */
  readonly master: { readonly fingerprint: string; readonly hexGroups: string; readonly words: readonly string[]; readonly keyLabel: string; readonly tokenUri: string };
  /** When the rotation took effect (cross-sign) and the SHA-256 of keys/key-states.json. */
  readonly rotatedAt: string;
  readonly keyStatesSha256: string;
  readonly trustees: readonly TrusteeSummary[];
  readonly journal: FileRef;
  readonly checkpoints: readonly string[];
  readonly bundle: FileRef;
  readonly archive: BundleArchive;
  readonly exportChecks: readonly BundleCheck[];
}

function checkShape(parsed: ParsedCeremonyScript): void {
  const s = parsed.script;
  if (s.kind !== 'rotation') throw new KeyriteError('UNSUPPORTED', `This engine runs rotation scripts; this one is ${s.kind}.`);
  if (s.algorithms.classical !== 'Ed25519') throw new KeyriteError('UNSUPPORTED', 'The master key is Ed25519 + ML-DSA-65; set algorithms.classical: Ed25519.');
  assertTrusteeCoSignBeforeExport(parsed, { script: 'A rotation script', transcript: 'rotation transcript', where: 'a rotation' });
}

/** The current bundle is a root-keygen or a rotation bundle: the kinds that make a master key (a revocation checks the same). */
export async function checkCurrentKind(env: CeremonyEnvironment, answers: Answers, noun = 'a rotation', does = 'whose master key it replaces'): Promise<void> {
  const ref: FileRef = { root: 'answers', path: `${bundleDir(answers)}/${TRANSCRIPT_FILE}` };
  const bytes = await env.files.read(ref);
  if (bytes === undefined) throw new KeyriteError('IO_ERROR', `No public bundle at ${env.files.display({ root: 'answers', path: bundleDir(answers) })} (${TRANSCRIPT_FILE} is missing).`);
  let kind: unknown;
  try {
    kind = readTranscript(bytes).entries[0]?.body.kind;
  } catch {
    throw new KeyriteError('VERIFY_FAILED', `The bundle's ${TRANSCRIPT_FILE} cannot be read; it is not a Keyrite bundle, or not all of it was copied.`);
  }
  if (kind !== 'root-keygen' && kind !== 'rotation') {
    throw new KeyriteError('ANSWERS_INVALID', `The bundle given (answers bundle.path) is ${typeof kind === 'string' ? `a ${kind.slice(0, 40)}` : 'not a'} bundle; ${noun} builds on the root bundle or the last rotation bundle, ${does}.`);
  }
}

/** Each trustee's new output folder holds no share files: the new envelopes never go over the old ones. */
async function checkOutputFolders(answers: Answers, env: CeremonyEnvironment): Promise<void> {
  const found: string[] = [];
  for (const t of answers.participants) {
    if (t.role !== 'trustee' || t.output === undefined) continue;
    for (const f of [TRUSTEE_FILES.envelope, TRUSTEE_FILES.paper, TRUSTEE_FILES.card]) {
      const ref: FileRef = { root: 'answers', path: `${t.output}/${f}` };
      if ((await env.files.kind(ref)) !== undefined) found.push(env.files.display(ref));
    }
  }
  if (found.length > 0) throw new KeyriteError('OBJECT_EXISTS', `The trustees' output folders already hold share files: ${found.join(', ')}. The new key's envelopes go to new, empty folders (never the folder that holds a share of the old key); Keyrite never overwrites them.`);
}

async function prepare({ answers, env, previous }: Preflight): Promise<RotationState> {
  if (previous) {
    throw new KeyriteError(
      'CEREMONY_ERROR',
      'This run folder holds the journal of an interrupted ceremony; a rotation is not resumed. Its new key may already be on the new master token and its envelopes in the trustees\' new folders: it must never be published. Destroy that key (with the token\'s own tools) and those envelopes, then start the rotation again in a new --out folder.',
    );
  }
  await checkCurrentKind(env, answers);
  await checkOutputFolders(answers, env);
  const link = await readLink(env, answers);
  return { link, offers: [], rejected: [], currentSince: '' };
}

/** After verify-bundle: when the current key became active (its ceremony.end) and the key states it published, from the verified bundle. */
export async function readCurrent(run: CeremonyRun, st: Pick<RotationState, 'currentSince' | 'currentStates'>): Promise<void> {
  const dir = bundleDir(run.answers);
  const transcript = await run.env.files.read({ root: 'answers', path: `${dir}/${TRANSCRIPT_FILE}` });
  const end = transcript === undefined ? undefined : readTranscript(transcript).entries.at(-1);
  if (end?.type !== ENTRY.ceremonyEnd) throw new KeyriteError('VERIFY_FAILED', "The current bundle's transcript does not end with ceremony.end.");
  st.currentSince = end.time;
  const states = await run.env.files.read({ root: 'answers', path: `${dir}/${KEY_STATES_FILE}` });
  if (states !== undefined) st.currentStates = parseKeyStates(states);
}

/** The old key moves out of run.master: from here on the root ceremony's actions make and escrow the new one. */
function takeOldKey(run: CeremonyRun, st: RotationState): void {
  const m = run.master!;
  st.old = { publicKey: m.publicKey, fingerprint: m.fingerprint, edSeed: m.edSeed!, mldsaSecretKey: m.mldsaSecretKey! };
  run.master = undefined;
}

/** The old key's hybrid signer, both halves from the quorum unlock in memory. */
function oldKeySigner(run: CeremonyRun, st: RotationState): HybridSigner {
  const old = st.old;
  if (!old?.edSeed || !old.mldsaSecretKey) throw new KeyriteError('CEREMONY_ERROR', 'The old master key is not unlocked in this run; the script must combine the shares first.');
  const seed = old.edSeed;
  const sk = old.mldsaSecretKey;
  const opts = run.mldsaOptions();
  return makeHybridSigner({ alg: 'Ed25519', publicKey: old.publicKey.classical.publicKey, sign: async (msg) => ed25519Sign(seed, msg) }, { publicKey: old.publicKey.pq.publicKey, sign: (msg) => mldsa65Sign(sk, msg, opts) });
}

function receiptFacts(run: CeremonyRun): RotationFacts['receipts'] {
  return run.trusteeAnswers.map((t) => {
    const b = ((run.receipts.get(t.id) as { body?: Record<string, unknown> } | undefined)?.body ?? {});
    return { trusteeId: t.id, x: Number(b.x), commitmentCheck: String(b.commitmentCheck), blobCheck: String(b.blobCheck) };
  });
}

async function bundleFacts(run: CeremonyRun, st: RotationState): Promise<RotationFacts> {
  const m = run.master;
  if (!m || !st.old || !st.keyStates) throw new KeyriteError('CEREMONY_ERROR', 'There is no new master key, unlocked old key or key states in this run.');
  await requireManifest(run);
  const { end, original, originalStatement } = await closedLinkAndStatement(run, 'rotation');
  return {
    kind: 'rotation',
    ...(await run.bundleBasics()),
    original,
    originalStatement,
    master: { fingerprint: m.fingerprint, publicKey: m.publicKey, keyLabel: run.script.tokens.master.keyLabel, token: tokenRecordOf(run.session('master').desc) },
    previous: { fingerprint: st.old.fingerprint, publicKey: st.old.publicKey, until: st.keyStates.until },
    keyStates: st.keyStates.bytes,
    graceDays: st.keyStates.graceDays,
    trustees: run.checkedInTrustees(),
    manifestBytes: run.manifestBytes!,
    receipts: receiptFacts(run),
    sharesCombined: expectStrings(end.body.sharesCombined, 'shares combined in ceremony.end'),
  };
}

/** co-sign's last checks: every receipt is in and the key states are fixed; ceremony.end names both keys. */
async function close(run: CeremonyRun, step: StepOf<'co-sign'>, st: RotationState): Promise<Closing> {
  const m = run.master;
  const missing = run.trusteeAnswers.filter((t) => !run.receipts.has(t.id));
  if (missing.length > 0) throw new KeyriteError('CEREMONY_ERROR', `The rotation cannot be co-signed before every trustee has confirmed their new share; missing: ${missing.map((t) => run.whoIs(t.id)).join(', ')}.`);
  if (!m?.tokenRef || !st.old || !st.keyStates) throw new KeyriteError('CEREMONY_ERROR', 'The rotation is co-signed only after the new key is on its token and the key states are fixed; the script must cross-sign first.');
  await requireMasterSecret(run, step.id);
  const trustees = run.checkedInTrustees();
  return {
    summary: [
      `The rotation transcript (${run.writer.size()} entries so far) is closed. Its statement is signed by:`,
      `  the NEW master key ${m.fingerprint.slice(0, 16)}… (classical half on the new master token)`,
      `  the OLD master key ${st.old.fingerprint.slice(0, 16)}… (both halves from the quorum unlock)`,
      ...trustees.map((t) => `  ${run.whoIs(t.id)} ${t.fingerprint.slice(0, 16)}…`),
      `Key states: SHA-256 ${sha256Hex(st.keyStates.bytes)}`,
    ],
    end: {
      kind: 'rotation',
      original: { ...st.link },
      previousFingerprint: st.old.fingerprint,
      masterFingerprint: m.fingerprint,
      keyStatesSha256: sha256Hex(st.keyStates.bytes),
      sharesCombined: [...(st.used ?? [])],
      trustees: trustees.map((t) => ({ id: t.id, fingerprint: t.fingerprint })),
      receipts: run.receipts.size,
      signers: [principalName(m.fingerprint), principalName(st.old.fingerprint), ...trustees.map((t) => principalName(t.fingerprint))],
      next: 'the final checkpoint and the signed statement cover this transcript as it ends here; the rotation bundle is exported from them',
    },
  };
}

function trusteeSummaries(run: CeremonyRun): TrusteeSummary[] {
  return run.trusteeAnswers.map((t) => {
    const r = run.trusteeRecord(t.id);
    const files = [TRUSTEE_FILES.envelope, ...(run.script.escrow?.paperBackup ? [TRUSTEE_FILES.paper] : []), TRUSTEE_FILES.card].map((f) => `${t.output}/${f}`);
    return { id: t.id, name: t.name, fingerprint: r.fingerprint, files };
  });
}

export const ROTATION: KindEngine<RotationState, RotationOutcome> = {
  kind: 'rotation',
  noun: 'rotation',
  masterToken: 'the new master token',
  stepEntries: 'performer',
  checkShape,
  prepare,
  startBody: (_run, st) => ({ original: { ...st.link } }),
  keyLife: (previous) => previous.key,
  steps: {
    'air-gap-check': airGapCheck,
    'self-test': selfTest,
    'verify-bundle': async (run, step, st) => {
      await verifyBundle(run, step, st);
      await readCurrent(run, st);
    },
    'check-in': (run, step, st) => checkIn(run, step, (record) => admitTrusteeOfOriginal(run, st, record)),
    'collect-share': collectShares,
    combine: async (run, step, st) => {
      await combine(run, step, st);
      takeOldKey(run, st);
    },
    'token-select': tokenSelect,
    login,
    entropy,
    generate,
    import: importKey,
    split,
    distribute,
    'verify-receipts': verifyReceipts,
    checkpoint,
    'cross-sign': crossSign,
    'co-sign': async (run, step, st) => {
      await coSign(run, step, () => close(run, step, st), () => bundleFacts(run, st), () => oldKeySigner(run, st));
      // The old key has signed its successor: its halves are not needed any more.
      wipeRotationSecrets(st);
    },
  },
  repeatsItself: ['check-in', 'checkpoint'],
  repeatReason: (step: CeremonyStep) => `a rotation is never resumed; step ${step.id} is not repeated`,
  async beforeStep(run, step, st) {
    // Before the first step past the gates, as in a root ceremony: the new key label must be free on the new master token.
    if (st.labelChecked === true || GATES.has(step.action)) return;
    await masterPrecheck(run);
    st.labelChecked = true;
  },
  afterStep(run, step) {
    // The envelopes are durable and step.end is recorded: the new key is escrowed.
    if (step.action === 'distribute') run.keyInFlight = false;
  },
  bundleFacts: (run, st) => bundleFacts(run, st),
  async onFailure(run) {
    if (!run.keyInFlight) return;
    await run.record(ENTRY.keyAbandoned, run.admin.id, {
      fingerprint: run.master?.fingerprint ?? null,
      importedLabel: run.master?.tokenRef ? run.master.tokenRef.label : null,
      reason: 'the rotation stopped before the new master key was completely escrowed; its seed was wiped from memory, so this key must never be used',
    });
  },
  async result(run, st, exported) {
    const m = run.master!;
    const n = readableFingerprint(m.fingerprint);
    const o = readableFingerprint(st.old!.fingerprint);
    return {
      ok: true,
      ceremonyId: run.ceremonyId,
      run: run.runNumber,
      original: st.link,
      anchored: st.anchored!,
      bundleChecks: st.bundleChecks!,
      used: st.used!,
      rejected: st.rejected,
      previous: { fingerprint: st.old!.fingerprint, hexGroups: o.hexGroups, words: o.words, until: st.keyStates!.until },
      master: { fingerprint: m.fingerprint, hexGroups: n.hexGroups, words: n.words, keyLabel: run.script.tokens.master.keyLabel, tokenUri: run.session('master').desc.uri },
      rotatedAt: st.keyStates!.at,
      keyStatesSha256: sha256Hex(st.keyStates!.bytes),
      trustees: trusteeSummaries(run),
      journal: { root: 'out', path: 'journal/transcript.jsonl' },
      checkpoints: await journalCheckpointNotes(run),
      bundle: exported.bundle,
      archive: exported.archive,
      exportChecks: exported.checks,
    };
  },
  dispose: wipeRotationSecrets,
};

/** Runs a rotation (`keyrite ceremony run` of a rotation script). */
export function runRotation(input: RunInput): Promise<RotationOutcome> {
  return runKind(ROTATION, input);
}
