/**
 * The signing ceremony's own key work (kinds/signing.ts):
 *  - checkMasterKeyOnToken, when the master token is logged into (before anything is
 *    unlocked): the token holds the root bundle's classical key under the script's label, and a
 *    test signature by it verifies;
 *  - bindMasterToken, after combine: the classical half signs on the token from then on, and the
 *    Ed25519 seed derived from S is wiped;
 *  - signDocument (sign-document): the request must be byte for byte the one confirmed; each
 *    document (core/signing/documents.ts, dated by the request's check, so a resumed run makes
 *    the same bytes) is written to signed/ in the run folder and signed by both halves of the
 *    master key — classical on the token (CKM_EDDSA), ML-DSA-65 from the unlocked key — and every
 *    signature is verified before its envelope is written. An envelope an interrupted run wrote
 *    is kept only if it is the master key's valid signature of the same document: nothing is
 *    signed twice, and never two different contents.
 */
import { KeyriteError } from '../../errors.ts';
import { equalBytes } from '../../bytes.ts';
import { ed25519Verify } from '../../crypto/ed25519.ts';
import { pairwiseTestMessage } from '../../crypto/pairwise.ts';
import { verifyHybrid } from '../../crypto/hybrid.ts';
import { wipe } from '../../crypto/wipe.ts';
import { pae } from '../../encoding/dsse.ts';
import type { StepOf } from '../../script/script.ts';
import { ENTRY } from '../../bundle/entries.ts';
import { SIGNED_DIR } from '../../bundle/layout.ts';
import { documentsToSign, signedEnvelope } from '../../signing/documents.ts';
import { envelopeProblem } from '../../signing/envelope-check.ts';
import { tokenRecordOf, type CeremonyRun } from '../run.ts';
import { confirmWitness, createOrSame, sha256Hex } from './common.ts';
import { readRequest } from './check-request.ts';
import type { SigningState } from './signing-state.ts';

export async function checkMasterKeyOnToken(run: CeremonyRun, step: string, st: SigningState): Promise<void> {
  const published = st.masterPublicKey;
  if (!published) throw new KeyriteError('CEREMONY_ERROR', 'The master token is checked against the verified root bundle: the script must verify it (verify-bundle) before the master token is logged into.');
  const s = run.session('master');
  const label = run.script.tokens.master.keyLabel;
  const token = tokenRecordOf(s.desc);
  const ref = await s.token.findObject(label);
  if (!ref) {
    await run.record(ENTRY.tokenLabelCheck, run.admin.id, { step, label, token, outcome: 'missing' });
    throw new KeyriteError('TOKEN_ERROR', `The master token "${s.desc.label}" (serial ${s.desc.serial}) holds no key labelled "keyrite:${label}". Bring the token that holds the master key: the root ceremony's, or the one a recovery restored it to.`);
  }
  if (!equalBytes(await s.token.getPublicKey(ref), published.classical.publicKey)) {
    await run.record(ENTRY.tokenLabelCheck, run.admin.id, { step, label, token, outcome: 'other-key' });
    throw new KeyriteError('VERIFY_FAILED', `The key "keyrite:${label}" on the master token "${s.desc.label}" (serial ${s.desc.serial}) is not the master key of the root bundle; it must not sign for it.`);
  }
  const msg = pairwiseTestMessage();
  if (!ed25519Verify(published.classical.publicKey, msg, await s.token.sign(ref, msg))) {
    throw new KeyriteError('VERIFY_FAILED', `A test signature by "keyrite:${label}" on the master token "${s.desc.label}" does not verify; it must not be used.`);
  }
  await run.record(ENTRY.tokenLabelCheck, run.admin.id, { step, label, token, outcome: 'holds-this-ceremony-key', ref, testSignature: 'pass' });
  st.masterTokenRef = ref;
  run.progress({ kind: 'info', stepId: step, message: `The master token "${s.desc.label}" (serial ${s.desc.serial}) holds the root bundle's master key as "${label}"; a test signature verifies.` });
}

/** After combine: the classical half signs on the master token from now on; the derived Ed25519 seed is wiped. */
export function bindMasterToken(run: CeremonyRun, st: SigningState): void {
  const m = run.master!;
  if (!st.masterTokenRef) throw new KeyriteError('CEREMONY_ERROR', 'The master token must be logged into (and found to hold the master key) before the key is unlocked.');
  m.tokenRef = st.masterTokenRef;
  wipe(m.edSeed);
  m.edSeed = undefined;
}

export async function signDocument(run: CeremonyRun, step: StepOf<'sign-document'>, st: SigningState): Promise<void> {
  const m = run.master;
  const request = st.request;
  if (!request || st.checkedAt === undefined) throw new KeyriteError('CEREMONY_ERROR', 'The request is signed only after it was checked and confirmed; the script must check it first (check-request).');
  if (!m?.mldsaSecretKey || !m.tokenRef) throw new KeyriteError('CEREMONY_ERROR', 'The master key is not unlocked; the script must combine the shares first.');
  const now = await readRequest(run);
  if (sha256Hex(now) !== request.sha256) {
    throw new KeyriteError('REQUEST_REFUSED', `The signing request changed after it was confirmed (its SHA-256 is now ${sha256Hex(now)}); nothing was signed. Put back the request that was confirmed, or start a new ceremony.`);
  }
  const documents = documentsToSign(request, { ceremonyId: run.ceremonyId, mode: run.script.mode, requestSha256: request.sha256, signedAt: st.checkedAt, issuer: m.publicKey });
  const signer = run.masterSigner();
  st.documents.length = 0;
  for (const doc of documents) {
    await createOrSame(run, { root: 'out', path: `${SIGNED_DIR}/${doc.name}` }, doc.bytes);
    const envRef = { root: 'out' as const, path: `${SIGNED_DIR}/${doc.name}.dsse.json` };
    const existing = await run.env.files.read(envRef);
    const kept = existing !== undefined;
    let envelope: Uint8Array;
    if (existing !== undefined) {
      const problem = envelopeProblem(existing, doc, m.publicKey);
      if (problem) throw new KeyriteError('OBJECT_EXISTS', `${run.env.files.display(envRef)} already exists and is not the master key's signature of this document (${problem}); Keyrite never overwrites a file. Move it away and run again.`);
      envelope = existing;
    } else {
      const message = pae(doc.payloadType, doc.bytes);
      const sig = await signer.sign(message);
      if (!verifyHybrid(m.publicKey, message, sig).valid) throw new KeyriteError('VERIFY_FAILED', `A signature the master key just made on ${doc.name} does not verify; nothing was written.`);
      envelope = signedEnvelope(doc, m.publicKey, sig);
      await run.env.files.create(envRef, envelope);
    }
    await run.record(ENTRY.documentSign, run.admin.id, { step: step.id, name: doc.name, payloadType: doc.payloadType, sha256: sha256Hex(doc.bytes), envelopeSha256: sha256Hex(envelope), ...(kept ? { kept: 'signed by an earlier run of this ceremony; checked and kept, not signed again' } : {}) });
    st.documents.push({ name: doc.name, payloadType: doc.payloadType, bytes: doc.bytes, envelope });
  }
  const lines = st.documents.map((d) => `Signed ${d.name} (${d.payloadType}), SHA-256 ${sha256Hex(d.bytes)}; both signatures verify.`);
  run.progress({ kind: 'info', stepId: step.id, message: lines.join(' ') });
  await confirmWitness(run, step, lines);
}
