/**
 * The escrow-recovery engine (issue 6, DESIGN.md "Escrow: Recovery"): runs an
 * escrow-recovery script with its answers on the same machinery as the root ceremony
 * (CeremonyRun, the transcript journal, the shared actions air-gap-check, self-test,
 * check-in, token-select and login, and the engine's bundle check).
 *
 * Steps of its own:
 *  - verify-bundle: the original public bundle (answers `bundle.path`) is checked with
 *    checkBundle, anchored by the fingerprint the quorum read aloud (answers `bundle.trust`);
 *    the result says whether it was anchored. The escrow manifest and the master public key
 *    are taken from the verified bundle only.
 *  - collect-share: each trustee, one by one, opens their envelope with their token and PIN;
 *    checkOffer runs before the share is accepted; progress "k of t". A failing share is
 *    rejected naming the trustee and the reason; with fewer than t accepted shares the
 *    recovery stops before combining, naming every refused share.
 *  - combine: recoverFromShares (never fewer than t; K must open E), then S must re-derive
 *    exactly the published Ed25519 and ML-DSA-65 keys.
 *  - restore-to-token: the Ed25519 key is imported non-extractable onto the NEW master token
 *    (an existing key label is refused: never overwrite), pairwise-checked, and the token's
 *    identity recorded.
 * NOT YET IMPLEMENTED: checkpoint, co-sign and export of a recovery bundle. They are recorded
 * as skipped steps (step.deviation) with that reason, and the result says so.
 */
import { KeyriteError } from '../errors.ts';
import { equalBytes, fromUtf8 } from '../bytes.ts';
import { toHex } from '../encoding/hex.ts';
import { readTranscript } from '../transcript/transcript.ts';
import { ceremonyOrigin } from '../transcript/checkpoint.ts';
import { TranscriptWriter } from '../transcript/transcript.ts';
import { deriveMasterKeys } from '../crypto/derive.ts';
import { ed25519Verify } from '../crypto/ed25519.ts';
import { pairwiseTestMessage } from '../crypto/pairwise.ts';
import { wipe } from '../crypto/wipe.ts';
import { openEnvelope, parseEnvelope, type ShareEnvelope } from '../escrow/envelope.ts';
import { parseManifest, type EscrowManifest } from '../escrow/manifest.ts';
import { assertSeedMatchesMasterKey, checkOffer, recoverFromShares, ShareRejectedError, type OfferedShare, type ShareRejection } from '../escrow/recovery.ts';
import type { HybridPublicKey } from '../crypto/hybrid.ts';
import type { Answers } from './answers.ts';
import type { CeremonyStep, ParsedCeremonyScript } from './script.ts';
import type { BundleCheck, CeremonyEnvironment, CeremonyOptions, FileRef } from './types.ts';
import { ENTRY, analyzeJournal } from './journal.ts';
import { CeremonyRun, fingerprintHex, readableFingerprint, tokenRecordOf } from './run.ts';
import { checkBundle } from './bundle-check.ts';
import { KEYRITE_VERSION, openTokens } from './engine.ts';
import { airGapCheck } from './actions/air-gap-check.ts';
import { selfTest } from './actions/self-test.ts';
import { checkIn } from './actions/check-in.ts';
import { login, tokenSelect } from './actions/token-select.ts';
import { confirmWitness, deviation } from './actions/common.ts';

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
  /** The original ceremony and master key, from the verified bundle. */
  readonly original: { readonly ceremonyId: string; readonly masterFingerprint: string };
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
  /** Steps of the script this version does not perform yet (recorded as skipped). */
  readonly notImplemented: readonly string[];
}

const NOT_IMPLEMENTED = new Set(['checkpoint', 'co-sign', 'export']);
const NOT_IMPLEMENTED_REASON = 'not implemented yet in this version of "keyrite recover" (the recovery transcript is kept in the run folder journal; no recovery bundle is exported)';

interface RecoveryState {
  manifest?: EscrowManifest;
  masterPublicKey?: HybridPublicKey;
  masterFingerprint?: string;
  originalCeremonyId?: string;
  anchored?: boolean;
  bundleChecks?: BundleCheck[];
  offers: OfferedShare[];
  seed?: Uint8Array;
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

async function verifyBundle(run: CeremonyRun, step: CeremonyStep, st: RecoveryState): Promise<void> {
  const b = run.answers.bundle;
  if (!b) throw new KeyriteError('ANSWERS_INVALID', 'The answers file must give "bundle: { path: …, trust: … }".');
  const dir: FileRef = { root: 'answers', path: b.path };
  const bundleJsonBytes = await run.env.files.read({ root: 'answers', path: `${b.path}/bundle.json` });
  if (bundleJsonBytes === undefined) throw new KeyriteError('IO_ERROR', `No public bundle at ${run.env.files.display(dir)} (bundle.json is missing).`);
  const trust = trustText(run.answers);
  const checks = await checkBundle(run.env.files, dir, {});
  const failed = checks.filter((c) => !c.ok);
  if (failed.length > 0) throw new KeyriteError('VERIFY_FAILED', `The public bundle does not verify: ${failed.map((c) => `${c.name}: ${c.detail}`).join('; ')}`);
  const transcript = readTranscript((await run.env.files.read({ root: 'answers', path: `${b.path}/transcript.jsonl` }))!);
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
  const manifestBytes = (await run.env.files.read({ root: 'answers', path: `${b.path}/escrow/manifest.json` }))!;
  const manifest = parseManifest(fromUtf8(manifestBytes).replace(/\n$/, ''));
  const q = run.script.quorum!;
  if (manifest.n !== q.n || manifest.t !== q.t) throw new KeyriteError('VERIFY_FAILED', `The script expects a ${q.t}-of-${q.n} escrow, but the bundle's signed escrow manifest is ${manifest.t}-of-${manifest.n}.`);
  st.manifest = manifest;
  st.masterPublicKey = master.publicKey;
  st.masterFingerprint = master.fingerprint;
  st.originalCeremonyId = j.ceremonyId;
  st.anchored = anchored;
  st.bundleChecks = checks;
  await run.record('recovery.bundle', run.admin.id, {
    step: step.id,
    ceremonyId: j.ceremonyId,
    masterFingerprint: master.fingerprint,
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
    if (ta.envelope === undefined) throw new KeyriteError('ANSWERS_INVALID', `${label} needs "envelope" in the answers file.`);
    const ref: FileRef = { root: 'answers', path: ta.envelope };
    const bytes = await run.env.files.read(ref);
    if (bytes === undefined) throw new KeyriteError('IO_ERROR', `The share envelope of ${label} is missing: ${run.env.files.display(ref)}.`);
    const fail = async (kind: ShareRejection['kind'], reason: string): Promise<void> => {
      st.rejected.push({ trusteeId: ta.id, label, kind, reason });
      await run.record('share.rejected', ta.id, { step: step.id, trusteeId: ta.id, kind, reason });
      run.progress({ kind: 'warning', stepId: step.id, participantId: ta.id, message: `Share of ${label} REFUSED: ${reason}. Still ${st.offers.length} of ${t}.` });
      summary.push(`${label}: share refused (${reason})`);
    };
    let envelope: ShareEnvelope;
    try {
      envelope = parseEnvelope(fromUtf8(bytes).replace(/\n$/, ''));
    } catch (e) {
      await fail('malformed', `the share envelope is damaged (${e instanceof KeyriteError ? e.message : 'unreadable'})`);
      continue;
    }
    let offer: OfferedShare | undefined;
    let openError: string | undefined;
    await run.withTrusteeKeys(ta.id, step.id, async ({ xwingSecretKey }) => {
      try {
        const opened = openEnvelope(envelope, xwingSecretKey);
        offer = { trusteeId: ta.id, envelope, share: opened.share, salt: opened.salt };
      } catch (e) {
        openError = e instanceof KeyriteError ? e.message : 'it cannot be decrypted';
      }
    });
    if (!offer) {
      // Decryption binds the header: a damaged header or payload fails here. Say which, when the signature tells.
      const sig = checkOffer(manifest, st.masterPublicKey!, { trusteeId: ta.id, envelope, share: { x: 1, y: new Uint8Array(0) }, salt: new Uint8Array(0) });
      const reason = !sig.ok && sig.rejection.kind !== 'malformed' ? sig.rejection.reason : `the envelope cannot be opened with this trustee's keys (${openError ?? 'damaged'}): it was altered or is not addressed to them`;
      await fail(!sig.ok ? sig.rejection.kind : 'malformed', reason);
      continue;
    }
    const checked = checkOffer(manifest, st.masterPublicKey!, offer);
    if (!checked.ok) {
      wipe(offer.share.y, offer.salt);
      await fail(checked.rejection.kind, checked.rejection.reason);
      continue;
    }
    if (st.offers.some((o) => o.share.x === offer!.share.x)) {
      wipe(offer.share.y, offer.salt);
      run.progress({ kind: 'warning', stepId: step.id, participantId: ta.id, message: `${label}: a share with index ${offer.share.x} was already accepted; this duplicate is dropped.` });
      continue;
    }
    st.offers.push(offer);
    const k = st.offers.length;
    await run.record('share.accepted', ta.id, { step: step.id, trusteeId: ta.id, x: offer.share.x, checks: ['signature', 'header', 'commitment', 'trustee'], progress: `${k} of ${t}` });
    run.progress({ kind: 'info', stepId: step.id, participantId: ta.id, message: `Share of ${label} accepted: ${k} of ${t}.` });
    summary.push(`${label}: share ${offer.share.x} accepted (${k} of ${t})`);
  }
  if (st.offers.length < t) {
    const refused = st.rejected.map((r) => `the share of ${r.label} was refused: ${r.reason}`).join('; ');
    throw new ShareRejectedError(`Recovery needs ${t} valid shares; only ${st.offers.length} ${st.offers.length === 1 ? 'was' : 'were'} accepted${refused ? ` (${refused})` : ''}. Nothing was combined or restored.`, st.rejected);
  }
  await confirmWitness(run, step, summary);
}

async function combine(run: CeremonyRun, step: CeremonyStep, st: RecoveryState): Promise<void> {
  const result = await recoverFromShares({ manifest: st.manifest!, masterPublicKey: st.masterPublicKey!, offered: st.offers });
  try {
    assertSeedMatchesMasterKey(result.seed, st.masterPublicKey!);
  } catch (e) {
    wipe(result.seed);
    throw e;
  }
  st.seed = result.seed;
  const keys = deriveMasterKeys(result.seed);
  st.recoveredFingerprint = fingerprintHex({ classical: { alg: 'Ed25519', publicKey: keys.ed25519.publicKey }, pq: { alg: 'ML-DSA-65', publicKey: keys.mldsa65.publicKey } });
  wipe(keys.ed25519.seed, keys.mldsa65.secretKey);
  st.used = result.used;
  st.rejected.push(...result.rejected);
  await run.record(ENTRY.keyRestore, run.admin.id, {
    step: step.id,
    method: 'escrow',
    fingerprint: st.masterFingerprint!,
    trustees: result.used,
    rejected: result.rejected.map((r) => ({ trusteeId: r.trusteeId, kind: r.kind, reason: r.reason })),
    subsetsTried: result.subsetsTried,
    checks: { blobOpened: true, rederivesPublishedKeys: true },
  });
  run.progress({ kind: 'info', stepId: step.id, message: `Combined ${result.used.length} shares; the escrow blob opened and the seed re-derives the published Ed25519 and ML-DSA-65 keys.` });
  await confirmWitness(run, step, [`Shares of ${result.used.map((id) => run.whoIs(id)).join(', ')} combined; the key re-derives master ${readableFingerprint(st.masterFingerprint!).hexGroups}.`]);
}

async function restore(run: CeremonyRun, step: CeremonyStep, st: RecoveryState): Promise<void> {
  if (!st.seed) throw new KeyriteError('CEREMONY_ERROR', 'There is no recovered key to restore; the script must combine first.');
  const s = run.session('master');
  await run.ensureLoggedIn(s, run.admin.id, step.id);
  const label = run.script.tokens.master.keyLabel;
  if (await s.token.findObject(label)) {
    await run.record(ENTRY.tokenLabelCheck, run.admin.id, { step: step.id, label, token: tokenRecordOf(s.desc), outcome: 'taken' });
    throw new KeyriteError('OBJECT_EXISTS', `The new master token "${s.desc.label}" (serial ${s.desc.serial}) already holds a key labelled "keyrite:${label}"; Keyrite never overwrites a key. Use a fresh token.`);
  }
  await run.record(ENTRY.tokenLabelCheck, run.admin.id, { step: step.id, label, token: tokenRecordOf(s.desc), outcome: 'free' });
  const keys = deriveMasterKeys(st.seed);
  let ref;
  try {
    ref = await s.token.importEd25519PrivateKey(label, keys.ed25519.seed);
  } finally {
    wipe(keys.ed25519.seed, keys.mldsa65.secretKey);
  }
  const pub = st.masterPublicKey!.classical.publicKey;
  if (!equalBytes(await s.token.getPublicKey(ref), pub)) throw new KeyriteError('VERIFY_FAILED', `The new master token reports another public key for "${label}" than the recovered one; it must not be used.`);
  const msg = pairwiseTestMessage();
  if (!ed25519Verify(pub, msg, await s.token.sign(ref, msg))) throw new KeyriteError('VERIFY_FAILED', `A test signature by "${label}" on the new master token does not verify; it must not be used.`);
  s.desc = await s.token.describe();
  const token = tokenRecordOf(s.desc);
  await run.record(ENTRY.keyImport, run.admin.id, {
    step: step.id,
    label,
    ref,
    token,
    fingerprint: st.masterFingerprint!,
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
  if ((await env.transcript.read()) !== undefined) throw new KeyriteError('OBJECT_EXISTS', 'The run folder already holds a transcript; a recovery runs in a new, empty folder (resuming a recovery is not supported yet).');
  env.pins.check(answers.master.pin, 'the new master token');
  for (const p of answers.participants) if (p.role === 'trustee') env.pins.check(p.pin, whoIs(p.id));
  const sessions = await openTokens(parsed, answers, env, whoIs);
  const clock = env.clock;
  const st: RecoveryState = { offers: [], rejected: [] };
  let sink: Awaited<ReturnType<CeremonyEnvironment['transcript']['create']>> | undefined;
  let run: CeremonyRun | undefined;
  try {
    sink = await env.transcript.create();
    const writer = new TranscriptWriter(sink, { clock });
    const recoveryId = answers.ceremonyId ?? toHex(env.random(16));
    run = new CeremonyRun({ parsed, answers, env, options, writer, ceremonyId: recoveryId, origin: ceremonyOrigin(recoveryId), runNumber: 1, clock });
    for (const [k, s] of sessions) run.sessions.set(k, s);
    const r = run;
    await r.record(ENTRY.ceremonyStart, r.admin.id, {
      keyrite: options.keyriteVersion ?? KEYRITE_VERSION,
      kind: script.kind,
      mode: script.mode,
      name: script.name,
      ceremonyId: recoveryId,
      origin: r.origin,
      script: { sha256: parsed.hashHex, hexGroups: parsed.hashHexGroups, words: parsed.hashWords.join(' ') },
      quorum: script.quorum,
      algorithms: script.algorithms,
      airGap: script.airGap,
      participants: answers.participants.map((p) => ({ id: p.id, name: p.name, role: p.role })),
    });
    const total = script.steps.length;
    const skipped: string[] = [];
    for (const [i, step] of script.steps.entries()) {
      if (NOT_IMPLEMENTED.has(step.action)) {
        await deviation(r, step, 'skipped', NOT_IMPLEMENTED_REASON);
        skipped.push(step.id);
        continue;
      }
      r.currentStep = step;
      r.progress({ kind: 'step.start', stepId: step.id, action: step.action, index: i + 1, total, title: step.title ?? step.action, message: step.title ?? step.action });
      await r.record(ENTRY.stepStart, r.admin.id, { step: step.id, action: step.action, actor: step.actor, attempt: 1, witness: step.witness });
      switch (step.action) {
        case 'air-gap-check':
          await airGapCheck(r, step);
          break;
        case 'self-test':
          await selfTest(r, step);
          break;
        case 'verify-bundle':
          await verifyBundle(r, step, st);
          break;
        case 'check-in':
          await checkIn(r, step);
          break;
        case 'collect-share':
          await collectShares(r, step, st);
          break;
        case 'combine':
          await combine(r, step, st);
          break;
        case 'token-select':
          await tokenSelect(r, step);
          break;
        case 'login':
          await login(r, step);
          break;
        case 'restore-to-token':
          await restore(r, step, st);
          break;
        default:
          throw new KeyriteError('UNSUPPORTED', `The action ${step.action} is not part of an escrow recovery.`);
      }
      await r.record(ENTRY.stepEnd, r.admin.id, { step: step.id, action: step.action });
      r.currentStep = undefined;
      r.progress({ kind: 'step.done', stepId: step.id, action: step.action, index: i + 1, total, message: `${step.id} done` });
    }
    if (!st.restored || !st.seed) throw new KeyriteError('CEREMONY_ERROR', 'The script ended without restoring the master key.');
    const recoveredFingerprint = st.recoveredFingerprint!;
    return {
      ok: true,
      recoveryId,
      original: { ceremonyId: st.originalCeremonyId!, masterFingerprint: st.masterFingerprint! },
      anchored: st.anchored!,
      bundleChecks: st.bundleChecks!,
      used: st.used!,
      rejected: st.rejected,
      recoveredFingerprint,
      restored: st.restored,
      journal: { root: 'out', path: 'journal/transcript.jsonl' },
      notImplemented: skipped,
    };
  } catch (e) {
    if (run?.currentStep) {
      const code = e instanceof KeyriteError ? e.code : 'INTERNAL';
      const message = e instanceof KeyriteError ? e.message : 'an unexpected internal error';
      await run.record(ENTRY.stepFailed, run.admin.id, { step: run.currentStep.id, action: run.currentStep.action, code, reason: message }).catch(() => undefined);
    }
    throw e;
  } finally {
    wipe(st.seed);
    for (const o of st.offers) wipe(o.share.y, o.salt);
    run?.wipeSecrets();
    if (run) await run.closeSessions();
    else for (const s of sessions.values()) await s.token.close().catch(() => undefined);
    await sink?.close().catch(() => undefined);
  }
}
