/**
 * What one verification run knows: the bundle's files and options, and what each check learned
 * for the checks after it (the parsed manifest, transcript, facts, script, policy, …). A check
 * that needs a value another check sets lists that check in `needs`, so the value is there.
 */
import { fromUtf8 } from '../bytes.ts';
import { toHex } from '../encoding/hex.ts';
import { parseJsonStrict } from '../encoding/json.ts';
import { expectObject, type JsonObject } from '../encoding/json-fields.ts';
import type { DsseEnvelope } from '../encoding/dsse.ts';
import type { Ed25519Backend, MlDsa65Backend, VerifyMode } from '../crypto/hybrid.ts';
import type { EscrowManifest } from '../escrow/manifest.ts';
import type { CheckpointNote, KnownPrincipal } from '../transcript/checkpoint.ts';
import type { CheckedTranscript } from '../transcript/transcript.ts';
import type { ParsedCeremonyScript } from '../script/script.ts';
import type { BundleManifest } from '../bundle/bundle-manifest.ts';
import type { MasterRecord, TrusteeRecord } from '../bundle/entries.ts';
import type { BundleKind } from '../bundle/kinds.ts';
import { PREVIOUS_MASTER, type BundleFiles } from '../bundle/layout.ts';
import type { BundleLink, SignedDocumentRecord } from '../bundle/statement.ts';
import type { SigningRequest } from '../signing/request.ts';
import { principalName } from '../bundle/principals.ts';
import { fail } from './check-list.ts';
import type { StatementSigner, StatementSignatureReport } from './statement-signatures.ts';
import type { TranscriptFacts } from './transcript-facts.ts';

/** The hash and signature implementations the verifier runs on (noble by default; node:crypto's SHA-256 and Ed25519 in core/node; ML-DSA-65 is noble's everywhere). */
export interface VerifierCrypto {
  readonly name: string;
  sha256(data: Uint8Array): Uint8Array;
  readonly ed25519: Ed25519Backend;
  readonly mldsa65: MlDsa65Backend;
}

/** What a signing transcript states beyond a quorum unlock: the request it checked and the documents it signed (ceremony.end). */
export interface SigningTranscriptFacts {
  readonly requestSha256: string;
  readonly title: string;
  /** When the request was checked (request.check): the time its limits were checked at, and the documents' signedAt. */
  readonly checkedAt: string;
  readonly documents: readonly SignedDocumentRecord[];
}

/** What a transcript that unlocks the master key (escrow-recovery, signing) states: its link to the original ceremony and its ceremony.end body. */
export interface RecoveryFacts {
  readonly original: BundleLink;
  readonly end: JsonObject;
  readonly sharesCombined: readonly string[];
}

/** What a rotation transcript states beyond a quorum unlock and a root ceremony's key steps: the key states cross-sign fixed. */
export interface RotationTranscriptFacts {
  /** The rotation time (key.states `at`). */
  readonly at: string;
  readonly graceDays: number;
  /** The old key's grace end. */
  readonly until: string;
  readonly keyStatesSha256: string;
}

/** What a revocation transcript states beyond a quorum unlock: the revocation time, the reason and the key states revoke fixed. */
export interface RevocationTranscriptFacts {
  /** The revocation time (key.states `at`): nothing the key signed at or after it is trusted. */
  readonly at: string;
  readonly reason: string;
  readonly keyStatesSha256: string;
}

/** What a reshare transcript states beyond a quorum unlock: the new epoch, the old identities, the superseded epoch. */
export interface ReshareTranscriptFacts {
  readonly epoch: number;
  readonly supersedes: { readonly ceremonyId: string; readonly epoch: number };
  /** Old holders who could not attest destruction (escrow.superseded). */
  readonly notAttested: readonly string[];
  /** The identities the old holders unlocked with (they sign the checkpoints before the new epoch's enrolment). */
  readonly oldTrustees: readonly TrusteeRecord[];
}

export class VerifyContext {
  manifest?: BundleManifest;
  /** The transcript, checked; its entries are those of the types the checks read (transcriptRules). */
  transcript?: CheckedTranscript;
  /** Why the transcript could not be read (the transcript checks report it). */
  transcriptError?: unknown;
  facts?: TranscriptFacts;
  kind?: BundleKind;
  master?: MasterRecord;
  trustees: readonly TrusteeRecord[] = [];
  recovery?: RecoveryFacts;
  signing?: SigningTranscriptFacts;
  /** A rotation: the key it rotates out (the link's master key, its public keys from keys/jwks.json), and its key states. */
  previousMaster?: MasterRecord;
  rotation?: RotationTranscriptFacts;
  revocation?: RevocationTranscriptFacts;
  reshare?: ReshareTranscriptFacts;
  /** The signing request, parsed and checked by the signing-request check. */
  signingRequest?: SigningRequest;
  script?: ParsedCeremonyScript;
  policy?: JsonObject;
  escrow?: EscrowManifest;
  /** Checkpoint note paths in order, and each parsed note. */
  noteNames: readonly string[] = [];
  readonly notes = new Map<string, CheckpointNote>();
  envelope?: DsseEnvelope;
  signatures?: StatementSignatureReport;

  constructor(
    readonly files: BundleFiles,
    readonly mode: VerifyMode,
    readonly crypto: VerifierCrypto,
  ) {}

  file(path: string): Uint8Array {
    const b = this.files.get(path);
    if (b === undefined) fail(`${path} is missing from the bundle.`);
    return b;
  }

  json(path: string): JsonObject {
    return expectObject(parseJsonStrict(fromUtf8(this.file(path)), path), path);
  }

  sha256Hex(bytes: Uint8Array): string {
    return toHex(this.crypto.sha256(bytes));
  }

  /** The master key and every trustee, as checkpoint notes name them. */
  principals(): KnownPrincipal[] {
    return [
      { name: principalName(this.master!.fingerprint), publicKey: this.master!.publicKey },
      ...this.trustees.map((t) => ({ name: principalName(t.fingerprint), publicKey: t.publicKey })),
    ];
  }

  /** The statement's signers: the master key, a rotation's previous master key, then each trustee. */
  signers(): StatementSigner[] {
    const previous = this.kind === 'rotation' ? [{ id: PREVIOUS_MASTER, fingerprint: this.previousMaster!.fingerprint, publicKey: this.previousMaster!.publicKey }] : [];
    return [{ id: 'master', fingerprint: this.master!.fingerprint, publicKey: this.master!.publicKey }, ...previous, ...this.trustees.map((t) => ({ id: t.id, fingerprint: t.fingerprint, publicKey: t.publicKey }))];
  }

  /** The bundle's kind for choosing checks: root-keygen until the transcript says otherwise. */
  get kindOrRoot(): BundleKind {
    return this.kind ?? 'root-keygen';
  }
}
