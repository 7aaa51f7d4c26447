/**
 * The transcript as the ceremony's crash journal (DESIGN.md "Transcript": "it doubles as
 * the crash journal: after a crash the valid prefix stands, the interrupted step is recorded
 * as aborted and redone"). This module names every entry type the root-keygen engine writes
 * (docs/FORMATS.md, "Transcript entry types") and reads a previous run's entries back into
 * what a resumed run needs (the entry vocabulary itself is core/bundle/entries.ts): which steps finished, which trustees are enrolled, where the
 * master key is in its life (none → in flight → escrowed), receipts, checkpoints.
 *
 * The journal is read as evidence, not trusted blindly: everything a resumed run reuses is
 * checked again against the tokens, keyring files and escrow files before it is used.
 */
import { KeyriteError } from '../errors.ts';
import { fromBase64 } from '../encoding/base64url.ts';
import { expectObject, readInt, readString } from '../encoding/json-fields.ts';
import type { Checkpoint } from '../transcript/checkpoint.ts';
import type { TranscriptEntry } from '../transcript/entry.ts';
import type { KeyRef } from '../tokens/token.ts';
import { ENTRY, masterFromEntry, trusteeFromEntry, type MasterRecord, type TrusteeRecord } from '../bundle/entries.ts';

export const ABORT_REASON = 'process ended before the step completed';

/** Files of the run folder (root "out"). */
export const JOURNAL_DIR = 'journal';
export const JOURNAL_TRANSCRIPT = `${JOURNAL_DIR}/transcript.jsonl`;
export const JOURNAL_CHECKPOINTS = `${JOURNAL_DIR}/checkpoints`;
export const JOURNAL_ESCROW = `${JOURNAL_DIR}/escrow`;
export const JOURNAL_STATEMENT = `${JOURNAL_DIR}/statement.dsse.json`;
export const BUNDLE_DIR = 'bundle';
export const STAGING_PREFIX = '.bundle-staging-';

/** Files in a trustee's own folder (root "answers"). */
export const TRUSTEE_FILES = Object.freeze({
  keyring: 'keyring.json',
  envelope: 'share-envelope.json',
  paper: 'share-paper-backup.txt',
  card: 'share-card.pdf',
});

export interface CheckpointRecord {
  phase: string;
  size: number;
  root: Uint8Array;
  note: string;
  noteSha256: string;
  origin: string;
  /** seq of the checkpoint.sign entry. */
  seq: number;
}

export type KeyLife = 'none' | 'in-flight' | 'escrowed';

export interface JournalState {
  readonly ceremonyId: string;
  readonly scriptSha256: string;
  /** Number of runs so far (ceremony.start + ceremony.resume entries). */
  readonly runs: number;
  readonly participants: readonly { id: string; name: string; role: string }[];
  /** The step that was started and neither ended, failed nor aborted (the crash point). */
  readonly interrupted?: { step: string; action: string; participantId?: string };
  /** Steps with a step.end entry. */
  readonly completedSteps: ReadonlySet<string>;
  /** step.start entries per step id (attempts). */
  readonly attempts: ReadonlyMap<string, number>;
  /** Steps with a witness.confirm entry. */
  readonly witnessed: ReadonlySet<string>;
  readonly trustees: ReadonlyMap<string, TrusteeRecord>;
  /** The last checkpoint.sign entry of each phase. */
  readonly checkpoints: ReadonlyMap<string, CheckpointRecord>;
  /** checkpoint.sign entries in all (a phase is signed again after its key was abandoned): the next note's number is one more. */
  readonly signedCheckpoints: number;
  readonly lastCheckpoint?: Checkpoint;
  /** Life of the current master key (entries after the last key.abandoned). */
  readonly key: KeyLife;
  readonly master?: MasterRecord;
  readonly masterImport?: { ref: KeyRef; tokenUri: string };
  readonly manifestSha256?: string;
  /** Where the escrow manifest of the current key was written (root "out"). */
  readonly manifestPath?: string;
  /** Trustee id → SHA-256 (hex) of the envelope written to their folder. */
  readonly distributed: ReadonlyMap<string, string>;
  readonly receipts: ReadonlyMap<string, Record<string, unknown>>;
  readonly abandonedKeys: number;
  /** seq of the last key.abandoned entry, -1 when none. */
  readonly lastAbandonedSeq: number;
  readonly ended: boolean;
}

function bad(what: string): KeyriteError {
  return new KeyriteError('CEREMONY_ERROR', `The journal of this run folder holds ${what} that Keyrite cannot use; the folder was changed by hand or belongs to another version. Start the ceremony in a new folder.`);
}

/** Reads the entries of an earlier run (recoverTranscript's valid prefix) into a JournalState. */
export function analyzeJournal(entries: readonly TranscriptEntry[]): JournalState {
  try {
    return readJournal(entries);
  } catch (e) {
    // The readers say which member of which entry; for the journal that is one problem: the folder.
    if (e instanceof KeyriteError && e.code !== 'CEREMONY_ERROR') throw bad(`an entry (${e.message.replace(/\.$/, '')})`);
    throw e;
  }
}

function readJournal(entries: readonly TranscriptEntry[]): JournalState {
  const first = entries[0];
  if (first === undefined || first.type !== ENTRY.ceremonyStart) throw bad('no ceremony.start entry at the beginning');
  const start = first.body;
  const ceremonyId = readString(start, 'ceremonyId', 'ceremony.start entry');
  const scriptSha256 = readString(expectObject(start.script, 'ceremony.start script'), 'sha256', 'ceremony.start script');
  const participants = (Array.isArray(start.participants) ? start.participants : []).map((p) => {
    const o = expectObject(p, 'participant list');
    const role = readString(o, 'role', 'participant');
    return { id: readString(o, 'id', 'participant'), name: readString(o, 'name', 'participant'), role: role === 'trustee' && o.participantKind === 'paper' ? 'paper-trustee' : role };
  });

  let runs = 0;
  const completedSteps = new Set<string>();
  const attempts = new Map<string, number>();
  const witnessed = new Set<string>();
  let open: { step: string; action: string; participantId?: string } | undefined;
  const trustees = new Map<string, TrusteeRecord>();
  const checkpoints = new Map<string, CheckpointRecord>();
  let signedCheckpoints = 0;
  let lastCheckpoint: Checkpoint | undefined;
  let key: KeyLife = 'none';
  let master: MasterRecord | undefined;
  let masterImport: { ref: KeyRef; tokenUri: string } | undefined;
  let manifestSha256: string | undefined;
  let manifestPath: string | undefined;
  let distributed = new Map<string, string>();
  let receipts = new Map<string, Record<string, unknown>>();
  let abandonedKeys = 0;
  let lastAbandonedSeq = -1;
  let ended = false;

  for (const e of entries) {
    const b = e.body;
    switch (e.type) {
      case ENTRY.ceremonyStart:
      case ENTRY.ceremonyResume:
        runs++;
        break;
      case ENTRY.stepStart: {
        const step = readString(b, 'step', 'step.start entry');
        open = { step, action: readString(b, 'action', 'step.start entry'), ...(typeof b.participantId === 'string' ? { participantId: b.participantId } : {}) };
        attempts.set(step, (attempts.get(step) ?? 0) + 1);
        if (b.action === 'generate') key = 'in-flight';
        break;
      }
      case ENTRY.stepEnd: {
        const step = readString(b, 'step', 'step.end entry');
        completedSteps.add(step);
        if (open?.step === step) open = undefined;
        if (b.action === 'distribute' && key === 'in-flight') key = 'escrowed';
        break;
      }
      case ENTRY.stepFailed:
      case ENTRY.stepAborted:
        if (open?.step === b.step) open = undefined;
        break;
      case ENTRY.participantCheckIn:
        // A trustee offering paper words (participantKind "paper") holds no keys.
        if (b.role === 'trustee' && b.participantKind !== 'paper') {
          const t = trusteeFromEntry(b);
          trustees.set(t.id, t);
        }
        break;
      case ENTRY.keyGenerate:
        if (b.role === 'master') master = masterFromEntry(b);
        break;
      case ENTRY.keyImport: {
        const t = expectObject(b.token, 'key.import entry');
        const ref = expectObject(b.ref, 'key.import entry');
        masterImport = { ref: { kind: readString(ref, 'kind', 'key.import entry') as KeyRef['kind'], label: readString(ref, 'label', 'key.import entry'), id: readString(ref, 'id', 'key.import entry'), alg: readString(ref, 'alg', 'key.import entry') as KeyRef['alg'] }, tokenUri: readString(t, 'uri', 'key.import entry') };
        break;
      }
      case ENTRY.keyAbandoned:
        abandonedKeys++;
        lastAbandonedSeq = e.seq;
        key = 'none';
        master = undefined;
        masterImport = undefined;
        manifestSha256 = undefined;
        manifestPath = undefined;
        distributed = new Map();
        receipts = new Map();
        break;
      case ENTRY.escrowSplit:
        manifestSha256 = readString(b, 'manifestSha256', 'escrow.split entry');
        manifestPath = readString(b, 'manifest', 'escrow.split entry');
        break;
      case ENTRY.escrowDistribute:
        distributed.set(readString(b, 'trusteeId', 'escrow.distribute entry'), readString(b, 'envelopeSha256', 'escrow.distribute entry'));
        break;
      case ENTRY.shareReceipt:
        receipts.set(readString(b, 'trusteeId', 'share.receipt entry'), expectObject(b.receipt, 'share.receipt entry'));
        break;
      case ENTRY.checkpointSign: {
        const phase = readString(b, 'phase', 'checkpoint entry');
        const root = fromBase64(readString(b, 'root', 'checkpoint entry'));
        const size = readInt(b, 'size', 'checkpoint entry', 0, Number.MAX_SAFE_INTEGER);
        const origin = readString(b, 'origin', 'checkpoint entry');
        checkpoints.set(phase, { phase, size, root, origin, note: readString(b, 'note', 'checkpoint entry'), noteSha256: readString(b, 'noteSha256', 'checkpoint entry'), seq: e.seq });
        signedCheckpoints++;
        lastCheckpoint = { origin, size, root };
        break;
      }
      case ENTRY.witnessConfirm:
        witnessed.add(readString(b, 'step', 'witness.confirm entry'));
        break;
      case ENTRY.ceremonyEnd:
        ended = true;
        break;
      default:
        break;
    }
  }
  return {
    ceremonyId,
    scriptSha256,
    runs,
    participants,
    ...(open ? { interrupted: open } : {}),
    completedSteps,
    attempts,
    witnessed,
    trustees,
    checkpoints,
    signedCheckpoints,
    ...(lastCheckpoint ? { lastCheckpoint } : {}),
    key,
    ...(master ? { master } : {}),
    ...(masterImport ? { masterImport } : {}),
    ...(manifestSha256 ? { manifestSha256 } : {}),
    ...(manifestPath ? { manifestPath } : {}),
    distributed,
    receipts,
    abandonedKeys,
    lastAbandonedSeq,
    ended,
  };
}

/** The journal state once the in-flight key was recorded as abandoned at `seq`: a new state, `previous` is unchanged. */
export function withKeyAbandoned(previous: JournalState, seq: number): JournalState {
  const { master: _master, masterImport: _import, manifestPath: _path, manifestSha256: _sha, ...rest } = previous;
  return { ...rest, key: 'none', distributed: new Map(), receipts: new Map(), abandonedKeys: previous.abandonedKeys + 1, lastAbandonedSeq: seq };
}
