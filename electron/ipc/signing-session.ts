/**
 * One signing ceremony in the app, in the main process (docs/APP-SHELL.md "Signing"): the root
 * bundle (read and verified here, its master fingerprint read aloud and then typed from paper),
 * the signing script, the request (read and checked against the script's caps before anything
 * is unlocked, shown as a table), the quorum checked in (the same data as a signing answers
 * file, built here and validated by parseAnswers), and a run of the same engine as
 * `keyrite ceremony run` of a signing script (core/ceremony/kinds/signing.ts) whose PIN prompts
 * and witness confirmations wait for answers from the window (PromptBroker).
 *
 * The digest confirmations of check-request (every trustee present, then the witness) are
 * answered only by signing:confirmDigest with the first two words of the digest typed, checked
 * here; signing:witness can only decline them. The request file must lie inside the folder that
 * holds the root bundle (answers paths are relative to it and never leave it); the engine reads
 * it again and refuses it unless its SHA-256 is the one pinned at check-in.
 */
import { cp, mkdir, mkdtemp, readFile, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import { KeyriteError, isKeyriteError } from '../../core/errors.ts';
import { utf8 } from '../../core/bytes.ts';
import { toHex } from '../../core/encoding/hex.ts';
import { sha256 } from '../../core/crypto/hash.ts';
import { CeremonyFileError, parseCeremonyScript, type ParsedCeremonyScript, type StepOf } from '../../core/script/script.ts';
import type { TranscriptEntry } from '../../core/transcript/entry.ts';
import { ENTRY } from '../../core/bundle/entries.ts';
import { parseAnswers, type Answers } from '../../core/ceremony/answers.ts';
import { encodeAnswers } from '../../core/ceremony/answers-writer.ts';
import { runSigning, type SigningOutcome } from '../../core/ceremony/kinds/signing.ts';
import type { ProgressEvent } from '../../core/ceremony/types.ts';
import type { KeyriteToken } from '../../core/tokens/token.ts';
import type { NetworkInterfaceInfo } from '../../core/airgap/status.ts';
import { MAX_REQUEST_BYTES, parseSigningRequest, type SigningRequest } from '../../core/signing/request.ts';
import { ENVELOPE_SUFFIX } from '../../core/signing/documents.ts';
import { verifyBundle } from '../../core/verifier/verify.ts';
import { readBundleDirectory } from '../../core/node/bundle-directory.ts';
import { NATIVE_VERIFIER_CRYPTO } from '../../core/node/native-verifier-crypto.ts';
import { createNodeCeremonyEnvironment, type NodeCeremonyEnvironment } from '../../core/node/ceremony-environment.ts';
import { readableFingerprint } from '../../core/bundle/principals.ts';
import type { InterruptedCeremonyView, ParticipantView, ScriptSource, ShareCardReadView, ShareCardScan, ShippedScript, SigningCheckInForm, SigningOutcomeView, SigningRequestView, SigningView, TokenSummary } from '../../core/ipc/contract.ts';
import { ViewSession, loadScript, shippedScripts } from './view-session.ts';
import { interruptedRuns } from './interrupted-runs.ts';
import { relativeTo, tokenChooser, typedFingerprint } from './quorum-check-in.ts';
import { scriptView } from './ceremony-session.ts';
import { readOriginalBundle, saveScannedShareCard, shareEvent } from './recovery-session.ts';

export interface SigningSessionOptions {
  /** Where run folders are created. */
  workRoot: string;
  /** The shipped ceremony-scripts/ folder. */
  scriptsDir: string;
  softwareDir?: string;
  modulePath?: string;
  listTokens(): Promise<TokenSummary[]>;
  /** The main process folder picker for the root bundle; undefined when cancelled. */
  pickBundleFolder(): Promise<string | undefined>;
  /** The main process file picker for a script; undefined when cancelled. */
  pickScriptFile(): Promise<string | undefined>;
  /** The main process file picker for the signing request (.json); undefined when cancelled. */
  pickRequestFile(): Promise<string | undefined>;
  /** The main process folder picker for signing:export; undefined when cancelled. */
  pickExportFolder(): Promise<string | undefined>;
  publish(view: SigningView): void;
  networkInterfaces?: () => NetworkInterfaceInfo[];
  /** The bundle's verifier/verify.html; the Electron main passes it. */
  verifierPage?: () => Promise<Uint8Array>;
  /** The time requests are checked at when opened (default: the system clock). */
  clock?: () => Date;
  logError?: (error: unknown) => void;
}

const DAY_MS = 86_400_000;

function emptyView(): SigningView {
  return {
    phase: 'bundle',
    bundle: null,
    script: null,
    request: null,
    digestStep: null,
    participants: [],
    steps: [],
    log: [],
    prompt: null,
    current: null,
    digestConfirmed: [],
    shares: { accepted: 0, needed: 0, events: [] },
    outcome: null,
    error: null,
    resuming: null,
  };
}

/** Run folders the session creates under the work root (mkdtemp's six characters). */
const RUN_FOLDER = /^signing-[A-Za-z0-9]{6}$/;

/** What an interrupted signing journal recorded that a resumed run must match: the root link and the request checked, if it got that far. */
function recordedRun(entries: readonly TranscriptEntry[]): { masterFingerprint?: string; requestSha256?: string } {
  const start = entries.find((e) => e.type === ENTRY.ceremonyStart);
  const original = start?.body.original as { masterFingerprint?: unknown } | undefined;
  const check = entries.find((e) => e.type === ENTRY.requestCheck);
  return {
    ...(typeof original?.masterFingerprint === 'string' ? { masterFingerprint: original.masterFingerprint } : {}),
    ...(typeof check?.body.sha256 === 'string' ? { requestSha256: check.body.sha256 } : {}),
  };
}

function sentence(e: unknown): string {
  if (e instanceof CeremonyFileError) return `The check-in was refused: ${e.issues.map((i) => i.message).join('; ')}.`;
  if (isKeyriteError(e)) return e.message;
  return 'Keyrite hit an unexpected internal error; the signing ceremony stopped. Nothing was signed after the last completed step; start again in a new run.';
}

/** The first two words of a digest, as a person types them (case and spacing do not matter). */
export function firstTwoWords(words: readonly string[]): string {
  return words.slice(0, 2).join(' ').toLowerCase();
}

function normalizedWords(typed: string): string {
  return typed.trim().toLowerCase().split(/[\s,.-]+/).filter((w) => w.length > 0).join(' ');
}

/** The digest a person typed from the requester's message: 64 hex digits, spaces between groups allowed. */
function typedDigest(text: string): string | undefined {
  const t = text.replace(/\s+/g, '').toLowerCase();
  return /^[0-9a-f]{64}$/.test(t) ? t : undefined;
}

function checkRequestStep(parsed: ParsedCeremonyScript): StepOf<'check-request'> {
  const step = parsed.script.steps.find((s): s is StepOf<'check-request'> => s.action === 'check-request');
  if (!step) throw new KeyriteError('UNSUPPORTED', 'This signing script has no check-request step, so it cannot check a request before unlocking the key.');
  return step;
}

/** The request's table and verdict: parseSigningRequest at `now` with the script's caps; a refusal becomes its sentence. */
export function requestView(path: string, bytes: Uint8Array, step: StepOf<'check-request'>, now: Date): { view: SigningRequestView; request?: SigningRequest } {
  const { maxValidityDays, maxKeys, maxArtifacts } = step.params;
  const hex = toHex(sha256(bytes));
  const base = {
    path,
    bytes: bytes.length,
    digest: { hex, ...readableFingerprint(hex) },
    limits: { maxValidityDays, maxKeys, maxArtifacts },
    checkedAt: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
  try {
    const request = parseSigningRequest(bytes, { maxValidityDays, maxKeys, maxArtifacts }, now);
    const keys = request.keys.map((k) => ({ kid: k.kid, alg: k.alg, use: k.use, label: k.label, nbf: k.nbf, exp: k.exp, days: Math.ceil((Date.parse(k.exp) - Date.parse(k.nbf)) / DAY_MS) }));
    const artifacts = request.artifacts.map((a) => ({ name: a.name, size: a.size, sha256: a.sha256 }));
    return { view: { ...base, verdict: 'accepted', refusal: null, title: request.title, keys, artifacts }, request };
  } catch (e) {
    if (!isKeyriteError(e)) throw e;
    return { view: { ...base, verdict: 'refused', refusal: e.message, title: null, keys: [], artifacts: [] } };
  }
}

export class SigningSession extends ViewSession<SigningView> {
  private bundleDir: string | undefined;
  /** The open bundle's master fingerprint (not in the view). */
  private originalFingerprint: string | null = null;
  private parsed: ParsedCeremonyScript | undefined;
  private request: SigningRequest | undefined;
  private answers: Answers | undefined;
  /** The finished run folder and its result, for signing:export. */
  private finished: { runDir: string; result: SigningOutcome } | undefined;
  /** The interrupted run chosen with resume(): its folder and the request its journal checked, until the next bundle, script or reset. */
  private resumeRun: { dir: string; requestSha256?: string } | undefined;
  /** The folder of the run in progress. */
  private runDir: string | undefined;

  constructor(private readonly o: SigningSessionOptions) {
    super(emptyView(), (v) => o.publish(v), 'A signing ceremony is running: stop it first.');
  }

  scripts(): Promise<ShippedScript[]> {
    return shippedScripts(this.o.scriptsDir, 'signing');
  }

  async openBundle(): Promise<SigningView> {
    this.requireIdle();
    const folder = await this.o.pickBundleFolder();
    if (folder === undefined) return this.state();
    const { view: bundle, masterFingerprint } = await readOriginalBundle(folder);
    this.bundleDir = folder;
    this.originalFingerprint = masterFingerprint;
    this.parsed = undefined;
    this.request = undefined;
    this.answers = undefined;
    this.finished = undefined;
    this.resumeRun = undefined;
    return this.update({ ...emptyView(), phase: bundle.verdict === 'valid' && bundle.quorum ? 'script' : 'bundle', bundle, shares: { accepted: 0, needed: bundle.quorum?.t ?? 0, events: [] } });
  }

  async load(source: ScriptSource): Promise<SigningView> {
    this.requireIdle();
    if (!this.bundleDir || this.view.bundle?.verdict !== 'valid') throw new KeyriteError('USAGE', "Open the root ceremony's bundle first.");
    const loaded = await loadScript(source, this.o, 'signing', 'signing ceremonies');
    if (loaded === undefined) return this.state();
    const { file, parsed } = loaded;
    return this.chooseScript(file, parsed, undefined);
  }

  private chooseScript(file: string, parsed: ParsedCeremonyScript, resuming: { folder: string; ceremonyId: string } | undefined): SigningView {
    const step = checkRequestStep(parsed);
    this.parsed = parsed;
    this.request = undefined;
    this.answers = undefined;
    if (!resuming) this.resumeRun = undefined;
    const script = scriptView(file, parsed);
    return this.update({ phase: 'request', script, request: null, digestStep: step.id, participants: [], steps: script.steps.map((s) => ({ ...s, status: 'pending', notes: [] })), log: [], outcome: null, error: null, resuming: resuming ?? null });
  }

  /** Earlier signing runs of the open root bundle whose journal has no bundle, newest first. Reads only. */
  async interrupted(): Promise<InterruptedCeremonyView[]> {
    const master = this.view.bundle?.verdict === 'valid' ? this.originalFingerprint : null;
    if (master === null) return [];
    const runs = await interruptedRuns({ workRoot: this.o.workRoot, scriptsDir: this.o.scriptsDir, scripts: await this.scripts(), folder: RUN_FOLDER, ...(this.runDir && this.view.phase === 'running' ? { running: this.runDir } : {}) });
    return runs.filter((r) => recordedRun(r.entries).masterFingerprint === master).map((r) => r.view);
  }

  /**
   * Chooses an interrupted signing run of the open root bundle: its shipped script is loaded; the
   * request is opened again (it must be the one the journal checked) and the same quorum checks
   * in; the engine then continues the journal in that run folder.
   */
  async resume(folder: string): Promise<SigningView> {
    this.requireIdle();
    if (!this.bundleDir || this.view.bundle?.verdict !== 'valid') throw new KeyriteError('USAGE', "Open the root ceremony's bundle first: an interrupted signing run is resumed with the same root bundle.");
    const master = this.originalFingerprint;
    const runs = await interruptedRuns({ workRoot: this.o.workRoot, scriptsDir: this.o.scriptsDir, scripts: await this.scripts(), folder: RUN_FOLDER });
    const run = runs.find((r) => r.view.folder === folder);
    if (!run) throw new KeyriteError('INVALID_INPUT', `${folder} holds no interrupted signing run (its journal is missing, unreadable, or the bundle was already written).`);
    const recorded = recordedRun(run.entries);
    if (recorded.masterFingerprint !== master) throw new KeyriteError('VERIFY_FAILED', `Signing run ${run.view.ceremonyId} was started with the bundle of another root ceremony; open that bundle to resume it.`);
    if (run.view.scriptFile === null) throw new KeyriteError('UNSUPPORTED', `Signing run ${run.view.ceremonyId} ran a script that is not shipped with this Keyrite; resume it with "keyrite ceremony run --out ${run.view.path}" and the same script.`);
    const parsed = parseCeremonyScript(new Uint8Array(await readFile(join(this.o.scriptsDir, run.view.scriptFile))));
    this.resumeRun = { dir: run.view.path, ...(recorded.requestSha256 ? { requestSha256: recorded.requestSha256 } : {}) };
    return this.chooseScript(run.view.scriptFile, parsed, { folder, ceremonyId: run.view.ceremonyId });
  }

  /**
   * Reads the request chosen in the picker and checks it against the script's caps, now: the
   * table and the verdict are shown either way; only an accepted request leads to the check-in.
   */
  async openRequest(): Promise<SigningView> {
    this.requireIdle();
    const parsed = this.parsed;
    const bundle = this.view.bundle;
    if (!parsed || !bundle || (this.view.phase !== 'request' && this.view.phase !== 'check-in' && this.view.phase !== 'ready')) throw new KeyriteError('USAGE', 'Open the root bundle and choose the signing script first.');
    const picked = await this.o.pickRequestFile();
    if (picked === undefined) return this.state();
    const rel = relative(bundle.baseFolder, picked);
    if (isAbsolute(rel) || rel === '' || rel.split(sep).includes('..')) {
      throw new KeyriteError('USAGE', `The signing request must be in ${bundle.baseFolder} (the folder holding the root bundle) or a folder inside it: copy ${basename(picked)} there and open it again.`);
    }
    const size = await stat(picked).then((st) => (st.isFile() ? st.size : undefined), () => undefined);
    if (size === undefined) throw new KeyriteError('IO_ERROR', `Keyrite could not read ${basename(picked)} as a file. Choose the request file again.`);
    // Refused before reading: a request holds at most 1 MiB.
    if (size > MAX_REQUEST_BYTES) throw new KeyriteError('REQUEST_REFUSED', `The signing request is refused: it is ${size} bytes, more than the limit of ${MAX_REQUEST_BYTES} bytes (1 MiB). Nothing was unlocked.`);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(picked));
    } catch {
      throw new KeyriteError('IO_ERROR', `Keyrite could not read ${basename(picked)}. Choose the request file again.`);
    }
    const checked = this.resumeRun?.requestSha256;
    if (checked !== undefined && toHex(sha256(bytes)) !== checked) {
      throw new KeyriteError('REQUEST_REFUSED', `${basename(picked)} is not the request this signing run checked (SHA-256 ${readableFingerprint(checked).hexGroups}): a resumed run signs only that request. Open the same file. Nothing was unlocked.`);
    }
    const { view, request } = requestView(rel.split(sep).join('/'), bytes, checkRequestStep(parsed), (this.o.clock ?? (() => new Date()))());
    this.request = request;
    this.answers = undefined;
    return this.update({ phase: request ? 'check-in' : 'request', request: view, participants: [], error: null });
  }

  /** A trustee's printed share card read at the check-in, as on the recovery screen (saveScannedShareCard). */
  async readShareCard(scan: ShareCardScan): Promise<ShareCardReadView> {
    this.requireIdle();
    const bundle = this.view.bundle;
    if (!bundle || this.view.phase !== 'check-in') throw new KeyriteError('USAGE', 'Open the root bundle, choose the signing script and open an accepted request first; cards are read during the check-in.');
    return saveScannedShareCard(bundle, this.originalFingerprint, scan);
  }

  /** A path typed in the app, relative to the bundle's base folder (an absolute one inside it is made relative). */
  private relativePath(p: string): string {
    return relativeTo(this.view.bundle!.baseFolder, p);
  }

  async checkIn(form: SigningCheckInForm): Promise<SigningView> {
    this.requireIdle();
    const parsed = this.parsed;
    const bundle = this.view.bundle;
    const request = this.view.request;
    if (!parsed || !bundle || !this.bundleDir || !request || !this.request || (this.view.phase !== 'check-in' && this.view.phase !== 'ready')) {
      throw new KeyriteError('USAGE', 'Open the root bundle, choose the signing script and open an accepted request first.');
    }
    const s = parsed.script;
    const names = [form.administrator, ...form.witnesses, ...form.trustees.map((t) => t.name)];
    if (names.some((n) => n.trim().length === 0)) throw new KeyriteError('ANSWERS_INVALID', 'Every participant needs a name: fill in each name field.');
    const needed = s.roles.trustee ?? 0;
    if (form.trustees.length !== needed) throw new KeyriteError('ANSWERS_INVALID', `This script needs exactly ${needed} trustees; ${form.trustees.length} ${form.trustees.length === 1 ? 'is' : 'are'} checked in. Tick exactly ${needed} trustees.`);
    if (form.witnesses.length !== (s.roles.witness ?? 0)) throw new KeyriteError('ANSWERS_INVALID', `This script needs exactly ${s.roles.witness ?? 0} witnesses.`);
    for (const t of form.trustees) {
      if (!bundle.trustees.some((x) => x.id === t.id)) throw new KeyriteError('ANSWERS_INVALID', `${t.id} is not a trustee of the root ceremony.`);
      if (t.keyring.trim().length === 0 || t.envelope.trim().length === 0 || t.token.trim().length === 0) throw new KeyriteError('ANSWERS_INVALID', `${t.name.trim() || t.id} needs a token, a keyring file and a share envelope file.`);
    }
    const trust = typedFingerprint(form.trust, this.originalFingerprint, {
      missing: 'Type the master fingerprint from the paper record of the root ceremony (64 hex digits or the 16 words): it anchors the bundle.',
      mismatch: 'The fingerprint typed does not match the master key of this bundle. Compare it with the paper record digit by digit; if it still differs, this is not the bundle of the root ceremony: stop.',
    });
    let digest: string;
    if (form.requestDigest.trim().length > 0) {
      const given = typedDigest(form.requestDigest);
      if (given === undefined) throw new KeyriteError('ANSWERS_INVALID', "The request's digest must be the 64 hex digits its author sent (spaces between groups allowed).");
      if (given !== request.digest.hex) {
        throw new KeyriteError('REQUEST_REFUSED', `The request opened has SHA-256 ${request.digest.hexGroups}, not the digest its author sent: this is not the request that was agreed. Nothing was unlocked; open the right file, or ask the requester.`);
      }
      digest = given;
    } else if (s.mode === 'live') {
      throw new KeyriteError('ANSWERS_INVALID', "A live signing ceremony signs only the request whose SHA-256 its author sent out of band: type that digest (64 hex digits) from the requester's message.");
    } else {
      // Rehearsal: the digest of the file shown pins it; the engine refuses the request if the file changes.
      digest = request.digest.hex;
    }
    const tokenChoice = await tokenChooser(this.o.listTokens, bundle.baseFolder);
    const master = tokenChoice(form.masterToken, 'the master key');
    const trustees = form.trustees.map((t) => ({ id: t.id, name: t.name.trim(), token: tokenChoice(t.token, t.name.trim()), keyring: this.relativePath(t.keyring), envelope: this.relativePath(t.envelope) }));
    const text = encodeAnswers({
      scriptSha256: parsed.hashHex,
      participants: [
        { id: 'admin', name: form.administrator.trim(), role: 'administrator' },
        ...trustees.map((t) => ({ id: t.id, name: t.name, role: 'trustee' as const, token: t.token.entry, pin: { prompt: true as const }, keyring: t.keyring, envelope: t.envelope })),
        ...form.witnesses.map((w, i) => ({ id: `witness-${i + 1}`, name: w.trim(), role: 'witness' as const })),
      ],
      master: { token: master.entry, pin: { prompt: true } },
      bundle: { path: basename(this.bundleDir), trust },
      request: { path: request.path, sha256: digest },
    });
    this.answers = parseAnswers(utf8(text), parsed);
    const participants: ParticipantView[] = [
      { id: 'admin', name: form.administrator.trim(), role: 'administrator', token: master.label, tokenSerial: null },
      ...trustees.map((t) => ({ id: t.id, name: t.name, role: 'trustee' as const, token: t.token.label, tokenSerial: null })),
      ...form.witnesses.map((w, i) => ({ id: `witness-${i + 1}`, name: w.trim(), role: 'witness' as const, token: null, tokenSerial: null })),
    ];
    return this.update({ phase: 'ready', participants, error: null });
  }

  start(): SigningView {
    this.requireIdle();
    const parsed = this.parsed;
    const answers = this.answers;
    if (!parsed || !answers || !this.bundleDir || this.view.phase !== 'ready') throw new KeyriteError('USAGE', 'Check the quorum in before starting the signing ceremony.');
    const v = this.update({
      phase: 'running',
      log: [],
      error: null,
      outcome: null,
      current: null,
      digestConfirmed: [],
      shares: { accepted: 0, needed: this.view.bundle?.quorum?.t ?? parsed.script.quorum?.t ?? 0, events: [] },
      steps: this.view.steps.map((s) => ({ ...s, status: 'pending', notes: [] })),
    });
    void this.run(parsed, answers, this.bundleDir);
    return v;
  }

  private async run(parsed: ParsedCeremonyScript, answers: Answers, bundleDir: string): Promise<void> {
    let env: NodeCeremonyEnvironment | undefined;
    const opened: KeyriteToken[] = [];
    try {
      const runDir = this.resumeRun?.dir ?? (await mkdtemp(join(this.o.workRoot, 'signing-')));
      this.runDir = runDir;
      env = createNodeCeremonyEnvironment({
        outDir: runDir,
        answersDir: dirname(bundleDir),
        ...(this.o.modulePath ? { modulePath: this.o.modulePath } : {}),
        env: {},
        interactive: true,
        confirmations: [],
        progress: (e) => this.onProgress(e),
        ...(this.o.networkInterfaces ? { networkInterfaces: this.o.networkInterfaces } : {}),
        ...(this.o.verifierPage ? { verifierPage: this.o.verifierPage } : {}),
      });
      const environment = this.prompts.environment(env, { ...(this.o.softwareDir ? { softwareDir: this.o.softwareDir } : {}), opened });
      const r = await runSigning({ parsed, answers, env: environment });
      this.finished = { runDir, result: r };
      this.update({ phase: 'done', prompt: null, current: null, outcome: this.outcome(r, env, runDir) });
    } catch (e) {
      if (!isKeyriteError(e)) this.o.logError?.(e);
      const steps = this.view.steps.map((s) => (s.status === 'running' ? { ...s, status: 'failed' as const } : s));
      this.update({ phase: 'failed', prompt: null, steps, error: sentence(e) });
    } finally {
      this.prompts.clear();
      for (const t of opened) await t.close().catch(() => undefined);
      await env?.close().catch(() => undefined);
    }
  }

  private who(id: string): string {
    const p = this.view.participants.find((x) => x.id === id);
    return p ? `${p.name} (${id})` : id;
  }

  private onProgress(e: ProgressEvent): void {
    let shares = this.view.shares;
    const share = shareEvent(e, e.share ? this.who(e.share.trusteeId) : '');
    if (share) {
      const { accepted, needed, ...event } = share;
      shares = { accepted, needed, events: [...shares.events, event] };
    }
    this.update({ ...this.progressChange(e), shares });
  }

  private outcome(r: SigningOutcome, env: NodeCeremonyEnvironment, runDir: string): SigningOutcomeView {
    const signedFolder = join(runDir, 'signed');
    return {
      ceremonyId: r.ceremonyId,
      originalCeremonyId: r.original.ceremonyId,
      anchored: r.anchored,
      fingerprint: { hex: r.original.masterFingerprint, ...readableFingerprint(r.original.masterFingerprint) },
      request: { ...r.request },
      used: [...r.used],
      documents: r.documents.map((d) => ({ name: d.name, payloadType: d.payloadType, sha256: d.sha256, path: join(signedFolder, d.name), envelope: join(signedFolder, d.name + ENVELOPE_SUFFIX) })),
      bundleFolder: env.files.display(r.bundle),
      runFolder: runDir,
      signedFolder,
      exportChecks: { passed: r.exportChecks.filter((c) => c.ok).length, total: r.exportChecks.length },
      exportedTo: null,
    };
  }

  /** The pending prompt, when it is a digest confirmation of check-request. */
  private digestPrompt(prompt: number): { who: string } | undefined {
    const p = this.view.prompt;
    if (p?.kind === 'witness' && p.id === prompt && p.stepId === this.view.digestStep) return { who: p.witness };
    return undefined;
  }

  /** A witness answer; a digest confirmation is given with its typed words (confirmDigest), so here it can only be declined. */
  override answerWitness(prompt: number, confirmed: boolean): SigningView {
    if (confirmed && this.digestPrompt(prompt)) throw new KeyriteError('USAGE', "Type the first two words of the request's digest to confirm it.");
    return super.answerWitness(prompt, confirmed);
  }

  /** The person the pending digest prompt names confirms it by typing the digest's first two words. */
  confirmDigest(prompt: number, words: string): SigningView {
    const pending = this.digestPrompt(prompt);
    const digest = this.view.request?.digest;
    if (!pending || !digest) throw new KeyriteError('USAGE', 'That confirmation is no longer open; answer the one on screen.');
    if (normalizedWords(words) !== firstTwoWords(digest.words)) {
      throw new KeyriteError('INVALID_INPUT', `Those are not the first two words of the request's digest. ${pending.who}: read the words on screen against the digest the requester sent, and type the first two.`);
    }
    super.answerWitness(prompt, true);
    return this.update({ digestConfirmed: [...this.view.digestConfirmed, pending.who] });
  }

  /**
   * Copies the signed documents (with their envelopes) and the signing bundle into a new folder
   * `keyrite-signing-<ceremony id>` inside the one the picker chose (never over anything there),
   * then checks the copy: every document byte for byte, the bundle as `keyrite verify --trust`.
   */
  async exportResult(): Promise<SigningView> {
    const o = this.view.outcome;
    const done = this.finished;
    if (this.view.phase !== 'done' || !o || !done) throw new KeyriteError('USAGE', 'The signed documents can be exported once the signing ceremony is complete.');
    const folder = await this.o.pickExportFolder();
    if (folder === undefined) return this.state();
    const target = join(folder, `keyrite-signing-${o.ceremonyId}`);
    try {
      await mkdir(target, { mode: 0o755 });
    } catch (e) {
      if ((e as { code?: string }).code === 'EEXIST') throw new KeyriteError('OBJECT_EXISTS', `${target} already exists; Keyrite never overwrites an export. Choose another folder.`);
      throw new KeyriteError('IO_ERROR', `Keyrite could not create ${target}. Check the folder is writable (and the disk not full), then export again.`);
    }
    try {
      await cp(join(done.runDir, 'signed'), join(target, 'signed'), { recursive: true, errorOnExist: true, force: false });
      await cp(join(done.runDir, done.result.bundle.path), join(target, 'bundle'), { recursive: true, errorOnExist: true, force: false });
    } catch {
      throw new KeyriteError('IO_ERROR', `Keyrite could not copy the signed documents and the bundle into ${target}. Check the folder is writable (and the disk not full), then export again to another folder.`);
    }
    for (const d of done.result.documents) {
      const copied = new Uint8Array(await readFile(join(target, 'signed', d.name)));
      const envelope = new Uint8Array(await readFile(join(target, 'signed', d.name + ENVELOPE_SUFFIX)));
      if (toHex(sha256(copied)) !== d.sha256 || toHex(sha256(envelope)) !== d.envelopeSha256) {
        throw new KeyriteError('VERIFY_FAILED', `The exported copy of ${d.name} at ${target} is not the document signed. Do not use it; export again to another folder.`);
      }
    }
    const report = verifyBundle(await readBundleDirectory(join(target, 'bundle')), { crypto: NATIVE_VERIFIER_CRYPTO, trust: o.fingerprint.hex });
    const failed = report.checks.filter((c) => c.status !== 'pass');
    if (report.verdict !== 'valid') throw new KeyriteError('VERIFY_FAILED', `The exported signing bundle at ${target} failed its check (${failed.map((c) => c.name).join(', ') || 'anchor'}). Do not use it; export again to another folder.`);
    return this.update({ outcome: { ...o, exportedTo: target } });
  }

  stop(): SigningView {
    if (this.view.phase !== 'running' || !this.prompts.waiting) throw new KeyriteError('USAGE', 'The signing ceremony can be stopped while it waits for a PIN or a confirmation.');
    this.prompts.stop(new KeyriteError('CEREMONY_ERROR', 'The signing ceremony was stopped in the app. Nothing was signed after the last completed step. Resume it from "Interrupted signing runs" after opening the same root bundle (the same request and quorum again), or start a new one.'));
    return this.state();
  }

  reset(): SigningView {
    this.requireIdle();
    this.bundleDir = undefined;
    this.parsed = undefined;
    this.request = undefined;
    this.answers = undefined;
    this.finished = undefined;
    this.resumeRun = undefined;
    this.runDir = undefined;
    return this.update(emptyView());
  }
}
