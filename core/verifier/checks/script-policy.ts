/**
 * The script and the policy: script.yaml is the script whose SHA-256 the transcript recorded
 * at the start, of the bundle's kind; policy.json states that script's kind, mode and quorum,
 * the trustees as checked in, the witness steps (each confirmed by a witness), and that the
 * statement needs the hybrid signatures of the master key and every trustee.
 */
import { expectList, expectObject } from '../../encoding/json-fields.ts';
import { parseCeremonyScript } from '../../script/script.ts';
import { POLICY_FILE, SCRIPT_FILE } from '../../bundle/layout.ts';
import { principalName } from '../../bundle/principals.ts';
import { POLICY_FORMAT } from '../../bundle/statement.ts';
import { fail, type Check } from '../check-list.ts';
import type { VerifyContext } from '../context.ts';
import { sameLink } from './recovery.ts';

export const scriptHash: Check<VerifyContext> = {
  name: 'script-hash',
  needs: ['transcript-structure'],
  run(ctx) {
    const script = parseCeremonyScript(ctx.file(SCRIPT_FILE));
    ctx.script = script;
    if (script.hashHex !== ctx.facts!.scriptSha256) fail('script.yaml is not the script whose SHA-256 the transcript recorded at the start.');
    if (script.script.kind !== ctx.kind) fail(`script.yaml is not a ${ctx.kind} script.`);
    return `script.yaml is the script recorded at the start (SHA-256 ${script.hashHexGroups})`;
  },
};

/** The trustees policy.json lists must be those of the transcript, in order; their number fits the kind. */
function checkTrustees(ctx: VerifyContext, listed: readonly Record<string, unknown>[], n: number, t: number): void {
  const trustees = ctx.trustees;
  // Paper participants (no token) count for the quorum, never as signers: policy.json lists the signers only.
  const paper = ctx.facts!.paperTrustees.length;
  if (ctx.kind === 'reshare') {
    if (listed.length !== n || trustees.length !== n) fail(`The new epoch has n = ${n}, but policy.json lists ${listed.length} holders and the transcript enrolled ${trustees.length}.`);
    if (!sameLink(ctx.policy!.original, ctx.recovery!.original)) fail('policy.json links to another original ceremony than the transcript.');
    const r = expectObject(ctx.policy!.reshare, 'reshare in policy.json');
    const sup = expectObject(r.supersedes, 'supersedes in policy.json');
    if (r.epoch !== ctx.reshare!.epoch || sup.ceremonyId !== ctx.reshare!.supersedes.ceremonyId || sup.epoch !== ctx.reshare!.supersedes.epoch || expectList(r.notAttested, 'notAttested in policy.json').join() !== ctx.reshare!.notAttested.join()) fail('policy.json names another epoch, superseded epoch or list of old holders who could not attest destruction than the transcript.');
  }
  if ((ctx.kind === 'root-keygen' || ctx.kind === 'rotation') && (listed.length !== n || trustees.length !== n || paper !== 0)) fail(`The quorum has n = ${n}, but policy.json lists ${listed.length} trustees and the transcript checked in ${trustees.length}${paper > 0 ? ` and ${paper} without a token` : ''}.`);
  if (ctx.kind === 'escrow-recovery' || ctx.kind === 'signing' || ctx.kind === 'revocation') {
    const present = trustees.length + paper;
    if (present < t || present > n) fail(`A ${t}-of-${n} ${ctx.kind === 'escrow-recovery' ? 'recovery' : 'quorum unlock'} needs ${t} to ${n} trustees present; the transcript checked in ${present}${paper > 0 ? ` (${paper} of them without a token)` : ''}.`);
    if (trustees.length === 0) fail('No trustee checked in with a token: a quorum unlock needs at least one trustee who signs.');
    if (!sameLink(ctx.policy!.original, ctx.recovery!.original)) fail('policy.json links to another original ceremony than the transcript.');
  }
  if (ctx.kind === 'rotation') {
    if (!sameLink(ctx.policy!.original, ctx.recovery!.original)) fail('policy.json links to another original ceremony than the transcript.');
    const previous = expectObject(ctx.policy!.previousMaster, 'previousMaster in policy.json');
    const rotation = expectObject(ctx.policy!.rotation, 'rotation in policy.json');
    if (Object.keys(previous).length !== 1 || previous.fingerprint !== ctx.previousMaster!.fingerprint || Object.keys(rotation).length !== 1 || rotation.graceDays !== ctx.rotation!.graceDays) fail('policy.json names another previous master key or grace period than the transcript.');
  }
  if (listed.some((x, i) => x.id !== trustees[i]!.id || x.fingerprint !== trustees[i]!.fingerprint)) fail('policy.json lists other trustees than the transcript.');
}

/** Every step the script has a witness confirm is confirmed by a participant who is a witness. */
function checkWitnessSteps(ctx: VerifyContext, policySteps: unknown): number {
  const scriptSteps = ctx.script!.script.steps.filter((st) => st.witness).map((st) => st.id);
  if (expectList(policySteps, 'witness steps in policy.json').join('\n') !== scriptSteps.join('\n')) fail('policy.json names other witness steps than the script.');
  const witnesses = ctx.facts!.participants.filter((p) => p.role === 'witness').map((p) => p.id);
  const unconfirmed = scriptSteps.filter((id) => !witnesses.some((w) => ctx.facts!.confirmations.has(`${w}\n${id}`)));
  if (unconfirmed.length > 0) fail(`No witness confirmation is recorded for the step(s) ${unconfirmed.join(', ')}, which the script says a witness must confirm.`);
  return scriptSteps.length;
}

export const policy: Check<VerifyContext> = {
  name: 'policy',
  needs: ['transcript-structure', 'script-hash'],
  run(ctx) {
    const doc = ctx.json(POLICY_FILE);
    ctx.policy = doc;
    const s = ctx.script!.script;
    const q = expectObject(doc.quorum, 'quorum in policy.json');
    const pm = expectObject(doc.master, 'master in policy.json');
    if (doc.format !== POLICY_FORMAT) fail('policy.json is not a keyrite/policy/v1 document.');
    if (doc.ceremonyId !== ctx.facts!.ceremonyId || pm.fingerprint !== ctx.master!.fingerprint) fail('policy.json names another ceremony or master key.');
    if (doc.kind !== s.kind || doc.mode !== s.mode) fail('policy.json gives another kind or mode than the script.');
    if (!s.quorum || q.n !== s.quorum.n || q.t !== s.quorum.t) fail('policy.json gives another quorum than the script.');
    const { n, t } = s.quorum;
    if (!(Number.isSafeInteger(t) && t >= 2 && t <= n)) fail(`The quorum ${t}-of-${n} is not a valid threshold.`);
    checkTrustees(ctx, expectList(doc.trustees, 'trustees in policy.json').map((x) => expectObject(x, 'trustee in policy.json')), n, t);
    const witnessSteps = checkWitnessSteps(ctx, expectObject(doc.witness, 'witness in policy.json').steps);
    const sig = expectObject(doc.signatures, 'signatures in policy.json');
    const expectedSigners = ctx.signers().map((p) => principalName(p.fingerprint));
    if (sig.mode !== 'hybrid' || expectList(sig.statementSigners, 'statement signers in policy.json').join('\n') !== expectedSigners.join('\n')) {
      fail('policy.json does not require the hybrid signatures of the master key and every trustee on the statement.');
    }
    return `${t}-of-${n} as in the script, ${ctx.trustees.length} trustees${ctx.kind === 'root-keygen' ? '' : ' present'} as in the transcript; ${witnessSteps} witness steps each confirmed by a witness; hybrid signatures of ${expectedSigners.length} principals required`;
  },
};
