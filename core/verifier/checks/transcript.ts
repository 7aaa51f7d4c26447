/**
 * The transcript (docs/FORMATS.md "Transcript"), rule by rule — syntax, sequence, hash chain,
 * times — then its structure: one ceremony of a kind this verifier reads, from ceremony.start
 * to exactly one ceremony.end, no step left open, and what its kind must record (a root-keygen
 * master key generated and escrowed; a recovery's restore, recovery.ts).
 */
import { checkTranscript } from '../../transcript/transcript.ts';
import { TranscriptError, type TranscriptRule } from '../../transcript/entry.ts';
import { ceremonyOrigin } from '../../transcript/checkpoint.ts';
import { ENTRY, isEntryType } from '../../bundle/entries.ts';
import { isBundleKind } from '../../bundle/kinds.ts';
import { TRANSCRIPT_FILE } from '../../bundle/layout.ts';
import { Skipped, fail, failureDetail, type Check } from '../check-list.ts';
import type { VerifyContext } from '../context.ts';
import { readTranscriptFacts, type TranscriptFacts } from '../transcript-facts.ts';
import { recoveryFacts } from './recovery.ts';
import { signingTranscriptFacts } from './signing.ts';
import { rotationFacts } from './rotation.ts';
import { revocationFacts } from './revocation.ts';
import { reshareFacts } from './reshare.ts';

const RULE_CHECKS: Readonly<Record<TranscriptRule, string>> = {
  syntax: 'transcript-syntax',
  sequence: 'transcript-sequence',
  chain: 'transcript-chain',
  time: 'transcript-timestamps',
};

const TRANSCRIPT_RULE_CHECKS: readonly string[] = Object.values(RULE_CHECKS);

/** One check per transcript rule; the transcript is read once, by the first. Past the first broken rule the others are skipped. */
function ruleCheck(rule: TranscriptRule, passDetail: (size: number) => string): Check<VerifyContext> {
  return {
    name: RULE_CHECKS[rule],
    needs: [],
    run(ctx) {
      if (rule === 'syntax') {
        try {
          // Entries of a type no check reads (a bench's step.progress padding) are checked as every entry is, then dropped.
          ctx.transcript = checkTranscript(ctx.file(TRANSCRIPT_FILE), { sha256: ctx.crypto.sha256, keep: (e) => isEntryType(e.type) });
        } catch (e) {
          ctx.transcriptError = e;
        }
      }
      const e = ctx.transcriptError;
      if (e === undefined) return passDetail(ctx.transcript!.size);
      const broken: TranscriptRule = e instanceof TranscriptError ? e.rule : 'syntax';
      if (broken === rule) throw e;
      const where = e instanceof TranscriptError && e.line !== undefined ? ` at line ${e.line}` : '';
      return new Skipped(`Not checked past the problem${where} (${RULE_CHECKS[broken]}).`);
    },
  };
}

export const transcriptRules: readonly Check<VerifyContext>[] = [
  ruleCheck('syntax', (n) => `${n} entries, each one line of RFC 8785 canonical JSON of the entry form, the file ending with a line break`),
  ruleCheck('sequence', (n) => `sequence numbers 0 to ${n - 1} in order, none missing or repeated`),
  ruleCheck('chain', () => "every entry's prev is the hash of the entry before it (the first is 64 zeros)"),
  ruleCheck('time', () => 'entry times never go backwards'),
];

function describe(ctx: VerifyContext, facts: TranscriptFacts): string {
  const size = ctx.transcript!.size;
  if (ctx.kind === 'signing') {
    const r = ctx.recovery!;
    return `signing ceremony ${facts.ceremonyId} with the master key of ceremony ${r.original.ceremonyId}: ${size} entries from ceremony.start to ceremony.end, ${facts.runs} run(s), the key unlocked by ${r.sharesCombined.length} shares and checked, ${ctx.signing!.documents.length} document(s) signed, ${ctx.trustees.length} trustees present`;
  }
  if (ctx.kind === 'rotation') {
    const r = ctx.recovery!;
    return `rotation ${facts.ceremonyId} of the master key of ceremony ${r.original.ceremonyId}: ${size} entries from ceremony.start to ceremony.end, ${facts.runs} run(s), the old key unlocked by ${r.sharesCombined.length} shares and checked, a new master key generated and escrowed, the key states fixed at ${ctx.rotation!.at}, ${ctx.trustees.length} trustees`;
  }
  if (ctx.kind === 'revocation') {
    const r = ctx.recovery!;
    return `revocation ${facts.ceremonyId} of the master key of ceremony ${r.original.ceremonyId}: ${size} entries from ceremony.start to ceremony.end, ${facts.runs} run(s), the key unlocked by ${r.sharesCombined.length} shares and checked (its token not used), revoked at ${ctx.revocation!.at}, ${ctx.trustees.length} trustees present`;
  }
  if (ctx.kind === 'reshare') {
    const r = ctx.recovery!;
    const s = ctx.reshare!;
    return `reshare ${facts.ceremonyId} of the escrow of the master key of ceremony ${r.original.ceremonyId}: ${size} entries from ceremony.start to ceremony.end, ${facts.runs} run(s), the key unlocked by ${r.sharesCombined.length} old shares and checked, escrowed anew as epoch ${s.epoch} among ${ctx.trustees.length} new holders; epoch ${s.supersedes.epoch} superseded${s.notAttested.length > 0 ? `; could NOT attest destruction: ${s.notAttested.join(', ')}` : ''}`;
  }
  if (ctx.kind === 'escrow-recovery') {
    const r = ctx.recovery!;
    return `escrow recovery ${facts.ceremonyId} of ceremony ${r.original.ceremonyId}: ${size} entries from ceremony.start to ceremony.end, ${facts.runs} run(s), the master key recovered from ${r.sharesCombined.length} shares, checked and restored, ${ctx.trustees.length} trustees present`;
  }
  return `root-keygen ceremony ${facts.ceremonyId}: ${size} entries from ceremony.start to ceremony.end, ${facts.runs} run(s), master key generated and escrowed, ${ctx.trustees.length} trustees`;
}

export const transcriptStructure: Check<VerifyContext> = {
  name: 'transcript-structure',
  needs: TRANSCRIPT_RULE_CHECKS,
  run(ctx) {
    const entries = ctx.transcript!.entries;
    const first = entries[0];
    // entries holds the types the checks read: the first and last must still be the file's own.
    if (first === undefined || first.seq !== 0 || first.type !== ENTRY.ceremonyStart) fail('The transcript does not begin with ceremony.start.');
    const kind = first.body.kind;
    if (!isBundleKind(kind)) fail(`The transcript is of a ${JSON.stringify(kind)} ceremony; this verifier reads root-keygen, escrow-recovery, signing, rotation, revocation and reshare bundles.`);
    ctx.kind = kind;
    if (first.body.origin !== ceremonyOrigin(String(first.body.ceremonyId))) fail('ceremony.start names another log origin than its ceremony id gives.');
    const last = entries[entries.length - 1]!;
    if (entries.filter((e) => e.type === ENTRY.ceremonyEnd).length !== 1 || last.seq !== ctx.transcript!.size - 1 || last.type !== ENTRY.ceremonyEnd) fail('The transcript does not end with exactly one ceremony.end entry.');
    let facts: TranscriptFacts;
    try {
      facts = readTranscriptFacts(entries);
    } catch (e) {
      fail(`The transcript's entries do not describe one ceremony: ${failureDetail(e)}`);
    }
    ctx.facts = facts;
    // The last step (co-sign) is closed by ceremony.end itself.
    if (facts.openStep !== undefined && facts.openStep !== last.body.step) fail(`The transcript leaves the step ${facts.openStep} started but never ended.`);
    ctx.trustees = facts.trustees;
    if (kind === 'escrow-recovery' || kind === 'signing') {
      ctx.recovery = recoveryFacts(ctx, entries);
      if (kind === 'signing') ctx.signing = signingTranscriptFacts(entries);
    } else if (kind === 'rotation') {
      ctx.recovery = rotationFacts(ctx, entries);
    } else if (kind === 'revocation') {
      ctx.recovery = revocationFacts(ctx, entries);
    } else if (kind === 'reshare') {
      ctx.recovery = reshareFacts(ctx, entries);
    } else {
      if (!facts.master) fail('The transcript records no master key.');
      if (!facts.masterEscrowed) fail('The transcript does not record the master key as generated and escrowed.');
      ctx.master = facts.master;
    }
    const manifest = ctx.manifest;
    if (manifest && manifest.ceremonyId !== facts.ceremonyId) fail('bundle.json names another ceremony than the transcript.');
    if (manifest && manifest.masterFingerprint !== ctx.master!.fingerprint) fail('bundle.json names another master key than the transcript.');
    return describe(ctx, facts);
  },
};
