/**
 * verify-bundle (escrow recovery): the original public bundle (answers `bundle.path`) is checked
 * by the auditor's verifier (bundle-check.ts), and must be the bundle whose statement the
 * recovery recorded at its start; it is anchored by the fingerprint the quorum read aloud
 * (answers `bundle.trust`, required in a live recovery), and the result says whether it was.
 * The escrow manifest and the master public key are taken from the verified bundle only.
 */
import { KeyriteError } from '../../errors.ts';
import { fromUtf8 } from '../../bytes.ts';
import { toHex } from '../../encoding/hex.ts';
import { parseManifest } from '../../escrow/manifest.ts';
import { supersededEpochs } from '../../escrow/epoch.ts';
import { readTranscript } from '../../transcript/transcript.ts';
import type { StepOf } from '../../script/script.ts';
import { ENTRY } from '../../bundle/entries.ts';
import { ESCROW_MANIFEST_FILE, JWKS_FILE, STATEMENT_FILE, TRANSCRIPT_FILE } from '../../bundle/layout.ts';
import { fingerprintHex, readableFingerprint } from '../../bundle/principals.ts';
import type { MasterRecord } from '../../bundle/entries.ts';
import { parseJwks } from '../../encoding/jwks.ts';
import type { HybridPublicKey } from '../../crypto/hybrid.ts';
import type { Answers } from '../answers.ts';
import { checkBundle } from '../bundle-check.ts';
import { analyzeJournal } from '../journal.ts';
import type { CeremonyRun } from '../run.ts';
import type { FileRef } from '../types.ts';
import { confirmWitness, sha256Hex } from './common.ts';
import type { RecoveryState } from './recovery-state.ts';

function trustText(answers: Answers): { hex?: string; prefix?: Uint8Array } | undefined {
  const t = answers.bundle?.trust;
  if (!t) return undefined;
  return t.kind === 'full' ? { hex: toHex(t.bytes) } : { prefix: t.prefix };
}

/** The original bundle's folder, relative to the answers file. */
export function bundleDir(answers: Answers): string {
  const b = answers.bundle;
  if (!b) throw new KeyriteError('ANSWERS_INVALID', 'The answers file must give "bundle: { path: …, trust: … }".');
  return b.path;
}


/**
 * `sameQuorum`: the script's quorum must be the escrow's (a recovery, signing or rotation unlocks
 * with it); a reshare's script gives the NEW epoch's quorum instead.
 */
/**
 * The master key a verified bundle publishes first in keys/jwks.json: a reshare bundle's, whose
 * transcript makes no key (it escrows the key of the bundle before it anew).
 */
async function publishedMaster(run: CeremonyRun, path: string, fingerprint: string): Promise<MasterRecord> {
  const [c, q] = parseJwks(fromUtf8((await run.env.files.read({ root: 'answers', path: `${path}/${JWKS_FILE}` }))!), JWKS_FILE);
  const wrong = new KeyriteError('VERIFY_FAILED', "The bundle's keys/jwks.json does not begin with its master key.");
  if (c?.alg !== 'Ed25519' || q?.alg !== 'ML-DSA-65') throw wrong;
  const publicKey: HybridPublicKey = { classical: { alg: 'Ed25519', publicKey: c.publicKey }, pq: { alg: 'ML-DSA-65', publicKey: q.publicKey } };
  if (fingerprintHex(publicKey) !== fingerprint) throw wrong;
  return { fingerprint, publicKey };
}

export async function verifyBundle(run: CeremonyRun, step: StepOf<'verify-bundle'>, st: RecoveryState, sameQuorum = true): Promise<void> {
  const path = bundleDir(run.answers);
  const dir: FileRef = { root: 'answers', path };
  const trust = trustText(run.answers);
  const link = st.link;
  const checks = await checkBundle(run.env.files, dir, { ceremonyId: link.ceremonyId, masterFingerprint: link.masterFingerprint });
  const failed = checks.filter((c) => !c.ok);
  if (failed.length > 0) throw new KeyriteError('VERIFY_FAILED', `The public bundle does not verify: ${failed.map((c) => `${c.name}: ${c.detail}`).join('; ')}`);
  const statement = await run.env.files.read({ root: 'answers', path: `${path}/${STATEMENT_FILE}` });
  if (statement === undefined || sha256Hex(statement) !== link.statementSha256) {
    throw new KeyriteError('VERIFY_FAILED', "The bundle's signed statement is not the one recorded at the start of this recovery; the bundle was changed or replaced. Use the original bundle, or start the recovery in a new folder.");
  }
  const transcript = readTranscript((await run.env.files.read({ root: 'answers', path: `${path}/${TRANSCRIPT_FILE}` }))!);
  const j = analyzeJournal(transcript.entries);
  const master = j.master ?? (await publishedMaster(run, path, link.masterFingerprint));
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
  const manifestBytes = (await run.env.files.read({ root: 'answers', path: `${path}/${ESCROW_MANIFEST_FILE}` }))!;
  const manifest = parseManifest(fromUtf8(manifestBytes).replace(/\n$/, ''));
  const q = run.script.quorum!;
  if (sameQuorum && (manifest.n !== q.n || manifest.t !== q.t)) throw new KeyriteError('VERIFY_FAILED', `The script expects a ${q.t}-of-${q.n} escrow, but the bundle's signed escrow manifest is ${manifest.t}-of-${manifest.n}.`);
  st.manifest = manifest;
  st.superseded = supersededEpochs(transcript.entries, j.ceremonyId);
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

