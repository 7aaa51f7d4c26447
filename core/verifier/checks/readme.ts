/**
 * README.txt read back (core/bundle/readme.ts) and every fact it states compared with what the
 * verifier knows from the transcript, the script and policy.json: the script's name, the
 * rehearsal banner, the ids, the master key and its token, the fingerprint, the kind's own
 * facts, and the bundle's files.
 */
import { expectObject } from '../../encoding/json-fields.ts';
import { fingerprint, fingerprintWords, formatFingerprintHex } from '../../encoding/fingerprint.ts';
import { fromHex } from '../../encoding/hex.ts';
import { tokenRecord } from '../../bundle/entries.ts';
import type { BundleKind } from '../../bundle/kinds.ts';
import { BUNDLE_MANIFEST_FILE, POLICY_FILE, README_FILE } from '../../bundle/layout.ts';
import { parseReadme, readmeSlots } from '../../bundle/readme.ts';
import { oneLine } from '../../bundle/text-template.ts';
import { fail, type Check } from '../check-list.ts';
import type { VerifyContext } from '../context.ts';

/** The facts of each kind's README beyond the common ones. */
const KIND_FACTS: Readonly<Record<BundleKind, (ctx: VerifyContext) => Record<string, string>>> = {
  'root-keygen': (ctx) => ({ t: String(ctx.script!.script.quorum!.t), n: String(ctx.script!.script.quorum!.n) }),
  'escrow-recovery': (ctx) => ({ originalCeremonyId: ctx.recovery!.original.ceremonyId, sharesCombined: ctx.recovery!.sharesCombined.join(', ') }),
  signing: (ctx) => ({
    originalCeremonyId: ctx.recovery!.original.ceremonyId,
    requestTitle: ctx.signing!.title,
    requestSha256: ctx.signing!.requestSha256,
    sharesCombined: ctx.recovery!.sharesCombined.join(', '),
    documents: ctx.signing!.documents.map((d) => d.name).join(', '),
  }),
  rotation: (ctx) => {
    const p = fingerprint(fromHex(ctx.previousMaster!.fingerprint));
    return {
      originalCeremonyId: ctx.recovery!.original.ceremonyId,
      sharesCombined: ctx.recovery!.sharesCombined.join(', '),
      previousUntil: ctx.rotation!.until,
      previousHex: formatFingerprintHex(p),
      previousWords: fingerprintWords(p).join(' '),
      t: String(ctx.script!.script.quorum!.t),
      n: String(ctx.script!.script.quorum!.n),
    };
  },
  revocation: (ctx) => ({
    originalCeremonyId: ctx.recovery!.original.ceremonyId,
    sharesCombined: ctx.recovery!.sharesCombined.join(', '),
    revokedAt: ctx.revocation!.at,
    reason: ctx.revocation!.reason,
  }),
  reshare: (ctx) => ({
    originalCeremonyId: ctx.recovery!.original.ceremonyId,
    sharesCombined: ctx.recovery!.sharesCombined.join(', '),
    epoch: String(ctx.reshare!.epoch),
    previousEpoch: String(ctx.reshare!.supersedes.epoch),
    holders: ctx.trustees.map((t) => t.id).join(', '),
    notAttested: ctx.reshare!.notAttested.length > 0 ? ctx.reshare!.notAttested.join(', ') : 'none',
    t: String(ctx.script!.script.quorum!.t),
    n: String(ctx.script!.script.quorum!.n),
  }),
};

function expectedFacts(ctx: VerifyContext, kind: BundleKind): Record<string, string> {
  const pm = expectObject(ctx.json(POLICY_FILE).master, 'master in policy.json');
  const token = tokenRecord(pm.token, 'master token in policy.json');
  const fp = fingerprint(fromHex(ctx.master!.fingerprint));
  return {
    ceremonyId: ctx.facts!.ceremonyId,
    keyLabel: String(pm.keyLabel),
    tokenLabel: token.label,
    tokenSerial: token.serial,
    fingerprintHex: formatFingerprintHex(fp),
    fingerprintWords: fingerprintWords(fp).join(' '),
    ...KIND_FACTS[kind](ctx),
  };
}

export const readme: Check<VerifyContext> = {
  name: 'readme',
  needs: ['transcript-structure', 'bundle-manifest', 'script-hash'],
  run(ctx) {
    const kind = ctx.kind!;
    const stated = parseReadme(ctx.file(README_FILE), kind);
    const script = ctx.script!.script;
    if (stated.scriptName !== oneLine(script.name)) fail('README.txt names another script than script.yaml.');
    if (stated.rehearsal !== (script.mode === 'rehearsal')) fail(script.mode === 'rehearsal' ? 'README.txt lacks the REHEARSAL ONLY banner of a rehearsal bundle.' : 'README.txt carries a REHEARSAL ONLY banner, but the script is live.');
    const expected = expectedFacts(ctx, kind);
    const wrong = readmeSlots(kind).filter((slot) => stated.facts[slot] !== oneLine(expected[slot] ?? ''));
    if (wrong.length > 0) fail(`README.txt states another ${wrong.join(', ')} than the bundle: its fingerprint, ids or instructions were changed.`);
    const files = ctx.manifest!.files.map((f) => f.path).concat(BUNDLE_MANIFEST_FILE).sort();
    if (stated.files.join('\n') !== files.join('\n')) fail('README.txt lists other files than bundle.json.');
    return 'README.txt shows this master fingerprint, ids and file list as Keyrite wrote them';
  },
};
