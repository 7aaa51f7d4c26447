/**
 * co-sign: the end of every ceremony proper (kinds add what they check and record first:
 * KindEngine.close).
 *  1. the kind's last checks (a root ceremony records statement.plan: what will be signed), and
 *     the witness confirms what is about to be closed;
 *  2. ceremony.end closes the transcript: from here on nothing is appended, because
 *  3. the final checkpoint (size = the whole transcript) is co-signed by the master key and
 *     every trustee, and the in-toto Statement v1 over the kind's subjects (bundle-writer.ts)
 *     is signed in a DSSE envelope by the master key (a rotation: then the key it rotates out)
 *     and every trustee, two signatures each
 *     (classical + ML-DSA-65, keyids = RFC 7638 thumbprints). Both are written to the journal
 *     folder; export copies them into the bundle. A statement an interrupted run already wrote
 *     for this closed transcript is kept (export verifies it).
 */
import { KeyriteError } from '../../errors.ts';
import { equalBytes, utf8 } from '../../bytes.ts';
import { encodeEnvelope, pae, type DsseSignature } from '../../encoding/dsse.ts';
import { parseCheckpointNote, verifyCheckpointSignatures, type Checkpoint } from '../../transcript/checkpoint.ts';
import { readTranscript } from '../../transcript/transcript.ts';
import type { EntryBody } from '../../transcript/entry.ts';
import type { HybridPublicKey, HybridSignature, HybridSigner } from '../../crypto/hybrid.ts';
import type { StepOf } from '../../script/script.ts';
import { ENTRY } from '../../bundle/entries.ts';
import { TRANSCRIPT_FILE } from '../../bundle/layout.ts';
import { principalKeyIds } from '../../bundle/principals.ts';
import { IN_TOTO_PAYLOAD_TYPE } from '../../bundle/statement.ts';
import { staticFiles, statementPayload, type BundleFacts } from '../bundle-writer.ts';
import { JOURNAL_CHECKPOINTS, JOURNAL_STATEMENT } from '../journal.ts';
import type { CeremonyRun } from '../run.ts';
import { confirmWitness, createOrSame } from './common.ts';
import { checkpointFileName, principals, signNote } from './checkpoint.ts';
import { requireMasterSecret } from './master-restore.ts';

/** What a kind says before its transcript is closed: the lines the witness confirms, and ceremony.end's members. */
export interface Closing {
  readonly summary: readonly string[];
  readonly end: EntryBody;
}

/** The final checkpoint note: reused when an interrupted run already wrote a valid one for this transcript. */
async function finalNote(run: CeremonyRun, step: string, cp: Checkpoint): Promise<string> {
  const dir = await run.env.files.list({ root: 'out', path: JOURNAL_CHECKPOINTS });
  const existing = dir.find((n) => n.endsWith('-final.note'));
  if (existing) {
    const bytes = await run.env.files.read({ root: 'out', path: `${JOURNAL_CHECKPOINTS}/${existing}` });
    const note = parseCheckpointNote(bytes!);
    const v = verifyCheckpointSignatures(note, principals(run), 'hybrid');
    if (note.checkpoint.size !== cp.size || !equalBytes(note.checkpoint.root, cp.root) || !v.valid || v.validPrincipals.length !== principals(run).length) {
      throw new KeyriteError('VERIFY_FAILED', `The run folder holds a final checkpoint (${existing}) that does not match this transcript; move it away and run again.`);
    }
    return existing;
  }
  const signed = await signNote(run, step, cp);
  const file = checkpointFileName(run, 'final');
  await createOrSame(run, { root: 'out', path: `${JOURNAL_CHECKPOINTS}/${file}` }, utf8(signed.note));
  run.checkpointNotes.push({ phase: 'final', file });
  return file;
}

/** The closed transcript read back from disk: it must be exactly what this run wrote and end with ceremony.end. */
async function readClosedTranscript(run: CeremonyRun): Promise<Uint8Array> {
  const bytes = await run.env.transcript.read();
  if (bytes === undefined) throw new KeyriteError('IO_ERROR', 'The transcript of this run cannot be read back.');
  const contents = readTranscript(bytes);
  if (contents.size !== run.writer.size() || !equalBytes(contents.root, run.writer.root())) {
    throw new KeyriteError('VERIFY_FAILED', 'The transcript on disk differs from the one this run wrote; nothing was signed.');
  }
  const last = contents.entries[contents.entries.length - 1];
  if (last?.type !== ENTRY.ceremonyEnd) throw new KeyriteError('CEREMONY_ERROR', 'The transcript does not end with ceremony.end; the statement is signed only over a closed transcript.');
  return bytes;
}

/**
 * Signs the final checkpoint and the statement over the closed transcript, unless they are
 * already in the journal folder. A rotation gives `previous`, the signer of the key it rotates
 * out, which signs the statement right after the new master key.
 */
export async function finishSignatures(run: CeremonyRun, step: string, facts: () => Promise<BundleFacts>, previous?: () => HybridSigner): Promise<void> {
  await requireMasterSecret(run, step);
  const bytes = await readClosedTranscript(run);
  const cp = await run.writer.checkpoint(run.origin);
  const noteFile = await finalNote(run, step, cp);
  const statementRef = { root: 'out' as const, path: JOURNAL_STATEMENT };
  if ((await run.env.files.read(statementRef)) !== undefined) return;
  const f = await facts();
  const subjects = staticFiles(f);
  subjects.set(TRANSCRIPT_FILE, bytes);
  const payload = statementPayload(f, subjects, cp, `checkpoints/${noteFile}`);
  const message = pae(IN_TOTO_PAYLOAD_TYPE, payload);
  const signatures: DsseSignature[] = [];
  const sign = async (publicKey: HybridPublicKey, signer: (msg: Uint8Array) => Promise<HybridSignature>): Promise<void> => {
    const ids = principalKeyIds(publicKey);
    const sig = await signer(message);
    signatures.push({ keyid: ids.classical, sig: sig.classical }, { keyid: ids.pq, sig: sig.pq });
  };
  await sign(f.master.publicKey, (msg) => run.masterSigner().sign(msg));
  if (f.kind === 'rotation') {
    if (!previous) throw new KeyriteError('CEREMONY_ERROR', 'A rotation statement is signed by the key it rotates out, which is not unlocked in this run.');
    await sign(f.previous.publicKey, (msg) => previous().sign(msg));
  }
  for (const t of f.trustees) await sign(t.publicKey, (msg) => run.withTrusteeKeys(t.id, step, ({ signer }) => signer.sign(msg)));
  await createOrSame(run, statementRef, utf8(encodeEnvelope({ payloadType: IN_TOTO_PAYLOAD_TYPE, payload, signatures }) + '\n'));
}

export async function coSign(run: CeremonyRun, step: StepOf<'co-sign'>, close: () => Promise<Closing>, facts: () => Promise<BundleFacts>, previous?: () => HybridSigner): Promise<void> {
  // A transcript closed by an earlier run is never extended: only missing signatures are made.
  if (run.sealed) return finishSignatures(run, step.id, facts, previous);
  const closing = await close();
  await confirmWitness(run, step, [...closing.summary]);
  await run.record(ENTRY.ceremonyEnd, run.admin.id, { step: step.id, status: 'complete', ...closing.end });
  run.sealed = true;
  await finishSignatures(run, step.id, facts, previous);
}
