/**
 * escrow-recovery (DESIGN.md "Escrow: Recovery"): t trustees rebuild the master key from their
 * shares and restore it onto a new master token. What this kind adds to the engine:
 *  - pre-flight: the link to the original ceremony (its id, master fingerprint and the SHA-256
 *    of its statement.dsse.json), read from its bundle before anything is written, recorded in
 *    ceremony.start, and the same link as an interrupted recovery in the run folder recorded;
 *  - its own steps: verify-bundle, collect-share, combine, restore-to-token (actions/), with
 *    the shares, S and the recovered keys in memory only (RecoveryState, wiped at the end);
 *  - co-sign closes the recovery transcript once the key is on the new token; the recovery
 *    bundle links back to the original ceremony.
 * A journal already in the run folder is resumed (docs/CEREMONY-SCRIPTS.md "Resuming a
 * recovery"): since shares and S are never written anywhere, the bundle is verified and t shares
 * are collected and combined again, even after the transcript was closed (the steps then run
 * sealed, recording nothing); a key an earlier run restored is checked and kept.
 */
import { KeyriteError } from '../../errors.ts';
import { expectObject, expectStrings, readString } from '../../encoding/json-fields.ts';
import { parseBundleManifest, type BundleManifest } from '../../bundle/bundle-manifest.ts';
import { readTranscript } from '../../transcript/transcript.ts';
import type { TranscriptEntry } from '../../transcript/entry.ts';
import type { CeremonyStep, ParsedCeremonyScript, StepOf } from '../../script/script.ts';
import { tokenRecord, type TrusteeRecord } from '../../bundle/entries.ts';
import { BUNDLE_MANIFEST_FILE, STATEMENT_FILE } from '../../bundle/layout.ts';
import { principalName } from '../../bundle/principals.ts';
import type { BundleLink } from '../../bundle/statement.ts';
import { sha256Hex, type EscrowRecoveryFacts } from '../bundle-writer.ts';
import type { Answers } from '../answers.ts';
import { tokenRecordOf, type CeremonyRun } from '../run.ts';
import type { BundleArchive, BundleCheck, CeremonyEnvironment, FileRef } from '../types.ts';
import { assertTrusteeCoSignBeforeExport, type KindEngine, type Preflight } from '../kind.ts';
import { runKind, type RunInput } from '../engine.ts';
import { airGapCheck } from '../actions/air-gap-check.ts';
import { selfTest } from '../actions/self-test.ts';
import { checkIn } from '../actions/check-in.ts';
import { login, tokenSelect } from '../actions/token-select.ts';
import { checkpoint, journalCheckpointNotes } from '../actions/checkpoint.ts';
import { coSign, type Closing } from '../actions/co-sign.ts';
import { requireMasterSecret } from '../actions/master-restore.ts';
import { bundleDir, verifyBundle } from '../actions/verify-bundle.ts';
import { collectShares } from '../actions/collect-share.ts';
import { combine } from '../actions/combine.ts';
import { restoreToToken } from '../actions/restore-to-token.ts';
import { wipeOffers, type RecoveryState, type RestoredKey } from '../actions/recovery-state.ts';
import type { ShareRejection } from '../../escrow/recovery.ts';

export interface RecoveryOutcome {
  readonly ok: true;
  /** Id of this recovery run (its transcript's origin). */
  readonly recoveryId: string;
  /** Run number of this recovery (1, or more when an interrupted recovery was resumed). */
  readonly run: number;
  readonly resumed: boolean;
  /** The original ceremony, as recorded at the start of the recovery transcript and checked against the verified bundle. */
  readonly original: BundleLink;
  /** Whether the bundle was checked against the fingerprint read aloud (answers bundle.trust). */
  readonly anchored: boolean;
  readonly bundleChecks: readonly BundleCheck[];
  /** Trustees whose shares were combined. */
  readonly used: readonly string[];
  /** Those of `used` whose shares were typed from paper words (attested by the witness; they signed nothing). */
  readonly paper: readonly string[];
  readonly rejected: readonly ShareRejection[];
  /** Fingerprint re-derived from the recovered seed (equals the original's). */
  readonly recoveredFingerprint: string;
  readonly restored: RestoredKey;
  readonly journal: FileRef;
  /** Signed checkpoint notes of this recovery (journal/checkpoints/…), in order; the last one covers the whole transcript. */
  readonly checkpoints: readonly string[];
  /** The recovery bundle (out/bundle), verified from disk before it was renamed into place. */
  readonly bundle: FileRef;
  /** The recovery bundle as one file (out/bundle.keyrite.tar), verified from disk like the folder. */
  readonly archive: BundleArchive;
  readonly exportChecks: readonly BundleCheck[];
}

function checkShape(parsed: ParsedCeremonyScript): void {
  const s = parsed.script;
  if (s.kind !== 'escrow-recovery') throw new KeyriteError('UNSUPPORTED', `"keyrite recover" runs escrow-recovery scripts; this one is ${s.kind}.`);
  if (s.algorithms.classical !== 'Ed25519') throw new KeyriteError('UNSUPPORTED', 'The master key is Ed25519 + ML-DSA-65; set algorithms.classical: Ed25519.');
  if (!s.quorum) throw new KeyriteError('UNSUPPORTED', 'An escrow-recovery script needs a quorum.');
  assertTrusteeCoSignBeforeExport(parsed, { script: 'An escrow-recovery script', transcript: 'recovery transcript', where: 'a recovery' });
}

/** The link to the original ceremony, read from its bundle before anything is written (verify-bundle checks the bundle). */
export async function readLink(env: CeremonyEnvironment, answers: Answers): Promise<BundleLink> {
  const dir = bundleDir(answers);
  const read = async (name: string): Promise<Uint8Array> => {
    const ref: FileRef = { root: 'answers', path: `${dir}/${name}` };
    const bytes = await env.files.read(ref);
    if (bytes === undefined) throw new KeyriteError('IO_ERROR', `No public bundle at ${env.files.display({ root: 'answers', path: dir })} (${name} is missing).`);
    return bytes;
  };
  let m: BundleManifest;
  try {
    m = parseBundleManifest(await read(BUNDLE_MANIFEST_FILE));
  } catch (e) {
    throw new KeyriteError('VERIFY_FAILED', `The bundle's bundle.json cannot be read (${e instanceof KeyriteError ? e.message.replace(/\.$/, '') : 'unreadable'}); it is not a Keyrite bundle, or not all of it was copied.`);
  }
  return { ceremonyId: m.ceremonyId, masterFingerprint: m.masterFingerprint, statementSha256: sha256Hex(await read(STATEMENT_FILE)) };
}

/** The link a transcript of `kind` records (in ceremony.start and ceremony.end), if it is of that kind. */
export function recordedLink(entries: readonly TranscriptEntry[], kind: 'escrow-recovery' | 'signing' | 'rotation' | 'revocation' | 'reshare' = 'escrow-recovery'): BundleLink | undefined {
  const body = entries[0]?.body;
  if (body?.kind !== kind) return undefined;
  try {
    const what = 'link to the original ceremony';
    const o = expectObject(body.original, what);
    return { ceremonyId: readString(o, 'ceremonyId', what), masterFingerprint: readString(o, 'masterFingerprint', what), statementSha256: readString(o, 'statementSha256', what) };
  } catch {
    return undefined;
  }
}

/**
 * At export, for a kind that builds on the current bundle (rotation, revocation, reshare): its closed
 * transcript's last entry (ceremony.end), the link it records, and the current bundle's signed
 * statement, which must be the one linked.
 */
export async function closedLinkAndStatement(run: CeremonyRun, kind: 'rotation' | 'revocation' | 'reshare'): Promise<{ end: TranscriptEntry; original: BundleLink; originalStatement: Uint8Array }> {
  const transcript = await run.env.transcript.read();
  if (transcript === undefined) throw new KeyriteError('IO_ERROR', 'The transcript of this run cannot be read back.');
  const end = readTranscript(transcript).entries.at(-1)!;
  const original = recordedLink([end], kind);
  if (!original) throw new KeyriteError('CEREMONY_ERROR', `The closed ${kind} transcript does not end with the link to the current bundle.`);
  const ref: FileRef = { root: 'answers', path: `${bundleDir(run.answers)}/${STATEMENT_FILE}` };
  const originalStatement = await run.env.files.read(ref);
  if (originalStatement === undefined || sha256Hex(originalStatement) !== original.statementSha256) {
    throw new KeyriteError('VERIFY_FAILED', `The current bundle's signed statement (${run.env.files.display(ref)}) is missing or is not the one this ${kind} recorded at its start.`);
  }
  return { end, original, originalStatement };
}

async function prepare({ answers, env, previous, entries }: Preflight): Promise<RecoveryState> {
  const link = await readLink(env, answers);
  if (previous) {
    const recorded = recordedLink(entries);
    if (!recorded) throw new KeyriteError('CEREMONY_ERROR', 'This run folder holds the journal of a ceremony that is not an escrow recovery; use a new --out folder.');
    if (recorded.ceremonyId !== link.ceremonyId || recorded.masterFingerprint !== link.masterFingerprint || recorded.statementSha256 !== link.statementSha256) {
      throw new KeyriteError('CEREMONY_ERROR', 'This run folder holds the recovery of another bundle (its ceremony id, master fingerprint or signed statement differ from the bundle given); use the same bundle, or a new --out folder.');
    }
  }
  return { link, offers: [], rejected: [] };
}

/** Only a trustee the original ceremony's escrow manifest names, with the same keys, takes part in its recovery. */
export function admitTrusteeOfOriginal(run: CeremonyRun, st: RecoveryState, record: TrusteeRecord): void {
  const manifest = st.manifest;
  if (!manifest) throw new KeyriteError('CEREMONY_ERROR', 'The trustees check in against the verified bundle: the script must verify it (verify-bundle) before check-in.');
  const entry = manifest.trustees.find((t) => t.id === record.id);
  if (entry?.fingerprint === record.fingerprint) return;
  throw new KeyriteError(
    'VERIFY_FAILED',
    `${run.whoIs(record.id)} is not a trustee of the original ceremony: its escrow manifest names ${entry ? 'other keys for this trustee id' : 'no trustee with this id'} (the keyring brought is of ceremony ${run.keyrings.get(record.id)?.ceremonyId.slice(0, 8) ?? '?'}…). Only the original trustees take part in its recovery: check the answers file and the keyring, token and envelope this trustee brought.`,
  );
}

/** A trustee offering paper words takes part only when the original escrow manifest names them; returns their share index. */
export function admitPaperTrusteeOfOriginal(run: CeremonyRun, st: RecoveryState, trusteeId: string): number {
  const manifest = st.manifest;
  if (!manifest) throw new KeyriteError('CEREMONY_ERROR', 'The trustees check in against the verified bundle: the script must verify it (verify-bundle) before check-in.');
  const entry = manifest.trustees.find((t) => t.id === trusteeId);
  if (entry) return entry.x;
  throw new KeyriteError('VERIFY_FAILED', `${run.whoIs(trusteeId)} is not a trustee of the original ceremony: its escrow manifest names no trustee with this id. Only the original trustees offer shares, from their token or their paper words: check the answers file.`);
}

/** The public facts of the recovery bundle, from the closed transcript (its ceremony.end) and the original bundle. */
async function bundleFacts(run: CeremonyRun): Promise<EscrowRecoveryFacts> {
  const m = run.master;
  if (!m) throw new KeyriteError('CEREMONY_ERROR', 'There is no recovered master key in this run.');
  const transcript = await run.env.transcript.read();
  if (transcript === undefined) throw new KeyriteError('IO_ERROR', 'The transcript of this run cannot be read back.');
  const end = readTranscript(transcript).entries.at(-1)!;
  const original = recordedLink([end]);
  if (!original) throw new KeyriteError('CEREMONY_ERROR', 'The closed recovery transcript does not end with the link to the original ceremony.');
  const ref = { root: 'answers' as const, path: `${bundleDir(run.answers)}/${STATEMENT_FILE}` };
  const originalStatement = await run.env.files.read(ref);
  if (originalStatement === undefined || sha256Hex(originalStatement) !== original.statementSha256) {
    throw new KeyriteError('VERIFY_FAILED', `The original bundle's signed statement (${run.env.files.display(ref)}) is missing or is not the one this recovery recorded at its start.`);
  }
  return {
    kind: 'escrow-recovery',
    ...(await run.bundleBasics()),
    original,
    originalStatement,
    master: { fingerprint: m.fingerprint, publicKey: m.publicKey, keyLabel: run.script.tokens.master.keyLabel, token: tokenRecord(end.body.restoredTo, 'ceremony.end entry') },
    trustees: run.checkedInTrustees(),
    sharesCombined: expectStrings(end.body.sharesCombined, 'shares combined in ceremony.end'),
  };
}

/** co-sign's last checks: the key is on the new token; ceremony.end names the original, the token and the shares combined. */
async function close(run: CeremonyRun, step: StepOf<'co-sign'>, st: RecoveryState): Promise<Closing> {
  const m = run.master;
  if (!m?.tokenRef) throw new KeyriteError('CEREMONY_ERROR', 'The recovery transcript is co-signed only after the master key is restored onto the new token; the script must restore it first.');
  await requireMasterSecret(run, step.id);
  const trustees = run.checkedInTrustees();
  return {
    summary: [
      `The recovery transcript (${run.writer.size()} entries so far) is closed and its final checkpoint signed by:`,
      `  the recovered master key ${m.fingerprint.slice(0, 16)}… (classical half on the new token)`,
      ...trustees.map((t) => `  ${run.whoIs(t.id)} ${t.fingerprint.slice(0, 16)}…`),
    ],
    end: {
      kind: 'escrow-recovery',
      original: { ...st.link },
      masterFingerprint: m.fingerprint,
      restoredTo: tokenRecordOf(run.session('master').desc),
      sharesCombined: [...(st.used ?? [])],
      trustees: trustees.map((t) => ({ id: t.id, fingerprint: t.fingerprint })),
      signers: [principalName(m.fingerprint), ...trustees.map((t) => principalName(t.fingerprint))],
      next: 'the final checkpoint covers this transcript as it ends here; the recovery bundle is exported from it',
    },
  };
}

export const ESCROW_RECOVERY: KindEngine<RecoveryState, RecoveryOutcome> = {
  kind: 'escrow-recovery',
  noun: 'recovery',
  masterToken: 'the new master token',
  stepEntries: 'administrator',
  resumeNote: 'Shares are never stored: the trustees offer them again.',
  checkShape,
  prepare,
  startBody: (_run, st) => ({ original: { ...st.link } }),
  keyLife: (previous) => (previous.masterImport ? 'restored' : 'none'),
  steps: {
    'air-gap-check': airGapCheck,
    'self-test': selfTest,
    'verify-bundle': verifyBundle,
    'check-in': (run, step, st) => checkIn(run, step, (record) => admitTrusteeOfOriginal(run, st, record), (id) => admitPaperTrusteeOfOriginal(run, st, id)),
    'collect-share': collectShares,
    combine,
    'token-select': tokenSelect,
    login,
    'restore-to-token': restoreToToken,
    checkpoint,
    'co-sign': (run, step, st) => coSign(run, step, () => close(run, step, st), () => bundleFacts(run)),
  },
  repeatsItself: ['check-in', 'checkpoint', 'restore-to-token'],
  repeatReason(step: CeremonyStep) {
    switch (step.action) {
      case 'air-gap-check':
      case 'self-test':
        return 'a resumed run checks again in this process before anything else happens';
      case 'token-select':
      case 'login':
        return 'a resumed run opens its own token sessions';
      case 'verify-bundle':
        return 'a resumed run verifies the bundle again and takes the escrow manifest and master public key from it';
      case 'collect-share':
      case 'combine':
        return 'shares and the recovered key are never written anywhere: the trustees offer their shares again and they are combined again';
      default:
        return 'the step did not complete in an earlier run and is done again';
    }
  },
  bundleFacts: (run) => bundleFacts(run),
  async result(run, st, exported) {
    if (!st.restored || !run.master?.tokenRef) throw new KeyriteError('CEREMONY_ERROR', 'The script ended without restoring the master key.');
    const notes = await journalCheckpointNotes(run);
    return {
      ok: true,
      recoveryId: run.ceremonyId,
      run: run.runNumber,
      resumed: run.runNumber > 1,
      original: st.link,
      anchored: st.anchored!,
      bundleChecks: st.bundleChecks!,
      used: st.used!,
      paper: st.paper ?? [],
      rejected: st.rejected,
      recoveredFingerprint: st.recoveredFingerprint!,
      restored: st.restored,
      journal: { root: 'out', path: 'journal/transcript.jsonl' },
      checkpoints: notes,
      bundle: exported.bundle,
      archive: exported.archive,
      exportChecks: exported.checks,
    };
  },
  dispose(st) {
    wipeOffers(st);
  },
};

/** Runs an escrow recovery (`keyrite recover`, the app's recovery screen). */
export function runRecovery(input: RunInput): Promise<RecoveryOutcome> {
  return runKind(ESCROW_RECOVERY, input);
}
