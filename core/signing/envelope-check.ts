/**
 * Whether a DSSE envelope is the master key's signature of one exact document: its payload type
 * and payload are the document's, it carries exactly one signature per half of the key (keyids
 * = RFC 7638 thumbprints) and both verify over PAE (docs/FORMATS.md "Signed documents"). Used by
 * the signing ceremony (an envelope an interrupted run wrote is kept only if this holds) and by
 * the verifier; never throws on bad input.
 */
import { equalBytes } from '../bytes.ts';
import { fromUtf8 } from '../bytes.ts';
import { pae, parseEnvelope } from '../encoding/dsse.ts';
import { principalKeyIds } from '../bundle/principals.ts';
import { NOBLE_ED25519, verifyHybrid, type Ed25519Backend, type HybridPublicKey, type VerifyMode } from '../crypto/hybrid.ts';

/** Why the envelope is not the document's signature, or undefined when it is. */
export function envelopeProblem(envelope: Uint8Array, document: { readonly payloadType: string; readonly bytes: Uint8Array }, issuer: HybridPublicKey, mode: VerifyMode = 'hybrid', ed25519: Ed25519Backend = NOBLE_ED25519): string | undefined {
  let env;
  try {
    env = parseEnvelope(fromUtf8(envelope));
  } catch {
    return 'it is not a DSSE envelope';
  }
  if (env.payloadType !== document.payloadType) return `its payload type is not ${document.payloadType}`;
  if (!equalBytes(env.payload, document.bytes)) return 'its payload is not the document';
  const ids = principalKeyIds(issuer);
  const one = (keyid: string): Uint8Array | undefined => {
    const found = env.signatures.filter((s) => s.keyid === keyid);
    return found.length === 1 ? found[0]!.sig : undefined;
  };
  const classical = one(ids.classical);
  const pq = one(ids.pq);
  if (env.signatures.length !== 2 || !classical || !pq) return 'it does not carry exactly one signature of each half of the master key';
  const v = verifyHybrid(issuer, pae(env.payloadType, env.payload), { classical, pq }, mode, ed25519);
  return v.valid ? undefined : "the master key's signatures on it do not verify";
}
