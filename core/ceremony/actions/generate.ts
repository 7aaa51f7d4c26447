/**
 * generate: the master seed S = mixEntropy(sources) (HKDF-Extract, core/crypto/entropy.ts),
 * then Ed25519 and ML-DSA-65 keys derived from S (core/crypto/derive.ts deriveMasterKeys),
 * pairwise-tested before anything else uses them. Only public keys and the principal
 * fingerprint are recorded; S, the Ed25519 seed and the ML-DSA-65 secret key stay in memory.
 */
import { KeyriteError } from '../../errors.ts';
import { DERIVATION_LABELS, DERIVATION_SALT, deriveMasterKeys } from '../../crypto/derive.ts';
import { mixEntropy } from '../../crypto/entropy.ts';
import { softwareHybridSigner, type HybridPublicKey } from '../../crypto/hybrid.ts';
import { checkSigningKeyPair } from '../../crypto/pairwise.ts';
import { wipe } from '../../crypto/wipe.ts';
import type { StepOf } from '../../script/script.ts';
import { type CeremonyRun } from '../run.ts';
import { confirmWitness } from './common.ts';
import { ENTRY } from '../../bundle/entries.ts';
import { classicalJwk, fingerprintHex, pqJwk, readableFingerprint } from '../../bundle/principals.ts';

export async function generate(run: CeremonyRun, step: StepOf<'generate'>): Promise<void> {
  const sources = run.entropy;
  if (!sources) throw new KeyriteError('CEREMONY_ERROR', 'No entropy was gathered in this run; the script must run its entropy step before generate.');
  run.keyInFlight = true;
  let S: Uint8Array;
  try {
    S = mixEntropy(sources);
  } finally {
    for (const s of sources) wipe(s.bytes);
    run.entropy = undefined;
  }
  const keys = deriveMasterKeys(S);
  run.seed = S;
  const publicKey: HybridPublicKey = { classical: { alg: 'Ed25519', publicKey: keys.ed25519.publicKey }, pq: { alg: 'ML-DSA-65', publicKey: keys.mldsa65.publicKey } };
  const fingerprint = fingerprintHex(publicKey);
  run.master = { publicKey, fingerprint, edSeed: keys.ed25519.seed, mldsaSecretKey: keys.mldsa65.secretKey };
  await checkSigningKeyPair('the master key', softwareHybridSigner(keys.ed25519.seed, keys.mldsa65.secretKey, keys.mldsa65.publicKey));
  const r = readableFingerprint(fingerprint);
  const cj = classicalJwk(publicKey);
  const pj = pqJwk(publicKey);
  await run.record(ENTRY.keyGenerate, run.admin.id, {
    step: step.id,
    role: 'master',
    owner: 'master',
    fingerprint,
    fingerprintHexGroups: r.hexGroups,
    fingerprintWords: r.words.join(' '),
    classical: { alg: 'Ed25519', jwk: cj, kid: cj.kid, derivation: DERIVATION_LABELS.masterEd25519, pairwiseTest: 'pass' },
    pq: { alg: 'ML-DSA-65', jwk: pj, kid: pj.kid, derivation: DERIVATION_LABELS.masterMlDsa65, pairwiseTest: 'pass' },
    seed: { length: 32, mix: 'HKDF-Extract(SHA-256, salt "keyrite/v1/entropy-mix")', derivationSalt: DERIVATION_SALT },
  });
  run.progress({ kind: 'info', stepId: step.id, message: `Master key fingerprint ${r.hexGroups}` });
  await confirmWitness(run, step, ['Master key fingerprint (read it aloud):', `  ${r.hexGroups}`, `  ${r.words.join(' ')}`]);
}
