/**
 * The ceremony engine, one for every kind (kind.ts; kinds/root-keygen.ts, kinds/escrow-recovery.ts):
 * runs a parsed script with a parsed answers file step by step, as a state machine over the
 * fixed action vocabulary, on an injected platform (types.ts CeremonyEnvironment). The CLI
 * (`keyrite ceremony run`, `keyrite recover`, `keyrite demo`) and the app drive these same functions.
 *
 * Order of a run:
 *  1. pre-flight, before anything is written: the script has a shape the kind's engine runs,
 *     no bundle exists in the run folder, no trustee's folder lies inside the bundle or the
 *     journal, an earlier journal is of the same script and participants, the kind's own
 *     checks, every PIN source can deliver, every token is present and distinct (nothing is
 *     logged into yet);
 *  2. the journal (journal/transcript.jsonl in the run folder) is created — or, when a previous
 *     run left one, recovered (torn tail repaired), and the interruption recorded (step.aborted
 *     and what the kind records: docs/CEREMONY-SCRIPTS.md "Crash and resume");
 *  3. the steps, in script order, each through the kind's step table. Every step appends its
 *     entries (fsynced) before the next one starts;
 *  4. co-sign closes the transcript (ceremony.end), then the final checkpoint and the DSSE
 *     statement are signed over it; export writes the bundle to a staging folder, verifies it
 *     from disk and renames it into place.
 * On a failure the step is recorded as failed (and whatever the kind records then), every
 * secret is wiped and every token session closed before the error is rethrown.
 */
import { KeyriteError } from '../errors.ts';
import { toHex } from '../encoding/hex.ts';
import { KEYRITE_VERSION } from '../version.ts';
import { ceremonyOrigin } from '../transcript/checkpoint.ts';
import type { TranscriptEntry } from '../transcript/entry.ts';
import { TranscriptWriter, recoverTranscript, type RecoveredTranscript } from '../transcript/transcript.ts';
import type { CeremonyKind, CeremonyStep, ParsedCeremonyScript } from '../script/script.ts';
import { ENTRY } from '../bundle/entries.ts';
import { SIGNED_DIR } from '../bundle/layout.ts';
import type { Answers, TokenChoice } from './answers.ts';
import type { CeremonyEnvironment, CeremonyOptions, FileRef, StaleLock } from './types.ts';
import type { KeyriteToken } from '../tokens/token.ts';
import { ABORT_REASON, BUNDLE_DIR, JOURNAL_CHECKPOINTS, JOURNAL_DIR, JOURNAL_ESCROW, STAGING_PREFIX, analyzeJournal, type JournalState } from './journal.ts';
import { CeremonyRun, type TokenSession } from './run.ts';
import type { Exported, KindEngine, StepHandler } from './kind.ts';
import { deviation, outputFolder } from './actions/common.ts';
import { rehearsalTokenCreation } from './rehearsal-token.ts';
import { exportBundle } from './actions/export.ts';

export interface RunInput {
  parsed: ParsedCeremonyScript;
  answers: Answers;
  env: CeremonyEnvironment;
  options?: CeremonyOptions;
}

/** A participant as ceremony.start records them: a trustee offering paper words is a trustee of participant kind "paper". */
function recordedParticipant(p: Answers['participants'][number]): Record<string, string> {
  return p.role === 'paper-trustee' ? { id: p.id, name: p.name, role: 'trustee', participantKind: 'paper' } : { id: p.id, name: p.name, role: p.role };
}

function sameParticipants(previous: JournalState, answers: Answers): boolean {
  const a = answers.participants.map((p) => `${p.id}/${p.role}`).sort().join();
  const b = previous.participants.map((p) => `${p.id}/${p.role}`).sort().join();
  return a === b;
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

interface WantedToken {
  readonly target: 'master' | 'trustee';
  readonly participantId?: string;
  readonly who: string;
  readonly choice: TokenChoice;
  readonly pin: TokenSession['pin'];
  /** A reshare's trustee who holds nothing of the old epoch (no keyring): their token may start empty. */
  readonly newHolder?: boolean;
}

/**
 * A rehearsal software token file the answers name that is not there: created by the
 * environment when the rule allows it (core/ceremony/rehearsal-token.ts), refused by name and
 * reason otherwise. Undefined when the token is not a software file, exists (opened as usual,
 * never overwritten), or the environment never creates tokens.
 */
async function createMissingRehearsalToken(parsed: ParsedCeremonyScript, env: CeremonyEnvironment, w: WantedToken): Promise<KeyriteToken | undefined> {
  if (w.choice.kind !== 'software' || !env.tokens.createIfMissing) return undefined;
  const creation = rehearsalTokenCreation(parsed.script, w.target, w.participantId, w.newHolder === true);
  const token = await env.tokens.createIfMissing({ target: w.target, ...(w.participantId ? { participantId: w.participantId } : {}), path: w.choice.path, creation, who: w.who, pin: w.pin });
  if (token && creation.allowed) {
    env.progress({ kind: 'info', message: `Created the rehearsal software token "${creation.label}" for ${w.who} at ${env.files.display({ root: 'answers', path: w.choice.path })} (it did not exist; its passphrase is the one its PIN source gives).` });
  }
  return token;
}

/** Opens the master token and every trustee's (no login); refuses rehearsal tokens in a live run and one token chosen twice. */
async function openTokens(parsed: ParsedCeremonyScript, answers: Answers, env: CeremonyEnvironment, whoIs: (id: string) => string): Promise<Map<string, TokenSession>> {
  const sessions = new Map<string, TokenSession>();
  try {
    const open = async (key: string, target: 'master' | 'trustee', who: string, choice: TokenChoice, pin: TokenSession['pin'], participantId?: string, newHolder = false) => {
      const created = await createMissingRehearsalToken(parsed, env, { target, who, choice, pin, newHolder, ...(participantId ? { participantId } : {}) });
      const token = created ?? (await env.tokens.open({ target, choice, ...(participantId ? { participantId } : {}) }));
      const s: TokenSession = { key, who, target, choice, pin, token, desc: await token.describe(), selectedRecorded: false, ...(participantId ? { participantId } : {}), ...(created ? { created: true } : {}) };
      sessions.set(key, s);
      if (parsed.script.mode === 'live' && s.desc.rehearsalOnly) throw new KeyriteError('CEREMONY_ERROR', `${who}: token "${s.desc.label}" is rehearsal only and cannot be used in a live ceremony.`);
    };
    // A revocation's answers name no master token: it is never opened.
    if (answers.master) await open('master', 'master', 'the master token', answers.master.token, answers.master.pin);
    for (const p of answers.participants) {
      if (p.role === 'trustee') await open(p.id, 'trustee', whoIs(p.id), p.token, p.pin, p.id, p.keyring === undefined);
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

/** A trustee offering paper words needs a face that can take them (the CLI's prompt or environment), a script that collects shares, and the witness. */
function checkPaperTrustees(parsed: ParsedCeremonyScript, answers: Answers, env: CeremonyEnvironment, whoIs: (id: string) => string): void {
  const paper = answers.participants.filter((p) => p.role === 'paper-trustee');
  if (paper.length === 0) return;
  if (!parsed.script.steps.some((s) => s.action === 'collect-share' && s.witness)) throw new KeyriteError('ANSWERS_INVALID', `${whoIs(paper[0]!.id)} offers paper words, but this script collects no shares with a witness (collect-share, witness: true).`);
  if (env.paperWords === undefined) throw new KeyriteError('UNSUPPORTED', `${whoIs(paper[0]!.id)} offers their share from paper words, which this face of Keyrite cannot take yet; run the ${parsed.script.kind === 'signing' ? 'ceremony with `keyrite ceremony run`' : 'recovery with `keyrite recover`'}.`);
  for (const p of paper) if (p.role === 'paper-trustee') env.paperWords.check(p.paperWords, whoIs(p.id));
}

/** Trustees' files never go into the run folder's bundle, journal or staging folders, nor loose into the run folder. */
function checkTrusteeOutputs(kind: CeremonyKind, answers: Answers, env: CeremonyEnvironment): void {
  for (const p of answers.participants) {
    if (p.role !== 'trustee' || p.output === undefined) continue;
    const folder = outputFolder(kind, p.output);
    const rel = folder.root === 'out' ? folder.path : env.files.within(folder, 'out');
    if (rel === undefined) continue;
    const first = rel.split('/')[0]!;
    if (rel === '' || first === BUNDLE_DIR || first === JOURNAL_DIR || first.startsWith(STAGING_PREFIX)) {
      throw new KeyriteError('USAGE', `The output folder of trustee "${p.id}" is inside the run folder's ${first || 'top level'}; a trustee's envelope must never be written into the bundle or the journal. Give each trustee a folder of their own.`);
    }
  }
}

interface Journal {
  recovered?: RecoveredTranscript;
  previous?: JournalState;
}

function splitPath(path: string): { folder: string; name: string } {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? { folder: '.', name: path } : { folder: path.slice(0, slash), name: path.slice(slash + 1) };
}

/**
 * Removes the temporary files a killed run left where this run writes: the run folder and its
 * journal, the trustees' folders, and those of the software token files it uses (only the
 * token's own). Returns them as "root:path", to be reported and recorded.
 */
async function sweepLeftovers(kind: CeremonyKind, answers: Answers, env: CeremonyEnvironment): Promise<string[]> {
  const places: { ref: FileRef; name?: string }[] = ['.', JOURNAL_DIR, JOURNAL_CHECKPOINTS, JOURNAL_ESCROW, SIGNED_DIR].map((path) => ({ ref: { root: 'out', path } }));
  const tokens = answers.master ? [answers.master.token] : [];
  for (const p of answers.participants) {
    if (p.role !== 'trustee') continue;
    if (p.output !== undefined) places.push({ ref: outputFolder(kind, p.output) });
    tokens.push(p.token);
  }
  for (const t of tokens) {
    if (t.kind !== 'software') continue;
    const { folder, name } = splitPath(t.path);
    places.push({ ref: { root: 'answers', path: folder }, name });
  }
  const removed: string[] = [];
  for (const p of places) for (const path of await env.files.sweepTemporaries(p.ref, p.name)) removed.push(`${p.ref.root}:${path}`);
  return removed;
}

/** 1. Pre-flight common to every kind: nothing is written, no token is opened. */
async function preflight(input: RunInput): Promise<Journal> {
  const { parsed, answers, env } = input;
  if ((await env.files.kind({ root: 'out', path: BUNDLE_DIR })) !== undefined) {
    throw new KeyriteError('OBJECT_EXISTS', `${env.files.display({ root: 'out', path: BUNDLE_DIR })} already exists: this folder holds a finished ceremony. Keyrite never overwrites a bundle; use a new --out folder.`);
  }
  checkTrusteeOutputs(parsed.script.kind, answers, env);
  const existing = await env.transcript.read();
  const recovered = existing !== undefined && existing.length > 0 ? recoverTranscript(existing) : undefined;
  const previous = recovered && recovered.entries.length > 0 ? analyzeJournal(recovered.entries) : undefined;
  if (previous) {
    if (previous.scriptSha256 !== parsed.hashHex) throw new KeyriteError('CEREMONY_ERROR', `This run folder holds a ceremony of another script (SHA-256 ${previous.scriptSha256}); the script given has SHA-256 ${parsed.hashHex}. Use the same script, or a new --out folder.`);
    if (!sameParticipants(previous, answers)) throw new KeyriteError('CEREMONY_ERROR', 'This run folder holds a ceremony with other participants (ids or roles) than this answers file; resume it with the same participants, or use a new --out folder.');
    if (answers.ceremonyId !== undefined && answers.ceremonyId !== previous.ceremonyId) throw new KeyriteError('CEREMONY_ERROR', 'The answers file fixes another ceremony id than the run in this folder.');
  }
  if (parsed.script.steps.some((s) => s.witness) && !answers.participants.some((p) => p.role === 'witness')) throw new KeyriteError('ANSWERS_INVALID', 'The script asks a witness to confirm steps, but the answers file names no witness.');
  return { ...(recovered ? { recovered } : {}), ...(previous ? { previous } : {}) };
}

/** 2. The journal: a new one, or the earlier run's, its torn tail cut. */
async function openJournal(env: CeremonyEnvironment, j: Journal, clock: () => Date): Promise<{ writer: TranscriptWriter; sink: Awaited<ReturnType<CeremonyEnvironment['transcript']['create']>> }> {
  if (j.recovered && j.previous) {
    if (j.recovered.droppedBytes > 0) await env.transcript.repairTornTail(j.recovered.validLength);
    const sink = await env.transcript.openExisting();
    return { sink, writer: TranscriptWriter.resume(j.recovered.entries, sink, { clock, ...(j.previous.lastCheckpoint ? { lastCheckpoint: j.previous.lastCheckpoint } : {}) }) };
  }
  if (j.recovered) {
    // A journal that was created but never got its first entry.
    const sink = await env.transcript.openExisting();
    return { sink, writer: TranscriptWriter.resume([], sink, { clock }) };
  }
  const sink = await env.transcript.create();
  return { sink, writer: new TranscriptWriter(sink, { clock }) };
}

/** What to show for a step the script gives no title. */
export function describeStep(step: CeremonyStep): string {
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

function stepActor<S, R>(kind: KindEngine<S, R>, run: CeremonyRun, step: CeremonyStep): string {
  if (kind.stepEntries === 'administrator' || step.actor === 'administrator') return run.admin.id;
  if (step.actor === 'witness') return run.witnesses[0]?.id ?? run.admin.id;
  return step.actor;
}

/** ceremony.start, or ceremony.resume with what the earlier run left. */
/** What this run found of a run that ended without finishing, besides its journal. */
interface Remains {
  readonly staleLock: StaleLock | undefined;
  readonly leftovers: readonly string[];
}

async function recordStart<S, R>(kind: KindEngine<S, R>, run: CeremonyRun, state: S, entries: readonly TranscriptEntry[], recovered: RecoveredTranscript | undefined, remains: Remains): Promise<void> {
  const { parsed, answers, script } = run;
  const previous = run.previous;
  if (!previous) {
    await run.record(ENTRY.ceremonyStart, run.admin.id, {
      keyrite: run.options.keyriteVersion ?? KEYRITE_VERSION,
      kind: script.kind,
      mode: script.mode,
      name: script.name,
      ceremonyId: run.ceremonyId,
      origin: run.origin,
      script: { sha256: parsed.hashHex, hexGroups: parsed.hashHexGroups, words: parsed.hashWords.join(' ') },
      quorum: script.quorum,
      algorithms: script.algorithms,
      airGap: script.airGap,
      participants: answers.participants.map(recordedParticipant),
      ...kind.startBody(run, state),
    });
    run.progress({ kind: 'info', message: `${kind.noun[0]!.toUpperCase()}${kind.noun.slice(1)} ${run.ceremonyId}: script "${script.name}", SHA-256 ${parsed.hashHexGroups} (${parsed.hashWords.join(' ')}).` });
    return;
  }
  if (previous.ended) {
    // Closed by an earlier run: nothing is appended; only what is missing is made again.
    run.sealed = true;
    run.progress({ kind: 'ceremony.resume', message: `The ${kind.noun} ${run.ceremonyId} was closed by an earlier run; checking (or signing again) its final checkpoint and statement.` });
    return;
  }
  await run.record(ENTRY.ceremonyResume, run.admin.id, {
    run: run.runNumber,
    recoveredEntries: entries.length,
    droppedBytes: recovered!.droppedBytes,
    dropped: recovered!.dropped,
    interrupted: previous.interrupted ?? null,
    keyLife: kind.keyLife(previous),
    ...(remains.staleLock ? { staleLock: { ...remains.staleLock } } : {}),
    ...(remains.leftovers.length > 0 ? { temporaryFilesRemoved: [...remains.leftovers] } : {}),
  });
  if (previous.interrupted) {
    await run.record(ENTRY.stepAborted, run.admin.id, { step: previous.interrupted.step, action: previous.interrupted.action, ...(previous.interrupted.participantId ? { participantId: previous.interrupted.participantId } : {}), reason: ABORT_REASON });
  }
  const next = await kind.resume?.(run, state);
  if (next) run.previous = next;
  run.progress({ kind: 'ceremony.resume', message: `Resuming ${kind.noun} ${run.ceremonyId} (run ${run.runNumber})${previous.interrupted ? `; step "${previous.interrupted.step}" was interrupted and is recorded as aborted` : ''}.${kind.resumeNote ? ` ${kind.resumeNote}` : ''}` });
}

/** 3. The steps, in script order; export is the engine's own. */
async function runSteps<S, R>(kind: KindEngine<S, R>, run: CeremonyRun, state: S): Promise<Exported> {
  const steps = run.script.steps;
  for (const [i, step] of steps.entries()) {
    const at = { stepId: step.id, action: step.action, index: i + 1, total: steps.length };
    await kind.beforeStep?.(run, step, state);
    if (step.action === 'export') {
      run.progress({ kind: 'step.start', ...at, title: describeStep(step), message: describeStep(step) });
      const exported = await exportBundle(run, await kind.bundleFacts(run, state));
      run.progress({ kind: 'step.done', ...at, message: `Bundle written and verified (${exported.checks.length} checks), with its archive ${run.env.files.display(exported.archive.ref)}.` });
      return exported;
    }
    const skip = kind.skipReason?.(run, step);
    if (skip !== undefined) {
      await deviation(run, step, 'skipped', skip);
      continue;
    }
    if (run.previous?.completedSteps.has(step.id) && !kind.repeatsItself.includes(step.action)) await deviation(run, step, 'repeated', kind.repeatReason(step));
    const handler = kind.steps[step.action] as StepHandler<S> | undefined;
    if (!handler) throw new KeyriteError('UNSUPPORTED', `The action ${step.action} is not part of ${kind.kind === 'escrow-recovery' ? 'an' : 'a'} ${kind.kind} ceremony.`);
    const actor = stepActor(kind, run, step);
    run.currentStep = step;
    run.progress({ kind: 'step.start', ...at, title: describeStep(step), message: describeStep(step) });
    await run.record(ENTRY.stepStart, actor, {
      step: step.id,
      action: step.action,
      actor: step.actor,
      attempt: (run.previous?.attempts.get(step.id) ?? 0) + 1,
      witness: step.witness,
      ...(step.title && kind.stepEntries === 'performer' ? { title: step.title } : {}),
    });
    await handler(run, step, state);
    await run.record(ENTRY.stepEnd, actor, { step: step.id, action: step.action });
    kind.afterStep?.(run, step, state);
    run.currentStep = undefined;
    run.progress({ kind: 'step.done', ...at, message: `${step.id} done` });
  }
  throw new KeyriteError('CEREMONY_ERROR', 'The script ended without an export step.');
}

/** Runs one ceremony of the kind `kind` (docs/CEREMONY-SCRIPTS.md), holding its run folder for this process alone. */
export async function runKind<S, R>(kind: KindEngine<S, R>, input: RunInput): Promise<R> {
  kind.checkShape(input.parsed);
  const lock = await input.env.transcript.lock();
  try {
    if (lock.staleHolder) {
      const h = lock.staleHolder;
      input.env.progress({ kind: 'warning', message: `The run folder was locked by a Keyrite process that no longer runs (pid ${h.pid}, started ${h.started}): it ended without finishing; its journal is resumed.` });
    }
    return await runLocked(kind, input, lock.staleHolder);
  } finally {
    await lock.release();
  }
}

async function runLocked<S, R>(kind: KindEngine<S, R>, input: RunInput, staleLock: StaleLock | undefined): Promise<R> {
  const { parsed, answers, env } = input;
  const options: CeremonyOptions = input.options ?? {};
  const whoIs = (id: string) => {
    const p = answers.participants.find((x) => x.id === id);
    return p ? `${p.name} (${p.id})` : id;
  };

  // 1. Pre-flight: nothing is written and no token is logged into.
  const journal = await preflight(input);
  const entries = journal.recovered?.entries ?? [];
  const state = await kind.prepare({ parsed, answers, env, entries, ...(journal.previous ? { previous: journal.previous } : {}) });
  if (answers.master) env.pins.check(answers.master.pin, kind.masterToken);
  for (const p of answers.participants) if (p.role === 'trustee') env.pins.check(p.pin, whoIs(p.id));
  checkPaperTrustees(parsed, answers, env, whoIs);
  const leftovers = await sweepLeftovers(parsed.script.kind, answers, env);
  if (leftovers.length > 0) env.progress({ kind: 'warning', message: `Removed ${leftovers.length} temporary file${leftovers.length === 1 ? '' : 's'} an interrupted run left behind: ${leftovers.join(', ')}.` });
  let sessions: Map<string, TokenSession> = new Map();
  let sink: Awaited<ReturnType<typeof openJournal>>['sink'] | undefined;
  let run: CeremonyRun | undefined;
  try {
    sessions = await openTokens(parsed, answers, env, whoIs);
    const clock = answers.clock !== undefined ? fixedClock(answers.clock) : env.clock;
    // 2. The journal.
    const opened = await openJournal(env, journal, clock);
    sink = opened.sink;
    const previous = journal.previous;
    const ceremonyId = previous?.ceremonyId ?? answers.ceremonyId ?? toHex(env.random(16));
    run = new CeremonyRun({ parsed, answers, env, options, writer: opened.writer, ceremonyId, origin: ceremonyOrigin(ceremonyId), runNumber: previous ? previous.runs + 1 : 1, ...(previous ? { previous } : {}), clock });
    for (const [k, s] of sessions) run.sessions.set(k, s);
    await recordStart(kind, run, state, entries, journal.recovered, { staleLock, leftovers });

    // 3. The steps; or, after a transcript closed by an earlier run, what is missing.
    let exported;
    if (previous?.ended && kind.finishClosed) {
      await kind.finishClosed(run, state);
      exported = await exportBundle(run, await kind.bundleFacts(run, state));
    } else {
      exported = await runSteps(kind, run, state);
    }
    return await kind.result(run, state, exported);
  } catch (e) {
    if (run && !run.sealed) {
      const message = e instanceof KeyriteError ? e.message : 'an unexpected internal error';
      const code = e instanceof KeyriteError ? e.code : 'INTERNAL';
      try {
        if (run.currentStep) await run.record(ENTRY.stepFailed, stepActor(kind, run, run.currentStep), { step: run.currentStep.id, action: run.currentStep.action, code, reason: message });
        await kind.onFailure?.(run, state);
      } catch {
        // The journal itself may be what failed; the error below says what happened.
      }
    }
    throw e;
  } finally {
    kind.dispose?.(state);
    run?.wipeSecrets();
    if (run) await run.closeSessions();
    else for (const s of sessions.values()) await s.token.close().catch(() => undefined);
    await sink?.close().catch(() => undefined);
  }
}
