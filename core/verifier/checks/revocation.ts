/**
 * What only a revocation bundle has (docs/FORMATS.md "Revocation"): the transcript's story — a
 * quorum unlock of the key (recovery.ts unlockFacts), the master token never opened, then the key
 * states with the key revoked — the key states file itself, where the revoked key lived (as the
 * original statement says), and the signers: the revoked key (both halves) and at least the
 * threshold of the original escrow's trustees, counted over distinct principals.
 */
import { fromUtf8 } from '../../bytes.ts';
import { parseEnvelope } from '../../encoding/dsse.ts';
import { canonicalize } from '../../encoding/jcs.ts';
import { parseJsonStrict } from '../../encoding/json.ts';
import { expectObject, readString } from '../../encoding/json-fields.ts';
import { isTranscriptTime, type TranscriptEntry } from '../../transcript/entry.ts';
import type { StepOf } from '../../script/script.ts';
import { ENTRY } from '../../bundle/entries.ts';
import { parseKeyStates } from '../../bundle/key-states.ts';
import { KEY_STATES_FILE, ORIGINAL_STATEMENT_FILE, POLICY_FILE, STATEMENT_FILE } from '../../bundle/layout.ts';
import { principalKeyIds } from '../../bundle/principals.ts';
import { fail, type Check } from '../check-list.ts';
import type { RecoveryFacts, VerifyContext } from '../context.ts';
import { originalMasterKey, unlockFacts } from './recovery.ts';
import { oldQuorum } from './rotation.ts';

const HEX64 = /^[0-9a-f]{64}$/;
/** Entries that would mean the master token was used, or a key made: a revocation does neither. */
const NOT_IN_A_REVOCATION: readonly string[] = [ENTRY.keyGenerate, ENTRY.keyImport, ENTRY.tokenLabelCheck];

/** The revocation transcript's own story; sets the master key (the revoked one) and the revocation's facts. */
export function revocationFacts(ctx: VerifyContext, entries: readonly TranscriptEntry[]): RecoveryFacts {
  const unlock = unlockFacts(ctx, entries);
  const { original, end } = unlock;
  if (end.masterFingerprint !== original.masterFingerprint) fail("ceremony.end names another key than the original ceremony's master key.");
  const odd = entries.find((e) => NOT_IN_A_REVOCATION.includes(e.type) || (e.type === ENTRY.tokenSelect && e.body.target === 'master'));
  if (odd) fail(`The transcript records ${odd.type} at seq ${odd.seq}: a revocation never uses the master token and makes no key.`);
  const states = entries.filter((e) => e.type === ENTRY.keyStates);
  if (states.length !== 1) fail('The transcript does not record the key states exactly once (key.states).');
  const b = states[0]!.body;
  const what = 'key.states entry';
  const at = readString(b, 'at', what);
  const sha = readString(b, 'sha256', what);
  const reason = readString(b, 'reason', what);
  const revoked = expectObject(b.revoked, `revoked of the ${what}`);
  if (!isTranscriptTime(at) || !HEX64.test(sha)) fail('The key.states entry does not give the revocation time and the SHA-256 of the key states.');
  if (revoked.fingerprint !== original.masterFingerprint || revoked.revokedAt !== at) fail("The key.states entry revokes another key, or at another time, than the original ceremony's master key at the revocation time.");
  const lastRestore = entries.filter((e) => e.type === ENTRY.keyRestore).at(-1)!;
  if (states[0]!.seq < lastRestore.seq) fail('The key states were fixed before the quorum unlocked the key.');
  if (end.keyStatesSha256 !== sha || end.revokedAt !== at || end.reason !== reason) fail('ceremony.end names other key states, revocation time or reason than the key.states entry.');
  ctx.master = { fingerprint: original.masterFingerprint, publicKey: originalMasterKey(ctx, original.masterFingerprint, 0) };
  ctx.revocation = { at, reason, keyStatesSha256: sha };
  return unlock;
}

/** The original statement's master key record: its label and token, where the revoked key lives. */
function originalHome(ctx: VerifyContext): string {
  const env = parseEnvelope(fromUtf8(ctx.file(ORIGINAL_STATEMENT_FILE)));
  const m = expectObject(expectObject(expectObject(parseJsonStrict(fromUtf8(env.payload), 'the original statement'), 'original statement').predicate, 'original predicate').master, 'original master');
  return canonicalize({ keyLabel: m.keyLabel, token: m.token });
}

export const revocationStates: Check<VerifyContext> = {
  name: 'revocation-states',
  needs: ['transcript-structure', 'script-hash', 'policy', 'original-link', 'statement'],
  run(ctx) {
    const r = ctx.revocation!;
    const bytes = ctx.file(KEY_STATES_FILE);
    if (ctx.sha256Hex(bytes) !== r.keyStatesSha256) fail('keys/key-states.json is not the key states the transcript recorded.');
    const states = parseKeyStates(bytes);
    const entry = ctx.transcript!.entries.find((e) => e.type === ENTRY.keyStates)!;
    if (canonicalize(entry.body.document) + '\n' !== fromUtf8(bytes)) fail('The key.states entry records another document than keys/key-states.json.');
    const step = ctx.script!.script.steps.find((s): s is StepOf<'revoke'> => s.action === 'revoke');
    if (!step || step.params.reason !== r.reason) fail("The revocation's reason is not the script's revoke reason.");
    const key = states.keys[0]!;
    const master = ctx.master!;
    const ids = principalKeyIds(master.publicKey);
    if (states.ceremonyId !== ctx.facts!.ceremonyId || states.issuedAt !== r.at) fail('keys/key-states.json is not issued by this revocation at its revocation time.');
    if (key.fingerprint !== master.fingerprint || key.kids.classical !== ids.classical || key.kids.pq !== ids.pq || key.ceremonyId !== ctx.recovery!.original.ceremonyId || key.state !== 'revoked' || key.since !== r.at || key.revokedAt !== r.at) {
      fail('keys/key-states.json does not give the master key as revoked from the revocation time.');
    }
    // Where the key lived, as policy.json and the statement say, is what the original statement says: no other token is named.
    const home = originalHome(ctx);
    const pm = expectObject(ctx.json(POLICY_FILE).master, 'master in policy.json');
    const sm = expectObject(expectObject(expectObject(parseJsonStrict(fromUtf8(parseEnvelope(fromUtf8(ctx.file(STATEMENT_FILE))).payload), 'statement'), 'statement').predicate, 'predicate').master, 'predicate master');
    if (canonicalize({ keyLabel: pm.keyLabel, token: pm.token }) !== home || canonicalize({ keyLabel: sm.keyLabel, token: sm.token }) !== home) fail("policy.json or the statement names another label or token for the revoked key than the original statement.");
    const p = expectObject(ctx.policy!.revocation, 'revocation in policy.json');
    if (Object.keys(p).length !== 2 || p.revokedAt !== r.at || p.reason !== r.reason) fail('policy.json names another revocation time or reason than the transcript.');
    return `the key ${master.fingerprint.slice(0, 16)}… revoked at ${r.at} (nothing it signed from then on is trusted); ${states.keys.length - 1} older key(s) carried forward`;
  },
};

export const revocationSigners: Check<VerifyContext> = {
  name: 'revocation-signers',
  needs: ['statement-signatures', 'original-link'],
  run(ctx) {
    const counting = new Set(ctx.signatures!.principals.filter((p) => p.counts).map((p) => p.fingerprint));
    if (!counting.has(ctx.master!.fingerprint)) fail('The revoked key did not sign its revocation (both halves, unlocked by the quorum).');
    const old = oldQuorum(ctx);
    const signed = [...old.fingerprints].filter((f) => counting.has(f)).length;
    if (signed < old.t) fail(`Only ${signed} trustees of the key's escrow signed the revocation; its threshold is ${old.t}.`);
    return `signed by the revoked key and ${signed} trustees of its escrow (threshold ${old.t}), each counted once`;
  },
};
