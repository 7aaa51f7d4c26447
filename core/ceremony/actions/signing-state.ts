/**
 * What a signing ceremony learns step by step (kinds/signing.ts): everything a quorum unlock
 * learns (recovery-state.ts: the root bundle, the shares, the combined key), plus the checked
 * request and the documents signed.
 */
import type { KeyRef } from '../../tokens/token.ts';
import type { SigningRequest } from '../../signing/request.ts';
import type { SignedDocumentFile } from '../bundle-writer.ts';
import type { RecoveryState } from './recovery-state.ts';

/** The request as an earlier run of this ceremony checked it (its SHA-256 and the time it was checked). */
export interface EarlierRequestCheck {
  readonly sha256: string;
  readonly time: string;
}

export interface SigningState extends RecoveryState {
  /** From the journal an interrupted run left: the request it checked (the documents are dated by its check). */
  readonly earlier?: EarlierRequestCheck;
  request?: SigningRequest;
  /** The request file's exact bytes, as checked and confirmed. */
  requestBytes?: Uint8Array;
  /** When the request was checked (the check-request entry's time): the documents' signedAt. */
  checkedAt?: string;
  /** The master key on the master token, found and checked when the master token is logged into. */
  masterTokenRef?: KeyRef;
  readonly documents: SignedDocumentFile[];
}
