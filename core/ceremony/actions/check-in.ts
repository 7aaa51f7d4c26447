/**
 * check-in. For trustees with `enroll: true`, on the trustee's own token:
 *  1. a signing key generated on the token (Ed25519; ES256 where the token has no Ed25519),
 *     non-extractable and sensitive, pairwise-tested by the token adapter;
 *  2. a sealing key on the token (AES-256-GCM, or ECDH P-256 where the token has no AES);
 *  3. a fresh 32-byte trustee seed, sealed by that key (keyring.ts binds it to this keyring);
 *     ML-DSA-65 and X-Wing keys derived from it (core/crypto/derive.ts deriveTrusteeKeys);
 *  4. pairwise tests of the hybrid signing key and of the X-Wing key, and a test unseal;
 *  5. the keyring file (public keys + sealed seed + token identity) written to the trustee's
 *     own folder, useless without the token and its PIN;
 *  6. the trustee's public identity (JWKs, X-Wing key, principal fingerprint) recorded.
 * For `enroll: false` (and for trustees enrolled in an earlier run of this ceremony), the
 * keyring is read, and the token must hold its keys and open its seed to the same keys.
 * Administrators and witnesses check in by name only (they hold no keys). A trustee whose token
 * is lost and who offers their share from the paper words (a quorum unlock only) checks in by
 * name too, as participant kind "paper", once the original ceremony names them; the witness
 * confirms the check-in, and they sign nothing.
 */
import { KeyriteError } from '../../errors.ts';
import { equalBytes } from '../../bytes.ts';
import { toBase64url } from '../../encoding/base64url.ts';
import { deriveTrusteeKeys } from '../../crypto/derive.ts';
import { makeHybridSigner, type HybridPublicKey } from '../../crypto/hybrid.ts';
import { mldsa65Sign } from '../../crypto/mldsa65.ts';
import { checkKemKeyPair, checkSigningKeyPair } from '../../crypto/pairwise.ts';
import { wipe } from '../../crypto/wipe.ts';
import type { SigningAlg } from '../../tokens/token.ts';
import type { StepOf } from '../../script/script.ts';
import { tokenRecordOf, type CeremonyRun } from '../run.ts';
import { KEYRING_FORMAT, TRUSTEE_SEED_LENGTH, encodeKeyring, keyringPublicKeys, parseKeyring, trusteeSeedAad, type TrusteeKeyring } from '../keyring.ts';
import { confirmWitness, createOrSame, deviation, sha256Hex, trusteeFile } from './common.ts';
import { recordSelection } from './token-select.ts';
import { ENTRY, type TrusteeRecord } from '../../bundle/entries.ts';
import { classicalJwk, fingerprintHex, pqJwk, readableFingerprint } from '../../bundle/principals.ts';

function objectLabel(run: CeremonyRun, trusteeId: string, kind: 'sign' | 'seal'): string {
  // kr-<first 16 hex of the ceremony id>-<trustee id>-<kind>-r<run>: at most 3+16+1+32+1+4+2+3 = 62 characters.
  return `kr-${run.ceremonyId.slice(0, 16)}-${trusteeId}-${kind}-r${run.runNumber}`;
}

function checkInBody(step: string, record: TrusteeRecord, enrolled: boolean): Record<string, unknown> {
  const readable = readableFingerprint(record.fingerprint);
  const cj = classicalJwk(record.publicKey);
  const pj = pqJwk(record.publicKey);
  return {
    step,
    role: 'trustee',
    participantId: record.id,
    name: record.name,
    enrolled,
    fingerprint: record.fingerprint,
    fingerprintWords: readable.words.join(' '),
    token: record.token,
    classical: { alg: record.publicKey.classical.alg, jwk: cj, kid: cj.kid, ref: record.signingRef },
    pq: { alg: 'ML-DSA-65', jwk: pj, kid: pj.kid },
    kem: { alg: 'X-Wing', publicKey: toBase64url(record.xwingPublicKey), sha256: sha256Hex(record.xwingPublicKey) },
    seal: { scheme: record.sealRef.alg, ref: record.sealRef },
    keyring: { path: record.keyringPath, sha256: record.keyringSha256 },
  };
}

function recordFromKeyring(k: TrusteeKeyring, path: string, sha: string): TrusteeRecord {
  const { publicKey, xwingPublicKey } = keyringPublicKeys(k);
  return {
    id: k.trusteeId,
    name: k.name,
    fingerprint: fingerprintHex(publicKey),
    publicKey,
    xwingPublicKey,
    signingRef: k.signingKey.ref,
    sealRef: k.sealKey,
    keyringPath: path,
    keyringSha256: sha,
    token: k.token,
  };
}

async function enroll(run: CeremonyRun, step: StepOf<'check-in'>, trusteeId: string): Promise<TrusteeRecord> {
  const answers = run.trustee(trusteeId);
  const s = run.session(trusteeId);
  await recordSelection(run, s, step.id);
  await run.ensureLoggedIn(s, trusteeId, step.id);
  const caps = s.desc.capabilities;
  const alg: SigningAlg | undefined = caps.ed25519 ? 'Ed25519' : caps.p256 ? 'ES256' : undefined;
  if (alg === undefined) throw new KeyriteError('MECHANISM_UNSUPPORTED', `The token "${s.desc.label}" of ${run.whoIs(trusteeId)} can make neither Ed25519 nor ECDSA P-256 keys.`);
  if (caps.seal === null) throw new KeyriteError('MECHANISM_UNSUPPORTED', `The token "${s.desc.label}" of ${run.whoIs(trusteeId)} can seal nothing (no AES-GCM and no ECDH); it cannot hold a trustee seed.`);
  const token = s.token;

  const signingRef = await token.generateSigningKey(objectLabel(run, trusteeId, 'sign'), alg);
  const classicalPublic = await token.getPublicKey(signingRef);
  const sealRef = await token.createSealKey(objectLabel(run, trusteeId, 'seal'));

  const seed = run.env.random(TRUSTEE_SEED_LENGTH);
  let keys;
  try {
    keys = deriveTrusteeKeys(seed);
  } catch (e) {
    wipe(seed);
    throw e;
  }
  try {
    const publicKey: HybridPublicKey = { classical: { alg, publicKey: classicalPublic }, pq: { alg: 'ML-DSA-65', publicKey: keys.mldsa65.publicKey } };
    const who = `the identity of ${run.whoIs(trusteeId)}`;
    const sk = keys.mldsa65.secretKey;
    const signer = makeHybridSigner({ alg, publicKey: classicalPublic, sign: (m) => token.sign(signingRef, m) }, { publicKey: keys.mldsa65.publicKey, sign: (m) => mldsa65Sign(sk, m) });
    await checkSigningKeyPair(who, signer);
    checkKemKeyPair(who, keys.xwing.publicKey, keys.xwing.secretKey);

    const ref = trusteeFile(run, trusteeId, 'keyring');
    const keyringBase = {
      format: KEYRING_FORMAT as typeof KEYRING_FORMAT,
      ceremonyId: run.ceremonyId,
      trusteeId,
      name: answers.name,
      fingerprint: fingerprintHex(publicKey),
      token: tokenRecordOf(s.desc),
      signingKey: { ref: signingRef, jwk: classicalJwk(publicKey) },
      sealKey: sealRef,
      pq: { jwk: pqJwk(publicKey) },
      kem: { alg: 'X-Wing' as const, publicKey: toBase64url(keys.xwing.publicKey) },
    };
    const sealedSeed = await token.seal(sealRef, seed, trusteeSeedAad(keyringBase));
    const back = await token.unseal(sealRef, sealedSeed, trusteeSeedAad(keyringBase));
    const same = equalBytes(back, seed);
    wipe(back);
    if (!same) throw new KeyriteError('SELFTEST_FAILED', `The token of ${run.whoIs(trusteeId)} did not give back the sealed trustee seed; it must not be used.`);
    const keyring: TrusteeKeyring = { ...keyringBase, sealedSeed };
    const bytes = encodeKeyring(keyring);
    await createOrSame(run, ref, bytes, { secret: true });
    const record = recordFromKeyring(keyring, ref.path, sha256Hex(bytes));
    run.keyrings.set(trusteeId, keyring);
    const cj = classicalJwk(publicKey);
    const pj = pqJwk(publicKey);
    await run.record(ENTRY.keyGenerate, trusteeId, {
      step: step.id,
      role: 'trustee',
      owner: trusteeId,
      fingerprint: record.fingerprint,
      classical: { alg, jwk: cj, kid: cj.kid, generatedOn: 'token', token: s.desc.uri, ref: signingRef, pairwiseTest: 'pass' },
      pq: { alg: 'ML-DSA-65', jwk: pj, kid: pj.kid, derivedFrom: 'trustee seed (HKDF-SHA-512, keyrite/v1/trustee/ml-dsa-65)', pairwiseTest: 'pass' },
      kem: { alg: 'X-Wing', publicKey: toBase64url(record.xwingPublicKey), derivedFrom: 'trustee seed (HKDF-SHA-512, keyrite/v1/trustee/x-wing)', pairwiseTest: 'pass' },
      seed: { length: TRUSTEE_SEED_LENGTH, sealedBy: { scheme: sealRef.alg, ref: sealRef }, testUnseal: 'pass' },
    });
    return record;
  } finally {
    wipe(seed, keys.mldsa65.secretKey, keys.xwing.secretKey);
  }
}

/**
 * Loads a keyring and checks it against the trustee's token: same token serial, the signing
 * key is there with the keyring's public key, and the sealed seed opens to the same keys.
 * `expectedSha256`: the keyring must be byte for byte the one recorded earlier.
 */
export async function loadAndVerifyTrustee(run: CeremonyRun, trusteeId: string, path: string, step: string, expected?: TrusteeRecord): Promise<TrusteeRecord> {
  const ref = { root: 'answers' as const, path };
  const bytes = await run.env.files.read(ref);
  if (bytes === undefined) throw new KeyriteError('IO_ERROR', `The keyring of ${run.whoIs(trusteeId)} is missing: ${run.env.files.display(ref)}.`);
  const sha = sha256Hex(bytes);
  if (expected && sha !== expected.keyringSha256) {
    throw new KeyriteError('VERIFY_FAILED', `The keyring of ${run.whoIs(trusteeId)} (${run.env.files.display(ref)}) differs from the one recorded at check-in; it was changed.`);
  }
  const keyring = parseKeyring(bytes);
  if (keyring.trusteeId !== trusteeId) throw new KeyriteError('VERIFY_FAILED', `The keyring at ${run.env.files.display(ref)} belongs to "${keyring.trusteeId}", not to ${run.whoIs(trusteeId)}.`);
  const record = recordFromKeyring(keyring, path, sha);
  if (expected && record.fingerprint !== expected.fingerprint) throw new KeyriteError('VERIFY_FAILED', `The keyring of ${run.whoIs(trusteeId)} names other keys than the ones recorded at check-in.`);
  if (keyring.fingerprint !== record.fingerprint) throw new KeyriteError('VERIFY_FAILED', `The keyring of ${run.whoIs(trusteeId)} states a fingerprint that does not match its keys.`);
  const s = run.session(trusteeId);
  if (!s.selectedRecorded) await recordSelection(run, s, step);
  if (s.desc.serial !== keyring.token.serial || s.desc.label !== keyring.token.label) {
    throw new KeyriteError('VERIFY_FAILED', `${run.whoIs(trusteeId)} brought token "${s.desc.label}" (serial ${s.desc.serial}), but their keyring belongs to token "${keyring.token.label}" (serial ${keyring.token.serial}).`);
  }
  await run.ensureLoggedIn(s, trusteeId, step);
  const onToken = await s.token.getPublicKey(record.signingRef);
  if (!equalBytes(onToken, record.publicKey.classical.publicKey)) {
    throw new KeyriteError('VERIFY_FAILED', `The signing key on the token of ${run.whoIs(trusteeId)} is not the one in their keyring.`);
  }
  run.trustees.set(trusteeId, record);
  run.keyrings.set(trusteeId, keyring);
  // Opens the sealed seed and compares the derived keys with the keyring's.
  await run.withTrusteeKeys(trusteeId, step, async () => undefined);
  run.trusteesVerified.add(trusteeId);
  return record;
}

/**
 * `admit`, when given, is asked about each trustee with an existing identity once their keyring
 * checked out against their token, before anything about them is recorded (a recovery admits
 * only trustees of the original ceremony); it throws to refuse.
 */
export async function checkIn(run: CeremonyRun, step: StepOf<'check-in'>, admit?: (record: TrusteeRecord) => void, admitPaper?: (trusteeId: string) => number): Promise<void> {
  if (step.actor !== 'trustee') {
    const people = step.actor === 'witness' ? run.witnesses : [run.admin];
    for (const p of people) await run.record(ENTRY.participantCheckIn, p.id, { step: step.id, role: step.actor, participantId: p.id, name: p.name, enrolled: false });
    await confirmWitness(run, step, people.map((p) => `${p.name} (${p.id}) checked in as ${step.actor}`));
    return;
  }
  const summary: string[] = [];
  for (const t of run.trusteeAnswers) {
    const earlier = run.previous?.trustees.get(t.id);
    let record: TrusteeRecord;
    if (earlier) {
      run.progress({ kind: 'info', stepId: step.id, participantId: t.id, message: `${run.whoIs(t.id)} checked in during an earlier run; checking their keyring against their token.` });
      record = await loadAndVerifyTrustee(run, t.id, earlier.keyringPath, step.id, earlier);
      admit?.(record);
      await deviation(run, step, 'skipped', `${run.whoIs(t.id)} enrolled in an earlier run of this ceremony; their keyring and token were checked again and their identity is reused`, t.id);
    } else if (step.params.enroll && (await run.env.files.kind(trusteeFile(run, t.id, 'keyring'))) !== undefined) {
      // Written by an interrupted run of this ceremony (pre-flight refused any other keyring) before it was recorded.
      run.progress({ kind: 'info', stepId: step.id, participantId: t.id, message: `${run.whoIs(t.id)}: a keyring from the interrupted run is there; checking it against their token.` });
      record = await loadAndVerifyTrustee(run, t.id, trusteeFile(run, t.id, 'keyring').path, step.id);
      await run.record(ENTRY.participantCheckIn, t.id, { ...checkInBody(step.id, record, true), note: 'keyring written by the interrupted run, checked against the token and reused' });
    } else if (step.params.enroll) {
      run.progress({ kind: 'info', stepId: step.id, participantId: t.id, message: `${run.whoIs(t.id)}: creating their identity on token.` });
      record = await enroll(run, step, t.id);
      run.trustees.set(t.id, record);
      run.trusteesVerified.add(t.id);
      await run.record(ENTRY.participantCheckIn, t.id, checkInBody(step.id, record, true));
    } else {
      if (t.keyring === undefined) throw new KeyriteError('ANSWERS_INVALID', `${run.whoIs(t.id)} needs "keyring" in the answers file (this script checks trustees in with an existing identity).`);
      record = await loadAndVerifyTrustee(run, t.id, t.keyring, step.id);
      admit?.(record);
      await run.record(ENTRY.participantCheckIn, t.id, checkInBody(step.id, record, false));
    }
    const r = readableFingerprint(record.fingerprint);
    summary.push(`${run.whoIs(t.id)}: ${r.hexGroups}`, `    ${r.words.join(' ')}`);
    run.progress({ kind: 'info', stepId: step.id, participantId: t.id, message: `${run.whoIs(t.id)} fingerprint ${r.hexGroups}` });
  }
  for (const p of run.paperTrustees) {
    if (!admitPaper) throw new KeyriteError('ANSWERS_INVALID', `${run.whoIs(p.id)} offers paper words, but this ceremony takes no shares.`);
    const x = admitPaper(p.id);
    await run.record(ENTRY.participantCheckIn, p.id, {
      step: step.id,
      role: 'trustee',
      participantKind: 'paper',
      participantId: p.id,
      name: p.name,
      enrolled: false,
      x,
      note: 'no token: offers the share from the paper-backup words, attested by the witness; holds no keys and signs nothing',
    });
    summary.push(`${run.whoIs(p.id)}: NO TOKEN — will type the paper-backup words of share ${x}; signs nothing`);
    run.progress({ kind: 'info', stepId: step.id, participantId: p.id, message: `${run.whoIs(p.id)} checked in without a token: their share will come from their paper-backup words.` });
  }
  await confirmWitness(run, step, summary);
}
