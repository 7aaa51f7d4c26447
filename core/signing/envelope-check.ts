/**
 * Whether a DSSE envelope is the master key's signature of one exact document: its payload type
 * and payload are the document's and its signatures pass the relying party's rule
 * (check-signature.ts envelopeSignatureProblem). Used by the signing ceremony (an envelope an
 * interrupted run wrote is kept only if this holds) and by the verifier; never throws on bad input.
 */
import { equalBytes, fromUtf8 } from '../bytes.ts';
import { parseEnvelope, type DsseEnvelope } from '../encoding/dsse.ts';
import { NOBLE_ED25519, NOBLE_MLDSA65, type Ed25519Backend, type MlDsa65Backend, type HybridPublicKey, type VerifyMode } from '../crypto/hybrid.ts';
import { envelopeSignatureProblem } from './check-signature.ts';

/**
 * Why the envelope is not the document's signature by `issuer`, as a clause the ceremony and the
 * verifier put inside their own sentence ("… (its payload is not the document); …"), or
 * undefined when it is.
 */
export function envelopeProblem(envelope: Uint8Array, document: { readonly payloadType: string; readonly bytes: Uint8Array }, issuer: HybridPublicKey, mode: VerifyMode = 'hybrid', ed25519: Ed25519Backend = NOBLE_ED25519, mldsa65: MlDsa65Backend = NOBLE_MLDSA65): string | undefined {
  let env: DsseEnvelope;
  try {
    env = parseEnvelope(fromUtf8(envelope));
  } catch {
    return 'it is not a DSSE envelope';
  }
  if (env.payloadType !== document.payloadType) return `its payload type is not ${document.payloadType}`;
  if (!equalBytes(env.payload, document.bytes)) return 'its payload is not the document';
  const problem = envelopeSignatureProblem(env, issuer, mode, ed25519, mldsa65);
  // check-signature states it as a sentence of its own; here it is a clause like the ones above.
  return problem === undefined ? undefined : `${problem.charAt(0).toLowerCase()}${problem.slice(1).replace(/\.$/, '')}`;
}
