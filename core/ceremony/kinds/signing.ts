/**
 * signing (DESIGN.md "The key's life after the root ceremony"; docs/CEREMONY-SCRIPTS.md
 * "Signing"): the master key signs a signing request — operational keys to endorse, artifacts by
 * SHA-256. What this kind adds to the engine:
 *  - pre-flight: the link to the root ceremony (its id, master fingerprint and the SHA-256 of its
 *    statement.dsse.json), read from its bundle before anything is written and recorded in
 *    ceremony.start, as a recovery does; an interrupted signing run in the folder must be of the
 *    same bundle, and the request it checked dates the documents;
 *  - the master token must hold the root bundle's classical key (checked at its login, before
 *    anything is unlocked);
 *  - check-request: the request checked against the script's caps and its digest confirmed by
 *    every trustee present and the witness, before any share is opened;
 *  - the quorum unlock of a recovery (verify-bundle, check-in, collect-share, combine), after
 *    which the classical half signs on the token and the Ed25519 seed is wiped;
 *  - sign-document: one DSSE envelope per document, every signature verified;
 *  - co-sign closes the transcript; the signing bundle links back to the root ceremony.
 * A journal already in the run folder is resumed like a recovery's: shares and S are never
 * written anywhere, so the trustees offer their shares again; documents an earlier run signed
 * are checked and kept, never signed again.
 */
import { KeyriteError } from '../../errors.ts';
import { expectStrings, readString } from '../../encoding/json-fields.ts';
import { readTranscript } from '../../transcript/transcript.ts';
import type { CeremonyStep, ParsedCeremonyScript, StepOf } from '../../script/script.ts';
import { ENTRY } from '../../bundle/entries.ts';
import { STATEMENT_FILE } from '../../bundle/layout.ts';
import { principalName } from '../../bundle/principals.ts';
import type { BundleLink } from '../../bundle/statement.ts';
import { sha256Hex, type SigningFacts } from '../bundle-writer.ts';
import { tokenRecordOf, type CeremonyRun } from '../run.ts';
import type { BundleArchive, BundleCheck, FileRef } from '../types.ts';
import { assertTrusteeCoSignBeforeExport, type KindEngine, type Preflight } from '../kind.ts';
import { runKind, type RunInput } from '../engine.ts';
import { airGapCheck } from '../actions/air-gap-check.ts';
import { selfTest } from '../actions/self-test.ts';
import { checkIn } from '../actions/check-in.ts';
import { login, tokenSelect } from '../actions/token-select.ts';
import { checkpoint, journalCheckpointNotes } from '../actions/checkpoint.ts';
import { coSign, type Closing } from '../actions/co-sign.ts';
import { bundleDir, verifyBundle } from '../actions/verify-bundle.ts';
import { collectShares } from '../actions/collect-share.ts';
import { combine } from '../actions/combine.ts';
import { checkRequest } from '../actions/check-request.ts';
import { bindMasterToken, checkMasterKeyOnToken, signDocument } from '../actions/sign-document.ts';
import type { EarlierRequestCheck, SigningState } from '../actions/signing-state.ts';
import { wipeOffers } from '../actions/recovery-state.ts';
import type { ShareRejection } from '../../escrow/recovery.ts';
import type { SignedDocumentRecord } from '../../bundle/statement.ts';
import { documentRecord } from '../bundle-writer.ts';
import { admitPaperTrusteeOfOriginal, admitTrusteeOfOriginal, readLink, recordedLink } from './escrow-recovery.ts';

export interface SigningOutcome {
  readonly ok: true;
  /** Id of this signing ceremony (its transcript's origin). */
  readonly ceremonyId: string;
  readonly run: number;
  readonly resumed: boolean;
  /** The root ceremony whose key signed, as recorded at the start and checked against its verified bundle. */
  readonly original: BundleLink;
  readonly anchored: boolean;
  readonly bundleChecks: readonly BundleCheck[];
  readonly request: { readonly title: string; readonly sha256: string; readonly keys: number; readonly artifacts: number };
  /** Trustees whose shares unlocked the key. */
  readonly used: readonly string[];
  /** Those of `used` whose shares were typed from paper words (attested by the witness; they signed nothing). */
  readonly paper: readonly string[];
  readonly rejected: readonly ShareRejection[];
  /** The signed documents, in signed/ of the run folder (each next to its NAME.dsse.json) and in the bundle. */
  readonly documents: readonly SignedDocumentRecord[];
  readonly journal: FileRef;
  readonly checkpoints: readonly string[];
  readonly bundle: FileRef;
  /** The signing bundle as one file (out/bundle.keyrite.tar), verified from disk like the folder. */
  readonly archive: BundleArchive;
  readonly exportChecks: readonly BundleCheck[];
}

function checkShape(parsed: ParsedCeremonyScript): void {
  const s = parsed.script;
  if (s.kind !== 'signing') throw new KeyriteError('UNSUPPORTED', `This engine runs signing scripts; this one is ${s.kind}.`);
  if (s.algorithms.classical !== 'Ed25519') throw new KeyriteError('UNSUPPORTED', 'The master key is Ed25519 + ML-DSA-65; set algorithms.classical: Ed25519.');
  assertTrusteeCoSignBeforeExport(parsed, { script: 'A signing script', transcript: 'signing transcript', where: 'a signing ceremony' });
  const request = s.steps.find((x) => x.action === 'check-request');
  if (request && !request.witness) throw new KeyriteError('UNSUPPORTED', 'The witness confirms the signing request\'s digest: the check-request step needs witness: true.');
  const masterLogin = s.steps.findIndex((x) => x.action === 'login' && x.params.token === 'master');
  const bundle = s.steps.findIndex((x) => x.action === 'verify-bundle');
  const collect = s.steps.findIndex((x) => x.action === 'collect-share');
  if (masterLogin < 0 || masterLogin < bundle || masterLogin > collect) {
    throw new KeyriteError('UNSUPPORTED', 'A signing script logs into the master token (login, token: master) after verify-bundle and before collect-share: the token must be found to hold the master key before any share is opened.');
  }
}

/** The request an interrupted run of this ceremony checked, from its journal. */
function earlierCheck(entries: Preflight['entries']): EarlierRequestCheck | undefined {
  const e = entries.find((x) => x.type === ENTRY.requestCheck);
  if (!e) return undefined;
  return { sha256: readString(e.body, 'sha256', 'request.check entry'), time: readString(e.body, 'checkedAt', 'request.check entry') };
}

async function prepare({ answers, env, previous, entries }: Preflight): Promise<SigningState> {
  const link = await readLink(env, answers);
  let earlier: EarlierRequestCheck | undefined;
  if (previous) {
    const recorded = recordedLink(entries, 'signing');
    if (!recorded) throw new KeyriteError('CEREMONY_ERROR', 'This run folder holds the journal of a ceremony that is not a signing ceremony; use a new --out folder.');
    if (recorded.ceremonyId !== link.ceremonyId || recorded.masterFingerprint !== link.masterFingerprint || recorded.statementSha256 !== link.statementSha256) {
      throw new KeyriteError('CEREMONY_ERROR', 'This run folder holds a signing ceremony of another root bundle (its ceremony id, master fingerprint or signed statement differ from the bundle given); use the same bundle, or a new --out folder.');
    }
    earlier = earlierCheck(entries);
  }
  return { link, offers: [], rejected: [], documents: [], ...(earlier ? { earlier } : {}) };
}

async function bundleFacts(run: CeremonyRun, st: SigningState): Promise<SigningFacts> {
  const m = run.master;
  if (!m || !st.request || !st.requestBytes) throw new KeyriteError('CEREMONY_ERROR', 'There is no unlocked master key or checked request in this run.');
  const transcript = await run.env.transcript.read();
  if (transcript === undefined) throw new KeyriteError('IO_ERROR', 'The transcript of this run cannot be read back.');
  const end = readTranscript(transcript).entries.at(-1)!;
  const original = recordedLink([end], 'signing');
  if (!original) throw new KeyriteError('CEREMONY_ERROR', 'The closed signing transcript does not end with the link to the root ceremony.');
  const ref = { root: 'answers' as const, path: `${bundleDir(run.answers)}/${STATEMENT_FILE}` };
  const originalStatement = await run.env.files.read(ref);
  if (originalStatement === undefined || sha256Hex(originalStatement) !== original.statementSha256) {
    throw new KeyriteError('VERIFY_FAILED', `The root bundle's signed statement (${run.env.files.display(ref)}) is missing or is not the one this ceremony recorded at its start.`);
  }
  const limits = run.script.steps.find((s): s is StepOf<'check-request'> => s.action === 'check-request')!.params;
  return {
    kind: 'signing',
    ...(await run.bundleBasics()),
    original,
    originalStatement,
    request: { bytes: st.requestBytes, title: st.request.title, limits: { ...limits } },
    documents: [...st.documents],
    master: { fingerprint: m.fingerprint, publicKey: m.publicKey, keyLabel: run.script.tokens.master.keyLabel, token: tokenRecordOf(run.session('master').desc) },
    trustees: run.checkedInTrustees(),
    sharesCombined: expectStrings(end.body.sharesCombined, 'shares combined in ceremony.end'),
  };
}

async function close(run: CeremonyRun, st: SigningState): Promise<Closing> {
  const m = run.master;
  if (!m?.tokenRef || st.documents.length === 0) throw new KeyriteError('CEREMONY_ERROR', 'The signing transcript is co-signed only after the documents are signed; the script must sign them first.');
  const trustees = run.checkedInTrustees();
  return {
    summary: [
      `The signing transcript (${run.writer.size()} entries so far) is closed and its final checkpoint signed by:`,
      `  the master key ${m.fingerprint.slice(0, 16)}… (classical half on the master token)`,
      ...trustees.map((t) => `  ${run.whoIs(t.id)} ${t.fingerprint.slice(0, 16)}…`),
      ...st.documents.map((d) => `Signed: ${d.name}, SHA-256 ${sha256Hex(d.bytes)}`),
    ],
    end: {
      kind: 'signing',
      original: { ...st.link },
      masterFingerprint: m.fingerprint,
      requestSha256: st.request!.sha256,
      documents: st.documents.map(documentRecord).map((d) => ({ ...d })),
      sharesCombined: [...(st.used ?? [])],
      trustees: trustees.map((t) => ({ id: t.id, fingerprint: t.fingerprint })),
      signers: [principalName(m.fingerprint), ...trustees.map((t) => principalName(t.fingerprint))],
      next: 'the final checkpoint covers this transcript as it ends here; the signing bundle is exported from it',
    },
  };
}

export const SIGNING: KindEngine<SigningState, SigningOutcome> = {
  kind: 'signing',
  noun: 'signing ceremony',
  masterToken: 'the master token',
  stepEntries: 'performer',
  resumeNote: 'Shares are never stored: the trustees offer them again; documents already signed are checked and kept.',
  checkShape,
  prepare,
  startBody: (_run, st) => ({ original: { ...st.link } }),
  keyLife: () => 'unchanged',
  steps: {
    'air-gap-check': airGapCheck,
    'self-test': selfTest,
    'verify-bundle': verifyBundle,
    'token-select': tokenSelect,
    login: async (run, step, st) => {
      await login(run, step);
      if (step.params.token === 'master') await checkMasterKeyOnToken(run, step.id, st);
    },
    'check-in': (run, step, st) => checkIn(run, step, (record) => admitTrusteeOfOriginal(run, st, record), (id) => admitPaperTrusteeOfOriginal(run, st, id)),
    'check-request': checkRequest,
    'collect-share': collectShares,
    combine: async (run, step, st) => {
      await combine(run, step, st);
      bindMasterToken(run, st);
    },
    'sign-document': signDocument,
    checkpoint,
    'co-sign': (run, step, st) => coSign(run, step, () => close(run, st), () => bundleFacts(run, st)),
  },
  repeatsItself: ['check-in', 'checkpoint', 'sign-document'],
  repeatReason(step: CeremonyStep) {
    switch (step.action) {
      case 'air-gap-check':
      case 'self-test':
        return 'a resumed run checks again in this process before anything else happens';
      case 'token-select':
      case 'login':
        return 'a resumed run opens its own token sessions and checks the master key on the token again';
      case 'verify-bundle':
        return 'a resumed run verifies the root bundle again and takes the escrow manifest and master public key from it';
      case 'check-request':
        return 'a resumed run checks the request again (it must be the one checked before) and everyone present confirms its digest again';
      case 'collect-share':
      case 'combine':
        return 'shares and the unlocked key are never written anywhere: the trustees offer their shares again and they are combined again';
      default:
        return 'the step did not complete in an earlier run and is done again';
    }
  },
  bundleFacts: (run, st) => bundleFacts(run, st),
  async result(run, st, exported) {
    const notes = await journalCheckpointNotes(run);
    const request = st.request!;
    return {
      ok: true,
      ceremonyId: run.ceremonyId,
      run: run.runNumber,
      resumed: run.runNumber > 1,
      original: st.link,
      anchored: st.anchored!,
      bundleChecks: st.bundleChecks!,
      request: { title: request.title, sha256: request.sha256, keys: request.keys.length, artifacts: request.artifacts.length },
      used: st.used!,
      paper: st.paper ?? [],
      rejected: st.rejected,
      documents: st.documents.map(documentRecord),
      journal: { root: 'out', path: 'journal/transcript.jsonl' },
      checkpoints: notes,
      bundle: exported.bundle,
      archive: exported.archive,
      exportChecks: exported.checks,
    };
  },
  dispose(st) {
    wipeOffers(st);
  },
};

/** Runs a signing ceremony (`keyrite ceremony run` of a signing script, the app's Signing screen). */
export function runSigning(input: RunInput): Promise<SigningOutcome> {
  return runKind(SIGNING, input);
}
