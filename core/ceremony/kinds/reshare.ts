/**
 * reshare (DESIGN.md "Trustee change"; docs/CEREMONY-SCRIPTS.md "Reshare"; docs/FORMATS.md
 * "Reshare"): the escrow of the current master key moves to a new set of holders, in a new
 * epoch; the master key does not change. What this kind adds to the engine, from the kinds
 * before it:
 *  - pre-flight: the link to the current bundle (root-keygen, rotation or reshare), read before
 *    anything is written and recorded in ceremony.start; the new holders' output folders hold no
 *    identity or share files; an interrupted reshare is refused, never resumed;
 *  - two phases of trustees (run.trusteeAnswers): the OLD holders who unlock (answers `keyring`
 *    and `envelope`: a recovery's check-in, collect-share and combine; paper words allowed), then
 *    the holders of the NEW epoch (answers `output`), who all enrol a new identity on their token
 *    — continuing holders included, since their old identity's sealing key is destroyed;
 *  - the root ceremony's split, distribute and verify-receipts for the new epoch (epoch + 1) of the
 *    same S, which combine kept for the split (the split wipes it);
 *  - destroy-old-keys (actions/destroy-old-keys.ts): old identities destroyed on their tokens, old
 *    paper destroyed before the witness, the old epoch recorded as superseded;
 *  - co-sign: the master key (both halves from the quorum unlock, in memory; its token is never
 *    opened for signing) and every new holder; the old quorum signed the quorum-present checkpoint.
 */
import { KeyriteError } from '../../errors.ts';
import { expectStrings } from '../../encoding/json-fields.ts';
import { readTranscript } from '../../transcript/transcript.ts';
import type { CeremonyStep, ParsedCeremonyScript } from '../../script/script.ts';
import { ESCROW_MANIFEST_FILE, TRANSCRIPT_FILE } from '../../bundle/layout.ts';
import { principalName, readableFingerprint } from '../../bundle/principals.ts';
import type { BundleLink } from '../../bundle/statement.ts';
import { sha256Hex, type ReshareFacts } from '../bundle-writer.ts';
import { TRUSTEE_FILES } from '../journal.ts';
import { tokenRecordOf, type CeremonyRun } from '../run.ts';
import type { BundleArchive, BundleCheck, CeremonyEnvironment, FileRef, TrusteeSummary } from '../types.ts';
import type { Answers, TrusteeAnswers } from '../answers.ts';
import { assertTrusteeCoSignBeforeExport, type KindEngine, type Preflight } from '../kind.ts';
import { runKind, type RunInput } from '../engine.ts';
import { airGapCheck } from '../actions/air-gap-check.ts';
import { selfTest } from '../actions/self-test.ts';
import { checkIn } from '../actions/check-in.ts';
import { outputFolder } from '../actions/common.ts';
import { splitEpoch } from '../actions/split.ts';
import { distribute } from '../actions/distribute.ts';
import { verifyReceipts } from '../actions/verify-receipts.ts';
import { checkpoint, journalCheckpointNotes } from '../actions/checkpoint.ts';
import { coSign, type Closing } from '../actions/co-sign.ts';
import { requireManifest } from '../actions/escrow-files.ts';
import { bundleDir, verifyBundle } from '../actions/verify-bundle.ts';
import { collectShares } from '../actions/collect-share.ts';
import { combine } from '../actions/combine.ts';
import { destroyOldKeys } from '../actions/destroy-old-keys.ts';
import { wipeOffers } from '../actions/recovery-state.ts';
import type { OldHolderStatus, ReshareState } from '../actions/reshare-state.ts';
import type { ShareRejection } from '../../escrow/recovery.ts';
import { admitPaperTrusteeOfOriginal, admitTrusteeOfOriginal, readLink, closedLinkAndStatement } from './escrow-recovery.ts';

export interface ReshareOutcome {
  readonly ok: true;
  readonly ceremonyId: string;
  readonly run: number;
  /** The bundle whose escrow epoch is superseded. */
  readonly original: BundleLink;
  readonly anchored: boolean;
  readonly bundleChecks: readonly BundleCheck[];
  /** Old holders whose shares unlocked the key, and those refused. */
  readonly used: readonly string[];
  readonly rejected: readonly ShareRejection[];
  /** The master key (unchanged). */
  readonly master: { readonly fingerprint: string; readonly hexGroups: string; readonly words: readonly string[] };
  readonly epoch: number;
  readonly previousEpoch: number;
  readonly quorum: { readonly n: number; readonly t: number };
  /** Every holder of the superseded epoch and whether they attested destruction. */
  readonly oldHolders: readonly OldHolderStatus[];
  /** The holders of the new epoch: their new identity and files. */
  readonly trustees: readonly TrusteeSummary[];
  readonly journal: FileRef;
  readonly checkpoints: readonly string[];
  readonly bundle: FileRef;
  readonly archive: BundleArchive;
  readonly exportChecks: readonly BundleCheck[];
}

function checkShape(parsed: ParsedCeremonyScript): void {
  const s = parsed.script;
  if (s.kind !== 'reshare') throw new KeyriteError('UNSUPPORTED', `This engine runs reshare scripts; this one is ${s.kind}.`);
  if (s.algorithms.classical !== 'Ed25519') throw new KeyriteError('UNSUPPORTED', 'The master key is Ed25519 + ML-DSA-65; set algorithms.classical: Ed25519.');
  if (!s.quorum) throw new KeyriteError('UNSUPPORTED', 'A reshare script needs the quorum of the new epoch.');
  assertTrusteeCoSignBeforeExport(parsed, { script: 'A reshare script', transcript: 'reshare transcript', where: 'a reshare' });
}

const oldHolders = (answers: Answers): TrusteeAnswers[] => answers.participants.filter((p): p is TrusteeAnswers => p.role === 'trustee' && (p.envelope !== undefined || p.envelopeCard !== undefined));
const newHolders = (answers: Answers): TrusteeAnswers[] => answers.participants.filter((p): p is TrusteeAnswers => p.role === 'trustee' && p.output !== undefined);

/** The current bundle is one that holds an escrow of the current key: root-keygen, rotation or reshare. */
async function checkCurrentKind(env: CeremonyEnvironment, answers: Answers): Promise<void> {
  const ref: FileRef = { root: 'answers', path: `${bundleDir(answers)}/${TRANSCRIPT_FILE}` };
  const bytes = await env.files.read(ref);
  if (bytes === undefined) throw new KeyriteError('IO_ERROR', `No public bundle at ${env.files.display({ root: 'answers', path: bundleDir(answers) })} (${TRANSCRIPT_FILE} is missing).`);
  let kind: unknown;
  try {
    kind = readTranscript(bytes).entries[0]?.body.kind;
  } catch {
    throw new KeyriteError('VERIFY_FAILED', `The bundle's ${TRANSCRIPT_FILE} cannot be read; it is not a Keyrite bundle, or not all of it was copied.`);
  }
  if (kind !== 'root-keygen' && kind !== 'rotation' && kind !== 'reshare') {
    throw new KeyriteError('ANSWERS_INVALID', `The bundle given (answers bundle.path) is ${typeof kind === 'string' ? `a ${kind.slice(0, 40)}` : 'not a'} bundle; a reshare builds on the bundle that holds the current escrow: the root bundle, the last rotation or the last reshare.`);
  }
}

/** The new holders' output folders hold no identity or share files: a new epoch never writes over anything. */
async function checkOutputFolders(answers: Answers, env: CeremonyEnvironment): Promise<void> {
  const found: string[] = [];
  for (const t of newHolders(answers)) {
    for (const f of [TRUSTEE_FILES.keyring, TRUSTEE_FILES.envelope, TRUSTEE_FILES.paper, TRUSTEE_FILES.card]) {
      const folder = outputFolder('reshare', t.output!);
      const ref: FileRef = { root: folder.root, path: `${folder.path}/${f}` };
      if ((await env.files.kind(ref)) !== undefined) found.push(env.files.display(ref));
    }
  }
  if (found.length > 0) throw new KeyriteError('OBJECT_EXISTS', `The new holders' output folders already hold identity or share files: ${found.join(', ')}. The new epoch's identities and envelopes go to new, empty folders (never the folder of an old identity or share); Keyrite never overwrites them.`);
}

async function prepare({ answers, env, previous }: Preflight): Promise<ReshareState> {
  if (previous) {
    throw new KeyriteError(
      'CEREMONY_ERROR',
      'This run folder holds the journal of an interrupted reshare; a reshare is not resumed. If its journal records key.destroy, the old holders\' old keys are gone and the new envelopes in the new holders\' folders ARE the escrow now: keep them, recover the key with them (the new manifest is in journal/escrow) and reshare again from that recovery. Otherwise nothing was superseded: destroy the new identities and envelopes it made (the new holders\' folders, and the keys labelled with its ceremony id on their tokens), then start the reshare again in a new --out folder.',
    );
  }
  await checkCurrentKind(env, answers);
  await checkOutputFolders(answers, env);
  if (oldHolders(answers).length === 0) throw new KeyriteError('ANSWERS_INVALID', 'No trustee of the answers file brings a keyring and an envelope: the old holders must unlock the key before it is escrowed anew.');
  const link = await readLink(env, answers);
  return { link, offers: [], rejected: [], oldIdentities: new Map() };
}

/** After verify-bundle: the SHA-256 of the superseded epoch's manifest (the current bundle's). */
async function readOldManifest(run: CeremonyRun, st: ReshareState): Promise<void> {
  const bytes = await run.env.files.read({ root: 'answers', path: `${bundleDir(run.answers)}/${ESCROW_MANIFEST_FILE}` });
  if (bytes === undefined) throw new KeyriteError('VERIFY_FAILED', `The current bundle has no ${ESCROW_MANIFEST_FILE}.`);
  st.oldManifestSha256 = sha256Hex(bytes);
}

/** From the enrolment on, the run's trustees are the new epoch's holders; the old identities are kept for destroy-old-keys. */
function enterNewEpoch(run: CeremonyRun, st: ReshareState): void {
  for (const t of run.checkedInTrustees()) {
    const keyring = run.keyrings.get(t.id);
    if (keyring) st.oldIdentities.set(t.id, { record: t, keyring });
  }
  run.trustees.clear();
  run.keyrings.clear();
  run.trusteesVerified.clear();
  run.trusteeAnswers = newHolders(run.answers);
  run.paperTrustees = [];
  st.phase = 'new-epoch';
}

function receiptFacts(run: CeremonyRun): ReshareFacts['receipts'] {
  return run.trusteeAnswers.map((t) => {
    const b = ((run.receipts.get(t.id) as { body?: Record<string, unknown> } | undefined)?.body ?? {});
    return { trusteeId: t.id, x: Number(b.x), commitmentCheck: String(b.commitmentCheck), blobCheck: String(b.blobCheck) };
  });
}

function notAttested(st: ReshareState): string[] {
  return (st.holders ?? []).filter((h) => h.token !== 'destroyed' || h.paper !== 'destroyed').map((h) => h.trusteeId);
}

async function bundleFacts(run: CeremonyRun, st: ReshareState): Promise<ReshareFacts> {
  const m = run.master;
  const old = st.manifest;
  if (!m || !old || !st.holders) throw new KeyriteError('CEREMONY_ERROR', 'There is no unlocked master key, superseded escrow or destruction record in this run.');
  const manifest = await requireManifest(run);
  const { end, original, originalStatement } = await closedLinkAndStatement(run, 'reshare');
  return {
    kind: 'reshare',
    ...(await run.bundleBasics()),
    original,
    originalStatement,
    master: { fingerprint: m.fingerprint, publicKey: m.publicKey, keyLabel: run.script.tokens.master.keyLabel, token: tokenRecordOf(run.session('master').desc) },
    trustees: run.checkedInTrustees(),
    manifestBytes: run.manifestBytes!,
    receipts: receiptFacts(run),
    epoch: manifest.epoch,
    supersedes: { ceremonyId: old.ceremonyId, epoch: old.epoch },
    notAttested: notAttested(st),
    sharesCombined: expectStrings(end.body.sharesCombined, 'shares combined in ceremony.end'),
  };
}

/** co-sign's last checks: every receipt is in and the old epoch is recorded as superseded; ceremony.end names both epochs. */
async function close(run: CeremonyRun, st: ReshareState): Promise<Closing> {
  const m = run.master;
  const missing = run.trusteeAnswers.filter((t) => !run.receipts.has(t.id));
  if (missing.length > 0) throw new KeyriteError('CEREMONY_ERROR', `The reshare cannot be co-signed before every new holder has confirmed their share; missing: ${missing.map((t) => run.whoIs(t.id)).join(', ')}.`);
  if (!m?.mldsaSecretKey || !st.holders || !st.manifest) throw new KeyriteError('CEREMONY_ERROR', 'The reshare is co-signed only with the unlocked key, after the old keys are destroyed; the script must destroy-old-keys first.');
  const manifest = await requireManifest(run);
  const trustees = run.checkedInTrustees();
  const missed = notAttested(st);
  return {
    summary: [
      `The reshare transcript (${run.writer.size()} entries so far) is closed. Escrow epoch ${manifest.epoch} (${manifest.t}-of-${manifest.n}) supersedes epoch ${st.manifest.epoch}.`,
      'Its statement is signed by:',
      `  the master key ${m.fingerprint.slice(0, 16)}… (both halves from the quorum unlock; unchanged)`,
      ...trustees.map((t) => `  ${run.whoIs(t.id)} ${t.fingerprint.slice(0, 16)}… (new identity)`),
      missed.length > 0 ? `Old holders who could NOT attest destruction: ${missed.map((id) => run.whoIs(id)).join(', ')}` : 'Every old holder attested destruction.',
    ],
    end: {
      kind: 'reshare',
      original: { ...st.link },
      masterFingerprint: m.fingerprint,
      epoch: manifest.epoch,
      previousEpoch: { ceremonyId: st.manifest.ceremonyId, epoch: st.manifest.epoch },
      quorum: { n: manifest.n, t: manifest.t },
      sharesCombined: [...(st.used ?? [])],
      trustees: trustees.map((t) => ({ id: t.id, fingerprint: t.fingerprint })),
      notAttested: missed,
      receipts: run.receipts.size,
      signers: [principalName(m.fingerprint), ...trustees.map((t) => principalName(t.fingerprint))],
      next: 'the final checkpoint and the signed statement cover this transcript as it ends here; the reshare bundle is exported from them',
    },
  };
}

function trusteeSummaries(run: CeremonyRun): TrusteeSummary[] {
  return run.trusteeAnswers.map((t) => {
    const r = run.trusteeRecord(t.id);
    const files = [TRUSTEE_FILES.keyring, TRUSTEE_FILES.envelope, ...(run.script.escrow?.paperBackup ? [TRUSTEE_FILES.paper] : []), TRUSTEE_FILES.card].map((f) => `${t.output}/${f}`);
    return { id: t.id, name: t.name, fingerprint: r.fingerprint, files };
  });
}

function wipeReshareSecrets(st: ReshareState): void {
  wipeOffers(st);
}

export const RESHARE: KindEngine<ReshareState, ReshareOutcome> = {
  kind: 'reshare',
  noun: 'reshare',
  masterToken: 'the master token',
  stepEntries: 'performer',
  checkShape,
  prepare,
  startBody: (_run, st) => ({ original: { ...st.link } }),
  keyLife: (previous) => previous.key,
  steps: {
    'air-gap-check': airGapCheck,
    'self-test': selfTest,
    'verify-bundle': async (run, step, st) => {
      await verifyBundle(run, step, st, false);
      await readOldManifest(run, st);
    },
    'check-in': async (run, step, st) => {
      if (!step.params.enroll) return checkIn(run, step, (record) => admitTrusteeOfOriginal(run, st, record), (id) => admitPaperTrusteeOfOriginal(run, st, id));
      enterNewEpoch(run, st);
      return checkIn(run, step);
    },
    'collect-share': collectShares,
    // S stays in memory (run.seed) for the new split, which wipes it.
    combine: (run, step, st) => combine(run, step, st, true),
    split: (run, step, st) => splitEpoch(run, step, st.manifest!.epoch + 1, { previousEpoch: { ceremonyId: st.manifest!.ceremonyId, epoch: st.manifest!.epoch, manifestSha256: st.oldManifestSha256 } }),
    distribute,
    'verify-receipts': verifyReceipts,
    checkpoint,
    'destroy-old-keys': destroyOldKeys,
    'co-sign': async (run, step, st) => {
      await coSign(run, step, () => close(run, st), () => bundleFacts(run, st));
    },
  },
  repeatsItself: ['check-in', 'checkpoint'],
  repeatReason: (step: CeremonyStep) => `a reshare is never resumed; step ${step.id} is not repeated`,
  beforeStep(run, _step, st) {
    // From the first step, the run's trustees are the old holders who unlock.
    if (st.phase !== undefined) return Promise.resolve();
    run.trusteeAnswers = oldHolders(run.answers);
    st.phase = 'unlock';
    return Promise.resolve();
  },
  bundleFacts: (run, st) => bundleFacts(run, st),
  async result(run, st, exported) {
    const m = run.master!;
    const r = readableFingerprint(m.fingerprint);
    const manifest = await requireManifest(run);
    return {
      ok: true,
      ceremonyId: run.ceremonyId,
      run: run.runNumber,
      original: st.link,
      anchored: st.anchored!,
      bundleChecks: st.bundleChecks!,
      used: st.used!,
      rejected: st.rejected,
      master: { fingerprint: m.fingerprint, hexGroups: r.hexGroups, words: r.words },
      epoch: manifest.epoch,
      previousEpoch: st.manifest!.epoch,
      quorum: { n: manifest.n, t: manifest.t },
      oldHolders: st.holders!,
      trustees: trusteeSummaries(run),
      journal: { root: 'out', path: 'journal/transcript.jsonl' },
      checkpoints: await journalCheckpointNotes(run),
      bundle: exported.bundle,
      archive: exported.archive,
      exportChecks: exported.checks,
    };
  },
  dispose: wipeReshareSecrets,
};

/** Runs a reshare (`keyrite ceremony run` of a reshare script). */
export function runReshare(input: RunInput): Promise<ReshareOutcome> {
  return runKind(RESHARE, input);
}
