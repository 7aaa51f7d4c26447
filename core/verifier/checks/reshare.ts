/**
 * What only a reshare bundle has (docs/FORMATS.md "Reshare"): the transcript's story — a quorum
 * unlock of the current key by the OLD holders (recovery.ts unlockFacts, with the old escrow's
 * threshold), then every holder of the new epoch enrolled anew, the same key's escrow split at the
 * next epoch, every new receipt, the old identities destroyed on their tokens and the old epoch
 * recorded as superseded, naming who could not attest destruction — and the signers' rule: the
 * (unchanged) master key and every new holder on the statement, a threshold of the old holders
 * on the checkpoint signed before the new epoch began.
 */
import { fromUtf8 } from '../../bytes.ts';
import { parseEnvelope } from '../../encoding/dsse.ts';
import { parseJsonStrict } from '../../encoding/json.ts';
import { expectList, expectObject, expectStrings, readInt, readString } from '../../encoding/json-fields.ts';
import type { TranscriptEntry } from '../../transcript/entry.ts';
import { ENTRY, trusteeFromEntry } from '../../bundle/entries.ts';
import { BUNDLE_KIND_SPECS } from '../../bundle/kinds.ts';
import { ORIGINAL_STATEMENT_FILE } from '../../bundle/layout.ts';
import { principalName } from '../../bundle/principals.ts';
import { fail, type Check } from '../check-list.ts';
import type { RecoveryFacts, VerifyContext } from '../context.ts';
import { originalMasterKey, unlockFacts } from './recovery.ts';
import { oldQuorum } from './rotation.ts';

/** The epoch of the escrow the original bundle holds: a reshare's own, else 0 (root ceremony, rotation). */
function originalEpoch(ctx: VerifyContext): number {
  const env = parseEnvelope(fromUtf8(ctx.file(ORIGINAL_STATEMENT_FILE)));
  const st = expectObject(parseJsonStrict(fromUtf8(env.payload), 'the original statement'), 'original statement');
  if (st.predicateType !== BUNDLE_KIND_SPECS.reshare.predicateType) return 0;
  return readInt(expectObject(expectObject(st.predicate, 'original predicate').escrow, 'original escrow'), 'epoch', 'original escrow', 1, Number.MAX_SAFE_INTEGER);
}

function trusteeCheckIns(entries: readonly TranscriptEntry[], enrolled: boolean): TranscriptEntry[] {
  return entries.filter((e) => e.type === ENTRY.participantCheckIn && e.body.role === 'trustee' && e.body.participantKind !== 'paper' && e.body.enrolled === enrolled);
}

/** The old identities' key.destroy entries: both keys of each, gone, after the last receipt. */
function checkDestroyed(entries: readonly TranscriptEntry[], old: readonly { id: string; fingerprint: string }[], after: number, before: number): void {
  const destroys = entries.filter((e) => e.type === ENTRY.keyDestroy);
  for (const t of old) {
    for (const kind of ['seal-key', 'signing-key']) {
      const d = destroys.find((e) => e.body.trusteeId === t.id && e.body.kind === kind);
      if (!d || d.body.gone !== true || d.body.fingerprint !== t.fingerprint) fail(`The transcript does not record the old ${kind === 'seal-key' ? 'sealing' : 'signing'} key of ${t.id} destroyed on their token.`);
      if (d.seq < after || d.seq > before) fail(`The old keys of ${t.id} are recorded destroyed outside the destroy-old-keys step (after every new receipt, before the old epoch is superseded).`);
    }
  }
}

/** The reshare transcript's own story; sets the master key, the new holders and the reshare's facts. */
export function reshareFacts(ctx: VerifyContext, entries: readonly TranscriptEntry[]): RecoveryFacts {
  const old = oldQuorum(ctx);
  const unlock = unlockFacts(ctx, entries, old.t);
  const { original, end } = unlock;
  if (end.masterFingerprint !== original.masterFingerprint) fail("ceremony.end names another master key than the current bundle's: a reshare keeps the key.");
  if (entries.some((e) => (e.type === ENTRY.keyGenerate && e.body.role === 'master') || e.type === ENTRY.keyImport)) fail('The reshare transcript generates or imports a master key; a reshare keeps the key it unlocked.');
  ctx.master = { fingerprint: original.masterFingerprint, publicKey: originalMasterKey(ctx, original.masterFingerprint, 0) };
  const oldTrustees = trusteeCheckIns(entries, false).map((e) => trusteeFromEntry(e.body));
  const enrolments = trusteeCheckIns(entries, true);
  const lastRestore = entries.filter((e) => e.type === ENTRY.keyRestore).at(-1)!;
  if (enrolments.length === 0 || enrolments[0]!.seq < lastRestore.seq) fail('The new holders enrolled before the key was unlocked, or not at all.');
  if (oldTrustees.some((t) => entries.some((e) => e.type === ENTRY.participantCheckIn && e.body.enrolled === false && e.body.participantId === t.id && e.seq > enrolments[0]!.seq))) fail('An old holder checked in after the new epoch began.');
  ctx.trustees = enrolments.map((e) => trusteeFromEntry(e.body));
  const splits = entries.filter((e) => e.type === ENTRY.escrowSplit);
  if (splits.length !== 1 || splits[0]!.seq < enrolments.at(-1)!.seq) fail('The transcript does not split the escrow exactly once, after every new holder enrolled.');
  const split = splits[0]!.body;
  const epoch = readInt(split, 'epoch', 'escrow.split entry', 1, Number.MAX_SAFE_INTEGER);
  const prev = expectObject(split.previousEpoch, 'previous epoch of the escrow.split entry');
  const supersedes = { ceremonyId: readString(prev, 'ceremonyId', 'previous epoch'), epoch: readInt(prev, 'epoch', 'previous epoch', 0, Number.MAX_SAFE_INTEGER) };
  const before = originalEpoch(ctx);
  if (supersedes.ceremonyId !== original.ceremonyId || supersedes.epoch !== before) fail(`The reshare supersedes escrow epoch ${supersedes.epoch} of ceremony ${supersedes.ceremonyId.slice(0, 8)}…; the current bundle holds epoch ${before} of ceremony ${original.ceremonyId.slice(0, 8)}….`);
  if (epoch !== before + 1) fail(`The new escrow epoch is ${epoch}; it must follow the superseded epoch ${before} by one.`);
  const superseded = entries.filter((e) => e.type === ENTRY.escrowSuperseded);
  if (superseded.length !== 1) fail('The transcript does not record the old epoch as superseded exactly once (escrow.superseded).');
  const sup = superseded[0]!;
  const by = expectObject(sup.body.by, 'by of the escrow.superseded entry');
  if (sup.body.ceremonyId !== supersedes.ceremonyId || sup.body.epoch !== supersedes.epoch || by.ceremonyId !== ctx.facts!.ceremonyId || by.epoch !== epoch) fail('escrow.superseded names another epoch than the split superseded.');
  const lastReceipt = entries.filter((e) => e.type === ENTRY.shareReceipt).at(-1);
  if (!lastReceipt || sup.seq < lastReceipt.seq) fail('The old epoch was superseded before every new holder confirmed their share.');
  checkDestroyed(entries, oldTrustees, lastReceipt.seq, sup.seq);
  const holders = expectList(sup.body.holders, 'holders of the escrow.superseded entry').map((h) => expectObject(h, 'old holder'));
  const unlockedWithToken = new Set(oldTrustees.map((t) => t.id));
  const paper = new Set(ctx.facts!.paperTrustees.map((p) => p.id));
  for (const h of holders) {
    const id = readString(h, 'trusteeId', 'old holder');
    if ((h.token === 'destroyed') !== unlockedWithToken.has(id)) fail(`escrow.superseded says the old token of ${id} was ${String(h.token)}, which the check-ins and key.destroy entries do not show.`);
    if ((h.paper === 'destroyed') !== (unlockedWithToken.has(id) || paper.has(id))) fail(`escrow.superseded says the old paper of ${id} was ${String(h.paper)}, but ${id} ${h.paper === 'destroyed' ? 'was not' : 'was'} in the room.`);
  }
  const notAttested = holders.filter((h) => h.token !== 'destroyed' || h.paper !== 'destroyed').map((h) => String(h.trusteeId));
  if (expectStrings(sup.body.notAttested, 'notAttested of escrow.superseded').join() !== notAttested.join() || expectStrings(end.notAttested, 'notAttested of ceremony.end').join() !== notAttested.join()) fail('The transcript names the old holders who could not attest destruction inconsistently.');
  if (end.epoch !== epoch) fail('ceremony.end names another epoch than the split.');
  ctx.reshare = { epoch, supersedes, notAttested, oldTrustees };
  return unlock;
}

/**
 * TUF's rule for a reshare: the statement by the (unchanged) master key and every holder of the
 * new epoch; at least t of the OLD escrow's holders (from the original statement) on a checkpoint
 * signed before the new epoch's enrolment — their consent to the reshare the script and the
 * participants of ceremony.start describe, given with the identities they unlocked with.
 */
export const reshareSigners: Check<VerifyContext> = {
  name: 'reshare-signers',
  needs: ['statement-signatures', 'original-link', 'escrow-manifest', 'checkpoint-signatures'],
  run(ctx) {
    const counting = new Set(ctx.signatures!.principals.filter((p) => p.counts).map((p) => p.fingerprint));
    if (!counting.has(ctx.master!.fingerprint)) fail('The master key did not sign the reshare statement.');
    const unsigned = ctx.escrow!.trustees.filter((t) => !counting.has(t.fingerprint));
    if (unsigned.length > 0) fail(`Holders of the new epoch did not sign the reshare: ${unsigned.map((t) => t.id).join(', ')}.`);
    const old = oldQuorum(ctx);
    const entries = ctx.transcript!.entries;
    const enrolledAt = entries.find((e) => e.type === ENTRY.participantCheckIn && e.body.enrolled === true)!.seq;
    const oldNames = new Map(ctx.reshare!.oldTrustees.filter((t) => old.fingerprints.has(t.fingerprint)).map((t) => [principalName(t.fingerprint), t.id]));
    let best = 0;
    for (const cp of ctx.facts!.checkpoints) {
      if (cp.seq > enrolledAt) continue;
      const signers = expectList(entries[cp.seq]!.body.signers, 'signers of a checkpoint entry').map((x) => String(expectObject(x, 'checkpoint signer').name));
      best = Math.max(best, signers.filter((n) => oldNames.has(n)).length);
    }
    if (best < old.t) fail(`Only ${best} holders of the old escrow signed a checkpoint before the new epoch began; its threshold is ${old.t}.`);
    return `statement signed by the master key and all ${ctx.escrow!.trustees.length} holders of epoch ${ctx.reshare!.epoch}; ${best} holders of the old escrow (threshold ${old.t}) signed the checkpoint before the new epoch began, each counted once`;
  },
};
