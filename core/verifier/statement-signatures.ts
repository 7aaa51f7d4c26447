/**
 * The signatures of the DSSE statement (DESIGN.md "Signed statement"): PAE over the payload,
 * every signature from a known key and valid, each principal counted once and only when both
 * its classical and its ML-DSA-65 signature verify (hybrid rule), and the threshold counted
 * over distinct principals, never over keyids or signature entries.
 */
import { pae, type DsseEnvelope } from '../encoding/dsse.ts';
import { verifyHybrid, type Ed25519Backend, type MlDsa65Backend, type HybridPublicKey, type PartResult, type VerifyMode } from '../crypto/hybrid.ts';
import { principalKeyIds } from '../bundle/principals.ts';

export interface StatementSigner {
  /** e.g. "master" or "trustee-2". */
  readonly id: string;
  readonly fingerprint: string;
  readonly publicKey: HybridPublicKey;
}

export interface PrincipalSignatures {
  readonly id: string;
  readonly fingerprint: string;
  readonly classical: PartResult | 'missing';
  readonly pq: PartResult | 'missing';
  /** Whether this principal counts under the mode. */
  readonly counts: boolean;
}

export interface StatementSignatureReport {
  readonly principals: readonly PrincipalSignatures[];
  /** Signatures whose keyid is not a key of any known principal (or absent). */
  readonly unknown: number;
  /** keyids that appear on more than one signature. */
  readonly repeatedKeyIds: readonly string[];
  /** Signatures from known keys that were checked and did not verify. */
  readonly invalid: readonly string[];
}

export function evaluateStatementSignatures(env: DsseEnvelope, signers: readonly StatementSigner[], mode: VerifyMode, ed25519: Ed25519Backend, mldsa65: MlDsa65Backend): StatementSignatureReport {
  const message = pae(env.payloadType, env.payload);
  const counts = new Map<string, number>();
  for (const s of env.signatures) if (s.keyid !== undefined) counts.set(s.keyid, (counts.get(s.keyid) ?? 0) + 1);
  const repeatedKeyIds = [...counts.entries()].filter(([, n]) => n > 1).map(([k]) => k);
  const known = new Set<string>();
  const invalid: string[] = [];
  const principals = signers.map((p): PrincipalSignatures => {
    const ids = principalKeyIds(p.publicKey);
    known.add(ids.classical);
    known.add(ids.pq);
    const part = (keyid: string, half: 'classical' | 'pq'): PartResult | 'missing' => {
      if ((half === 'classical' && mode === 'pq-only') || (half === 'pq' && mode === 'classical-only')) return 'not-checked';
      const sigs = env.signatures.filter((s) => s.keyid === keyid);
      if (sigs.length === 0) return 'missing';
      const ok = sigs.every((s) => {
        const r = half === 'classical'
          ? verifyHybrid(p.publicKey, message, { classical: s.sig, pq: new Uint8Array(0) }, 'classical-only', ed25519).classical
          : verifyHybrid(p.publicKey, message, { classical: new Uint8Array(0), pq: s.sig }, 'pq-only', ed25519, mldsa65).pq;
        return r === 'pass';
      });
      if (!ok) invalid.push(`${p.id} (${half === 'classical' ? p.publicKey.classical.alg : 'ML-DSA-65'})`);
      return ok ? 'pass' : 'fail';
    };
    const classical = part(ids.classical, 'classical');
    const pq = part(ids.pq, 'pq');
    const countsUnderMode = mode === 'hybrid' ? classical === 'pass' && pq === 'pass' : mode === 'classical-only' ? classical === 'pass' : pq === 'pass';
    return { id: p.id, fingerprint: p.fingerprint, classical, pq, counts: countsUnderMode };
  });
  const unknown = env.signatures.filter((s) => s.keyid === undefined || !known.has(s.keyid)).length;
  return { principals, unknown, repeatedKeyIds, invalid };
}
