/**
 * root-keygen: a master key is generated on the master token and escrowed among the trustees
 * (DESIGN.md; docs/CEREMONY-SCRIPTS.md). What this kind adds to the engine:
 *  - pre-flight: the trustees' dice (when the script mixes them in) are given and distinct, and
 *    the trustees' folders hold no keyring of another ceremony and no share files;
 *  - before the first step past the air gap and self-tests, the master token is checked for the
 *    script's key label (never overwrite, Boulder style);
 *  - the key's life in the journal: a key generated but not yet escrowed when a run stopped is
 *    abandoned (key.abandoned) and generation restarts; once escrowed, the key steps are skipped
 *    and, when its secret half is needed, it is restored from the trustees' envelopes;
 *  - after the transcript was closed, only the signatures (if missing) and the export remain.
 */
import { KeyriteError } from '../../errors.ts';
import { equalBytes } from '../../bytes.ts';
import { requirePassingSelfTests, runSelfTests } from '../../selftest/run.ts';
import type { CeremonyStep, ParsedCeremonyScript, StepOf } from '../../script/script.ts';
import { ENTRY } from '../../bundle/entries.ts';
import { BUNDLE_KIND_SPECS } from '../../bundle/kinds.ts';
import { TRANSCRIPT_FILE } from '../../bundle/layout.ts';
import { principalName, readableFingerprint } from '../../bundle/principals.ts';
import { IN_TOTO_PAYLOAD_TYPE } from '../../bundle/statement.ts';
import type { RootKeygenFacts } from '../bundle-writer.ts';
import { sha256Hex, staticFiles } from '../bundle-writer.ts';
import { JOURNAL_STATEMENT, TRUSTEE_FILES, withKeyAbandoned, type JournalState } from '../journal.ts';
import { parseKeyring } from '../keyring.ts';
import { tokenRecordOf, type CeremonyRun } from '../run.ts';
import type { CeremonyResult, TrusteeSummary } from '../types.ts';
import type { KindEngine, Preflight } from '../kind.ts';
import { runKind, type RunInput } from '../engine.ts';
import { formatTokenMatch } from '../../tokens/pkcs11-uri.ts';
import type { TokenChoice } from '../answers.ts';
import { airGapCheck } from '../actions/air-gap-check.ts';
import { selfTest } from '../actions/self-test.ts';
import { checkIn, loadAndVerifyTrustee } from '../actions/check-in.ts';
import { login, tokenSelect } from '../actions/token-select.ts';
import { entropy } from '../actions/entropy.ts';
import { generate } from '../actions/generate.ts';
import { importKey } from '../actions/import.ts';
import { split } from '../actions/split.ts';
import { distribute } from '../actions/distribute.ts';
import { verifyReceipts } from '../actions/verify-receipts.ts';
import { checkpoint } from '../actions/checkpoint.ts';
import { coSign, finishSignatures, type Closing } from '../actions/co-sign.ts';
import { requireManifest } from '../actions/escrow-files.ts';
import { requireMasterSecret } from '../actions/master-restore.ts';

const KEY_STEPS: ReadonlySet<string> = new Set(['entropy', 'generate', 'import', 'split', 'distribute']);
const GATES: ReadonlySet<string> = new Set(['air-gap-check', 'self-test']);

interface RootState {
  /** The master token's key label was checked in this run. */
  labelChecked: boolean;
}

function choiceText(c: TokenChoice): string {
  return c.kind === 'software' ? `software token file ${c.path}` : formatTokenMatch(c.match);
}

function unsupported(message: string): KeyriteError {
  return new KeyriteError('UNSUPPORTED', message);
}

function checkShape(parsed: ParsedCeremonyScript): void {
  const s = parsed.script;
  if (s.kind !== 'root-keygen') throw unsupported(`"keyrite ceremony run" runs root-keygen scripts; this one is ${s.kind}${s.kind === 'escrow-recovery' ? ' (use "keyrite recover")' : ''}.`);
  if (s.algorithms.classical !== 'Ed25519') throw unsupported('The master key of a root-keygen ceremony is Ed25519 + ML-DSA-65 (ES256 is only used for trustee tokens without Ed25519); set algorithms.classical: Ed25519.');
  const coSigns = s.steps.filter((x) => x.action === 'co-sign');
  if (coSigns.length !== 1) throw unsupported('A root-keygen script has exactly one co-sign step: it closes the transcript, so nothing can be co-signed twice.');
  const last = s.steps[s.steps.length - 1];
  if (s.steps[s.steps.length - 2] !== coSigns[0] || last?.action !== 'export') throw unsupported('In a root-keygen script the co-sign step comes right before export: co-sign closes the transcript.');
  const roles = coSigns[0]!.action === 'co-sign' ? coSigns[0]!.params.roles : [];
  if (roles.some((r) => r !== 'trustee')) throw unsupported('Only trustees hold signing keys in a root-keygen ceremony; co-sign params.roles must be [trustee] (witnesses confirm steps instead).');
  if (!s.quorum) throw unsupported('A root-keygen script needs a quorum.');
}

/** The trustees' dice, when the script mixes them into the master seed: given, and not the same twice. */
function checkDice({ parsed, answers, previous }: Preflight): void {
  const dice = parsed.script.steps.find((s) => s.action === 'entropy' && s.params.sources.includes('trustee-dice'));
  if (!dice) return;
  const given = answers.participants.flatMap((p) => (p.role === 'trustee' && p.dice !== undefined ? [{ id: p.id, dice: p.dice }] : []));
  if (previous?.key !== 'escrowed' && given.length === 0) throw new KeyriteError('ANSWERS_INVALID', 'The script mixes trustee dice into the master seed, but no trustee gives "entropy: { dice: … }" in the answers file.');
  for (let i = 0; i < given.length; i++) {
    for (let j = i + 1; j < given.length; j++) {
      if (equalBytes(given[i]!.dice, given[j]!.dice)) throw new KeyriteError('ANSWERS_INVALID', `The dice of trustees "${given[i]!.id}" and "${given[j]!.id}" are identical; each trustee rolls their own dice.`);
    }
  }
}

/** Each trustee's folder holds no keyring of another ceremony and, unless the key is escrowed, no share files. */
async function checkTrusteeFolders({ parsed, answers, env, previous }: Preflight): Promise<void> {
  const ceremonyId = previous?.ceremonyId ?? answers.ceremonyId;
  const enrolls = parsed.script.steps.some((s) => s.action === 'check-in' && s.params.enroll);
  const leftovers: string[] = [];
  for (const t of answers.participants) {
    if (t.role !== 'trustee' || t.output === undefined) continue;
    const at = (f: string) => ({ root: 'answers' as const, path: `${t.output}/${f}` });
    if (enrolls && !previous?.trustees.has(t.id)) {
      const bytes = await env.files.read(at(TRUSTEE_FILES.keyring));
      if (bytes !== undefined) {
        let ours: boolean;
        try {
          ours = ceremonyId !== undefined && parseKeyring(bytes).ceremonyId === ceremonyId;
        } catch {
          ours = false;
        }
        if (!ours) throw new KeyriteError('OBJECT_EXISTS', `The folder of trustee "${t.id}" (${env.files.display(at(''))}) already holds a keyring of another ceremony; Keyrite never overwrites one. Give each trustee an empty folder.`);
      }
    }
    if (previous?.key !== 'escrowed') {
      for (const f of [TRUSTEE_FILES.envelope, TRUSTEE_FILES.paper, TRUSTEE_FILES.card]) if ((await env.files.kind(at(f))) !== undefined) leftovers.push(env.files.display(at(f)));
    }
  }
  if (leftovers.length > 0) {
    const abandoned = previous !== undefined && (previous.abandonedKeys > 0 || previous.key === 'in-flight');
    throw new KeyriteError(
      'OBJECT_EXISTS',
      abandoned
        ? `Share files of an abandoned attempt of this ceremony are still in the trustees' folders: ${leftovers.join(', ')}. They belong to a master key that was never completed and must not be kept: destroy them, then run again.`
        : `The trustees' folders already hold share files: ${leftovers.join(', ')}. Keyrite never overwrites them; give each trustee an empty folder.`,
    );
  }
}

/** Before anything could change a token: the master key label must be free — or hold this ceremony's escrowed key. */
export async function masterPrecheck(run: CeremonyRun): Promise<void> {
  const s = run.session('master');
  const label = run.script.tokens.master.keyLabel;
  await run.ensureLoggedIn(s, run.admin.id, undefined);
  const found = await s.token.findObject(label);
  const prev = run.previous;
  const base = { label, token: tokenRecordOf(s.desc) };
  if (prev && (prev.key === 'escrowed' || prev.ended)) {
    const imp = prev.masterImport;
    const ok = found !== undefined && imp !== undefined && found.id === imp.ref.id && equalBytes(await s.token.getPublicKey(found), prev.master!.publicKey.classical.publicKey);
    if (!ok) throw new KeyriteError('VERIFY_FAILED', `The master token "${s.desc.label}" no longer holds the key "${label}" this ceremony imported and escrowed; it cannot be completed with this token.`);
    await run.record(ENTRY.tokenLabelCheck, run.admin.id, { ...base, outcome: 'holds-this-ceremony-key', ref: found });
  } else if (found) {
    await run.record(ENTRY.tokenLabelCheck, run.admin.id, { ...base, outcome: 'taken' });
    const abandoned = prev !== undefined && prev.abandonedKeys > 0;
    const remove = s.desc.source === 'software'
      ? 'A rehearsal software token cannot be cleaned up: start the rehearsal again in a new folder with new token files.'
      : `Remove it with the token's own tools (for example pkcs11-tool --login --delete-object --type privkey --label keyrite:${label}, and the same with --type pubkey), then run this command again.`;
    throw new KeyriteError(
      'OBJECT_EXISTS',
      abandoned
        ? `The master token "${s.desc.label}" (serial ${s.desc.serial}) holds "keyrite:${label}", the key of an interrupted attempt of this ceremony that was never escrowed (recorded as key.abandoned). It must never be used and Keyrite does not destroy keys itself. ${remove} Key generation then restarts.`
        : `The master token "${s.desc.label}" (serial ${s.desc.serial}) already holds a key labelled "keyrite:${label}". Keyrite never overwrites or reuses a key (as Boulder's ceremony tool): use a fresh token, or a script with another key-label. Nothing was created or changed on any token.`,
    );
  } else {
    await run.record(ENTRY.tokenLabelCheck, run.admin.id, { ...base, outcome: 'free' });
  }
  await s.token.logout();
}

/** The escrowed master key of an earlier run: its public facts and where its envelopes went. */
function reuseEscrowedKey(run: CeremonyRun, previous: JournalState): void {
  run.master = { publicKey: previous.master!.publicKey, fingerprint: previous.master!.fingerprint };
  for (const [k, v] of previous.distributed) run.distributed.set(k, v);
}

/** The public facts the bundle is built from. */
async function bundleFacts(run: CeremonyRun): Promise<RootKeygenFacts> {
  const m = run.master;
  if (!m) throw new KeyriteError('CEREMONY_ERROR', 'There is no master key in this ceremony.');
  await requireManifest(run);
  return {
    kind: 'root-keygen',
    ...(await run.bundleBasics()),
    master: { fingerprint: m.fingerprint, publicKey: m.publicKey, keyLabel: run.script.tokens.master.keyLabel, token: tokenRecordOf(run.session('master').desc) },
    trustees: run.trusteeAnswers.map((t) => run.trusteeRecord(t.id)),
    manifestBytes: run.manifestBytes!,
    receipts: run.trusteeAnswers.map((t) => {
      const r = run.receipts.get(t.id) as { body?: Record<string, unknown> } | undefined;
      const b = r?.body ?? {};
      return { trusteeId: t.id, x: Number(b.x), commitmentCheck: String(b.commitmentCheck), blobCheck: String(b.blobCheck) };
    }),
  };
}

/** co-sign's last checks: every receipt is in; statement.plan records what will be signed. */
async function close(run: CeremonyRun, step: StepOf<'co-sign'>): Promise<Closing> {
  const missing = run.trusteeAnswers.filter((t) => !run.receipts.has(t.id));
  if (missing.length > 0) throw new KeyriteError('CEREMONY_ERROR', `The ceremony cannot be co-signed before every trustee has confirmed their share; missing: ${missing.map((t) => run.whoIs(t.id)).join(', ')}.`);
  await requireMasterSecret(run, step.id);
  const facts = await bundleFacts(run);
  const files = staticFiles(facts);
  const spec = BUNDLE_KIND_SPECS['root-keygen'];
  const subjects = spec.subjects.filter((n) => n !== TRANSCRIPT_FILE).map((name) => ({ name, sha256: sha256Hex(files.get(name)!) }));
  await run.record(ENTRY.statementPlan, run.admin.id, {
    step: step.id,
    payloadType: IN_TOTO_PAYLOAD_TYPE,
    predicateType: spec.predicateType,
    subjects: [{ name: TRANSCRIPT_FILE, sha256: 'this transcript, up to and including ceremony.end' }, ...subjects],
    signers: [principalName(facts.master.fingerprint), ...facts.trustees.map((t) => principalName(t.fingerprint))],
    roles: ['master', ...step.params.roles],
  });
  return {
    summary: ['The statement over this transcript will be signed by the master key and every trustee:', ...subjects.map((s) => `  ${s.name}  sha256 ${s.sha256}`)],
    end: {
      masterFingerprint: facts.master.fingerprint,
      trustees: facts.trustees.map((t) => ({ id: t.id, fingerprint: t.fingerprint })),
      receipts: run.receipts.size,
      next: 'the final checkpoint and the signed statement cover this transcript as it ends here; the bundle is exported from them',
    },
  };
}

function trusteeSummaries(run: CeremonyRun): TrusteeSummary[] {
  return run.trusteeAnswers.map((t) => {
    const r = run.trusteeRecord(t.id);
    const files = [TRUSTEE_FILES.keyring, TRUSTEE_FILES.envelope, ...(run.script.escrow?.paperBackup ? [TRUSTEE_FILES.paper] : []), TRUSTEE_FILES.card].map((f) => `${t.output}/${f}`);
    return { id: t.id, name: t.name, fingerprint: r.fingerprint, files };
  });
}

export const ROOT_KEYGEN: KindEngine<RootState, CeremonyResult> = {
  kind: 'root-keygen',
  noun: 'ceremony',
  masterToken: 'the master token',
  stepEntries: 'performer',
  checkShape,
  async prepare(p) {
    checkDice(p);
    await checkTrusteeFolders(p);
    return { labelChecked: false };
  },
  startBody: (run) => ({
    clock: run.answers.clock !== undefined ? 'fixed by the answers file (rehearsal)' : 'system',
    tokens: {
      master: { choice: choiceText(run.answers.master!.token), keyLabel: run.script.tokens.master.keyLabel },
      trustees: run.trusteeAnswers.map((p) => ({ participantId: p.id, choice: choiceText(p.token), output: p.output ?? null })),
    },
  }),
  keyLife: (previous) => previous.key,
  async resume(run) {
    let previous = run.previous!;
    if (previous.key === 'in-flight') {
      await run.record(ENTRY.keyAbandoned, run.admin.id, {
        fingerprint: previous.master?.fingerprint ?? null,
        importedLabel: previous.masterImport ? previous.masterImport.ref.label : null,
        reason: 'the master seed existed only in the memory of the interrupted run and was never completely escrowed; this key must never be used, and key generation restarts',
      });
      previous = withKeyAbandoned(previous, run.writer.size() - 1);
    }
    if (previous.key === 'escrowed') reuseEscrowedKey(run, previous);
    return previous;
  },
  steps: {
    'air-gap-check': airGapCheck,
    'self-test': selfTest,
    'check-in': (run, step) => checkIn(run, step),
    'token-select': tokenSelect,
    login,
    entropy,
    generate,
    import: importKey,
    split,
    distribute,
    'verify-receipts': verifyReceipts,
    checkpoint,
    'co-sign': (run, step) => coSign(run, step, () => close(run, step), () => bundleFacts(run)),
  },
  repeatsItself: ['check-in', 'verify-receipts', 'checkpoint'],
  repeatReason(step) {
    if (GATES.has(step.action)) return 'a resumed run checks again in this process before anything else happens';
    if (step.action === 'token-select' || step.action === 'login') return 'a resumed run opens its own token sessions';
    if (KEY_STEPS.has(step.action)) return 'key generation restarts: the master key of the interrupted attempt was abandoned (key.abandoned) and a new one is made';
    return 'the step did not complete in an earlier run and is done again';
  },
  skipReason(run, step: CeremonyStep) {
    const previous = run.previous;
    if (!KEY_STEPS.has(step.action) || previous?.key !== 'escrowed') return undefined;
    return `the master key ${previous.master!.fingerprint} was generated, imported and escrowed in an earlier run of this ceremony; it is reused`;
  },
  async beforeStep(run, step, state) {
    if (state.labelChecked || GATES.has(step.action)) return;
    await masterPrecheck(run);
    state.labelChecked = true;
  },
  afterStep(run, step) {
    // The envelopes are durable and step.end is recorded: the key is escrowed.
    if (step.action === 'distribute') run.keyInFlight = false;
  },
  async finishClosed(run) {
    const previous = run.previous!;
    reuseEscrowedKey(run, previous);
    requirePassingSelfTests(await runSelfTests(run.options.selfTests));
    for (const [k, v] of previous.receipts) run.receipts.set(k, v);
    if ((await run.env.files.read({ root: 'out', path: JOURNAL_STATEMENT })) !== undefined) {
      for (const [k, v] of previous.trustees) run.trustees.set(k, v);
      return;
    }
    const coSignStep = run.script.steps.find((s) => s.action === 'co-sign')!;
    for (const t of run.trusteeAnswers) await loadAndVerifyTrustee(run, t.id, previous.trustees.get(t.id)!.keyringPath, coSignStep.id, previous.trustees.get(t.id));
    await masterPrecheck(run);
    await finishSignatures(run, coSignStep.id, () => bundleFacts(run));
  },
  bundleFacts: (run) => bundleFacts(run),
  async onFailure(run) {
    if (!run.keyInFlight) return;
    await run.record(ENTRY.keyAbandoned, run.admin.id, {
      fingerprint: run.master?.fingerprint ?? null,
      importedLabel: run.master?.tokenRef ? run.master.tokenRef.label : null,
      reason: 'the ceremony stopped before the master key was completely escrowed; its seed was wiped from memory, so this key must never be used',
    });
  },
  async result(run, _state, exported) {
    const m = run.master!;
    const readable = readableFingerprint(m.fingerprint);
    return {
      ok: true,
      ceremonyId: run.ceremonyId,
      run: run.runNumber,
      resumed: run.runNumber > 1,
      master: { fingerprint: m.fingerprint, hexGroups: readable.hexGroups, words: readable.words, keyLabel: run.script.tokens.master.keyLabel, tokenUri: run.session('master').desc.uri },
      trustees: trusteeSummaries(run),
      bundle: exported.bundle,
      archive: exported.archive,
      journal: { root: 'out', path: 'journal/transcript.jsonl' },
      checks: exported.checks,
      transcriptEntries: run.writer.size(),
    };
  },
};

/** Runs a root-keygen ceremony (`keyrite ceremony run`, `keyrite demo`, the app's ceremony screen). */
export function runCeremony(input: RunInput): Promise<CeremonyResult> {
  return runKind(ROOT_KEYGEN, input);
}
