/**
 * The signed statement of every bundle (DESIGN.md "Signed statement and public bundle";
 * docs/FORMATS.md "Statement"): an in-toto Statement v1 inside a DSSE v1 envelope, each
 * principal signing twice (classical + ML-DSA-65, keyids = RFC 7638 thumbprints). The
 * predicate's shape depends on the bundle kind (kinds.ts); these types are what the writer
 * produces and what docs/FORMATS.md documents. Readers never trust them: they parse.
 */
import type { TokenRecord } from './entries.ts';

export const IN_TOTO_STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const BUNDLE_FORMAT = 'keyrite/bundle/v1';
export const POLICY_FORMAT = 'keyrite/policy/v1';

export interface StatementSubject {
  readonly name: string;
  readonly digest: { readonly sha256: string };
}

export interface PrincipalKeys {
  readonly classical: { readonly alg: string; readonly kid: string };
  readonly pq: { readonly alg: 'ML-DSA-65'; readonly kid: string };
}

/** The link of a later bundle to the bundle it builds on (recorded at the start of its transcript). */
export interface BundleLink {
  readonly ceremonyId: string;
  readonly masterFingerprint: string;
  /** SHA-256 (hex) of that bundle's statement.dsse.json. */
  readonly statementSha256: string;
}

/** What the predicate of every kind states. */
export interface PredicateCommon {
  readonly ceremonyId: string;
  readonly kind: string;
  readonly mode: string;
  readonly script: { readonly name: string; readonly sha256: string };
  readonly checkpoint: { readonly origin: string; readonly size: number; readonly root: string; readonly note: string };
  readonly policy: { readonly n: number; readonly t: number; readonly signatures: 'hybrid'; readonly witnessSteps: readonly string[] };
}

export interface RootKeygenPredicate extends PredicateCommon {
  readonly master: { readonly fingerprint: string; readonly keyLabel: string; readonly token: TokenRecord; readonly keys: PrincipalKeys };
  readonly trustees: readonly { readonly id: string; readonly name: string; readonly fingerprint: string; readonly keys: PrincipalKeys; readonly share: { readonly x: number; readonly receipt: 'verified' | 'mismatch' } | null }[];
}

export interface EscrowRecoveryPredicate extends PredicateCommon {
  readonly original: BundleLink;
  readonly master: { readonly fingerprint: string; readonly keyLabel: string; readonly restoredTo: TokenRecord; readonly keys: PrincipalKeys };
  readonly trustees: readonly { readonly id: string; readonly name: string; readonly fingerprint: string; readonly keys: PrincipalKeys; readonly shareCombined: boolean }[];
}

/** One document a signing ceremony signed: its bundle path (signed/<name>), DSSE payload type, and the SHA-256 of it and of its envelope. */
export interface SignedDocumentRecord {
  readonly name: string;
  readonly payloadType: string;
  readonly sha256: string;
  readonly envelopeSha256: string;
}

export interface SigningPredicate extends PredicateCommon {
  /** The root ceremony whose master key signed (its bundle, as recorded at the start). */
  readonly original: BundleLink;
  readonly request: { readonly sha256: string; readonly title: string };
  readonly documents: readonly SignedDocumentRecord[];
  readonly master: { readonly fingerprint: string; readonly keyLabel: string; readonly token: TokenRecord; readonly keys: PrincipalKeys };
  readonly trustees: readonly { readonly id: string; readonly name: string; readonly fingerprint: string; readonly keys: PrincipalKeys; readonly shareCombined: boolean }[];
}

/** A rotation: the new master key (generated and escrowed as in a root ceremony) succeeds the previous one. */
export interface RotationPredicate extends PredicateCommon {
  /** The bundle whose master key is rotated out (root-keygen or rotation). */
  readonly original: BundleLink;
  readonly master: { readonly fingerprint: string; readonly keyLabel: string; readonly token: TokenRecord; readonly keys: PrincipalKeys };
  /** The key rotated out: deprecated (verify-only) until `until`. */
  readonly previousMaster: { readonly fingerprint: string; readonly keys: PrincipalKeys; readonly until: string };
  readonly keyStates: { readonly sha256: string };
  readonly trustees: readonly {
    readonly id: string;
    readonly name: string;
    readonly fingerprint: string;
    readonly keys: PrincipalKeys;
    readonly share: { readonly x: number; readonly receipt: 'verified' | 'mismatch' } | null;
    readonly shareCombined: boolean;
  }[];
}

/** A revocation: the master key of the bundle it builds on is revoked; nothing it signs from `revokedAt` on is trusted. */
export interface RevocationPredicate extends PredicateCommon {
  /** The bundle whose master key is revoked (root-keygen or rotation). */
  readonly original: BundleLink;
  /** The revoked key, as the original statement names it (label and token where it lived; the token is not opened). */
  readonly master: { readonly fingerprint: string; readonly keyLabel: string; readonly token: TokenRecord; readonly keys: PrincipalKeys };
  readonly revocation: { readonly revokedAt: string; readonly reason: string };
  readonly keyStates: { readonly sha256: string };
  readonly trustees: readonly { readonly id: string; readonly name: string; readonly fingerprint: string; readonly keys: PrincipalKeys; readonly shareCombined: boolean }[];
}

/** A reshare: the same master key's escrow split anew to the new holders (a new epoch); the old epoch superseded. */
export interface ResharePredicate extends PredicateCommon {
  /** The bundle whose escrow epoch is superseded (root-keygen, rotation or reshare); same master key. */
  readonly original: BundleLink;
  readonly master: { readonly fingerprint: string; readonly keyLabel: string; readonly keys: PrincipalKeys };
  /** The new epoch and the one it supersedes, with the old holders who could not attest destruction. */
  readonly escrow: { readonly epoch: number; readonly supersedes: { readonly ceremonyId: string; readonly epoch: number }; readonly notAttested: readonly string[] };
  readonly trustees: readonly {
    readonly id: string;
    readonly name: string;
    readonly fingerprint: string;
    readonly keys: PrincipalKeys;
    readonly share: { readonly x: number; readonly receipt: 'verified' | 'mismatch' } | null;
  }[];
}

export type Predicate = RootKeygenPredicate | EscrowRecoveryPredicate | SigningPredicate | RotationPredicate | RevocationPredicate | ResharePredicate;

/** The predicate of each bundle kind. */
export interface PredicateOf {
  readonly 'root-keygen': RootKeygenPredicate;
  readonly 'escrow-recovery': EscrowRecoveryPredicate;
  readonly signing: SigningPredicate;
  readonly rotation: RotationPredicate;
  readonly revocation: RevocationPredicate;
  readonly reshare: ResharePredicate;
}

export interface Statement<P extends Predicate = Predicate> {
  readonly _type: typeof IN_TOTO_STATEMENT_TYPE;
  readonly subject: readonly StatementSubject[];
  readonly predicateType: string;
  readonly predicate: P;
}
