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
import type { JsonObject } from '../encoding/json-fields.ts';
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
  readonly checkpoints: ReadonlyMap<string, CheckpointRecord>;
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

function obj(v: unknown, what: string): JsonObject {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw bad(what);
  return v as JsonObject;
}

function str(v: unknown, what: string): string {
  if (typeof v !== 'string') throw bad(what);
  return v;
}

/** An entry body read with one of core/bundle/entries.ts's readers; a body it refuses is the journal's problem. */
function read<T>(reader: (body: JsonObject) => T, body: JsonObject, what: string): T {
  try {
    return reader(body);
  } catch (e) {
    if (e instanceof KeyriteError) throw bad(what);
    throw e;
  }
}

/** Reads the entries of an earlier run (recoverTranscript's valid prefix) into a JournalState. */
export function analyzeJournal(entries: readonly TranscriptEntry[]): JournalState {
  const first = entries[0];
  if (first === undefined || first.type !== ENTRY.ceremonyStart) throw bad('no ceremony.start entry at the beginning');
  const start = first.body;
  const ceremonyId = str(start.ceremonyId, 'a ceremony.start entry');
  const scriptSha256 = str(obj(start.script, 'a ceremony.start entry').sha256, 'a ceremony.start entry');
  const participants = (Array.isArray(start.participants) ? start.participants : []).map((p) => {
    const o = obj(p, 'a participant list');
    return { id: str(o.id, 'a participant'), name: str(o.name, 'a participant'), role: str(o.role, 'a participant') };
  });

  let runs = 0;
  const completedSteps = new Set<string>();
  const attempts = new Map<string, number>();
  const witnessed = new Set<string>();
  let open: { step: string; action: string; participantId?: string } | undefined;
  const trustees = new Map<string, TrusteeRecord>();
  const checkpoints = new Map<string, CheckpointRecord>();
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
        const step = str(b.step, 'a step.start entry');
        open = { step, action: str(b.action, 'a step.start entry'), ...(typeof b.participantId === 'string' ? { participantId: b.participantId } : {}) };
        attempts.set(step, (attempts.get(step) ?? 0) + 1);
        if (b.action === 'generate') key = 'in-flight';
        break;
      }
      case ENTRY.stepEnd: {
        const step = str(b.step, 'a step.end entry');
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
        if (b.role === 'trustee') {
          const t = read(trusteeFromEntry, b, 'a trustee check-in entry');
          trustees.set(t.id, t);
        }
        break;
      case ENTRY.keyGenerate:
        if (b.role === 'master') master = read(masterFromEntry, b, 'a master key entry');
        break;
      case ENTRY.keyImport: {
        const t = obj(b.token, 'a key.import entry');
        const ref = obj(b.ref, 'a key.import entry');
        masterImport = { ref: { kind: str(ref.kind, 'a key.import entry') as KeyRef['kind'], label: str(ref.label, 'a key.import entry'), id: str(ref.id, 'a key.import entry'), alg: str(ref.alg, 'a key.import entry') as KeyRef['alg'] }, tokenUri: str(t.uri, 'a key.import entry') };
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
        manifestSha256 = str(b.manifestSha256, 'an escrow.split entry');
        manifestPath = str(b.manifest, 'an escrow.split entry');
        break;
      case ENTRY.escrowDistribute:
        distributed.set(str(b.trusteeId, 'an escrow.distribute entry'), str(b.envelopeSha256, 'an escrow.distribute entry'));
        break;
      case ENTRY.shareReceipt:
        receipts.set(str(b.trusteeId, 'a share.receipt entry'), obj(b.receipt, 'a share.receipt entry'));
        break;
      case ENTRY.checkpointSign: {
        const phase = str(b.phase, 'a checkpoint entry');
        let root: Uint8Array;
        try {
          root = fromBase64(str(b.root, 'a checkpoint entry'));
        } catch {
          throw bad('a checkpoint entry');
        }
        const size = b.size;
        if (typeof size !== 'number') throw bad('a checkpoint entry');
        const origin = str(b.origin, 'a checkpoint entry');
        checkpoints.set(phase, { phase, size, root, origin, note: str(b.note, 'a checkpoint entry'), noteSha256: str(b.noteSha256, 'a checkpoint entry'), seq: e.seq });
        lastCheckpoint = { origin, size, root };
        break;
      }
      case ENTRY.witnessConfirm:
        witnessed.add(str(b.step, 'a witness.confirm entry'));
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
