/**
 * The escrow-recovery engine (issue 6, DESIGN.md "Escrow: Recovery"): runs an
 * escrow-recovery script with its answers on the same machinery as the root ceremony
 * (CeremonyRun, the transcript journal, the shared actions air-gap-check, self-test,
 * check-in, token-select, login, checkpoint, and the engine's bundle check).
 *
 * The recovery transcript starts with the link to the original ceremony (ceremony.start
 * `original`: its ceremony id, master fingerprint and the SHA-256 of its statement.dsse.json);
 * verify-bundle then checks the bundle against that link. Steps of its own:
 *  - verify-bundle: the original public bundle (answers `bundle.path`) is checked with
 *    checkBundle, anchored by the fingerprint the quorum read aloud (answers `bundle.trust`);
 *    the result says whether it was anchored. The escrow manifest and the master public key
 *    are taken from the verified bundle only.
 *  - collect-share: each trustee, one by one, opens their envelope with their token and PIN;
 *    checkOffer runs before the share is accepted; progress "k of t". A failing share is
 *    rejected naming the trustee and the reason; with fewer than t accepted shares the
 *    recovery stops before combining, naming every refused share.
 *  - combine: recoverFromShares (never fewer than t; K must open E), then S must re-derive
 *    exactly the published Ed25519 and ML-DSA-65 keys. S is wiped at once; the derived master
 *    keys stay in memory (Ed25519 until restore, ML-DSA-65 until the last signature).
 *  - restore-to-token: the Ed25519 key is imported non-extractable onto the NEW master token
 *    (an existing key label is refused: never overwrite), pairwise-checked, and the token's
 *    identity recorded. From then on the master key signs with its classical half on the token.
 *  - checkpoint (shared action): co-signed by every trustee checked in, and by the master key
 *    once it is recovered; co-sign (recovery-co-sign.ts) closes the transcript and co-signs its
 *    final checkpoint.
 *  - export (actions/recovery-export.ts): the recovery bundle, with the recovery statement
 *    signed at co-sign, written to a staging folder, verified from disk by the auditor's
 *    verifier (anchored by the master fingerprint) and renamed into place as out/bundle.
 *
 * A journal already in the run folder is resumed (docs/CEREMONY-SCRIPTS.md "Crash and resume",
 * "Resuming a recovery"): its valid prefix stands, the interrupted step is recorded as aborted,
 * and — since shares and S are never written anywhere — the bundle is verified and t shares are
 * collected and combined again; a key an earlier run restored onto the new token is checked and
 * kept, never imported twice.
 */
import { KeyriteError } from '../errors.ts';
import { equalBytes, fromUtf8 } from '../bytes.ts';
import { toHex } from '../encoding/hex.ts';
import { parseJsonUtf8 } from '../encoding/json.ts';
import { readTranscript, recoverTranscript, TranscriptWriter } from '../transcript/transcript.ts';
import { ceremonyOrigin } from '../transcript/checkpoint.ts';
import { deriveMasterKeys } from '../crypto/derive.ts';
import { ed25519Verify } from '../crypto/ed25519.ts';
import { pairwiseTestMessage } from '../crypto/pairwise.ts';
import { wipe } from '../crypto/wipe.ts';
import { parseEnvelope, type ShareEnvelope } from '../escrow/envelope.ts';
import { parseManifest, type EscrowManifest } from '../escrow/manifest.ts';
import { readScannedShareCard } from '../escrow/share-card.ts';
import { assertSeedMatchesMasterKey, openAndCheckOffer, recoverFromShares, ShareRejectedError, type OfferedShare, type ShareRejection } from '../escrow/recovery.ts';
import type { HybridPublicKey } from '../crypto/hybrid.ts';
import type { KeyRef } from '../tokens/token.ts';
import type { Answers } from './answers.ts';
import type { CeremonyStep, ParsedCeremonyScript } from '../script/script.ts';
import type { BundleCheck, CeremonyEnvironment, CeremonyOptions, FileRef } from './types.ts';
import { ABORT_REASON, analyzeJournal, type JournalState } from './journal.ts';
import { CeremonyRun, tokenRecordOf } from './run.ts';
import { checkBundle } from './bundle-check.ts';
import { exportRecoveryBundle } from './actions/recovery-export.ts';
import { KEYRITE_VERSION, openTokens, sameParticipants } from './engine.ts';
import { airGapCheck } from './actions/air-gap-check.ts';
import { selfTest } from './actions/self-test.ts';
import { checkIn } from './actions/check-in.ts';
import { login, tokenSelect } from './actions/token-select.ts';
import { checkpoint } from './actions/checkpoint.ts';
import { coSignRecovery, type RecoveryLink } from './actions/recovery-co-sign.ts';
import { confirmWitness, deviation, sha256Hex } from './actions/common.ts';
import { ENTRY } from '../bundle/entries.ts';
import { fingerprintHex, readableFingerprint } from '../bundle/principals.ts';

export interface RecoveryInput {
  parsed: ParsedCeremonyScript;
  answers: Answers;
  env: CeremonyEnvironment;
  options?: CeremonyOptions;
}

export interface RecoveryOutcome {
  readonly ok: true;
  /** Id of this recovery run (its transcript's origin). */
  readonly recoveryId: string;
  /** Run number of this recovery (1, or more when an interrupted recovery was resumed). */
  readonly run: number;
  readonly resumed: boolean;
  /** The original ceremony, as recorded at the start of the recovery transcript and checked against the verified bundle. */
  readonly original: RecoveryLink;
  /** Whether the bundle was checked against the fingerprint read aloud (answers bundle.trust). */
  readonly anchored: boolean;
  readonly bundleChecks: readonly BundleCheck[];
  /** Trustees whose shares were combined. */
  readonly used: readonly string[];
  readonly rejected: readonly ShareRejection[];
  /** Fingerprint re-derived from the recovered seed (equals the original's). */
  readonly recoveredFingerprint: string;
  readonly restored: { readonly label: string; readonly token: ReturnType<typeof tokenRecordOf>; readonly publicKeyMatches: true; readonly testSignature: 'pass' };
  readonly journal: FileRef;
  /** Signed checkpoint notes of this recovery (journal/checkpoints/…), in order; the last one covers the whole transcript. */
  readonly checkpoints: readonly string[];
  /** The recovery bundle (out/bundle), verified from disk before it was renamed into place. */
  readonly bundle: FileRef;
  readonly exportChecks: readonly BundleCheck[];
}

interface RecoveryState {
  link: RecoveryLink;
  manifest?: EscrowManifest;
  masterPublicKey?: HybridPublicKey;
  anchored?: boolean;
  bundleChecks?: BundleCheck[];
  offers: OfferedShare[];
  used?: string[];
  rejected: ShareRejection[];
  restored?: RecoveryOutcome['restored'];
  recoveredFingerprint?: string;
}

function trustText(answers: Answers): { hex?: string; prefix?: Uint8Array } | undefined {
  const t = answers.bundle?.trust;
  if (!t) return undefined;
  return t.kind === 'full' ? { hex: toHex(t.bytes) } : { prefix: t.prefix };
}

function bundleDir(answers: Answers): string {
  const b = answers.bundle;
  if (!b) throw new KeyriteError('ANSWERS_INVALID', 'The answers file must give "bundle: { path: …, trust: … }".');
  return b.path;
}

/** The link to the original ceremony, read from its bundle before anything is written (verify-bundle checks it). */
async function readLink(env: CeremonyEnvironment, answers: Answers): Promise<RecoveryLink> {
  const dir = bundleDir(answers);
  const read = async (name: string): Promise<Uint8Array> => {
    const ref: FileRef = { root: 'answers', path: `${dir}/${name}` };
    const bytes = await env.files.read(ref);
    if (bytes === undefined) throw new KeyriteError('IO_ERROR', `No public bundle at ${env.files.display({ root: 'answers', path: dir })} (${name} is missing).`);
    return bytes;
  };
  const manifest = parseJsonUtf8(await read('bundle.json'), 'bundle.json');
  const m = (manifest ?? {}) as Record<string, unknown>;
  if (typeof m.ceremonyId !== 'string' || typeof m.masterFingerprint !== 'string') throw new KeyriteError('VERIFY_FAILED', 'The bundle.json of the bundle names no ceremony id or master fingerprint; it is not a Keyrite bundle.');
  return { ceremonyId: m.ceremonyId, masterFingerprint: m.masterFingerprint, statementSha256: sha256Hex(await read('statement.dsse.json')) };
}

function recordedLink(previous: readonly { type: string; body: Record<string, unknown> }[]): RecoveryLink | undefined {
  const start = previous[0];
  const o = start?.body.original as Record<string, unknown> | undefined;
  if (start?.body.kind !== 'escrow-recovery' || !o || typeof o.ceremonyId !== 'string' || typeof o.masterFingerprint !== 'string' || typeof o.statementSha256 !== 'string') return undefined;
  return { ceremonyId: o.ceremonyId, masterFingerprint: o.masterFingerprint, statementSha256: o.statementSha256 };
}

async function verifyBundle(run: CeremonyRun, step: CeremonyStep, st: RecoveryState): Promise<void> {
  const path = bundleDir(run.answers);
  const dir: FileRef = { root: 'answers', path };
  const trust = trustText(run.answers);
  const link = st.link;
  const checks = await checkBundle(run.env.files, dir, { ceremonyId: link.ceremonyId, masterFingerprint: link.masterFingerprint });
  const failed = checks.filter((c) => !c.ok);
  if (failed.length > 0) throw new KeyriteError('VERIFY_FAILED', `The public bundle does not verify: ${failed.map((c) => `${c.name}: ${c.detail}`).join('; ')}`);
  const statement = await run.env.files.read({ root: 'answers', path: `${path}/statement.dsse.json` });
  if (statement === undefined || sha256Hex(statement) !== link.statementSha256) {
    throw new KeyriteError('VERIFY_FAILED', "The bundle's signed statement is not the one recorded at the start of this recovery; the bundle was changed or replaced. Use the original bundle, or start the recovery in a new folder.");
  }
  const transcript = readTranscript((await run.env.files.read({ root: 'answers', path: `${path}/transcript.jsonl` }))!);
  const j = analyzeJournal(transcript.entries);
  const master = j.master!;
  let anchored = false;
  if (trust?.hex !== undefined) {
    if (trust.hex !== master.fingerprint) throw new KeyriteError('VERIFY_FAILED', `The bundle's master fingerprint ${readableFingerprint(master.fingerprint).hexGroups} is not the one read aloud (answers bundle.trust); this is not the bundle of the key to recover.`);
    anchored = true;
  } else if (trust?.prefix !== undefined) {
    if (!master.fingerprint.startsWith(toHex(trust.prefix))) throw new KeyriteError('VERIFY_FAILED', "The bundle's master fingerprint does not begin with the words read aloud (answers bundle.trust).");
    anchored = true;
  } else if (run.script.mode === 'live') {
    throw new KeyriteError('ANSWERS_INVALID', 'A live recovery needs the master fingerprint read aloud (answers bundle.trust).');
  }
  const manifestBytes = (await run.env.files.read({ root: 'answers', path: `${path}/escrow/manifest.json` }))!;
  const manifest = parseManifest(fromUtf8(manifestBytes).replace(/\n$/, ''));
  const q = run.script.quorum!;
  if (manifest.n !== q.n || manifest.t !== q.t) throw new KeyriteError('VERIFY_FAILED', `The script expects a ${q.t}-of-${q.n} escrow, but the bundle's signed escrow manifest is ${manifest.t}-of-${manifest.n}.`);
  st.manifest = manifest;
  st.masterPublicKey = master.publicKey;
  st.anchored = anchored;
  st.bundleChecks = checks;
  await run.record(ENTRY.recoveryBundle, run.admin.id, {
    step: step.id,
    ceremonyId: j.ceremonyId,
    masterFingerprint: master.fingerprint,
    statementSha256: link.statementSha256,
    anchored,
    anchor: anchored ? 'the master fingerprint read aloud (answers bundle.trust)' : 'none: the bundle was only checked for internal consistency',
    checks: checks.map((c) => ({ name: c.name, ok: c.ok })),
    quorum: { n: manifest.n, t: manifest.t },
  });
  const r = readableFingerprint(master.fingerprint);
  run.progress({ kind: anchored ? 'info' : 'warning', stepId: step.id, message: `Bundle of ceremony ${j.ceremonyId} verified (${checks.length} checks), ${anchored ? 'ANCHORED by the fingerprint read aloud' : 'NOT anchored (no trusted fingerprint given)'}: master ${r.hexGroups}.` });
  await confirmWitness(run, step, [`Bundle of ceremony ${j.ceremonyId}: ${checks.length} checks pass; ${anchored ? 'anchored' : 'not anchored'}.`, `Master fingerprint ${r.hexGroups}`, `    ${r.words.join(' ')}`]);
}

async function collectShares(run: CeremonyRun, step: CeremonyStep, st: RecoveryState): Promise<void> {
  const manifest = st.manifest!;
  const t = manifest.t;
  const summary: string[] = [];
  for (const ta of run.trusteeAnswers) {
    const label = run.whoIs(ta.id);
    const path = ta.envelope ?? ta.envelopeCard;
    if (path === undefined) throw new KeyriteError('ANSWERS_INVALID', `${label} needs "envelope" (or "envelope-card") in the answers file.`);
    const ref: FileRef = { root: 'answers', path };
    const found = await run.env.files.read(ref);
    if (found === undefined) throw new KeyriteError('IO_ERROR', `The share ${ta.envelope !== undefined ? 'envelope' : 'card scan'} of ${label} is missing: ${run.env.files.display(ref)}.`);
    const fail = async (kind: ShareRejection['kind'], reason: string): Promise<void> => {
      st.rejected.push({ trusteeId: ta.id, label, kind, reason });
      await run.record(ENTRY.shareRejected, ta.id, { step: step.id, trusteeId: ta.id, kind, reason });
      run.progress({ kind: 'warning', stepId: step.id, participantId: ta.id, message: `Share of ${label} REFUSED: ${reason}. Still ${st.offers.length} of ${t}.`, share: { trusteeId: ta.id, outcome: 'refused', reason, accepted: st.offers.length, needed: t } });
      summary.push(`${label}: share refused (${reason})`);
    };
    let bytes = found;
    if (ta.envelopeCard !== undefined) {
      // The scanned card gives back the envelope file byte for byte; from here on it is an envelope like any other.
      try {
        bytes = readScannedShareCard(fromUtf8(found), { ceremonyId: manifest.ceremonyId, masterFingerprint: manifest.masterFingerprint, trusteeId: ta.id }).envelopeFile;
      } catch (e) {
        const why = e instanceof KeyriteError ? e.message.replace(/\.$/, '') : 'It is unreadable';
        await fail('malformed', `the share card scan cannot be used: ${why.charAt(0).toLowerCase()}${why.slice(1)}`);
        continue;
      }
    }
    let envelope: ShareEnvelope;
    try {
      envelope = parseEnvelope(fromUtf8(bytes).replace(/\n$/, ''));
    } catch (e) {
      await fail('malformed', `the share envelope is damaged (${e instanceof KeyriteError ? e.message : 'unreadable'})`);
      continue;
    }
    const opened = await run.withTrusteeKeys(ta.id, step.id, async ({ xwingSecretKey }) => openAndCheckOffer(manifest, st.masterPublicKey!, ta.id, envelope, xwingSecretKey));
    if (!opened.ok) {
      await fail(opened.kind, opened.reason);
      continue;
    }
    const offer = opened.offer;
    if (st.offers.some((o) => o.share.x === offer!.share.x)) {
      wipe(offer.share.y, offer.salt);
      run.progress({ kind: 'warning', stepId: step.id, participantId: ta.id, message: `${label}: a share with index ${offer.share.x} was already accepted; this duplicate is dropped.`, share: { trusteeId: ta.id, outcome: 'duplicate', reason: 'a share with the same index was already accepted', accepted: st.offers.length, needed: t } });
      continue;
    }
    st.offers.push(offer);
    const k = st.offers.length;
    await run.record(ENTRY.shareAccepted, ta.id, { step: step.id, trusteeId: ta.id, x: offer.share.x, checks: ['signature', 'header', 'commitment', 'trustee'], progress: `${k} of ${t}` });
    run.progress({ kind: 'info', stepId: step.id, participantId: ta.id, message: `Share of ${label} accepted: ${k} of ${t}.`, share: { trusteeId: ta.id, outcome: 'accepted', accepted: k, needed: t } });
    summary.push(`${label}: share ${offer.share.x} accepted (${k} of ${t})`);
  }
  if (st.offers.length < t) {
    const refused = st.rejected.map((r) => `the share of ${r.label} was refused: ${r.reason}`).join('; ');
    throw new ShareRejectedError(`Recovery needs ${t} valid shares; only ${st.offers.length} ${st.offers.length === 1 ? 'was' : 'were'} accepted${refused ? ` (${refused})` : ''}. Nothing was combined or restored.`, st.rejected);
  }
  await confirmWitness(run, step, summary);
}

async function combine(run: CeremonyRun, step: CeremonyStep, st: RecoveryState): Promise<void> {
  const publicKey = st.masterPublicKey!;
  const result = await recoverFromShares({ manifest: st.manifest!, masterPublicKey: publicKey, offered: st.offers });
  let keys;
  try {
    assertSeedMatchesMasterKey(result.seed, publicKey);
    keys = deriveMasterKeys(result.seed);
  } finally {
    wipe(result.seed);
  }
  const fingerprint = fingerprintHex(publicKey);
  run.master = { publicKey, fingerprint, edSeed: keys.ed25519.seed, mldsaSecretKey: keys.mldsa65.secretKey };
  st.recoveredFingerprint = fingerprintHex({ classical: { alg: 'Ed25519', publicKey: keys.ed25519.publicKey }, pq: { alg: 'ML-DSA-65', publicKey: keys.mldsa65.publicKey } });
  st.used = result.used;
  st.rejected.push(...result.rejected);
  await run.record(ENTRY.keyRestore, run.admin.id, {
    step: step.id,
    method: 'escrow',
    fingerprint,
    trustees: result.used,
    rejected: result.rejected.map((r) => ({ trusteeId: r.trusteeId, kind: r.kind, reason: r.reason })),
    subsetsTried: result.subsetsTried,
    checks: { blobOpened: true, rederivesPublishedKeys: true },
  });
  run.progress({ kind: 'info', stepId: step.id, message: `Combined ${result.used.length} shares; the escrow blob opened and the seed re-derives the published Ed25519 and ML-DSA-65 keys.` });
  await confirmWitness(run, step, [`Shares of ${result.used.map((id) => run.whoIs(id)).join(', ')} combined; the key re-derives master ${readableFingerprint(fingerprint).hexGroups}.`]);
}

/** The token must sign a test message that verifies with the recovered public key. */
async function testSignature(run: CeremonyRun, ref: KeyRef, label: string): Promise<void> {
  const s = run.session('master');
  const pub = run.master!.publicKey.classical.publicKey;
  if (!equalBytes(await s.token.getPublicKey(ref), pub)) throw new KeyriteError('VERIFY_FAILED', `The new master token reports another public key for "${label}" than the recovered one; it must not be used.`);
  const msg = pairwiseTestMessage();
  if (!ed25519Verify(pub, msg, await s.token.sign(ref, msg))) throw new KeyriteError('VERIFY_FAILED', `A test signature by "${label}" on the new master token does not verify; it must not be used.`);
}

async function restore(run: CeremonyRun, step: CeremonyStep, st: RecoveryState): Promise<void> {
  const m = run.master;
  if (!m?.edSeed) throw new KeyriteError('CEREMONY_ERROR', 'There is no recovered key to restore; the script must combine first.');
  const s = run.session('master');
  await run.ensureLoggedIn(s, run.admin.id, step.id);
  const label = run.script.tokens.master.keyLabel;
  const found = await s.token.findObject(label);
  let ref: KeyRef;
  if (found && run.previous && equalBytes(await s.token.getPublicKey(found), m.publicKey.classical.publicKey)) {
    // Restored by an interrupted run of this recovery: the same key (it re-derives from the same S), checked and kept.
    await run.record(ENTRY.tokenLabelCheck, run.admin.id, { step: step.id, label, token: tokenRecordOf(s.desc), outcome: 'holds-this-ceremony-key', ref: found });
    await testSignature(run, found, label);
    await deviation(run, step, 'skipped', `the new master token already holds the recovered key as "${label}" (restored by an earlier run of this recovery); its public key and a test signature were checked and it is kept, not imported again`);
    ref = found;
  } else {
    if (found) {
      await run.record(ENTRY.tokenLabelCheck, run.admin.id, { step: step.id, label, token: tokenRecordOf(s.desc), outcome: 'taken' });
      throw new KeyriteError('OBJECT_EXISTS', `The new master token "${s.desc.label}" (serial ${s.desc.serial}) already holds a key labelled "keyrite:${label}"; Keyrite never overwrites a key. Use a fresh token.`);
    }
    await run.record(ENTRY.tokenLabelCheck, run.admin.id, { step: step.id, label, token: tokenRecordOf(s.desc), outcome: 'free' });
    ref = await s.token.importEd25519PrivateKey(label, m.edSeed);
    await testSignature(run, ref, label);
  }
  m.tokenRef = ref;
  wipe(m.edSeed);
  delete m.edSeed;
  s.desc = await s.token.describe();
  const token = tokenRecordOf(s.desc);
  await run.record(ENTRY.keyImport, run.admin.id, {
    step: step.id,
    label,
    ref,
    token,
    fingerprint: m.fingerprint,
    publicKeyMatches: true,
    testSignature: 'pass',
    protection: { sensitive: true, extractable: false, checkedBy: 'the token adapter reads CKA_SENSITIVE and CKA_EXTRACTABLE back after creation' },
    ...(s.desc.rehearsalOnly ? { rehearsalOnly: true } : {}),
  });
  st.restored = { label, token, publicKeyMatches: true, testSignature: 'pass' };
  run.progress({ kind: 'info', stepId: step.id, message: `Master key restored onto token "${s.desc.label}" (serial ${s.desc.serial}) as "${label}", non-extractable; test signature verifies.` });
  await confirmWitness(run, step, [`The master key is on the new token "${s.desc.label}" (serial ${s.desc.serial}) as "${label}", sensitive and not extractable.`]);
}

function checkShape(parsed: ParsedCeremonyScript): void {
  const s = parsed.script;
  if (s.kind !== 'escrow-recovery') throw new KeyriteError('UNSUPPORTED', `"keyrite recover" runs escrow-recovery scripts; this one is ${s.kind}.`);
  if (s.algorithms.classical !== 'Ed25519') throw new KeyriteError('UNSUPPORTED', 'The master key is Ed25519 + ML-DSA-65; set algorithms.classical: Ed25519.');
  if (!s.quorum) throw new KeyriteError('UNSUPPORTED', 'An escrow-recovery script needs a quorum.');
  const coSigns = s.steps.filter((x) => x.action === 'co-sign');
  const last = s.steps[s.steps.length - 1];
  if (coSigns.length !== 1 || s.steps[s.steps.length - 2] !== coSigns[0] || last?.action !== 'export') {
    throw new KeyriteError('UNSUPPORTED', 'An escrow-recovery script has exactly one co-sign step, right before export: co-sign closes the recovery transcript.');
  }
  if (coSigns[0]!.action === 'co-sign' && coSigns[0]!.params.roles.some((r) => r !== 'trustee')) throw new KeyriteError('UNSUPPORTED', 'Only trustees hold signing keys in a recovery; co-sign params.roles must be [trustee].');
}

function repeatReason(step: CeremonyStep): string {
  switch (step.action) {
    case 'air-gap-check':
    case 'self-test':
      return 'a resumed run checks again in this process before anything else happens';
    case 'token-select':
    case 'login':
      return 'a resumed run opens its own token sessions';
    case 'verify-bundle':
      return 'a resumed run verifies the bundle again and takes the escrow manifest and master public key from it';
    case 'collect-share':
    case 'combine':
      return 'shares and the recovered key are never written anywhere: the trustees offer their shares again and they are combined again';
    default:
      return 'the step did not complete in an earlier run and is done again';
  }
}

async function runStep(run: CeremonyRun, step: CeremonyStep, st: RecoveryState): Promise<void> {
  switch (step.action) {
    case 'air-gap-check':
      return airGapCheck(run, step);
    case 'self-test':
      return selfTest(run, step);
    case 'verify-bundle':
      return verifyBundle(run, step, st);
    case 'check-in':
      return checkIn(run, step);
    case 'collect-share':
      return collectShares(run, step, st);
    case 'combine':
      return combine(run, step, st);
    case 'token-select':
      return tokenSelect(run, step);
    case 'login':
      return login(run, step);
    case 'restore-to-token':
      return restore(run, step, st);
    case 'checkpoint':
      return checkpoint(run, step);
    case 'co-sign':
      await coSignRecovery(run, step, st.link, st.used ?? []);
      return;
    default:
      throw new KeyriteError('UNSUPPORTED', `The action ${step.action} is not part of an escrow recovery.`);
  }
}

export async function runRecovery(input: RecoveryInput): Promise<RecoveryOutcome> {
  const { parsed, answers, env } = input;
  const options = input.options ?? {};
  const script = parsed.script;
  checkShape(parsed);
  const whoIs = (id: string) => {
    const p = answers.participants.find((x) => x.id === id);
    return p ? `${p.name} (${p.id})` : id;
  };
  const link = await readLink(env, answers);
  const existing = await env.transcript.read();
  const recovered = existing !== undefined && existing.length > 0 ? recoverTranscript(existing) : undefined;
  const previous: JournalState | undefined = recovered && recovered.entries.length > 0 ? analyzeJournal(recovered.entries) : undefined;
  if (previous) {
    const recorded = recordedLink(recovered!.entries);
    if (!recorded) throw new KeyriteError('CEREMONY_ERROR', 'This run folder holds the journal of a ceremony that is not an escrow recovery; use a new --out folder.');
    if (previous.scriptSha256 !== parsed.hashHex) throw new KeyriteError('CEREMONY_ERROR', `This run folder holds a recovery with another script (SHA-256 ${previous.scriptSha256}); the script given has SHA-256 ${parsed.hashHex}. Use the same script, or a new --out folder.`);
    if (!sameParticipants(previous, answers)) throw new KeyriteError('CEREMONY_ERROR', 'This run folder holds a recovery with other participants (ids or roles) than this answers file; resume it with the same participants, or use a new --out folder.');
    if (recorded.ceremonyId !== link.ceremonyId || recorded.masterFingerprint !== link.masterFingerprint || recorded.statementSha256 !== link.statementSha256) {
      throw new KeyriteError('CEREMONY_ERROR', 'This run folder holds the recovery of another bundle (its ceremony id, master fingerprint or signed statement differ from the bundle given); use the same bundle, or a new --out folder.');
    }
  }
  env.pins.check(answers.master.pin, 'the new master token');
  for (const p of answers.participants) if (p.role === 'trustee') env.pins.check(p.pin, whoIs(p.id));
  const sessions = await openTokens(parsed, answers, env, whoIs);
  const clock = env.clock;
  const st: RecoveryState = { link, offers: [], rejected: [] };
  let sink: Awaited<ReturnType<CeremonyEnvironment['transcript']['create']>> | undefined;
  let run: CeremonyRun | undefined;
  try {
    let writer: TranscriptWriter;
    if (recovered && previous) {
      if (recovered.droppedBytes > 0) await env.transcript.repairTornTail(recovered.validLength);
      sink = await env.transcript.openExisting();
      writer = TranscriptWriter.resume(recovered.entries, sink, { clock, ...(previous.lastCheckpoint ? { lastCheckpoint: previous.lastCheckpoint } : {}) });
    } else if (recovered) {
      // A journal that was created but never got its first entry.
      sink = await env.transcript.openExisting();
      writer = TranscriptWriter.resume([], sink, { clock });
    } else {
      sink = await env.transcript.create();
      writer = new TranscriptWriter(sink, { clock });
    }
    const recoveryId = previous?.ceremonyId ?? answers.ceremonyId ?? toHex(env.random(16));
    const runNumber = previous ? previous.runs + 1 : 1;
    run = new CeremonyRun({ parsed, answers, env, options, writer, ceremonyId: recoveryId, origin: ceremonyOrigin(recoveryId), runNumber, ...(previous ? { previous } : {}), clock });
    for (const [k, s] of sessions) run.sessions.set(k, s);
    const r = run;
    if (!previous) {
      await r.record(ENTRY.ceremonyStart, r.admin.id, {
        keyrite: options.keyriteVersion ?? KEYRITE_VERSION,
        kind: script.kind,
        mode: script.mode,
        name: script.name,
        ceremonyId: recoveryId,
        origin: r.origin,
        original: { ceremonyId: link.ceremonyId, masterFingerprint: link.masterFingerprint, statementSha256: link.statementSha256 },
        script: { sha256: parsed.hashHex, hexGroups: parsed.hashHexGroups, words: parsed.hashWords.join(' ') },
        quorum: script.quorum,
        algorithms: script.algorithms,
        airGap: script.airGap,
        participants: answers.participants.map((p) => ({ id: p.id, name: p.name, role: p.role })),
      });
    } else if (previous.ended) {
      // Closed by an earlier run: nothing is appended; only a missing final checkpoint is signed again.
      r.sealed = true;
      r.progress({ kind: 'ceremony.resume', message: `Recovery ${recoveryId} was closed by an earlier run; checking (or signing again) its final checkpoint.` });
    } else {
      await r.record(ENTRY.ceremonyResume, r.admin.id, {
        run: runNumber,
        recoveredEntries: recovered!.entries.length,
        droppedBytes: recovered!.droppedBytes,
        dropped: recovered!.dropped,
        interrupted: previous.interrupted ?? null,
        keyLife: previous.masterImport ? 'restored' : 'none',
      });
      if (previous.interrupted) {
        await r.record(ENTRY.stepAborted, r.admin.id, { step: previous.interrupted.step, action: previous.interrupted.action, ...(previous.interrupted.participantId ? { participantId: previous.interrupted.participantId } : {}), reason: ABORT_REASON });
      }
      r.progress({ kind: 'ceremony.resume', message: `Resuming recovery ${recoveryId} (run ${runNumber})${previous.interrupted ? `; step "${previous.interrupted.step}" was interrupted and is recorded as aborted` : ''}. Shares are never stored: the trustees offer them again.` });
    }
    const total = script.steps.length;
    let exported: Awaited<ReturnType<typeof exportRecoveryBundle>> | undefined;
    for (const [i, step] of script.steps.entries()) {
      if (step.action === 'export') {
        // After co-sign closed the transcript nothing more is recorded: the bundle is written and verified.
        r.progress({ kind: 'step.start', stepId: step.id, action: step.action, index: i + 1, total, title: step.title ?? step.action, message: step.title ?? step.action });
        exported = await exportRecoveryBundle(r);
        r.progress({ kind: 'step.done', stepId: step.id, action: step.action, index: i + 1, total, message: `Recovery bundle written and verified (${exported.checks.length} checks).` });
        continue;
      }
      if (previous?.completedSteps.has(step.id) && step.action !== 'check-in' && step.action !== 'checkpoint' && step.action !== 'restore-to-token') {
        await deviation(r, step, 'repeated', repeatReason(step));
      }
      r.currentStep = step;
      r.progress({ kind: 'step.start', stepId: step.id, action: step.action, index: i + 1, total, title: step.title ?? step.action, message: step.title ?? step.action });
      await r.record(ENTRY.stepStart, r.admin.id, { step: step.id, action: step.action, actor: step.actor, attempt: (previous?.attempts.get(step.id) ?? 0) + 1, witness: step.witness });
      await runStep(r, step, st);
      await r.record(ENTRY.stepEnd, r.admin.id, { step: step.id, action: step.action });
      r.currentStep = undefined;
      r.progress({ kind: 'step.done', stepId: step.id, action: step.action, index: i + 1, total, message: `${step.id} done` });
    }
    if (!st.restored || !r.master?.tokenRef) throw new KeyriteError('CEREMONY_ERROR', 'The script ended without restoring the master key.');
    const notes = (await env.files.list({ root: 'out', path: 'journal/checkpoints' })).filter((n) => n.endsWith('.note')).sort();
    return {
      ok: true,
      recoveryId,
      run: runNumber,
      resumed: previous !== undefined,
      original: link,
      anchored: st.anchored!,
      bundleChecks: st.bundleChecks!,
      used: st.used!,
      rejected: st.rejected,
      recoveredFingerprint: st.recoveredFingerprint!,
      restored: st.restored,
      journal: { root: 'out', path: 'journal/transcript.jsonl' },
      checkpoints: notes,
      bundle: exported!.bundle,
      exportChecks: exported!.checks,
    };
  } catch (e) {
    if (run?.currentStep && !run.sealed) {
      const code = e instanceof KeyriteError ? e.code : 'INTERNAL';
      const message = e instanceof KeyriteError ? e.message : 'an unexpected internal error';
      await run.record(ENTRY.stepFailed, run.admin.id, { step: run.currentStep.id, action: run.currentStep.action, code, reason: message }).catch(() => undefined);
    }
    throw e;
  } finally {
    for (const o of st.offers) wipe(o.share.y, o.salt);
    run?.wipeSecrets();
    if (run) await run.closeSessions();
    else for (const s of sessions.values()) await s.token.close().catch(() => undefined);
    await sink?.close().catch(() => undefined);
  }
}
