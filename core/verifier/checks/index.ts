/**
 * The verifier's checks, in report order (docs/VERIFIER.md lists them). A check marked with
 * kinds runs only on bundles of those kinds; a new ceremony kind adds its own checks here
 * (docs/ARCHITECTURE.md "How to add a ceremony kind").
 */
import type { BundleKind } from '../../bundle/kinds.ts';
import type { Check } from '../check-list.ts';
import type { VerifyContext } from '../context.ts';
import { bundleFiles, bundleLayout, bundleManifest } from './files.ts';
import { transcriptRules, transcriptStructure } from './transcript.ts';
import { policy, scriptHash } from './script-policy.ts';
import { transcriptSteps } from './steps.ts';
import { keys } from './keys.ts';
import { readme } from './readme.ts';
import { escrowManifest, shareReceipts } from './escrow.ts';
import { originalLink } from './recovery.ts';
import { signedDocuments, signingRequest } from './signing.ts';
import { keyStates, rotationSigners } from './rotation.ts';
import { revocationSigners, revocationStates } from './revocation.ts';
import { reshareSigners } from './reshare.ts';
import { checkpointConsistency, checkpointRoots, checkpointSignatures } from './checkpoints.ts';
import { hybridRule, statement, statementSignatures, threshold } from './statement.ts';

export interface TableEntry {
  readonly check: Check<VerifyContext>;
  /** The bundle kinds it applies to; every kind when absent. */
  readonly kinds?: readonly BundleKind[];
}

const every = (check: Check<VerifyContext>): TableEntry => ({ check });
const only = (kind: BundleKind, check: Check<VerifyContext>): TableEntry => ({ check, kinds: [kind] });
const unlocking = (check: Check<VerifyContext>): TableEntry => ({ check, kinds: ['escrow-recovery', 'signing', 'rotation', 'revocation', 'reshare'] });
/** The kinds that escrow a master key: a new one (root-keygen, rotation) or the same one anew (reshare). */
const escrowing = (check: Check<VerifyContext>): TableEntry => ({ check, kinds: ['root-keygen', 'rotation', 'reshare'] });

export const CHECKS: readonly TableEntry[] = [
  every(bundleManifest),
  every(bundleFiles),
  ...transcriptRules.map(every),
  every(transcriptStructure),
  every(scriptHash),
  every(policy),
  every(transcriptSteps),
  every(keys),
  every(bundleLayout),
  every(readme),
  escrowing(escrowManifest),
  escrowing(shareReceipts),
  unlocking(originalLink),
  only('rotation', keyStates),
  only('signing', signingRequest),
  only('signing', signedDocuments),
  every(checkpointRoots),
  every(checkpointConsistency),
  every(checkpointSignatures),
  every(statement),
  every(statementSignatures),
  every(hybridRule),
  every(threshold),
  only('rotation', rotationSigners),
  only('revocation', revocationStates),
  only('revocation', revocationSigners),
  only('reshare', reshareSigners),
];
