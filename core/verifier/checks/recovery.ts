/**
 * What the bundles of a quorum unlock have (escrow-recovery, docs/FORMATS.md "Recovery bundle";
 * signing, "Signing"): the transcript's own story of the unlock and its link to the original
 * (root) ceremony — the original signed statement in original/statement.dsse.json, whose SHA-256
 * the transcript recorded at its start, signed by the same master key and naming every trustee
 * present.
 */
import { fromUtf8 } from '../../bytes.ts';
import { pae, parseEnvelope } from '../../encoding/dsse.ts';
import { parseJsonStrict } from '../../encoding/json.ts';
import { parseJwks } from '../../encoding/jwks.ts';
import { expectObject, expectStrings, type JsonObject } from '../../encoding/json-fields.ts';
import { verifyHybrid, type HybridPublicKey } from '../../crypto/hybrid.ts';
import type { TranscriptEntry } from '../../transcript/entry.ts';
import { ENTRY } from '../../bundle/entries.ts';
import { BUNDLE_KIND_SPECS } from '../../bundle/kinds.ts';
import { JWKS_FILE, ORIGINAL_STATEMENT_FILE } from '../../bundle/layout.ts';
import { fingerprintHex, principalKeyIds } from '../../bundle/principals.ts';
import { IN_TOTO_PAYLOAD_TYPE, IN_TOTO_STATEMENT_TYPE, type BundleLink } from '../../bundle/statement.ts';
import { fail, type Check } from '../check-list.ts';
import { modeClause } from '../mode-words.ts';
import type { RecoveryFacts, VerifyContext } from '../context.ts';

const HEX32 = /^[0-9a-f]{32}$/;
const HEX64 = /^[0-9a-f]{64}$/;

export function sameLink(v: unknown, link: BundleLink): boolean {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const o = v as JsonObject;
  return Object.keys(o).length === 3 && o.ceremonyId === link.ceremonyId && o.masterFingerprint === link.masterFingerprint && o.statementSha256 === link.statementSha256;
}

function linkOf(v: unknown): BundleLink {
  const { ceremonyId, masterFingerprint, statementSha256 } = expectObject(v, '"original" of ceremony.start');
  if (typeof ceremonyId !== 'string' || !HEX32.test(ceremonyId) || typeof masterFingerprint !== 'string' || !HEX64.test(masterFingerprint) || typeof statementSha256 !== 'string' || !HEX64.test(statementSha256)) {
    fail('ceremony.start does not name the original ceremony (id, master fingerprint and statement SHA-256).');
  }
  return { ceremonyId, masterFingerprint, statementSha256 };
}

/**
 * The original master key as keys/jwks.json publishes it: its two keys from position `at` (0 for
 * a recovery or signing bundle, whose master key it is; 2 for a rotation bundle, after the new
 * key), which must have the original fingerprint.
 */
export function originalMasterKey(ctx: VerifyContext, fingerprint: string, at: 0 | 2): HybridPublicKey {
  const keys = parseJwks(fromUtf8(ctx.file(JWKS_FILE)), JWKS_FILE);
  const [c, q] = [keys[at], keys[at + 1]];
  const which = at === 0 ? 'begin with the master key' : 'give the previous master key third and fourth';
  if (c?.alg !== 'Ed25519' || q?.alg !== 'ML-DSA-65') fail(`keys/jwks.json does not ${which} (Ed25519, then ML-DSA-65).`);
  const key: HybridPublicKey = { classical: { alg: 'Ed25519', publicKey: c.publicKey }, pq: { alg: 'ML-DSA-65', publicKey: q.publicKey } };
  if (fingerprintHex(key) !== fingerprint) fail(`keys/jwks.json does not ${which} of the original ceremony.`);
  return key;
}

const CLOSES: Readonly<Record<string, string>> = { signing: 'a signing ceremony', 'escrow-recovery': 'a recovery', rotation: 'a rotation', reshare: 'a reshare' };

/**
 * The quorum unlock a transcript tells (escrow-recovery, signing, rotation): its link to the
 * original ceremony at start and end, every key.restore sound and of the original key, the last
 * one's shares those ceremony.end names, each accepted, at least t distinct.
 */
export function unlockFacts(ctx: VerifyContext, entries: readonly TranscriptEntry[], oldT?: number): RecoveryFacts {
  const start = entries[0]!.body;
  const original = linkOf(start.original);
  const end = entries[entries.length - 1]!.body;
  const kind = ctx.kind!;
  if (end.kind !== kind || !sameLink(end.original, original)) fail(`ceremony.end does not close ${CLOSES[kind] ?? 'a quorum unlock'} of the original ceremony named at the start.`);
  // A resumed recovery combines again (shares are never stored): every key.restore must be sound; the last one counts.
  const restores = entries.filter((e) => e.type === ENTRY.keyRestore);
  if (restores.length === 0) fail('The transcript records no key.restore entry: the key was never recovered.');
  for (const r of restores) {
    const checks = expectObject(r.body.checks, 'checks of key.restore');
    if (r.body.fingerprint !== original.masterFingerprint || checks.blobOpened !== true || checks.rederivesPublishedKeys !== true) {
      fail(`key.restore at seq ${r.seq} does not record that the combined key opened the escrow blob and re-derives the original master key.`);
    }
  }
  const combined = expectStrings(end.sharesCombined, 'shares combined in ceremony.end');
  if (expectStrings(restores[restores.length - 1]!.body.trustees, 'trustees of key.restore').join() !== combined.join()) fail('ceremony.end names other combined shares than key.restore.');
  const accepted = new Set(entries.filter((e) => e.type === ENTRY.shareAccepted).map((e) => String(e.body.trusteeId)));
  const unaccepted = combined.filter((id) => !accepted.has(id));
  if (unaccepted.length > 0) fail(`Shares were combined without a share.accepted entry: ${unaccepted.join(', ')}.`);
  // A reshare's ceremony.start gives the NEW epoch's quorum; its unlock needs the old one's t.
  const t = oldT ?? expectObject(start.quorum, 'quorum in ceremony.start').t;
  if (typeof t !== 'number' || new Set(combined).size < t) fail(`Fewer than t = ${String(t)} distinct shares were combined.`);
  checkPaperShares(ctx, entries, combined, restores[restores.length - 1]!.body, t);
  return { original, end, sharesCombined: combined };
}

/** The unlocking transcript's own story, from start to end; sets the master key and returns the unlock's facts. */
export function recoveryFacts(ctx: VerifyContext, entries: readonly TranscriptEntry[]): RecoveryFacts {
  const facts = unlockFacts(ctx, entries);
  const { original, end } = facts;
  const kind = ctx.kind!;
  if (end.masterFingerprint !== original.masterFingerprint) fail("ceremony.end names another master key than the original ceremony's.");
  const restores = entries.filter((e) => e.type === ENTRY.keyRestore);
  const onToken = entries.some((e) => e.type === ENTRY.tokenLabelCheck && e.body.outcome === 'holds-this-ceremony-key');
  if (kind === 'signing') {
    // The key signs with its classical half on the master token, found to hold it before any share was opened.
    const firstShare = entries.find((e) => e.type === ENTRY.shareAccepted)?.seq ?? Infinity;
    if (!entries.some((e) => e.type === ENTRY.tokenLabelCheck && e.body.outcome === 'holds-this-ceremony-key' && e.seq < firstShare)) fail('The transcript does not record that the master token held the master key before any share was opened.');
  } else {
    const restoredOnToken = entries.some((e) => e.type === ENTRY.keyImport && e.seq > restores[0]!.seq) || onToken;
    if (!restoredOnToken) fail('The transcript does not record the key restored onto the new master token.');
  }
  ctx.master = { fingerprint: original.masterFingerprint, publicKey: originalMasterKey(ctx, original.masterFingerprint, 0) };
  return facts;
}

/**
 * Shares typed from paper words (docs/FORMATS.md "Paper share"): a paper participant is never
 * also a trustee with a token (a signer); every combined share is of a trustee who checked in,
 * accepted as its check-in's kind (source "paper" exactly for paper participants), a paper share
 * attested by a witness before it was accepted; key.restore names the paper shares; and at most
 * t − 1 of the shares combined came from paper, so at least one was checked against its
 * commitment. Paper participants count for the quorum, never as signers.
 */
function checkPaperShares(ctx: VerifyContext, entries: readonly TranscriptEntry[], combined: readonly string[], restore: JsonObject, t: number): void {
  const facts = ctx.facts!;
  const paper = new Set(facts.paperTrustees.map((p) => p.id));
  const both = ctx.trustees.filter((tr) => paper.has(tr.id)).map((tr) => tr.id);
  if (both.length > 0) fail(`${both.join(', ')} checked in both with a token and as a paper participant: a trustee offering paper words holds no keys and signs nothing.`);
  const strangers = combined.filter((id) => !paper.has(id) && !ctx.trustees.some((tr) => tr.id === id));
  if (strangers.length > 0) fail(`Shares of ${strangers.join(', ')} were combined, who never checked in.`);
  const witnesses = new Set(facts.participants.filter((p) => p.role === 'witness').map((p) => p.id));
  const keyRestore = entries.filter((e) => e.type === ENTRY.keyRestore).at(-1)!.seq;
  for (const id of combined) {
    const accepted = entries.filter((e) => e.type === ENTRY.shareAccepted && e.body.trusteeId === id && e.seq < keyRestore).at(-1);
    if (!accepted) fail(`The share of ${id} was combined without being accepted first.`);
    const fromPaper = accepted.body.source === 'paper';
    if (accepted.body.source !== undefined && !fromPaper) fail(`The share.accepted entry of ${id} names an unknown source.`);
    if (fromPaper !== paper.has(id)) fail(fromPaper ? `The share of ${id} was accepted as typed from paper words, but ${id} checked in with a token.` : `${id} checked in as a paper participant, but their share was accepted as opened with a token.`);
    if (fromPaper && !facts.paperAttested.some((a) => a.trusteeId === id && witnesses.has(a.witness) && a.step === accepted.body.step && a.seq < accepted.seq)) {
      fail(`The paper share of ${id} was accepted without a witness attesting it first.`);
    }
  }
  const paperCombined = combined.filter((id) => paper.has(id));
  const named = restore.paperShares === undefined ? [] : expectStrings(restore.paperShares, 'paper shares of key.restore');
  if (named.join() !== paperCombined.join()) fail('key.restore names other paper shares than the shares combined from paper participants.');
  if (paperCombined.length > t - 1) fail(`${paperCombined.length} of the shares combined were typed from paper words (${paperCombined.join(', ')}); a quorum combines at most t − 1 = ${t - 1}, so that at least one share is checked against its commitment.`);
}

/**
 * original/statement.dsse.json: the statement whose SHA-256 the recovery recorded, a root key
 * ceremony statement of the original ceremony and master key, signed by that master key (the
 * same key this bundle publishes), naming every trustee present, with the recovery's quorum.
 */
export const originalLink: Check<VerifyContext> = {
  name: 'original-link',
  needs: ['transcript-structure', 'policy'],
  run(ctx) {
    const { original, sharesCombined } = ctx.recovery!;
    const bytes = ctx.file(ORIGINAL_STATEMENT_FILE);
    if (ctx.sha256Hex(bytes) !== original.statementSha256) fail('original/statement.dsse.json is not the statement whose SHA-256 the recovery recorded at its start.');
    const env = parseEnvelope(fromUtf8(bytes));
    if (env.payloadType !== IN_TOTO_PAYLOAD_TYPE) fail('original/statement.dsse.json is not an in-toto statement.');
    const st = expectObject(parseJsonStrict(fromUtf8(env.payload), 'the original statement'), 'original statement');
    // Every kind builds on the bundle that holds the current escrow of its master key: the root ceremony, the rotation that made the key, or the last reshare of it.
    const kinds = ['root-keygen', 'rotation', 'reshare'] as const;
    if (st._type !== IN_TOTO_STATEMENT_TYPE || !kinds.some((k) => st.predicateType === BUNDLE_KIND_SPECS[k].predicateType)) fail('original/statement.dsse.json is not a root key ceremony, key rotation or escrow reshare statement.');
    const pred = expectObject(st.predicate, 'original predicate');
    if (pred.ceremonyId !== original.ceremonyId || expectObject(pred.master, 'original master').fingerprint !== original.masterFingerprint) fail('original/statement.dsse.json is of another ceremony or master key.');
    // The key that signed the original statement: the one a rotation rotates out, else this bundle's own master key.
    const master = ctx.kind === 'rotation' ? ctx.previousMaster! : ctx.master!;
    const ids = principalKeyIds(master.publicKey);
    const sigOf = (keyid: string): Uint8Array => {
      const found = env.signatures.filter((s) => s.keyid === keyid);
      if (found.length !== 1) fail('original/statement.dsse.json does not carry exactly one signature of each half of the master key.');
      return found[0]!.sig;
    };
    const mode = ctx.mode;
    const v = verifyHybrid(master.publicKey, pae(env.payloadType, env.payload), { classical: mode === 'pq-only' ? new Uint8Array(0) : sigOf(ids.classical), pq: mode === 'classical-only' ? new Uint8Array(0) : sigOf(ids.pq) }, mode, ctx.crypto.ed25519, ctx.crypto.mldsa65);
    if (!v.valid) fail(`The original master key's signature on the original statement does not verify (${modeClause(mode)}).`);
    const named = new Map((Array.isArray(pred.trustees) ? pred.trustees : []).map((x) => {
      const o = expectObject(x, 'original trustee');
      return [String(o.id), String(o.fingerprint)] as const;
    }));
    // A reshare's own trustees are the new epoch's holders: the old holders who unlocked must be the original's.
    const unlocking = ctx.kind === 'reshare' ? ctx.reshare!.oldTrustees : ctx.trustees;
    const strangers = unlocking.filter((t) => named.get(t.id) !== t.fingerprint);
    if (strangers.length > 0) fail(`${strangers.map((t) => t.id).join(', ')} ${strangers.length === 1 ? 'is' : 'are'} not a trustee of the original ceremony with the same keys.`);
    const paper = ctx.facts!.paperTrustees;
    const unknownPaper = paper.filter((p) => !named.has(p.id));
    if (unknownPaper.length > 0) fail(`${unknownPaper.map((p) => p.id).join(', ')} offered paper words but ${unknownPaper.length === 1 ? 'is' : 'are'} not a trustee of the original ceremony.`);
    const op = expectObject(pred.policy, 'original policy');
    const quorum = expectObject(ctx.policy!.quorum, 'quorum in policy.json');
    if (ctx.kind !== 'reshare' && (op.n !== quorum.n || op.t !== quorum.t)) fail(`The ${ctx.kind === 'rotation' ? 'rotation' : 'recovery'}'s quorum is not the original ${String(op.t)}-of-${String(op.n)}.`);
    return `the original statement (SHA-256 recorded at the start) of ceremony ${original.ceremonyId} is signed (${modeClause(mode)}) by ${ctx.kind === 'rotation' ? 'the master key this rotation rotates out' : 'the same master key'}; the ${unlocking.length} trustees ${ctx.kind === 'reshare' ? 'who unlocked' : 'present'} are trustees of that ceremony, and ${sharesCombined.length} of their shares (t = ${String(op.t)}) were combined`;
  },
};
