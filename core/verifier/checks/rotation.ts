/**
 * What only a rotation bundle has (docs/FORMATS.md "Rotation"): the transcript's story — a quorum
 * unlock of the OLD key (recovery.ts unlockFacts), then a NEW key generated and escrowed as in a
 * root ceremony, then the key states — the key states file itself, and TUF's rule on the
 * statement's signers: the new key, the old key, a threshold of the old escrow's trustees and
 * every trustee of the new escrow, counted over distinct principals.
 */
import { fromUtf8 } from '../../bytes.ts';
import { parseEnvelope } from '../../encoding/dsse.ts';
import { canonicalize } from '../../encoding/jcs.ts';
import { parseJsonStrict } from '../../encoding/json.ts';
import { expectList, expectObject, readInt, readString } from '../../encoding/json-fields.ts';
import { isTranscriptTime, type TranscriptEntry } from '../../transcript/entry.ts';
import type { StepOf } from '../../script/script.ts';
import { ENTRY } from '../../bundle/entries.ts';
import { parseKeyStates } from '../../bundle/key-states.ts';
import { KEY_STATES_FILE, ORIGINAL_STATEMENT_FILE } from '../../bundle/layout.ts';
import { principalKeyIds } from '../../bundle/principals.ts';
import { fail, type Check } from '../check-list.ts';
import type { RecoveryFacts, VerifyContext } from '../context.ts';
import { originalMasterKey, unlockFacts } from './recovery.ts';

const HEX64 = /^[0-9a-f]{64}$/;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The rotation transcript's own story; sets the new master key, the previous one and the rotation's facts. */
export function rotationFacts(ctx: VerifyContext, entries: readonly TranscriptEntry[]): RecoveryFacts {
  const unlock = unlockFacts(ctx, entries);
  const { original, end } = unlock;
  const facts = ctx.facts!;
  if (!facts.master || !facts.masterEscrowed) fail('The transcript does not record a new master key generated and escrowed.');
  if (end.previousFingerprint !== original.masterFingerprint) fail("ceremony.end names another key rotated out than the original ceremony's master key.");
  if (end.masterFingerprint !== facts.master.fingerprint) fail('ceremony.end names another new master key than the one generated.');
  if (facts.master.fingerprint === original.masterFingerprint) fail('The new master key is the key it replaces.');
  const generated = entries.filter((e) => e.type === ENTRY.keyGenerate && e.body.role === 'master');
  const lastRestore = entries.filter((e) => e.type === ENTRY.keyRestore).at(-1)!;
  if (generated.some((g) => g.seq < lastRestore.seq)) fail('The transcript generates a new master key before the old one was unlocked.');
  const states = entries.filter((e) => e.type === ENTRY.keyStates);
  if (states.length !== 1) fail('The transcript does not record the key states exactly once (key.states).');
  const b = states[0]!.body;
  const what = 'key.states entry';
  const at = readString(b, 'at', what);
  const sha = readString(b, 'sha256', what);
  const until = readString(expectObject(b.previous, `previous of the ${what}`), 'until', what);
  if (!isTranscriptTime(at) || !isTranscriptTime(until) || !HEX64.test(sha)) fail('The key.states entry does not give the rotation time, the grace end and the SHA-256 of the key states.');
  const lastImport = entries.filter((e) => e.type === ENTRY.keyImport).at(-1);
  if (lastImport === undefined || states[0]!.seq < lastImport.seq) fail('The key states were fixed before the new key was on its token.');
  if (end.keyStatesSha256 !== sha) fail('ceremony.end names other key states than the key.states entry.');
  ctx.master = facts.master;
  ctx.previousMaster = { fingerprint: original.masterFingerprint, publicKey: originalMasterKey(ctx, original.masterFingerprint, 2) };
  ctx.rotation = { at, graceDays: readInt(b, 'graceDays', what, 0, 3653), until, keyStatesSha256: sha };
  return unlock;
}

export const keyStates: Check<VerifyContext> = {
  name: 'key-states',
  needs: ['transcript-structure', 'script-hash'],
  run(ctx) {
    const r = ctx.rotation!;
    const bytes = ctx.file(KEY_STATES_FILE);
    if (ctx.sha256Hex(bytes) !== r.keyStatesSha256) fail('keys/key-states.json is not the key states the transcript recorded.');
    const states = parseKeyStates(bytes);
    const entry = ctx.transcript!.entries.find((e) => e.type === ENTRY.keyStates)!;
    if (canonicalize(entry.body.document) + '\n' !== fromUtf8(bytes)) fail('The key.states entry records another document than keys/key-states.json.');
    const step = ctx.script!.script.steps.find((s): s is StepOf<'cross-sign'> => s.action === 'cross-sign');
    if (!step || step.params.graceDays !== r.graceDays) fail("The key states' grace period is not the script's cross-sign grace-days.");
    if (r.until !== new Date(Date.parse(r.at) + r.graceDays * DAY_MS).toISOString()) fail(`The old key's grace end ${r.until} is not ${r.graceDays} days after the rotation at ${r.at}.`);
    const [next, old] = states.keys;
    const master = ctx.master!;
    const previous = ctx.previousMaster!;
    const sameKids = (k: { classical: string; pq: string }, ids: { classical: string; pq: string }) => k.classical === ids.classical && k.pq === ids.pq;
    if (states.ceremonyId !== ctx.facts!.ceremonyId || states.issuedAt !== r.at) fail('keys/key-states.json is not issued by this rotation at its rotation time.');
    if (next!.fingerprint !== master.fingerprint || !sameKids(next!.kids, principalKeyIds(master.publicKey)) || next!.ceremonyId !== ctx.facts!.ceremonyId || next!.since !== r.at) {
      fail('keys/key-states.json does not give the new master key as active from the rotation time.');
    }
    if (old?.fingerprint !== previous.fingerprint || !sameKids(old.kids, principalKeyIds(previous.publicKey)) || old.ceremonyId !== ctx.recovery!.original.ceremonyId || old.state !== 'deprecated' || old.since !== r.at || old.until !== r.until) {
      fail('keys/key-states.json does not give the old master key as deprecated from the rotation time to its grace end.');
    }
    return `new key active since ${r.at}; old key ${previous.fingerprint.slice(0, 16)}… deprecated (verify-only) until ${r.until} (${r.graceDays} days, as the script says); ${states.keys.length - 2} older key(s) carried forward`;
  },
};

/** The old escrow's trustees (fingerprints) and threshold, from the original statement (original-link checked it). */
export function oldQuorum(ctx: VerifyContext): { fingerprints: Set<string>; t: number } {
  const env = parseEnvelope(fromUtf8(ctx.file(ORIGINAL_STATEMENT_FILE)));
  const pred = expectObject(expectObject(parseJsonStrict(fromUtf8(env.payload), 'the original statement'), 'original statement').predicate, 'original predicate');
  const trustees = expectList(pred.trustees, 'original trustees').map((x) => readString(expectObject(x, 'original trustee'), 'fingerprint', 'original trustee'));
  return { fingerprints: new Set(trustees), t: readInt(expectObject(pred.policy, 'original policy'), 't', 'original policy', 2, 255) };
}

export const rotationSigners: Check<VerifyContext> = {
  name: 'rotation-signers',
  needs: ['statement-signatures', 'original-link', 'escrow-manifest'],
  run(ctx) {
    const counting = new Set(ctx.signatures!.principals.filter((p) => p.counts).map((p) => p.fingerprint));
    if (!counting.has(ctx.master!.fingerprint)) fail('The new master key did not sign the rotation statement.');
    if (!counting.has(ctx.previousMaster!.fingerprint)) fail('The old master key did not sign the rotation statement: a rotation is only valid when the key it replaces signs it.');
    const old = oldQuorum(ctx);
    const oldSigned = [...old.fingerprints].filter((f) => counting.has(f)).length;
    if (oldSigned < old.t) fail(`Only ${oldSigned} trustees of the old escrow signed the rotation; its threshold is ${old.t}.`);
    const unsigned = ctx.escrow!.trustees.filter((t) => !counting.has(t.fingerprint));
    if (unsigned.length > 0) fail(`Trustees of the new escrow did not sign the rotation: ${unsigned.map((t) => t.id).join(', ')}.`);
    return `signed by the new key, the old key, ${oldSigned} trustees of the old escrow (threshold ${old.t}) and all ${ctx.escrow!.trustees.length} trustees of the new escrow, each counted once`;
  },
};
