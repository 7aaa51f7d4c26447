/**
 * Signing fixtures: a software master key (Ed25519 + ML-DSA-65, from fixed seeds), the example
 * request checked, its documents signed and enveloped as a ceremony would — the real functions
 * throughout, no mock.
 */
import { ed25519PublicKey, ed25519Sign } from '../../../core/crypto/ed25519.ts';
import { mldsa65KeyFromSeed, mldsa65Sign } from '../../../core/crypto/mldsa65.ts';
import { pae } from '../../../core/encoding/dsse.ts';
import { parseFingerprint } from '../../../core/encoding/fingerprint.ts';
import type { HybridPublicKey } from '../../../core/crypto/hybrid.ts';
import { fingerprintHex, readableFingerprint } from '../../../core/bundle/principals.ts';
import { documentsToSign, signedEnvelope, type DocumentToSign, type SigningContext } from '../../../core/signing/documents.ts';
import { exampleSigningRequest } from '../../../core/signing/example-request.ts';
import { parseSigningRequest, type RequestLimits, type SigningRequest } from '../../../core/signing/request.ts';

export const NOW = new Date('2026-12-07T15:00:00.000Z');
export const LIMITS: RequestLimits = { maxValidityDays: 400, maxKeys: 10, maxArtifacts: 10 };

/** Deterministic bytes: a counter-based stream, so fixtures are the same on every run. */
export function fixedRandom(start = 1): (n: number) => Uint8Array {
  let counter = start;
  return (n) => Uint8Array.from({ length: n }, () => (counter++ * 73 + 11) & 0xff);
}

export interface MasterKey {
  publicKey: HybridPublicKey;
  edSeed: Uint8Array;
  mldsaSecret: Uint8Array;
  fingerprint: string;
}

export function masterKey(seedByte = 7): MasterKey {
  const edSeed = new Uint8Array(32).fill(seedByte);
  const ml = mldsa65KeyFromSeed(new Uint8Array(32).fill(seedByte + 1));
  const publicKey: HybridPublicKey = { classical: { alg: 'Ed25519', publicKey: ed25519PublicKey(edSeed) }, pq: { alg: 'ML-DSA-65', publicKey: ml.publicKey } };
  return { publicKey, edSeed, mldsaSecret: ml.secretKey, fingerprint: fingerprintHex(publicKey) };
}

export function exampleRequestBytes(): Uint8Array {
  return exampleSigningRequest(NOW, fixedRandom());
}

export function contextFor(request: SigningRequest, master: MasterKey, mode: 'live' | 'rehearsal' = 'live'): SigningContext {
  return { ceremonyId: '0123456789abcdef0123456789abcdef', mode, requestSha256: request.sha256, signedAt: '2026-12-07T15:00:00Z', issuer: master.publicKey };
}

/** Both halves over PAE, as the ceremony signs (ML-DSA deterministic so fixtures repeat). */
export function signDocument(doc: DocumentToSign, master: MasterKey): { classical: Uint8Array; pq: Uint8Array } {
  const m = pae(doc.payloadType, doc.bytes);
  return { classical: ed25519Sign(master.edSeed, m), pq: mldsa65Sign(master.mldsaSecret, m, { random: 'deterministic' }) };
}

export interface SignedSet {
  master: MasterKey;
  request: SigningRequest;
  docs: DocumentToSign[];
  envelopes: Uint8Array[];
}

export function signedSet(requestBytes: Uint8Array = exampleRequestBytes(), master: MasterKey = masterKey(), mode: 'live' | 'rehearsal' = 'live'): SignedSet {
  const request = parseSigningRequest(requestBytes, LIMITS, NOW);
  const docs = documentsToSign(request, contextFor(request, master, mode));
  return { master, request, docs, envelopes: docs.map((d) => signedEnvelope(d, master.publicKey, signDocument(d, master))) };
}

export const trustHex = (master: MasterKey) => parseFingerprint(master.fingerprint);
export const trustWords = (master: MasterKey) => parseFingerprint(readableFingerprint(master.fingerprint).words.join(' '));
