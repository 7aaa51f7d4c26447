/**
 * revocation (DESIGN.md "The key's life after the root ceremony"; docs/CEREMONY-SCRIPTS.md
 * "Revocation"; docs/FORMATS.md "Revocation"): the master key of the current bundle is revoked
 * in an emergency, even when its token is lost. What this kind adds to the engine:
 *  - pre-flight: the link to the current bundle (a root-keygen or a rotation bundle), read before
 *    anything is written and recorded in ceremony.start; an interrupted revocation is refused,
 *    never resumed (nothing was published: the run is started again in a new folder);
 *  - the quorum unlock of a recovery (verify-bundle, check-in against the current bundle,
 *    collect-share, combine); the master token is never opened: the key signs with both halves
 *    from the unlocked seed (Ed25519 is deterministic, so the token's signature would be the same
 *    bytes, and a compromised key's token may be in other hands);
 *  - revoke: the revocation time, the reason and the key states (actions/revoke.ts);
 *  - co-sign: the final checkpoint and the statement by the revoked key and every trustee present.
 */
import { KeyriteError } from '../../errors.ts';
import { fromUtf8 } from '../../bytes.ts';
import { parseEnvelope } from '../../encoding/dsse.ts';
import { parseJsonStrict } from '../../encoding/json.ts';
import { expectObject, expectStrings, readString } from '../../encoding/json-fields.ts';
import type { CeremonyStep, ParsedCeremonyScript } from '../../script/script.ts';
import { tokenRecord } from '../../bundle/entries.ts';
import { STATEMENT_FILE } from '../../bundle/layout.ts';
import { principalName, readableFingerprint } from '../../bundle/principals.ts';
import type { BundleLink } from '../../bundle/statement.ts';
import { sha256Hex, type RevocationFacts } from '../bundle-writer.ts';
import type { CeremonyRun } from '../run.ts';
import type { BundleArchive, BundleCheck, FileRef } from '../types.ts';
import { assertTrusteeCoSignBeforeExport, type KindEngine, type Preflight } from '../kind.ts';
import { runKind, type RunInput } from '../engine.ts';
import { airGapCheck } from '../actions/air-gap-check.ts';
import { selfTest } from '../actions/self-test.ts';
import { checkIn } from '../actions/check-in.ts';
import { checkpoint, journalCheckpointNotes } from '../actions/checkpoint.ts';
import { coSign, type Closing } from '../actions/co-sign.ts';
import { bundleDir, verifyBundle } from '../actions/verify-bundle.ts';
import { collectShares } from '../actions/collect-share.ts';
import { combine } from '../actions/combine.ts';
import { revoke } from '../actions/revoke.ts';
import { wipeOffers } from '../actions/recovery-state.ts';
import type { RevocationState } from '../actions/revocation-state.ts';
import type { ShareRejection } from '../../escrow/recovery.ts';
import { admitPaperTrusteeOfOriginal, admitTrusteeOfOriginal, readLink, closedLinkAndStatement } from './escrow-recovery.ts';
import { checkCurrentKind, readCurrent } from './rotation.ts';

export interface RevocationOutcome {
  readonly ok: true;
  /** Id of this revocation (its transcript's origin). */
  readonly ceremonyId: string;
  readonly run: number;
  /** The bundle whose key is revoked, as recorded at the start and checked against its verified bundle. */
  readonly original: BundleLink;
  readonly anchored: boolean;
  readonly bundleChecks: readonly BundleCheck[];
  /** Trustees whose shares unlocked the key. */
  readonly used: readonly string[];
  readonly paper: readonly string[];
  readonly rejected: readonly ShareRejection[];
  /** The revoked key: nothing it signs at or after `revokedAt` is trusted. */
  readonly revoked: { readonly fingerprint: string; readonly hexGroups: string; readonly words: readonly string[]; readonly revokedAt: string; readonly reason: string };
  readonly keyStatesSha256: string;
  readonly journal: FileRef;
  readonly checkpoints: readonly string[];
  readonly bundle: FileRef;
  readonly archive: BundleArchive;
  readonly exportChecks: readonly BundleCheck[];
}

function checkShape(parsed: ParsedCeremonyScript): void {
  const s = parsed.script;
  if (s.kind !== 'revocation') throw new KeyriteError('UNSUPPORTED', `This engine runs revocation scripts; this one is ${s.kind}.`);
  if (s.algorithms.classical !== 'Ed25519') throw new KeyriteError('UNSUPPORTED', 'The master key is Ed25519 + ML-DSA-65; set algorithms.classical: Ed25519.');
  assertTrusteeCoSignBeforeExport(parsed, { script: 'A revocation script', transcript: 'revocation transcript', where: 'a revocation' });
}

async function prepare({ answers, env, previous }: Preflight): Promise<RevocationState> {
  if (previous) {
    throw new KeyriteError(
      'CEREMONY_ERROR',
      'This run folder holds the journal of an interrupted ceremony; a revocation is not resumed. Nothing of it was published: start the revocation again in a new --out folder (the trustees offer their shares again).',
    );
  }
  await checkCurrentKind(env, answers, 'a revocation', 'whose master key it revokes');
  const link = await readLink(env, answers);
  return { link, offers: [], rejected: [], currentSince: '' };
}

/** Where the key lives, as the verified current statement names it: its label and token (never opened here). */
async function readKeyHome(run: CeremonyRun, st: RevocationState): Promise<void> {
  const bytes = await run.env.files.read({ root: 'answers', path: `${bundleDir(run.answers)}/${STATEMENT_FILE}` });
  if (bytes === undefined || sha256Hex(bytes) !== st.link.statementSha256) throw new KeyriteError('VERIFY_FAILED', "The current bundle's signed statement is not the one recorded at the start of this revocation.");
  const what = "the current statement's master key";
  const master = expectObject(expectObject(expectObject(parseJsonStrict(fromUtf8(parseEnvelope(fromUtf8(bytes)).payload), 'statement'), 'statement').predicate, 'predicate').master, what);
  st.keyHome = { keyLabel: readString(master, 'keyLabel', what), token: tokenRecord(master.token, what) };
}

async function bundleFacts(run: CeremonyRun, st: RevocationState): Promise<RevocationFacts> {
  const m = run.master;
  if (!m || !st.keyStates || !st.keyHome) throw new KeyriteError('CEREMONY_ERROR', 'There is no unlocked key or key states in this run.');
  const { end, original, originalStatement } = await closedLinkAndStatement(run, 'revocation');
  return {
    kind: 'revocation',
    ...(await run.bundleBasics()),
    original,
    originalStatement,
    master: { fingerprint: m.fingerprint, publicKey: m.publicKey, keyLabel: st.keyHome.keyLabel, token: st.keyHome.token },
    keyStates: st.keyStates.bytes,
    revokedAt: st.keyStates.at,
    reason: st.keyStates.reason,
    trustees: run.checkedInTrustees(),
    sharesCombined: expectStrings(end.body.sharesCombined, 'shares combined in ceremony.end'),
  };
}

/** co-sign's last checks: the key states are fixed; ceremony.end names the revoked key, the time and the reason. */
async function close(run: CeremonyRun, st: RevocationState): Promise<Closing> {
  const m = run.master;
  const k = st.keyStates;
  if (!m || !k) throw new KeyriteError('CEREMONY_ERROR', 'The revocation is co-signed only after its key states are fixed; the script must revoke first.');
  const trustees = run.checkedInTrustees();
  return {
    summary: [
      `The revocation transcript (${run.writer.size()} entries so far) is closed. Its statement is signed by:`,
      `  the REVOKED master key ${m.fingerprint.slice(0, 16)}… (both halves from the quorum unlock; its token is not used)`,
      ...trustees.map((t) => `  ${run.whoIs(t.id)} ${t.fingerprint.slice(0, 16)}…`),
      `Revoked at ${k.at}. Reason: ${k.reason}`,
      `Key states: SHA-256 ${sha256Hex(k.bytes)}`,
    ],
    end: {
      kind: 'revocation',
      original: { ...st.link },
      masterFingerprint: m.fingerprint,
      revokedAt: k.at,
      reason: k.reason,
      keyStatesSha256: sha256Hex(k.bytes),
      sharesCombined: [...(st.used ?? [])],
      trustees: trustees.map((t) => ({ id: t.id, fingerprint: t.fingerprint })),
      signers: [principalName(m.fingerprint), ...trustees.map((t) => principalName(t.fingerprint))],
      next: 'the final checkpoint and the signed statement cover this transcript as it ends here; the revocation bundle is exported from them',
    },
  };
}

export const REVOCATION: KindEngine<RevocationState, RevocationOutcome> = {
  kind: 'revocation',
  noun: 'revocation',
  masterToken: 'the master token (never opened by a revocation)',
  stepEntries: 'performer',
  checkShape,
  prepare,
  startBody: (_run, st) => ({ original: { ...st.link } }),
  keyLife: () => 'unchanged',
  steps: {
    'air-gap-check': airGapCheck,
    'self-test': selfTest,
    'verify-bundle': async (run, step, st) => {
      await verifyBundle(run, step, st);
      await readCurrent(run, st);
      await readKeyHome(run, st);
    },
    'check-in': (run, step, st) => checkIn(run, step, (record) => admitTrusteeOfOriginal(run, st, record), (id) => admitPaperTrusteeOfOriginal(run, st, id)),
    'collect-share': collectShares,
    combine,
    revoke,
    checkpoint,
    'co-sign': (run, step, st) => coSign(run, step, () => close(run, st), () => bundleFacts(run, st)),
  },
  repeatsItself: ['check-in', 'checkpoint'],
  repeatReason: (step: CeremonyStep) => `a revocation is never resumed; step ${step.id} is not repeated`,
  bundleFacts: (run, st) => bundleFacts(run, st),
  async result(run, st, exported) {
    const m = run.master!;
    const r = readableFingerprint(m.fingerprint);
    const k = st.keyStates!;
    return {
      ok: true,
      ceremonyId: run.ceremonyId,
      run: run.runNumber,
      original: st.link,
      anchored: st.anchored!,
      bundleChecks: st.bundleChecks!,
      used: st.used!,
      paper: st.paper ?? [],
      rejected: st.rejected,
      revoked: { fingerprint: m.fingerprint, hexGroups: r.hexGroups, words: r.words, revokedAt: k.at, reason: k.reason },
      keyStatesSha256: sha256Hex(k.bytes),
      journal: { root: 'out', path: 'journal/transcript.jsonl' },
      checkpoints: await journalCheckpointNotes(run),
      bundle: exported.bundle,
      archive: exported.archive,
      exportChecks: exported.checks,
    };
  },
  dispose: wipeOffers,
};

/** Runs a revocation (`keyrite ceremony run` of a revocation script). */
export function runRevocation(input: RunInput): Promise<RevocationOutcome> {
  return runKind(REVOCATION, input);
}
