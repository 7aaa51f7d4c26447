/**
 * The signed statement (DESIGN.md "Signed statement and public bundle"): an in-toto Statement
 * v1 of the bundle kind's predicate type over the kind's subjects, for this ceremony, master
 * key, script, trustees, quorum and final checkpoint; its DSSE signatures each from a distinct
 * key of the ceremony and valid; every principal counting only under the hybrid rule; and the
 * threshold counted over distinct principals. Then the trust anchor, when one was given.
 */
import { equalBytes, fromUtf8, utf8 } from '../../bytes.ts';
import { fromBase64 } from '../../encoding/base64url.ts';
import { encodeEnvelope, parseEnvelope } from '../../encoding/dsse.ts';
import { parseJsonStrict } from '../../encoding/json.ts';
import { expectList, expectObject, type JsonObject } from '../../encoding/json-fields.ts';
import { BUNDLE_KIND_SPECS } from '../../bundle/kinds.ts';
import { POLICY_FILE, STATEMENT_FILE } from '../../bundle/layout.ts';
import { principalKeyIds, principalName } from '../../bundle/principals.ts';
import { IN_TOTO_PAYLOAD_TYPE, IN_TOTO_STATEMENT_TYPE } from '../../bundle/statement.ts';
import { fail, type Check } from '../check-list.ts';
import type { VerifyContext } from '../context.ts';
import { modeHalves } from '../mode-words.ts';
import { evaluateStatementSignatures } from '../statement-signatures.ts';
import { sameLink } from './recovery.ts';
import { signedFiles } from './signing.ts';

/** The predicate names this ceremony, master key, script, final checkpoint, trustees (and, for a recovery, the original). */
function checkPredicate(ctx: VerifyContext, pred: JsonObject): void {
  if (pred.ceremonyId !== ctx.facts!.ceremonyId || expectObject(pred.master, 'predicate master').fingerprint !== ctx.master!.fingerprint) fail('The statement names another ceremony or master key.');
  if (expectObject(pred.script, 'predicate script').sha256 !== ctx.facts!.scriptSha256) fail('The statement names another script.');
  const cp = expectObject(pred.checkpoint, 'predicate checkpoint');
  const finalNote = ctx.noteNames[ctx.noteNames.length - 1]!;
  const note = ctx.notes.get(finalNote)!;
  if (cp.note !== finalNote || cp.size !== ctx.transcript!.size || cp.origin !== note.checkpoint.origin || typeof cp.root !== 'string' || !equalBytes(fromBase64(cp.root), note.checkpoint.root)) {
    fail("The statement's checkpoint is not the final checkpoint of the whole transcript.");
  }
  const named = expectList(pred.trustees, 'predicate trustees').map((x) => expectObject(x, 'predicate trustee'));
  const trustees = ctx.trustees;
  if (named.length !== trustees.length || named.some((x, i) => x.id !== trustees[i]!.id || x.fingerprint !== trustees[i]!.fingerprint)) fail('The statement lists other trustees than the transcript.');
  if (ctx.kind !== 'root-keygen' && !sameLink(pred.original, ctx.recovery!.original)) fail('The statement links to another original ceremony than the transcript.');
  if (ctx.kind === 'signing') {
    const s = ctx.signing!;
    const request = expectObject(pred.request, 'predicate request');
    const docs = expectList(pred.documents, 'predicate documents').map((d) => expectObject(d, 'predicate document'));
    const same = docs.length === s.documents.length && docs.every((d, i) => Object.keys(d).length === 4 && d.name === s.documents[i]!.name && d.payloadType === s.documents[i]!.payloadType && d.sha256 === s.documents[i]!.sha256 && d.envelopeSha256 === s.documents[i]!.envelopeSha256);
    if (request.sha256 !== s.requestSha256 || !same) fail('The statement names another request or other signed documents than the transcript.');
  }
  if (ctx.kind === 'rotation') {
    const previous = expectObject(pred.previousMaster, 'predicate previousMaster');
    const pk = expectObject(previous.keys, 'predicate previousMaster keys');
    const ids = principalKeyIds(ctx.previousMaster!.publicKey);
    const sameKeys = expectObject(pk.classical, 'previous classical').kid === ids.classical && expectObject(pk.pq, 'previous pq').kid === ids.pq;
    if (previous.fingerprint !== ctx.previousMaster!.fingerprint || previous.until !== ctx.rotation!.until || !sameKeys) fail('The statement names another previous master key or grace end than the transcript.');
    if (expectObject(pred.keyStates, 'predicate keyStates').sha256 !== ctx.rotation!.keyStatesSha256) fail('The statement names other key states than the transcript.');
  }
  if (ctx.kind === 'revocation') {
    const r = ctx.revocation!;
    const rev = expectObject(pred.revocation, 'predicate revocation');
    if (Object.keys(rev).length !== 2 || rev.revokedAt !== r.at || rev.reason !== r.reason) fail('The statement names another revocation time or reason than the transcript.');
    if (expectObject(pred.keyStates, 'predicate keyStates').sha256 !== r.keyStatesSha256) fail('The statement names other key states than the transcript.');
  }
  if (ctx.kind === 'reshare') {
    const r = ctx.reshare!;
    const e = expectObject(pred.escrow, 'predicate escrow');
    const sup = expectObject(e.supersedes, 'predicate escrow supersedes');
    if (e.epoch !== r.epoch || sup.ceremonyId !== r.supersedes.ceremonyId || sup.epoch !== r.supersedes.epoch || expectList(e.notAttested, 'predicate notAttested').join() !== r.notAttested.join()) fail('The statement names another epoch, superseded epoch or list of old holders who could not attest destruction than the transcript.');
  }
  const pp = expectObject(pred.policy, 'predicate policy');
  const q = expectObject(ctx.json(POLICY_FILE).quorum, 'quorum in policy.json');
  if (pp.n !== q.n || pp.t !== q.t || pp.signatures !== 'hybrid') fail('The statement gives another quorum or signature rule than policy.json.');
}

export const statement: Check<VerifyContext> = {
  name: 'statement',
  needs: ['transcript-structure', 'checkpoint-roots', 'script-hash'],
  run(ctx) {
    const bytes = ctx.file(STATEMENT_FILE);
    const envelope = parseEnvelope(fromUtf8(bytes));
    ctx.envelope = envelope;
    if (!equalBytes(bytes, utf8(encodeEnvelope(envelope) + '\n'))) fail('statement.dsse.json is not in the form Keyrite writes (canonical JSON and one line break): it was edited.');
    if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) fail(`The statement's payloadType is not ${IN_TOTO_PAYLOAD_TYPE}.`);
    const st = expectObject(parseJsonStrict(fromUtf8(envelope.payload), 'statement'), 'statement');
    const spec = BUNDLE_KIND_SPECS[ctx.kind!];
    if (st._type !== IN_TOTO_STATEMENT_TYPE || st.predicateType !== spec.predicateType) fail(`The statement is not a Keyrite ${spec.title} statement (in-toto v1).`);
    const subjects = expectList(st.subject, 'statement subjects').map((s) => expectObject(s, 'statement subject'));
    if (subjects.map((s) => s.name).join('\n') !== [...spec.subjects, ...signedFiles(ctx)].join('\n')) fail(`The statement names other subjects than a ${ctx.kind} statement has.`);
    for (const s of subjects) {
      if (expectObject(s.digest, 'subject digest').sha256 !== ctx.sha256Hex(ctx.file(String(s.name)))) fail(`The statement's SHA-256 of ${String(s.name)} does not match the file.`);
    }
    checkPredicate(ctx, expectObject(st.predicate, 'predicate'));
    return `in-toto Statement v1 over ${subjects.length} subjects whose SHA-256 match the files, for this ceremony, master key, script, trustees, quorum and final checkpoint`;
  },
};

export const statementSignatures: Check<VerifyContext> = {
  name: 'statement-signatures',
  needs: ['statement'],
  run(ctx) {
    const envelope = ctx.envelope!;
    const report = evaluateStatementSignatures(envelope, ctx.signers(), ctx.mode, ctx.crypto.ed25519, ctx.crypto.mldsa65);
    ctx.signatures = report;
    if (report.unknown > 0) fail(`The statement carries ${report.unknown} signature(s) whose keyid is not a key of this ceremony.`);
    if (report.repeatedKeyIds.length > 0) fail(`The statement carries more than one signature for the key(s) ${report.repeatedKeyIds.join(', ')}; a key signs once.`);
    if (report.invalid.length > 0) fail(`The statement signature(s) of ${report.invalid.join(', ')} do not verify over the DSSE PAE.`);
    const order = ctx.signers().flatMap((p) => Object.values(principalKeyIds(p.publicKey)));
    const positions = envelope.signatures.map((s) => order.indexOf(s.keyid ?? ''));
    if (positions.some((at, i) => i > 0 && at <= positions[i - 1]!)) fail('The statement signatures are not in the order Keyrite writes them (master first, then each trustee, classical before ML-DSA-65): one was moved.');
    if (ctx.mode === 'hybrid') return `${envelope.signatures.length} signatures over the DSSE PAE, each from a distinct key of this ceremony, all valid`;
    const { checked, skipped } = modeHalves(ctx.mode);
    const skippedKeys = new Set(ctx.signers().map((p) => principalKeyIds(p.publicKey)[ctx.mode === 'classical-only' ? 'pq' : 'classical']));
    const unchecked = envelope.signatures.filter((s) => skippedKeys.has(s.keyid ?? '')).length;
    return `${envelope.signatures.length} signatures over the DSSE PAE, each from a distinct key of this ceremony; the ${envelope.signatures.length - unchecked} ${checked} ones are valid, the ${unchecked} ${skipped} ones were NOT checked (${ctx.mode} mode)`;
  },
};

export const hybridRule: Check<VerifyContext> = {
  name: 'hybrid-rule',
  needs: ['statement-signatures'],
  run(ctx) {
    const mode = ctx.mode;
    const principals = ctx.signatures!.principals;
    const failing = principals.filter((p) => !p.counts);
    if (failing.length > 0) {
      fail(`${failing.map((p) => `${p.id} (classical ${p.classical}, ML-DSA-65 ${p.pq})`).join('; ')} ${failing.length === 1 ? 'does' : 'do'} not count: a principal counts only when ${mode === 'hybrid' ? 'both its classical and its ML-DSA-65 signature verify' : `its ${mode === 'classical-only' ? 'classical' : 'ML-DSA-65'} signature verifies (${mode} mode)`}.`);
    }
    if (mode === 'hybrid') return `each of ${principals.length} principals has a valid classical and a valid ML-DSA-65 signature`;
    const { checked, skipped } = modeHalves(mode);
    return `${mode} mode: each of ${principals.length} principals counts on a valid ${checked} signature alone; the ${skipped} half was NOT checked, so the hybrid rule was not applied`;
  },
};

export const threshold: Check<VerifyContext> = {
  name: 'threshold',
  needs: ['hybrid-rule', 'policy'],
  run(ctx) {
    const required = expectList(expectObject(ctx.policy!.signatures, 'signatures in policy.json').statementSigners, 'statement signers').map(String);
    const counting = new Set(ctx.signatures!.principals.filter((p) => p.counts).map((p) => principalName(p.fingerprint)));
    const have = required.filter((r) => counting.has(r)).length;
    if (have < required.length) fail(`The statement is signed by ${have} of the ${required.length} distinct principals policy.json requires.`);
    return `${have} of ${required.length} required distinct principals (${ctx.kind === 'rotation' ? `new master, previous master + ${required.length - 2}` : `master + ${required.length - 1}`} trustees) signed, each counted once`;
  },
};
