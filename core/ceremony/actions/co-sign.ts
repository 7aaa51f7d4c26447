/**
 * co-sign: the end of the ceremony proper.
 *  1. statement.plan records what will be signed (payload type, predicate type, the digests
 *     of every subject but the transcript itself, and the signers), and the witness confirms;
 *  2. ceremony.end closes the transcript: from here on nothing is appended, because
 *  3. the final checkpoint (size = the whole transcript) is co-signed by the master key and
 *     every trustee, and the in-toto Statement v1 — subjects transcript.jsonl, keys/jwks.json,
 *     escrow/manifest.json, policy.json, script.yaml with SHA-256 digests; predicate with the
 *     checkpoint, master fingerprint, trustees and policy — is signed in a DSSE envelope by the
 *     master key and every trustee (co-sign roles), two signatures each (classical +
 *     ML-DSA-65, keyids = RFC 7638 thumbprints). Both are written to the journal folder;
 *     export copies them into the bundle.
 */
import { KeyriteError } from '../../errors.ts';
import { equalBytes, utf8 } from '../../bytes.ts';
import { encodeEnvelope, pae, type DsseSignature } from '../../encoding/dsse.ts';
import { parseCheckpointNote, verifyCheckpointSignatures, type Checkpoint } from '../../transcript/checkpoint.ts';
import { readTranscript } from '../../transcript/transcript.ts';
import type { HybridPublicKey, HybridSignature } from '../../crypto/hybrid.ts';
import type { StepOf } from '../../script/script.ts';
import { tokenRecordOf, type CeremonyRun } from '../run.ts';
import { JOURNAL_CHECKPOINTS, JOURNAL_STATEMENT } from '../journal.ts';
import { confirmWitness, createOrSame } from './common.ts';
import { sha256Hex, staticFiles, statementPayload, type RootKeygenFacts } from '../bundle-writer.ts';
import { BUNDLE_KIND_SPECS } from '../../bundle/kinds.ts';
import { TRANSCRIPT_FILE } from '../../bundle/layout.ts';
import { IN_TOTO_PAYLOAD_TYPE } from '../../bundle/statement.ts';
import { checkpointFileName, principals, signNote } from './checkpoint.ts';
import { requireManifest } from './escrow-files.ts';
import { requireMasterSecret } from './master-restore.ts';
import { ENTRY } from '../../bundle/entries.ts';
import { principalName, principalKeyIds } from '../../bundle/principals.ts';

/** The public facts the bundle is built from. */
export async function bundleFacts(run: CeremonyRun): Promise<RootKeygenFacts> {
  const m = run.master;
  if (!m) throw new KeyriteError('CEREMONY_ERROR', 'There is no master key in this ceremony.');
  await requireManifest(run);
  const trustees = run.trusteeAnswers.map((t) => run.trusteeRecord(t.id));
  return {
    kind: 'root-keygen',
    ceremonyId: run.ceremonyId,
    script: run.script,
    scriptBytes: run.parsed.bytes,
    scriptSha256: run.parsed.hashHex,
    master: { fingerprint: m.fingerprint, publicKey: m.publicKey, keyLabel: run.script.tokens.master.keyLabel, token: tokenRecordOf(run.session('master').desc) },
    trustees,
    manifestBytes: run.manifestBytes!,
    receipts: run.trusteeAnswers.map((t) => {
      const r = run.receipts.get(t.id) as { body?: Record<string, unknown> } | undefined;
      const b = r?.body ?? {};
      return { trusteeId: t.id, x: Number(b.x), commitmentCheck: String(b.commitmentCheck), blobCheck: String(b.blobCheck) };
    }),
    witnessSteps: run.script.steps.filter((s) => s.witness).map((s) => s.id),
    witnesses: run.witnesses.length,
    verifierPage: await run.env.verifierPage(),
  };
}

function requireReceipts(run: CeremonyRun): void {
  const missing = run.trusteeAnswers.filter((t) => !run.receipts.has(t.id));
  if (missing.length > 0) throw new KeyriteError('CEREMONY_ERROR', `The ceremony cannot be co-signed before every trustee has confirmed their share; missing: ${missing.map((t) => run.whoIs(t.id)).join(', ')}.`);
}

interface PrincipalSigner {
  name: string;
  publicKey: HybridPublicKey;
  sign(msg: Uint8Array): Promise<HybridSignature>;
}

function statementSigners(run: CeremonyRun, step: string): PrincipalSigner[] {
  const m = run.master!;
  return [
    { name: principalName(m.fingerprint), publicKey: m.publicKey, sign: (msg) => run.masterSigner().sign(msg) },
    ...run.trusteeAnswers.map((t) => {
      const r = run.trusteeRecord(t.id);
      return { name: principalName(r.fingerprint), publicKey: r.publicKey, sign: (msg: Uint8Array) => run.withTrusteeKeys(t.id, step, ({ signer }) => signer.sign(msg)) };
    }),
  ];
}

/** The final checkpoint note: reused when an interrupted run already wrote a valid one for this transcript. */
export async function finalNote(run: CeremonyRun, step: string, cp: Checkpoint): Promise<string> {
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

/** Signs the final checkpoint and the statement over the sealed transcript; writes both to the journal folder. */
/** The closed transcript read back from disk: it must be exactly what this run wrote and end with ceremony.end. */
export async function readClosedTranscript(run: CeremonyRun): Promise<Uint8Array> {
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

export async function finishSignatures(run: CeremonyRun, step: string): Promise<void> {
  await requireMasterSecret(run, step);
  const bytes = await readClosedTranscript(run);
  const cp = await run.writer.checkpoint(run.origin);
  const noteFile = await finalNote(run, step, cp);
  const facts = await bundleFacts(run);
  const subjects = staticFiles(facts);
  subjects.set(TRANSCRIPT_FILE, bytes);
  const payload = statementPayload(facts, subjects, cp, `checkpoints/${noteFile}`);
  const message = pae(IN_TOTO_PAYLOAD_TYPE, payload);
  const signatures: DsseSignature[] = [];
  for (const p of statementSigners(run, step)) {
    const ids = principalKeyIds(p.publicKey);
    const sig = await p.sign(message);
    signatures.push({ keyid: ids.classical, sig: sig.classical }, { keyid: ids.pq, sig: sig.pq });
  }
  const envelope = utf8(encodeEnvelope({ payloadType: IN_TOTO_PAYLOAD_TYPE, payload, signatures }) + '\n');
  await createOrSame(run, { root: 'out', path: JOURNAL_STATEMENT }, envelope);
}

export async function coSign(run: CeremonyRun, step: StepOf<'co-sign'>): Promise<void> {
  requireReceipts(run);
  await requireMasterSecret(run, step.id);
  const facts = await bundleFacts(run);
  const files = staticFiles(facts);
  const signers = [principalName(facts.master.fingerprint), ...facts.trustees.map((t) => principalName(t.fingerprint))];
  const spec = BUNDLE_KIND_SPECS['root-keygen'];
  const subjects = spec.subjects.filter((n) => n !== TRANSCRIPT_FILE).map((name) => ({ name, sha256: sha256Hex(files.get(name)!) }));
  await run.record(ENTRY.statementPlan, run.admin.id, {
    step: step.id,
    payloadType: IN_TOTO_PAYLOAD_TYPE,
    predicateType: spec.predicateType,
    subjects: [{ name: 'transcript.jsonl', sha256: 'this transcript, up to and including ceremony.end' }, ...subjects],
    signers,
    roles: ['master', ...step.params.roles],
  });
  await confirmWitness(run, step, [
    'The statement over this transcript will be signed by the master key and every trustee:',
    ...subjects.map((s) => `  ${s.name}  sha256 ${s.sha256}`),
  ]);
  await run.record(ENTRY.ceremonyEnd, run.admin.id, {
    step: step.id,
    status: 'complete',
    masterFingerprint: facts.master.fingerprint,
    trustees: facts.trustees.map((t) => ({ id: t.id, fingerprint: t.fingerprint })),
    receipts: run.receipts.size,
    next: 'the final checkpoint and the signed statement cover this transcript as it ends here; the bundle is exported from them',
  });
  run.sealed = true;
  await finishSignatures(run, step.id);
}
