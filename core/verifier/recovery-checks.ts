/**
 * What only an escrow-recovery bundle has (docs/FORMATS.md "Recovery bundle"): the recovery
 * transcript's own structure and its link to the original ceremony — the original signed
 * statement in original/statement.dsse.json, whose SHA-256 the recovery recorded at its start,
 * signed by the same master key and naming every trustee present.
 */
import { fromUtf8 } from '../bytes.ts';
import { toHex } from '../encoding/hex.ts';
import { pae, parseEnvelope } from '../encoding/dsse.ts';
import { parseJsonStrict } from '../encoding/json.ts';
import { parseJwks } from '../encoding/jwks.ts';
import { verifyHybrid, type HybridPublicKey, type VerifyMode } from '../crypto/hybrid.ts';
import { ENTRY, type MasterRecord, type TrusteeRecord } from '../ceremony/journal.ts';
import { IN_TOTO_PAYLOAD_TYPE, IN_TOTO_STATEMENT_TYPE, PREDICATE_TYPE, principalKeyIds } from '../ceremony/bundle.ts';
import { fingerprintHex } from '../ceremony/run.ts';
import type { TranscriptEntry } from '../transcript/entry.ts';
import type { BundleFiles } from './bundle-files.ts';
import { fail } from './check-list.ts';
import type { VerifierCrypto } from './verify.ts';

type Obj = Record<string, unknown>;

export interface RecoveryLink {
  readonly ceremonyId: string;
  readonly masterFingerprint: string;
  readonly statementSha256: string;
}

function obj(v: unknown, what: string): Obj {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(`${what} is not a JSON object.`);
  return v as Obj;
}

function strings(v: unknown, what: string): string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) fail(`${what} is not a list of names.`);
  return v as string[];
}

export function sameLink(v: unknown, link: RecoveryLink): boolean {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const o = v as Obj;
  return Object.keys(o).length === 3 && o.ceremonyId === link.ceremonyId && o.masterFingerprint === link.masterFingerprint && o.statementSha256 === link.statementSha256;
}

function linkOf(v: unknown): RecoveryLink {
  const o = obj(v, 'The "original" of ceremony.start');
  const { ceremonyId, masterFingerprint, statementSha256 } = o;
  if (typeof ceremonyId !== 'string' || !/^[0-9a-f]{32}$/.test(ceremonyId) || typeof masterFingerprint !== 'string' || !/^[0-9a-f]{64}$/.test(masterFingerprint) || typeof statementSha256 !== 'string' || !/^[0-9a-f]{64}$/.test(statementSha256)) {
    fail('ceremony.start does not name the original ceremony (id, master fingerprint and statement SHA-256).');
  }
  return { ceremonyId, masterFingerprint, statementSha256 };
}

/** The master key a recovery bundle publishes: the first two keys of keys/jwks.json, which must have the original fingerprint. */
function recoveredMasterKey(files: BundleFiles, fingerprint: string): HybridPublicKey {
  const bytes = files.get('keys/jwks.json');
  if (bytes === undefined) fail('keys/jwks.json is missing from the bundle.');
  const [c, q] = parseJwks(fromUtf8(bytes), 'keys/jwks.json');
  if (c?.alg !== 'Ed25519' || q?.alg !== 'ML-DSA-65') fail('keys/jwks.json does not begin with the master key (Ed25519, then ML-DSA-65).');
  const key: HybridPublicKey = { classical: { alg: 'Ed25519', publicKey: c.publicKey }, pq: { alg: 'ML-DSA-65', publicKey: q.publicKey } };
  if (fingerprintHex(key) !== fingerprint) fail('keys/jwks.json does not begin with the master key of the original ceremony.');
  return key;
}

/** The recovery transcript's own story, from start to end; returns the link, the ceremony.end body and the master key. */
export function recoveryStructure(entries: readonly TranscriptEntry[], start: Obj, files: BundleFiles): { original: RecoveryLink; end: Obj; master: MasterRecord } {
  const original = linkOf(start.original);
  const end = entries[entries.length - 1]!.body;
  if (end.kind !== 'escrow-recovery' || !sameLink(end.original, original)) fail('ceremony.end does not close a recovery of the original ceremony named at the start.');
  if (end.masterFingerprint !== original.masterFingerprint) fail('ceremony.end names another master key than the original ceremony\'s.');
  // A resumed recovery combines again (shares are never stored): every key.restore must be sound; the last one counts.
  const restores = entries.filter((e) => e.type === ENTRY.keyRestore);
  if (restores.length === 0) fail('The transcript records no key.restore entry: the key was never recovered.');
  for (const r of restores) {
    const checks = obj(r.body.checks, 'The checks of key.restore');
    if (r.body.fingerprint !== original.masterFingerprint || checks.blobOpened !== true || checks.rederivesPublishedKeys !== true) {
      fail(`key.restore at seq ${r.seq} does not record that the combined key opened the escrow blob and re-derives the original master key.`);
    }
  }
  const restore = restores[restores.length - 1]!.body;
  const combined = strings(end.sharesCombined, 'The shares combined in ceremony.end');
  if (strings(restore.trustees, 'The trustees of key.restore').join() !== combined.join()) fail('ceremony.end names other combined shares than key.restore.');
  const accepted = new Set(entries.filter((e) => e.type === 'share.accepted').map((e) => String(e.body.trusteeId)));
  const unaccepted = combined.filter((id) => !accepted.has(id));
  if (unaccepted.length > 0) fail(`Shares were combined without a share.accepted entry: ${unaccepted.join(', ')}.`);
  const t = obj(start.quorum, 'The quorum in ceremony.start').t;
  if (typeof t !== 'number' || new Set(combined).size < t) fail(`Fewer than t = ${String(t)} distinct shares were combined.`);
  if (!entries.some((e) => e.type === ENTRY.keyImport && e.seq > restores[0]!.seq) && !entries.some((e) => e.type === ENTRY.tokenLabelCheck && e.body.outcome === 'holds-this-ceremony-key')) fail('The transcript does not record the key restored onto the new master token.');
  return { original, end, master: { fingerprint: original.masterFingerprint, publicKey: recoveredMasterKey(files, original.masterFingerprint) } };
}

/**
 * original/statement.dsse.json: the statement whose SHA-256 the recovery recorded, a root key
 * ceremony statement of the original ceremony and master key, signed by that master key (the
 * same key this bundle publishes), naming every trustee present, with the recovery's quorum.
 */
export function checkOriginalLink(bytes: Uint8Array, original: RecoveryLink, master: MasterRecord, trustees: readonly TrusteeRecord[], quorum: Obj, combined: readonly string[], mode: VerifyMode, crypto: VerifierCrypto): string {
  if (toHex(crypto.sha256(bytes)) !== original.statementSha256) fail('original/statement.dsse.json is not the statement whose SHA-256 the recovery recorded at its start.');
  const env = parseEnvelope(fromUtf8(bytes));
  if (env.payloadType !== IN_TOTO_PAYLOAD_TYPE) fail('original/statement.dsse.json is not an in-toto statement.');
  const st = obj(parseJsonStrict(fromUtf8(env.payload), 'the original statement'), 'The original statement');
  if (st._type !== IN_TOTO_STATEMENT_TYPE || st.predicateType !== PREDICATE_TYPE) fail('original/statement.dsse.json is not a root key ceremony statement.');
  const pred = obj(st.predicate, 'The original predicate');
  if (pred.ceremonyId !== original.ceremonyId || obj(pred.master, 'The original master').fingerprint !== original.masterFingerprint) fail('original/statement.dsse.json is of another ceremony or master key.');
  const ids = principalKeyIds(master.publicKey);
  const message = pae(env.payloadType, env.payload);
  const sigOf = (keyid: string): Uint8Array => {
    const found = env.signatures.filter((s) => s.keyid === keyid);
    if (found.length !== 1) fail('original/statement.dsse.json does not carry exactly one signature of each half of the master key.');
    return found[0]!.sig;
  };
  const v = verifyHybrid(master.publicKey, message, { classical: mode === 'pq-only' ? new Uint8Array(0) : sigOf(ids.classical), pq: mode === 'classical-only' ? new Uint8Array(0) : sigOf(ids.pq) }, mode, crypto.ed25519);
  if (!v.valid) fail(`The master key's signature on the original statement does not verify (${mode}).`);
  const named = new Map((Array.isArray(pred.trustees) ? pred.trustees : []).map((x) => { const o = obj(x, 'An original trustee'); return [String(o.id), String(o.fingerprint)] as const; }));
  const strangers = trustees.filter((t) => named.get(t.id) !== t.fingerprint);
  if (strangers.length > 0) fail(`${strangers.map((t) => t.id).join(', ')} ${strangers.length === 1 ? 'is' : 'are'} not a trustee of the original ceremony with the same keys.`);
  const op = obj(pred.policy, 'The original policy');
  if (op.n !== quorum.n || op.t !== quorum.t) fail(`The recovery's quorum is not the original ${String(op.t)}-of-${String(op.n)}.`);
  return `the original statement (SHA-256 recorded at the start) of ceremony ${original.ceremonyId} is signed (${mode}) by the same master key; the ${trustees.length} trustees present are trustees of that ceremony, and ${combined.length} of their shares (t = ${String(op.t)}) were combined`;
}
