/**
 * The bundle kinds and what each one holds: the predicate type of its statement, the files its
 * statement names as subjects (in order), and the files it has besides the PEM files and the
 * checkpoint notes. A new ceremony kind adds its entry here (docs/ARCHITECTURE.md "How to add
 * a ceremony kind"); the writer and the verifier both read this table.
 */
import { BUNDLE_MANIFEST_FILE, ESCROW_MANIFEST_FILE, FINGERPRINTS_FILE, JWKS_FILE, KEY_STATES_FILE, ORIGINAL_STATEMENT_FILE, POLICY_FILE, README_FILE, SCRIPT_FILE, SIGNING_REQUEST_FILE, STATEMENT_FILE, TRANSCRIPT_FILE, VERIFIER_PAGE } from './layout.ts';

export const BUNDLE_KINDS = ['root-keygen', 'escrow-recovery', 'signing', 'rotation', 'revocation', 'reshare'] as const;
export type BundleKind = (typeof BUNDLE_KINDS)[number];

export interface BundleKindSpec {
  readonly predicateType: string;
  /**
   * Files the statement names as subjects, in this order (the transcript's digest is known last);
   * a signing statement then names each signed document and its envelope (signed/…), in the order signed.
   */
  readonly subjects: readonly string[];
  /** Every file of such a bundle but the PEM files, the checkpoint notes and the signed documents. */
  readonly files: readonly string[];
  /** How sentences name it: "root key ceremony", "escrow recovery". */
  readonly title: string;
}

const COMMON_FILES = [BUNDLE_MANIFEST_FILE, README_FILE, TRANSCRIPT_FILE, STATEMENT_FILE, JWKS_FILE, FINGERPRINTS_FILE, POLICY_FILE, SCRIPT_FILE, VERIFIER_PAGE];

export const BUNDLE_KIND_SPECS: Readonly<Record<BundleKind, BundleKindSpec>> = Object.freeze({
  'root-keygen': {
    predicateType: 'https://keyrite.dev/attestation/root-key-ceremony/v1',
    subjects: [TRANSCRIPT_FILE, JWKS_FILE, ESCROW_MANIFEST_FILE, POLICY_FILE, SCRIPT_FILE, VERIFIER_PAGE],
    files: [...COMMON_FILES, ESCROW_MANIFEST_FILE],
    title: 'root key ceremony',
  },
  'escrow-recovery': {
    predicateType: 'https://keyrite.dev/attestation/escrow-recovery/v1',
    subjects: [TRANSCRIPT_FILE, JWKS_FILE, POLICY_FILE, SCRIPT_FILE, ORIGINAL_STATEMENT_FILE, VERIFIER_PAGE],
    files: [...COMMON_FILES, ORIGINAL_STATEMENT_FILE],
    title: 'escrow recovery',
  },
  signing: {
    predicateType: 'https://keyrite.dev/attestation/signing-ceremony/v1',
    subjects: [TRANSCRIPT_FILE, JWKS_FILE, POLICY_FILE, SCRIPT_FILE, ORIGINAL_STATEMENT_FILE, SIGNING_REQUEST_FILE, VERIFIER_PAGE],
    files: [...COMMON_FILES, ORIGINAL_STATEMENT_FILE, SIGNING_REQUEST_FILE],
    title: 'signing ceremony',
  },
  rotation: {
    predicateType: 'https://keyrite.dev/attestation/key-rotation/v1',
    subjects: [TRANSCRIPT_FILE, JWKS_FILE, KEY_STATES_FILE, ESCROW_MANIFEST_FILE, POLICY_FILE, SCRIPT_FILE, ORIGINAL_STATEMENT_FILE, VERIFIER_PAGE],
    files: [...COMMON_FILES, KEY_STATES_FILE, ESCROW_MANIFEST_FILE, ORIGINAL_STATEMENT_FILE],
    title: 'key rotation',
  },
  revocation: {
    predicateType: 'https://keyrite.dev/attestation/key-revocation/v1',
    subjects: [TRANSCRIPT_FILE, JWKS_FILE, KEY_STATES_FILE, POLICY_FILE, SCRIPT_FILE, ORIGINAL_STATEMENT_FILE, VERIFIER_PAGE],
    files: [...COMMON_FILES, KEY_STATES_FILE, ORIGINAL_STATEMENT_FILE],
    title: 'key revocation',
  },
  reshare: {
    predicateType: 'https://keyrite.dev/attestation/escrow-reshare/v1',
    subjects: [TRANSCRIPT_FILE, JWKS_FILE, ESCROW_MANIFEST_FILE, POLICY_FILE, SCRIPT_FILE, ORIGINAL_STATEMENT_FILE, VERIFIER_PAGE],
    files: [...COMMON_FILES, ESCROW_MANIFEST_FILE, ORIGINAL_STATEMENT_FILE],
    title: 'escrow reshare',
  },
});

export function isBundleKind(value: unknown): value is BundleKind {
  return (BUNDLE_KINDS as readonly unknown[]).includes(value);
}
