/**
 * What a finished transcript records, read by the verifier itself (never through the
 * ceremony's crash-journal state): the ceremony, its runs, the trustees as checked in, the
 * master key of the last attempt (a key.abandoned entry ends an attempt), its escrow manifest
 * digest and receipts, the checkpoints and the witness confirmations. Entry bodies are read
 * with the shared readers of core/bundle/entries.ts; anything else is checked here.
 */
import { fromBase64 } from '../encoding/base64url.ts';
import { expectList, expectObject, readInt, readString, type JsonObject } from '../encoding/json-fields.ts';
import type { TranscriptEntry } from '../transcript/entry.ts';
import { ENTRY, masterFromEntry, paperTrusteeFromEntry, trusteeFromEntry, type MasterRecord, type PaperTrusteeRecord, type TrusteeRecord } from '../bundle/entries.ts';

export interface CheckpointFact {
  readonly phase: string;
  readonly size: number;
  readonly root: Uint8Array;
  readonly origin: string;
  readonly note: string;
  readonly noteSha256: string;
  /** seq of the checkpoint.sign entry. */
  readonly seq: number;
}

export interface TranscriptFacts {
  readonly ceremonyId: string;
  readonly scriptSha256: string;
  /** ceremony.start and ceremony.resume entries. */
  readonly runs: number;
  readonly participants: readonly { readonly id: string; readonly role: string }[];
  /** A step started and never ended, failed or aborted. */
  readonly openStep?: string;
  /** Trustees in the order they first checked in (a later check-in of the same id replaces the record). */
  readonly trustees: readonly TrusteeRecord[];
  /** Trustees who checked in without a token to offer their share from paper words (participantKind "paper"): they hold no keys and sign nothing. */
  readonly paperTrustees: readonly PaperTrusteeRecord[];
  /** Witness confirmations attesting a paper share (witness.confirm with paperShare), in order. */
  readonly paperAttested: readonly { readonly trusteeId: string; readonly witness: string; readonly step: string; readonly seq: number }[];
  /** Master keys of earlier attempts (key.abandoned), with the seq of their abandonment: they signed checkpoints before it. */
  readonly abandonedMasters: readonly { readonly master: MasterRecord; readonly abandonedAt: number }[];
  /** The master key of the last attempt: generated, and escrowed when its distribute step ended. */
  readonly master?: MasterRecord;
  readonly masterEscrowed: boolean;
  readonly manifestSha256?: string;
  readonly receipts: ReadonlyMap<string, JsonObject>;
  /** Every checkpoint.sign entry, in transcript order (a phase signed again for a new key is a checkpoint of its own). */
  readonly checkpoints: readonly CheckpointFact[];
  /** Steps confirmed by each actor: "actor\nstep". */
  readonly confirmations: ReadonlySet<string>;
}

function checkpointFact(b: JsonObject, seq: number): CheckpointFact {
  const what = 'checkpoint.sign entry';
  return { phase: readString(b, 'phase', what), size: readInt(b, 'size', what, 0, Number.MAX_SAFE_INTEGER), root: fromBase64(readString(b, 'root', what)), origin: readString(b, 'origin', what), note: readString(b, 'note', what), noteSha256: readString(b, 'noteSha256', what), seq };
}

function participantsOf(start: JsonObject): TranscriptFacts['participants'] {
  return expectList(start.participants ?? [], 'participant list of ceremony.start').map((p) => {
    const o = expectObject(p, 'participant of ceremony.start');
    return { id: readString(o, 'id', 'participant'), role: readString(o, 'role', 'participant') };
  });
}

/** A trustee's check-in: with a token (keys), or without one, offering paper words (participantKind "paper", no keys). */
function readCheckIn(b: JsonObject, trustees: Map<string, TrusteeRecord>, paperTrustees: Map<string, PaperTrusteeRecord>): void {
  if (b.role !== 'trustee') return;
  if (b.participantKind === 'paper') {
    const p = paperTrusteeFromEntry(b);
    paperTrustees.set(p.id, p);
  } else {
    const t = trusteeFromEntry(b);
    trustees.set(t.id, t);
  }
}

/** Reads the facts of `entries`, which begin with ceremony.start; throws a KeyriteError for a body it cannot read. */
export function readTranscriptFacts(entries: readonly TranscriptEntry[]): TranscriptFacts {
  const start = entries[0]!.body;
  const trustees = new Map<string, TrusteeRecord>();
  const checkpoints: CheckpointFact[] = [];
  const confirmations = new Set<string>();
  const paperTrustees = new Map<string, PaperTrusteeRecord>();
  const paperAttested: { trusteeId: string; witness: string; step: string; seq: number }[] = [];
  let runs = 0;
  let openStep: string | undefined;
  let life: 'none' | 'in-flight' | 'escrowed' = 'none';
  let master: MasterRecord | undefined;
  let manifestSha256: string | undefined;
  let receipts = new Map<string, JsonObject>();
  const abandonedMasters: { master: MasterRecord; abandonedAt: number }[] = [];
  for (const e of entries) {
    const b = e.body;
    switch (e.type) {
      case ENTRY.ceremonyStart:
      case ENTRY.ceremonyResume:
        runs++;
        break;
      case ENTRY.stepStart:
        openStep = readString(b, 'step', 'step.start entry');
        if (b.action === 'generate') life = 'in-flight';
        break;
      case ENTRY.stepEnd:
        if (readString(b, 'step', 'step.end entry') === openStep) openStep = undefined;
        if (b.action === 'distribute' && life === 'in-flight') life = 'escrowed';
        break;
      case ENTRY.stepFailed:
      case ENTRY.stepAborted:
        if (b.step === openStep) openStep = undefined;
        break;
      case ENTRY.participantCheckIn:
        readCheckIn(b, trustees, paperTrustees);
        break;
      case ENTRY.keyGenerate:
        if (b.role === 'master') master = masterFromEntry(b);
        break;
      case ENTRY.keyAbandoned:
        if (master) abandonedMasters.push({ master, abandonedAt: e.seq });
        [life, master, manifestSha256, receipts] = ['none', undefined, undefined, new Map()];
        break;
      case ENTRY.escrowSplit:
        manifestSha256 = readString(b, 'manifestSha256', 'escrow.split entry');
        break;
      case ENTRY.shareReceipt:
        receipts.set(readString(b, 'trusteeId', 'share.receipt entry'), expectObject(b.receipt, 'receipt of a share.receipt entry'));
        break;
      case ENTRY.checkpointSign:
        checkpoints.push(checkpointFact(b, e.seq));
        break;
      case ENTRY.witnessConfirm:
        confirmations.add(`${e.actor}\n${readString(b, 'step', 'witness.confirm entry')}`);
        if (b.paperShare !== undefined) paperAttested.push({ trusteeId: readString(b, 'paperShare', 'witness.confirm entry'), witness: e.actor, step: readString(b, 'step', 'witness.confirm entry'), seq: e.seq });
        break;
      default:
        break;
    }
  }
  const script = expectObject(start.script, 'script of ceremony.start');
  return {
    ceremonyId: readString(start, 'ceremonyId', 'ceremony.start entry'),
    scriptSha256: readString(script, 'sha256', 'script of ceremony.start'),
    runs,
    participants: participantsOf(start),
    ...(openStep !== undefined ? { openStep } : {}),
    trustees: [...trustees.values()],
    paperTrustees: [...paperTrustees.values()],
    paperAttested,
    abandonedMasters,
    ...(master ? { master } : {}),
    masterEscrowed: life === 'escrowed' && master !== undefined,
    ...(manifestSha256 !== undefined ? { manifestSha256 } : {}),
    receipts,
    checkpoints,
    confirmations,
  };
}
