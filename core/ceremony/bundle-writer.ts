/**
 * Bundle assembly, for every ceremony kind (DESIGN.md "Signed statement and public bundle";
 * docs/FORMATS.md "Bundle"): every file's exact bytes from the ceremony's public facts, in the
 * layout of core/bundle/. Pure builders; JSON files are RFC 8785 canonical text and one LF.
 * What differs by kind (policy members, predicate, README facts, the kind's own files) is one
 * entry of KIND_PARTS; a new kind adds its entry.
 *
 * The order of work (actions/co-sign.ts, actions/export.ts): staticFiles → the statement over
 * them and the closed transcript (statementPayload) → completeBundle adds the transcript, the
 * statement, the checkpoint notes, README.txt and bundle.json.
 */
import { utf8 } from '../bytes.ts';
import { toBase64 } from '../encoding/base64url.ts';
import { toHex } from '../encoding/hex.ts';
import { canonicalBytes, canonicalize } from '../encoding/jcs.ts';
import { encodeJwks } from '../encoding/jwks.ts';
import { publicKeyToPem } from '../encoding/pem.ts';
import { sha256 } from '../crypto/hash.ts';
import type { Checkpoint } from '../transcript/checkpoint.ts';
import type { CeremonyScript } from '../script/script.ts';
import { encodeBundleManifest } from '../bundle/bundle-manifest.ts';
import type { TokenRecord, TrusteeRecord } from '../bundle/entries.ts';
import { encodeFingerprintsFile } from '../bundle/fingerprints-file.ts';
import { BUNDLE_KIND_SPECS, type BundleKind } from '../bundle/kinds.ts';
import { BUNDLE_MANIFEST_FILE, ESCROW_MANIFEST_FILE, FINGERPRINTS_FILE, JWKS_FILE, KEY_STATES_FILE, ORIGINAL_STATEMENT_FILE, POLICY_FILE, PREVIOUS_MASTER, README_FILE, SCRIPT_FILE, SIGNED_DIR, SIGNING_REQUEST_FILE, VERIFIER_PAGE, pemFileName } from '../bundle/layout.ts';
import { principalKeyIds, principalName, publicKeyAlgOf, readableFingerprint } from '../bundle/principals.ts';
import { encodeReadme } from '../bundle/readme.ts';
import { IN_TOTO_STATEMENT_TYPE, POLICY_FORMAT, type BundleLink, type Predicate, type PredicateCommon, type PredicateOf, type PrincipalKeys, type SignedDocumentRecord, type Statement } from '../bundle/statement.ts';
import type { HybridPublicKey } from '../crypto/hybrid.ts';

export interface MasterInfo {
  fingerprint: string;
  publicKey: HybridPublicKey;
  keyLabel: string;
  /** The master token: where the key was generated into, or restored onto. */
  token: TokenRecord;
}

interface CommonFacts {
  ceremonyId: string;
  script: CeremonyScript;
  scriptBytes: Uint8Array;
  scriptSha256: string;
  master: MasterInfo;
  /** The trustees who co-sign, in answers order. */
  trustees: readonly TrusteeRecord[];
  witnessSteps: readonly string[];
  witnesses: number;
  /** verifier/verify.html, signed as a statement subject so that the page in the bundle is the ceremony's. */
  verifierPage: Uint8Array;
}

export interface ShareReceiptFact {
  trusteeId: string;
  x: number;
  commitmentCheck: string;
  blobCheck: string;
}

export interface RootKeygenFacts extends CommonFacts {
  kind: 'root-keygen';
  manifestBytes: Uint8Array;
  receipts: readonly ShareReceiptFact[];
}

export interface EscrowRecoveryFacts extends CommonFacts {
  kind: 'escrow-recovery';
  original: BundleLink;
  originalStatement: Uint8Array;
  /** Trustee ids whose shares were combined. */
  sharesCombined: readonly string[];
}

/** One signed document with its envelope, as written to the run folder's signed/ folder. */
export interface SignedDocumentFile {
  readonly name: string;
  readonly payloadType: string;
  readonly bytes: Uint8Array;
  readonly envelope: Uint8Array;
}

export interface SigningFacts extends CommonFacts {
  kind: 'signing';
  original: BundleLink;
  originalStatement: Uint8Array;
  request: { readonly bytes: Uint8Array; readonly title: string; readonly limits: Readonly<Record<string, number>> };
  documents: readonly SignedDocumentFile[];
  sharesCombined: readonly string[];
}

export interface RotationFacts extends CommonFacts {
  kind: 'rotation';
  /** The bundle whose key is rotated out. */
  original: BundleLink;
  originalStatement: Uint8Array;
  /** The key rotated out: deprecated until `until`. */
  previous: { fingerprint: string; publicKey: HybridPublicKey; until: string };
  /** keys/key-states.json, exactly as cross-sign fixed it. */
  keyStates: Uint8Array;
  graceDays: number;
  /** The new escrow, as a root ceremony's. */
  manifestBytes: Uint8Array;
  receipts: readonly ShareReceiptFact[];
  /** Trustee ids whose shares of the old key were combined. */
  sharesCombined: readonly string[];
}

export interface RevocationFacts extends CommonFacts {
  kind: 'revocation';
  /** The bundle whose key is revoked. */
  original: BundleLink;
  originalStatement: Uint8Array;
  /** keys/key-states.json, exactly as revoke fixed it. */
  keyStates: Uint8Array;
  revokedAt: string;
  reason: string;
  /** Trustee ids whose shares unlocked the key. */
  sharesCombined: readonly string[];
}

export interface ReshareFacts extends CommonFacts {
  kind: 'reshare';
  /** The bundle whose escrow epoch is superseded (same master key). */
  original: BundleLink;
  originalStatement: Uint8Array;
  /** The new epoch's escrow manifest and each new holder's receipt. */
  manifestBytes: Uint8Array;
  receipts: readonly ShareReceiptFact[];
  epoch: number;
  supersedes: { ceremonyId: string; epoch: number };
  /** Old holders who could not attest the destruction of their old share (escrow.superseded). */
  notAttested: readonly string[];
  /** Trustee ids whose shares of the old epoch were combined. */
  sharesCombined: readonly string[];
}

export type BundleFacts = RootKeygenFacts | EscrowRecoveryFacts | SigningFacts | RotationFacts | RevocationFacts | ReshareFacts;

type FactsOf<K extends BundleKind> = Extract<BundleFacts, { kind: K }>;

/** What a kind adds to the common parts of its bundle: files, policy members, and the members of its predicate (core/bundle/statement.ts). */
interface KindParts<F, P extends Predicate> {
  /** Files only this kind has (besides the common ones), in the order the statement names them after the kind's fixed subjects. */
  files(f: F): [string, Uint8Array][];
  /** Subjects beyond the kind's fixed list (kinds.ts), in order. */
  moreSubjects?(f: F): string[];
  policy(f: F): Record<string, unknown>;
  master(f: F): Omit<P['master'], 'fingerprint' | 'keyLabel' | 'keys'>;
  trustee(f: F, t: TrusteeRecord): Omit<P['trustees'][number], 'id' | 'name' | 'fingerprint' | 'keys'>;
  predicate(f: F): Omit<P, keyof PredicateCommon | 'master' | 'trustees'>;
  readme(f: F): Record<string, string>;
}

const KIND_PARTS: { readonly [K in BundleKind]: KindParts<FactsOf<K>, PredicateOf[K]> } = {
  'root-keygen': {
    files: (f) => [[ESCROW_MANIFEST_FILE, f.manifestBytes]],
    policy: (f) => ({ algorithms: algorithmsPolicy(f) }),
    master: (f) => ({ token: f.master.token }),
    trustee: (f, t) => ({ share: shareOf(f, t) }),
    predicate: () => ({}),
    readme: (f) => ({ t: String(f.script.quorum!.t), n: String(f.script.quorum!.n) }),
  },
  'escrow-recovery': {
    files: (f) => [[ORIGINAL_STATEMENT_FILE, f.originalStatement]],
    policy: (f) => ({ original: { ...f.original } }),
    master: (f) => ({ restoredTo: f.master.token }),
    trustee: (f, t) => ({ shareCombined: f.sharesCombined.includes(t.id) }),
    predicate: (f) => ({ original: { ...f.original } }),
    readme: (f) => ({ originalCeremonyId: f.original.ceremonyId, sharesCombined: f.sharesCombined.join(', ') }),
  },
  signing: {
    files: (f) => [
      [ORIGINAL_STATEMENT_FILE, f.originalStatement],
      [SIGNING_REQUEST_FILE, f.request.bytes],
      ...f.documents.flatMap((d): [string, Uint8Array][] => [
        [signedPath(d.name), d.bytes],
        [signedPath(`${d.name}.dsse.json`), d.envelope],
      ]),
    ],
    moreSubjects: (f) => f.documents.flatMap((d) => [signedPath(d.name), signedPath(`${d.name}.dsse.json`)]),
    policy: (f) => ({ original: { ...f.original }, request: { ...f.request.limits } }),
    master: (f) => ({ token: f.master.token }),
    trustee: (f, t) => ({ shareCombined: f.sharesCombined.includes(t.id) }),
    predicate: (f) => ({ original: { ...f.original }, request: { sha256: sha256Hex(f.request.bytes), title: f.request.title }, documents: f.documents.map(documentRecord) }),
    readme: (f) => ({
      originalCeremonyId: f.original.ceremonyId,
      requestTitle: f.request.title,
      requestSha256: sha256Hex(f.request.bytes),
      sharesCombined: f.sharesCombined.join(', '),
      documents: f.documents.map((d) => d.name).join(', '),
    }),
  },
  rotation: {
    files: (f) => [
      [KEY_STATES_FILE, f.keyStates],
      [ESCROW_MANIFEST_FILE, f.manifestBytes],
      [ORIGINAL_STATEMENT_FILE, f.originalStatement],
    ],
    policy: (f) => ({ algorithms: algorithmsPolicy(f), original: { ...f.original }, previousMaster: { fingerprint: f.previous.fingerprint }, rotation: { graceDays: f.graceDays } }),
    master: (f) => ({ token: f.master.token }),
    trustee: (f, t) => ({ share: shareOf(f, t), shareCombined: f.sharesCombined.includes(t.id) }),
    predicate: (f) => ({
      original: { ...f.original },
      previousMaster: { fingerprint: f.previous.fingerprint, keys: keysOf(f.previous.publicKey), until: f.previous.until },
      keyStates: { sha256: sha256Hex(f.keyStates) },
    }),
    readme: (f) => {
      const p = readableFingerprint(f.previous.fingerprint);
      return {
        originalCeremonyId: f.original.ceremonyId,
        sharesCombined: f.sharesCombined.join(', '),
        previousUntil: f.previous.until,
        previousHex: p.hexGroups,
        previousWords: p.words.join(' '),
        t: String(f.script.quorum!.t),
        n: String(f.script.quorum!.n),
      };
    },
  },
  revocation: {
    files: (f) => [
      [KEY_STATES_FILE, f.keyStates],
      [ORIGINAL_STATEMENT_FILE, f.originalStatement],
    ],
    policy: (f) => ({ original: { ...f.original }, revocation: { revokedAt: f.revokedAt, reason: f.reason } }),
    master: (f) => ({ token: f.master.token }),
    trustee: (f, t) => ({ shareCombined: f.sharesCombined.includes(t.id) }),
    predicate: (f) => ({ original: { ...f.original }, revocation: { revokedAt: f.revokedAt, reason: f.reason }, keyStates: { sha256: sha256Hex(f.keyStates) } }),
    readme: (f) => ({ originalCeremonyId: f.original.ceremonyId, sharesCombined: f.sharesCombined.join(', '), revokedAt: f.revokedAt, reason: f.reason }),
  },
  reshare: {
    files: (f) => [
      [ESCROW_MANIFEST_FILE, f.manifestBytes],
      [ORIGINAL_STATEMENT_FILE, f.originalStatement],
    ],
    policy: (f) => ({ algorithms: algorithmsPolicy(f), original: { ...f.original }, reshare: { epoch: f.epoch, supersedes: { ...f.supersedes }, notAttested: [...f.notAttested] } }),
    master: () => ({}),
    trustee: (f, t) => ({ share: shareOf(f, t) }),
    predicate: (f) => ({ original: { ...f.original }, escrow: { epoch: f.epoch, supersedes: { ...f.supersedes }, notAttested: [...f.notAttested] } }),
    readme: (f) => ({
      originalCeremonyId: f.original.ceremonyId,
      sharesCombined: f.sharesCombined.join(', '),
      epoch: String(f.epoch),
      previousEpoch: String(f.supersedes.epoch),
      holders: f.trustees.map((t) => t.id).join(', '),
      notAttested: f.notAttested.length > 0 ? f.notAttested.join(', ') : 'none',
      t: String(f.script.quorum!.t),
      n: String(f.script.quorum!.n),
    }),
  },
};

function algorithmsPolicy(f: RootKeygenFacts | RotationFacts | ReshareFacts): Record<string, unknown> {
  return { classical: 'Ed25519', trusteeClassical: ['Ed25519', 'ES256'], pq: f.script.algorithms.pq, kem: f.script.algorithms.kem, aead: f.script.algorithms.aead, hash: 'SHA-256' };
}

/** A trustee's share of the escrow this ceremony made, as its receipt confirmed it. */
function shareOf(f: RootKeygenFacts | RotationFacts | ReshareFacts, t: TrusteeRecord): { x: number; receipt: 'verified' | 'mismatch' } | null {
  const r = f.receipts.find((x) => x.trusteeId === t.id);
  return r ? { x: r.x, receipt: r.commitmentCheck === 'match' && r.blobCheck === 'match' ? 'verified' : 'mismatch' } : null;
}

/** Where a signed document (or its envelope) lies in the bundle. */
export function signedPath(name: string): string {
  return `${SIGNED_DIR}/${name}`;
}

export function documentRecord(d: SignedDocumentFile): SignedDocumentRecord {
  return { name: d.name, payloadType: d.payloadType, sha256: sha256Hex(d.bytes), envelopeSha256: sha256Hex(d.envelope) };
}

function parts<F extends BundleFacts>(f: F): KindParts<F, Predicate> {
  return KIND_PARTS[f.kind] as unknown as KindParts<F, Predicate>;
}

function jsonFile(value: unknown): Uint8Array {
  return utf8(canonicalize(value) + '\n');
}

export function sha256Hex(b: Uint8Array): string {
  return toHex(sha256(b));
}

/** Every key of the bundle, in the order keys/jwks.json and the statement give them: the master key, the key a rotation rotates out, the trustees. */
function principals(f: BundleFacts): { id: string; publicKey: HybridPublicKey; fingerprint: string }[] {
  return [{ id: 'master', publicKey: f.master.publicKey, fingerprint: f.master.fingerprint }, ...(f.kind === 'rotation' ? [{ id: PREVIOUS_MASTER, publicKey: f.previous.publicKey, fingerprint: f.previous.fingerprint }] : []), ...f.trustees];
}

/** keys/jwks.json, every keys/*.spki.pem (master first) and keys/fingerprints.txt. */
function keyFiles(f: BundleFacts): [string, Uint8Array][] {
  const all = principals(f);
  const jwks = all.flatMap((p) => [
    { alg: publicKeyAlgOf(p.publicKey.classical.alg), publicKey: p.publicKey.classical.publicKey },
    { alg: 'ML-DSA-65' as const, publicKey: p.publicKey.pq.publicKey },
  ]);
  const pems = all.flatMap((p): [string, Uint8Array][] => {
    const c = publicKeyAlgOf(p.publicKey.classical.alg);
    return [
      [pemFileName(p.id, c), utf8(publicKeyToPem(c, p.publicKey.classical.publicKey))],
      [pemFileName(p.id, 'ML-DSA-65'), utf8(publicKeyToPem('ML-DSA-65', p.publicKey.pq.publicKey))],
    ];
  });
  const fingerprints = encodeFingerprintsFile({
    kind: f.kind,
    ceremonyId: f.ceremonyId,
    master: { keyLabel: f.master.keyLabel, fingerprint: f.master.fingerprint },
    trustees: f.trustees.map((t) => ({ id: t.id, name: t.name, alg: t.publicKey.classical.alg, fingerprint: t.fingerprint })),
  });
  return [[JWKS_FILE, utf8(encodeJwks(jwks) + '\n')], ...pems, [FINGERPRINTS_FILE, fingerprints]];
}

function policyObject(f: BundleFacts): Record<string, unknown> {
  const q = f.script.quorum!;
  return {
    format: POLICY_FORMAT,
    ceremonyId: f.ceremonyId,
    kind: f.kind,
    mode: f.script.mode,
    quorum: { n: q.n, t: q.t },
    master: { fingerprint: f.master.fingerprint, keyLabel: f.master.keyLabel, classicalAlg: 'Ed25519', token: f.master.token },
    trustees: f.trustees.map((t) => ({ id: t.id, name: t.name, fingerprint: t.fingerprint, classicalAlg: t.publicKey.classical.alg })),
    witness: { count: f.witnesses, steps: [...f.witnessSteps] },
    signatures: {
      mode: 'hybrid',
      rule: 'a principal counts only when its classical and its ML-DSA-65 signature both verify',
      statementSigners: principals(f).map((p) => principalName(p.fingerprint)),
    },
    airGap: f.script.airGap,
    ...parts(f).policy(f),
  };
}

/** Every bundle file that does not depend on the transcript, the notes or the statement. */
export function staticFiles(f: BundleFacts): Map<string, Uint8Array> {
  return new Map([...keyFiles(f), ...parts(f).files(f), [POLICY_FILE, jsonFile(policyObject(f))], [SCRIPT_FILE, f.scriptBytes], [VERIFIER_PAGE, f.verifierPage]]);
}

function keysOf(pub: HybridPublicKey): PrincipalKeys {
  const ids = principalKeyIds(pub);
  return { classical: { alg: pub.classical.alg, kid: ids.classical }, pq: { alg: 'ML-DSA-65', kid: ids.pq } };
}

/**
 * The in-toto Statement v1 payload: the kind's subjects (from `subjects`, the transcript among
 * them) with their SHA-256, and the predicate naming the ceremony, script, final checkpoint,
 * master key, trustees and policy.
 */
export function statementPayload(f: BundleFacts, subjects: ReadonlyMap<string, Uint8Array>, checkpoint: Checkpoint, finalNote: string): Uint8Array {
  const spec = BUNDLE_KIND_SPECS[f.kind];
  const kind = parts(f);
  const q = f.script.quorum!;
  const statement: Statement = {
    _type: IN_TOTO_STATEMENT_TYPE,
    subject: [...spec.subjects, ...(kind.moreSubjects?.(f) ?? [])].map((name) => ({ name, digest: { sha256: sha256Hex(subjects.get(name)!) } })),
    predicateType: spec.predicateType,
    predicate: {
      ceremonyId: f.ceremonyId,
      kind: f.kind,
      mode: f.script.mode,
      script: { name: f.script.name, sha256: f.scriptSha256 },
      checkpoint: { origin: checkpoint.origin, size: checkpoint.size, root: toBase64(checkpoint.root), note: finalNote },
      master: { fingerprint: f.master.fingerprint, keyLabel: f.master.keyLabel, ...kind.master(f), keys: keysOf(f.master.publicKey) },
      trustees: f.trustees.map((t) => ({ id: t.id, name: t.name, fingerprint: t.fingerprint, keys: keysOf(t.publicKey), ...kind.trustee(f, t) })),
      policy: { n: q.n, t: q.t, signatures: 'hybrid', witnessSteps: [...f.witnessSteps] },
      ...kind.predicate(f),
      // The common members and the kind's parts (each typed against its predicate in KIND_PARTS) make the kind's predicate.
    } as unknown as Predicate,
  };
  return canonicalBytes(statement);
}

/** `files` (static files, transcript, statement, checkpoint notes) completed with README.txt and bundle.json. */
export function completeBundle(f: BundleFacts, files: ReadonlyMap<string, Uint8Array>): Map<string, Uint8Array> {
  const out = new Map(files);
  const r = readableFingerprint(f.master.fingerprint);
  out.set(README_FILE, encodeReadme({
    kind: f.kind,
    scriptName: f.script.name,
    rehearsal: f.script.mode === 'rehearsal',
    facts: { ceremonyId: f.ceremonyId, keyLabel: f.master.keyLabel, tokenLabel: f.master.token.label, tokenSerial: f.master.token.serial, fingerprintHex: r.hexGroups, fingerprintWords: r.words.join(' '), ...parts(f).readme(f) },
    files: [...out.keys(), README_FILE, BUNDLE_MANIFEST_FILE].sort(),
  }));
  out.set(BUNDLE_MANIFEST_FILE, encodeBundleManifest(f.ceremonyId, f.master.fingerprint, out));
  return out;
}
