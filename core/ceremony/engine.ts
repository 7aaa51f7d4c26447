/**
 * The root-keygen ceremony engine: runs a parsed script (script.ts) with a parsed answers
 * file (answers.ts) step by step, as a state machine over the fixed action vocabulary, on an
 * injected platform (types.ts CeremonyEnvironment). The CLI (`keyrite ceremony run`,
 * `keyrite demo`) and the app drive this same function.
 *
 * Order of a run:
 *  1. pre-flight, before anything is written: the script is one this engine runs, every PIN
 *     source can deliver, no bundle exists, trustees' folders hold nothing of another
 *     ceremony, every token is present and distinct (nothing is logged into yet);
 *  2. the journal (transcript.jsonl in the run folder) is created — or, when a previous run
 *     left one, recovered (torn tail repaired), and the interruption recorded (step.aborted,
 *     key.abandoned: docs/CEREMONY-SCRIPTS.md "Crash and resume");
 *  3. the steps, in script order. Every step appends its entries (fsynced) before the next
 *     one starts; the air gap and self-tests come first; before the first step that could
 *     change a token, the master token is checked for the script's key label (never
 *     overwrite, Boulder style);
 *  4. co-sign closes the transcript (ceremony.end), then the final checkpoint and the DSSE
 *     statement are signed over it; export writes the bundle to a staging folder, verifies it
 *     from disk and renames it into place.
 * On a failure the step is recorded as failed (and an unescrowed master key as abandoned),
 * every secret is wiped and every token session closed before the error is rethrown.
 */
import { KeyriteError } from '../errors.ts';
import { equalBytes } from '../bytes.ts';
import { toHex } from '../encoding/hex.ts';
import { formatTokenMatch } from '../tokens/pkcs11-uri.ts';
import { requirePassingSelfTests, runSelfTests } from '../selftest/run.ts';
import { ceremonyOrigin } from '../transcript/checkpoint.ts';
import { TranscriptWriter, recoverTranscript } from '../transcript/transcript.ts';
import type { Answers, TokenChoice } from './answers.ts';
import type { CeremonyStep, ParsedCeremonyScript } from '../script/script.ts';
import type { CeremonyEnvironment, CeremonyOptions, CeremonyResult, TrusteeSummary } from './types.ts';
import { ABORT_REASON, BUNDLE_DIR, JOURNAL_STATEMENT, TRUSTEE_FILES, analyzeJournal, type JournalState } from './journal.ts';
import { CeremonyRun, tokenRecordOf, type TokenSession } from './run.ts';
import { parseKeyring } from './keyring.ts';
import { airGapCheck } from './actions/air-gap-check.ts';
import { selfTest } from './actions/self-test.ts';
import { checkIn, loadAndVerifyTrustee } from './actions/check-in.ts';
import { login, tokenSelect } from './actions/token-select.ts';
import { entropy } from './actions/entropy.ts';
import { generate } from './actions/generate.ts';
import { importKey } from './actions/import.ts';
import { split } from './actions/split.ts';
import { distribute } from './actions/distribute.ts';
import { verifyReceipts } from './actions/verify-receipts.ts';
import { checkpoint } from './actions/checkpoint.ts';
import { coSign, finishSignatures } from './actions/co-sign.ts';
import { exportBundle } from './actions/export.ts';
import { deviation } from './actions/common.ts';
import { ENTRY } from '../bundle/entries.ts';
import { readableFingerprint } from '../bundle/principals.ts';

export const KEYRITE_VERSION = '0.1.0';

export interface RunCeremonyInput {
  parsed: ParsedCeremonyScript;
  answers: Answers;
  env: CeremonyEnvironment;
  options?: CeremonyOptions;
}

const KEY_STEPS = new Set(['entropy', 'generate', 'import', 'split', 'distribute']);
const GATES = new Set(['air-gap-check', 'self-test']);

function unsupported(message: string): KeyriteError {
  return new KeyriteError('UNSUPPORTED', message);
}

/** What this engine runs: root-keygen scripts whose shape it knows how to keep honest. */
function checkScriptShape(parsed: ParsedCeremonyScript): void {
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

export function sameParticipants(previous: JournalState, answers: Answers): boolean {
  const a = answers.participants.map((p) => `${p.id}/${p.role}`).sort().join();
  const b = previous.participants.map((p) => `${p.id}/${p.role}`).sort().join();
  return a === b;
}

function choiceText(c: TokenChoice): string {
  return c.kind === 'software' ? `software token file ${c.path}` : formatTokenMatch(c.match);
}

function fixedClock(start: string): () => Date {
  const t0 = Date.parse(start);
  let n = 0;
  // One second per reading: reproducible, and never going backwards.
  return () => new Date(t0 + 1000 * n++);
}

function tokenKey(s: TokenSession): string {
  const d = s.desc;
  return [d.source, d.manufacturer, d.model, d.serial, d.label].join('\u0000');
}

export async function openTokens(parsed: ParsedCeremonyScript, answers: Answers, env: CeremonyEnvironment, whoIs: (id: string) => string): Promise<Map<string, TokenSession>> {
  const sessions = new Map<string, TokenSession>();
  try {
    const open = async (key: string, target: 'master' | 'trustee', who: string, choice: TokenChoice, pin: TokenSession['pin'], participantId?: string) => {
      const token = await env.tokens.open({ target, choice, ...(participantId ? { participantId } : {}) });
      const s: TokenSession = { key, who, target, choice, pin, token, desc: await token.describe(), selectedRecorded: false, ...(participantId ? { participantId } : {}) };
      sessions.set(key, s);
      if (parsed.script.mode === 'live' && s.desc.rehearsalOnly) throw new KeyriteError('CEREMONY_ERROR', `${who}: token "${s.desc.label}" is rehearsal only and cannot be used in a live ceremony.`);
    };
    await open('master', 'master', 'the master token', answers.master.token, answers.master.pin);
    for (const p of answers.participants) {
      if (p.role === 'trustee') await open(p.id, 'trustee', whoIs(p.id), p.token, p.pin, p.id);
    }
    const seen = new Map<string, string>();
    for (const s of sessions.values()) {
      const k = tokenKey(s);
      const other = seen.get(k);
      if (other) throw new KeyriteError('ANSWERS_INVALID', `${s.who} and ${other} selected the same token "${s.desc.label}" (serial ${s.desc.serial}); every trustee brings their own token, distinct from the master token.`);
      seen.set(k, s.who);
    }
    return sessions;
  } catch (e) {
    for (const s of sessions.values()) await s.token.close().catch(() => undefined);
    throw e;
  }
}

async function checkTrusteeFolders(parsed: ParsedCeremonyScript, answers: Answers, env: CeremonyEnvironment, previous: JournalState | undefined, ceremonyId: string | undefined): Promise<void> {
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
        if (!ours) {
          throw new KeyriteError('OBJECT_EXISTS', `The folder of trustee "${t.id}" (${env.files.display(at(''))}) already holds a keyring of another ceremony; Keyrite never overwrites one. Give each trustee an empty folder.`);
        }
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
async function masterPrecheck(run: CeremonyRun): Promise<void> {
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

function repeatReason(step: CeremonyStep): string {
  if (step.action === 'air-gap-check' || step.action === 'self-test') return 'a resumed run checks again in this process before anything else happens';
  if (step.action === 'token-select' || step.action === 'login') return 'a resumed run opens its own token sessions';
  if (KEY_STEPS.has(step.action)) return 'key generation restarts: the master key of the interrupted attempt was abandoned (key.abandoned) and a new one is made';
  return 'the step did not complete in an earlier run and is done again';
}

async function runStep(run: CeremonyRun, step: CeremonyStep): Promise<void> {
  switch (step.action) {
    case 'air-gap-check':
      return airGapCheck(run, step);
    case 'self-test':
      return selfTest(run, step);
    case 'check-in':
      return checkIn(run, step);
    case 'token-select':
      return tokenSelect(run, step);
    case 'login':
      return login(run, step);
    case 'entropy':
      return entropy(run, step);
    case 'generate':
      return generate(run, step);
    case 'import':
      return importKey(run, step);
    case 'split':
      return split(run, step);
    case 'distribute':
      return distribute(run, step);
    case 'verify-receipts':
      return verifyReceipts(run, step);
    case 'checkpoint':
      return checkpoint(run, step);
    case 'co-sign':
      return coSign(run, step);
    default:
      throw unsupported(`The action ${step.action} is not part of a root-keygen ceremony.`);
  }
}

/** What to show for a step the script gives no title. */
function describeStep(step: CeremonyStep): string {
  if (step.title) return step.title;
  switch (step.action) {
    case 'checkpoint':
      return `Checkpoint "${step.params.phase}": the transcript so far, co-signed`;
    case 'login':
      return `Log in to the ${step.params.token} token`;
    case 'token-select':
      return `Select the ${step.params.token} token`;
    case 'export':
      return 'Write the public bundle';
    default:
      return step.action;
  }
}

function actorOf(run: CeremonyRun, step: CeremonyStep): string {
  if (step.actor === 'administrator') return run.admin.id;
  if (step.actor === 'witness') return run.witnesses[0]?.id ?? run.admin.id;
  return step.actor;
}

function trusteeSummaries(run: CeremonyRun): TrusteeSummary[] {
  return run.trusteeAnswers.map((t) => {
    const r = run.trusteeRecord(t.id);
    const files = [TRUSTEE_FILES.keyring, TRUSTEE_FILES.envelope, ...(run.script.escrow?.paperBackup ? [TRUSTEE_FILES.paper] : []), TRUSTEE_FILES.card].map((f) => `${t.output}/${f}`);
    return { id: t.id, name: t.name, fingerprint: r.fingerprint, files };
  });
}

export async function runCeremony(input: RunCeremonyInput): Promise<CeremonyResult> {
  const { parsed, answers, env } = input;
  const options: CeremonyOptions = input.options ?? {};
  const script = parsed.script;
  checkScriptShape(parsed);
  const whoIs = (id: string) => {
    const p = answers.participants.find((x) => x.id === id);
    return p ? `${p.name} (${p.id})` : id;
  };

  // 1. Pre-flight: nothing is written and no token is logged into.
  if ((await env.files.kind({ root: 'out', path: BUNDLE_DIR })) !== undefined) {
    throw new KeyriteError('OBJECT_EXISTS', `${env.files.display({ root: 'out', path: BUNDLE_DIR })} already exists: this folder holds a finished ceremony. Keyrite never overwrites a bundle; use a new --out folder.`);
  }
  const existing = await env.transcript.read();
  const recovered = existing !== undefined && existing.length > 0 ? recoverTranscript(existing) : undefined;
  let previous = recovered && recovered.entries.length > 0 ? analyzeJournal(recovered.entries) : undefined;
  if (previous) {
    if (previous.scriptSha256 !== parsed.hashHex) throw new KeyriteError('CEREMONY_ERROR', `This run folder holds a ceremony of another script (SHA-256 ${previous.scriptSha256}); the script given has SHA-256 ${parsed.hashHex}. Use the same script, or a new --out folder.`);
    if (!sameParticipants(previous, answers)) throw new KeyriteError('CEREMONY_ERROR', 'This run folder holds a ceremony with other participants (ids or roles) than this answers file; resume it with the same participants, or use a new --out folder.');
    if (answers.ceremonyId !== undefined && answers.ceremonyId !== previous.ceremonyId) throw new KeyriteError('CEREMONY_ERROR', 'The answers file fixes another ceremony id than the run in this folder.');
  }
  env.pins.check(answers.master.pin, 'the master token');
  for (const p of answers.participants) if (p.role === 'trustee') env.pins.check(p.pin, whoIs(p.id));
  const witnessSteps = script.steps.filter((s) => s.witness);
  if (witnessSteps.length > 0 && !answers.participants.some((p) => p.role === 'witness')) throw new KeyriteError('ANSWERS_INVALID', 'The script asks a witness to confirm steps, but the answers file names no witness.');
  const dice = script.steps.find((s) => s.action === 'entropy' && s.params.sources.includes('trustee-dice'));
  if (dice && !(previous?.key === 'escrowed') && !answers.participants.some((p) => p.role === 'trustee' && p.dice !== undefined)) {
    throw new KeyriteError('ANSWERS_INVALID', 'The script mixes trustee dice into the master seed, but no trustee gives "entropy: { dice: … }" in the answers file.');
  }
  if (dice) {
    const given = answers.participants.flatMap((p) => (p.role === 'trustee' && p.dice !== undefined ? [{ id: p.id, dice: p.dice }] : []));
    for (let i = 0; i < given.length; i++) {
      for (let j = i + 1; j < given.length; j++) {
        if (equalBytes(given[i]!.dice, given[j]!.dice)) throw new KeyriteError('ANSWERS_INVALID', `The dice of trustees "${given[i]!.id}" and "${given[j]!.id}" are identical; each trustee rolls their own dice.`);
      }
    }
  }
  const ceremonyIdHint = previous?.ceremonyId ?? answers.ceremonyId;
  await checkTrusteeFolders(parsed, answers, env, previous, ceremonyIdHint);
  const sessions = await openTokens(parsed, answers, env, whoIs);

  const clock = answers.clock !== undefined ? fixedClock(answers.clock) : env.clock;
  let sink: Awaited<ReturnType<CeremonyEnvironment['transcript']['create']>> | undefined;
  let run: CeremonyRun | undefined;
  try {
    // 2. The journal.
    let writer: TranscriptWriter;
    let ceremonyId: string;
    let runNumber: number;
    if (recovered && previous) {
      if (recovered.droppedBytes > 0) await env.transcript.repairTornTail(recovered.validLength);
      sink = await env.transcript.openExisting();
      writer = TranscriptWriter.resume(recovered.entries, sink, { clock, ...(previous.lastCheckpoint ? { lastCheckpoint: previous.lastCheckpoint } : {}) });
      ceremonyId = previous.ceremonyId;
      runNumber = previous.runs + 1;
    } else {
      if (recovered) {
        // A journal that was created but never got its first entry.
        sink = await env.transcript.openExisting();
        writer = TranscriptWriter.resume([], sink, { clock });
      } else {
        sink = await env.transcript.create();
        writer = new TranscriptWriter(sink, { clock });
      }
      ceremonyId = answers.ceremonyId ?? toHex(env.random(16));
      runNumber = 1;
    }
    const origin = ceremonyOrigin(ceremonyId);
    run = new CeremonyRun({ parsed, answers, env, options, writer, ceremonyId, origin, runNumber, ...(previous ? { previous } : {}), clock });
    for (const [k, s] of sessions) run.sessions.set(k, s);
    const r = run;
    const total = script.steps.length;

    if (!previous) {
      await r.record(ENTRY.ceremonyStart, r.admin.id, {
        keyrite: options.keyriteVersion ?? KEYRITE_VERSION,
        kind: script.kind,
        mode: script.mode,
        name: script.name,
        ceremonyId,
        origin,
        script: { sha256: parsed.hashHex, hexGroups: parsed.hashHexGroups, words: parsed.hashWords.join(' ') },
        quorum: script.quorum,
        algorithms: script.algorithms,
        airGap: script.airGap,
        clock: answers.clock !== undefined ? 'fixed by the answers file (rehearsal)' : 'system',
        participants: answers.participants.map((p) => ({ id: p.id, name: p.name, role: p.role })),
        tokens: {
          master: { choice: choiceText(answers.master.token), keyLabel: script.tokens.master.keyLabel },
          trustees: answers.participants.flatMap((p) => (p.role === 'trustee' ? [{ participantId: p.id, choice: choiceText(p.token), output: p.output ?? null }] : [])),
        },
      });
      r.progress({ kind: 'info', message: `Ceremony ${ceremonyId}: script "${script.name}", SHA-256 ${parsed.hashHexGroups} (${parsed.hashWords.join(' ')}).` });
    } else if (!previous.ended) {
      await r.record(ENTRY.ceremonyResume, r.admin.id, {
        run: runNumber,
        recoveredEntries: recovered!.entries.length,
        droppedBytes: recovered!.droppedBytes,
        dropped: recovered!.dropped,
        interrupted: previous.interrupted ?? null,
        keyLife: previous.key,
      });
      if (previous.interrupted) {
        await r.record(ENTRY.stepAborted, r.admin.id, { step: previous.interrupted.step, action: previous.interrupted.action, ...(previous.interrupted.participantId ? { participantId: previous.interrupted.participantId } : {}), reason: ABORT_REASON });
      }
      if (previous.key === 'in-flight') {
        await r.record(ENTRY.keyAbandoned, r.admin.id, {
          fingerprint: previous.master?.fingerprint ?? null,
          importedLabel: previous.masterImport ? previous.masterImport.ref.label : null,
          reason: 'the master seed existed only in the memory of the interrupted run and was never completely escrowed; this key must never be used, and key generation restarts',
        });
        previous = { ...previous, key: 'none', distributed: new Map(), receipts: new Map(), abandonedKeys: previous.abandonedKeys + 1, lastAbandonedSeq: writer.size() - 1 };
        delete (previous as { master?: unknown }).master;
        delete (previous as { masterImport?: unknown }).masterImport;
        delete (previous as { manifestPath?: unknown }).manifestPath;
        delete (previous as { manifestSha256?: unknown }).manifestSha256;
        (r as { previous: JournalState | undefined }).previous = previous;
      }
      r.progress({ kind: 'ceremony.resume', message: `Resuming ceremony ${ceremonyId} (run ${runNumber})${previous.interrupted ? `; step "${previous.interrupted.step}" was interrupted and is recorded as aborted` : ''}.` });
    }

    if (previous && (previous.key === 'escrowed' || previous.ended)) {
      r.master = { publicKey: previous.master!.publicKey, fingerprint: previous.master!.fingerprint };
      for (const [k, v] of previous.distributed) r.distributed.set(k, v);
    }

    let exported: Awaited<ReturnType<typeof exportBundle>>;
    if (previous?.ended) {
      // 3'. The transcript was closed by an earlier run: only the signatures (if missing) and the export remain.
      r.sealed = true;
      requirePassingSelfTests(await runSelfTests(options.selfTests));
      for (const [k, v] of previous.receipts) r.receipts.set(k, v);
      if ((await env.files.read({ root: 'out', path: JOURNAL_STATEMENT })) === undefined) {
        const coSignStep = script.steps.find((s) => s.action === 'co-sign')!;
        for (const t of r.trusteeAnswers) await loadAndVerifyTrustee(r, t.id, previous.trustees.get(t.id)!.keyringPath, coSignStep.id, previous.trustees.get(t.id));
        await masterPrecheck(r);
        await finishSignatures(r, coSignStep.id);
      } else {
        for (const [k, v] of previous.trustees) r.trustees.set(k, v);
      }
      exported = await exportBundle(r);
    } else {
      // 3. The steps.
      let prechecked = false;
      exported = undefined as never;
      for (const [i, step] of script.steps.entries()) {
        const index = i + 1;
        if (!prechecked && !GATES.has(step.action)) {
          await masterPrecheck(r);
          prechecked = true;
        }
        if (step.action === 'export') {
          r.progress({ kind: 'step.start', stepId: step.id, action: step.action, index, total, title: describeStep(step), message: describeStep(step) });
          exported = await exportBundle(r);
          r.progress({ kind: 'step.done', stepId: step.id, action: step.action, index, total, message: `Bundle written and verified (${exported.checks.length} checks).` });
          continue;
        }
        if (KEY_STEPS.has(step.action) && previous?.key === 'escrowed') {
          await deviation(r, step, 'skipped', `the master key ${previous.master!.fingerprint} was generated, imported and escrowed in an earlier run of this ceremony; it is reused`);
          continue;
        }
        if (previous?.completedSteps.has(step.id) && step.action !== 'check-in' && step.action !== 'verify-receipts' && step.action !== 'checkpoint') {
          await deviation(r, step, 'repeated', repeatReason(step));
        }
        r.currentStep = step;
        r.progress({ kind: 'step.start', stepId: step.id, action: step.action, index, total, title: describeStep(step), message: describeStep(step) });
        await r.record(ENTRY.stepStart, actorOf(r, step), {
          step: step.id,
          action: step.action,
          actor: step.actor,
          attempt: (previous?.attempts.get(step.id) ?? 0) + 1,
          witness: step.witness,
          ...(step.title ? { title: step.title } : {}),
        });
        await runStep(r, step);
        await r.record(ENTRY.stepEnd, actorOf(r, step), { step: step.id, action: step.action });
        if (step.action === 'distribute') r.keyInFlight = false;
        r.currentStep = undefined;
        r.progress({ kind: 'step.done', stepId: step.id, action: step.action, index, total, message: `${step.id} done` });
      }
    }

    const m = r.master!;
    const readable = readableFingerprint(m.fingerprint);
    return {
      ok: true,
      ceremonyId,
      run: runNumber,
      resumed: previous !== undefined,
      master: { fingerprint: m.fingerprint, hexGroups: readable.hexGroups, words: readable.words, keyLabel: script.tokens.master.keyLabel, tokenUri: r.session('master').desc.uri },
      trustees: trusteeSummaries(r),
      bundle: exported.bundle,
      journal: { root: 'out', path: 'journal/transcript.jsonl' },
      checks: exported.checks,
      transcriptEntries: r.writer.size(),
    };
  } catch (e) {
    if (run && !run.sealed) {
      const message = e instanceof KeyriteError ? e.message : 'an unexpected internal error';
      const code = e instanceof KeyriteError ? e.code : 'INTERNAL';
      try {
        if (run.currentStep) {
          await run.record(ENTRY.stepFailed, actorOf(run, run.currentStep), { step: run.currentStep.id, action: run.currentStep.action, code, reason: message });
        }
        if (run.keyInFlight) {
          await run.record(ENTRY.keyAbandoned, run.admin.id, {
            fingerprint: run.master?.fingerprint ?? null,
            importedLabel: run.master?.tokenRef ? run.master.tokenRef.label : null,
            reason: 'the ceremony stopped before the master key was completely escrowed; its seed was wiped from memory, so this key must never be used',
          });
        }
      } catch {
        // The journal itself may be what failed; the error below says what happened.
      }
    }
    throw e;
  } finally {
    run?.wipeSecrets();
    if (run) await run.closeSessions();
    else for (const s of sessions.values()) await s.token.close().catch(() => undefined);
    await sink?.close().catch(() => undefined);
  }
}
