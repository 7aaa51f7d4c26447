/**
 * One ceremony in the app, in the main process: the script chosen, the participants checked
 * in, and a run of the same engine as `keyrite ceremony run` (core/ceremony/engine.ts) whose
 * PIN prompts and witness confirmations wait for answers from the window. It keeps at most one
 * pending request and publishes a CeremonyView (public data only) on every change.
 *
 * Secrets: PINs arrive through answerPin and go to the token's login; dice arrive with the
 * check-in and live only in the answers of this run; neither is ever in a view. A trustee's
 * paper-backup words are read from their card only when they ask (paperWords).
 * Files: each run gets a fresh folder under `workRoot` (journal, trustees' folders, bundle);
 * software token files are opened from `softwareDir`, PKCS#11 tokens through `modulePath`.
 * Resume: `interrupted` lists earlier run folders whose journal has no bundle (read only);
 * `resume` loads the shipped script the journal names and, after the same participants check
 * in again (PINs asked again), runs the same engine in that folder: runCeremony continues the
 * journal it finds there (docs/CEREMONY-SCRIPTS.md "Crash and resume").
 */
import { constants as fsConstants } from 'node:fs';
import { copyFile, cp, mkdtemp, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { KeyriteError, isKeyriteError } from '../../core/errors.ts';
import { utf8 } from '../../core/bytes.ts';
import { randomBytes } from '../../core/crypto/random.ts';
import { CeremonyFileError, parseCeremonyScript, type ParsedCeremonyScript } from '../../core/script/script.ts';
import { parseAnswers, type Answers } from '../../core/ceremony/answers.ts';
import { encodeAnswers } from '../../core/ceremony/answers-writer.ts';
import { checkBundleAndArchive } from '../../core/ceremony/bundle-check.ts';
import { readableFingerprint } from '../../core/bundle/principals.ts';
import { JOURNAL_TRANSCRIPT, TRUSTEE_FILES } from '../../core/ceremony/journal.ts';
import type { CeremonyEnvironment, CeremonyResult, ProgressEvent } from '../../core/ceremony/types.ts';
import { recoverTranscript } from '../../core/transcript/transcript.ts';
import type { KeyriteToken } from '../../core/tokens/token.ts';
import type { NetworkInterfaceInfo } from '../../core/airgap/status.ts';
import { createNodeCeremonyEnvironment, nodeCeremonyFiles } from '../../core/node/ceremony-environment.ts';
import { tokenEntryOf } from './prompt-broker.ts';
import { ViewSession, loadScript, shippedScripts } from './view-session.ts';
import { interruptedRuns } from './interrupted-runs.ts';
import type { CeremonyView, CheckInForm, InterruptedCeremonyView, PaperWords, ReceiptView, ScriptDiffView, ScriptSource, ScriptView, ShippedScript, TokenSummary } from '../../core/ipc/contract.ts';
import { ENTRY } from '../../core/bundle/entries.ts';
import { runCeremony } from '../../core/ceremony/kinds/root-keygen.ts';
import { describeStep } from '../../core/ceremony/engine.ts';
import { diffScripts } from '../../core/script/diff.ts';
import { scriptPdf } from '../../core/script/script-pdf.ts';
import { createFileExclusive } from '../../core/node/durable-files.ts';

export interface CeremonySessionOptions {
  /** Where run folders are created. */
  workRoot: string;
  /** The shipped ceremony-scripts/ folder. */
  scriptsDir: string;
  softwareDir?: string;
  modulePath?: string;
  listTokens(): Promise<TokenSummary[]>;
  /** The main process file picker for a script; undefined when cancelled. */
  pickScriptFile(): Promise<string | undefined>;
  /** The main process folder picker for the export; undefined when cancelled. */
  pickExportFolder(): Promise<string | undefined>;
  /** The main process save dialog for the printed script (`name` suggested); undefined when cancelled. */
  pickPdfFile?(name: string): Promise<string | undefined>;
  publish(view: CeremonyView): void;
  networkInterfaces?: () => NetworkInterfaceInfo[];
  /** The bundle's verifier/verify.html; the Electron main passes it (a CommonJS bundle cannot locate it by itself). */
  verifierPage?: () => Promise<Uint8Array>;
  logError?: (error: unknown) => void;
}


function emptyView(): CeremonyView {
  return { phase: 'choose', script: null, participants: [], steps: [], log: [], prompt: null, current: null, outcome: null, error: null, resuming: null };
}

export function scriptView(file: string, parsed: ParsedCeremonyScript): ScriptView {
  const s = parsed.script;
  const entropy = s.steps.find((x) => x.action === 'entropy');
  const master = s.tokens.master.token;
  return {
    file,
    name: s.name,
    mode: s.mode,
    sha256: parsed.hashHex,
    hexGroups: parsed.hashHexGroups,
    words: [...parsed.hashWords],
    quorum: { n: s.quorum?.n ?? 0, t: s.quorum?.t ?? 0 },
    roles: { administrator: s.roles.administrator ?? 0, trustee: s.roles.trustee ?? 0, witness: s.roles.witness ?? 0 },
    tokens: master.kind === 'software' ? 'software' : 'pkcs11',
    masterMatch: master.kind === 'pkcs11' ? (master.match.token ?? null) : null,
    paperBackup: s.escrow?.paperBackup === true,
    minDice: entropy?.action === 'entropy' && entropy.params.sources.includes('trustee-dice') ? (entropy.params.minDice ?? null) : null,
    steps: s.steps.map((x) => ({ id: x.id, action: x.action, actor: x.actor, title: describeStep(x), witness: x.witness })),
  };
}

/** Fair die rolls by rejection sampling, for rehearsals (the ceremony and rotation check-ins). */
export function simulatedDice(count: number): string {
  const rolls: number[] = [];
  while (rolls.length < count) {
    for (const b of randomBytes(64)) if (b < 252 && rolls.length < count) rolls.push((b % 6) + 1);
  }
  return rolls.join(' ');
}

function sentence(e: unknown): string {
  if (e instanceof CeremonyFileError) return `The check-in was refused: ${e.issues.map((i) => i.message).join('; ')}.`;
  if (isKeyriteError(e)) return e.message;
  return 'Keyrite hit an unexpected internal error; the ceremony stopped and nothing more was written. Start again in a new run.';
}

/** A YAML scalar for a value typed in the app: JSON's double-quoted strings are YAML's. */

/** Run folders the session creates under the work root (mkdtemp's six characters). */
const RUN_FOLDER = /^ceremony-[A-Za-z0-9]{6}$/;

export class CeremonySession extends ViewSession<CeremonyView> {
  private parsed: ParsedCeremonyScript | undefined;
  private answers: Answers | undefined;
  private runDir: string | undefined;
  /** The run folder of the interrupted ceremony chosen with resume(), until the next load or reset. */
  private resumeDir: string | undefined;
  private result: CeremonyResult | undefined;
  private readonly copied = new Set<string>();

  constructor(private readonly o: CeremonySessionOptions) {
    super(emptyView(), (v) => o.publish(v), 'A ceremony is running: stop it first.');
  }

  scripts(): Promise<ShippedScript[]> {
    return shippedScripts(this.o.scriptsDir, 'root-keygen');
  }

  async load(source: ScriptSource): Promise<CeremonyView> {
    this.requireIdle();
    const loaded = await loadScript(source, this.o, 'root-keygen', 'root-keygen ceremonies');
    if (loaded === undefined) return this.state();
    const { file, parsed } = loaded;
    this.parsed = parsed;
    this.answers = undefined;
    this.result = undefined;
    this.resumeDir = undefined;
    const script = scriptView(file, parsed);
    return this.update({ ...emptyView(), phase: 'check-in', script, steps: script.steps.map((s) => ({ ...s, status: 'pending', notes: [] })) });
  }

  async checkIn(form: CheckInForm): Promise<CeremonyView> {
    this.requireIdle();
    const parsed = this.parsed;
    if (!parsed) throw new KeyriteError('USAGE', 'Choose a ceremony script first.');
    const s = parsed.script;
    const names = [form.administrator, ...form.witnesses, ...form.trustees.map((t) => t.name)];
    if (names.some((n) => n.trim().length === 0)) throw new KeyriteError('ANSWERS_INVALID', 'Every participant needs a name: fill in each name field.');
    if (form.trustees.length !== (s.roles.trustee ?? 0)) throw new KeyriteError('ANSWERS_INVALID', `This script needs exactly ${s.roles.trustee ?? 0} trustees.`);
    if (form.witnesses.length !== (s.roles.witness ?? 0)) throw new KeyriteError('ANSWERS_INVALID', `This script needs exactly ${s.roles.witness ?? 0} witnesses.`);
    if (form.simulateDice && s.mode !== 'rehearsal') throw new KeyriteError('ANSWERS_INVALID', 'Simulated dice are for rehearsals only: each trustee rolls real dice in a live ceremony.');
    const tokens = await this.o.listTokens();
    const tokenOf = (id: string, whose: string): TokenSummary => {
      const t = tokens.find((x) => x.id === id);
      if (!t) throw new KeyriteError('TOKEN_NOT_FOUND', `The token chosen for ${whose} is no longer attached. Plug it in, or choose another one.`);
      return t;
    };
    const master = tokenOf(form.masterToken, 'the master key');
    const minDice = this.view.script!.minDice;
    const trustees = form.trustees.map((t, i) => ({ id: `trustee-${i + 1}`, name: t.name.trim(), token: tokenOf(t.token, t.name.trim()), dice: form.simulateDice && minDice !== null ? simulatedDice(minDice) : t.dice.trim() }));
    if (minDice !== null && trustees.every((t) => t.dice.length === 0)) {
      throw new KeyriteError('ANSWERS_INVALID', `This script mixes the trustees' dice into the master key: at least one trustee types their rolls (at least ${minDice} rolls of 1 to 6, separated by spaces).`);
    }
    const text = utf8(
      encodeAnswers({
        scriptSha256: parsed.hashHex,
        participants: [
          { id: 'admin', name: form.administrator.trim(), role: 'administrator' },
          ...trustees.map((t) => ({ id: t.id, name: t.name, role: 'trustee' as const, token: tokenEntryOf(t.token), pin: { prompt: true as const }, output: `trustees/${t.id}`, ...(minDice !== null && t.dice.length > 0 ? { dice: t.dice } : {}) })),
          ...form.witnesses.map((w, i) => ({ id: `witness-${i + 1}`, name: w.trim(), role: 'witness' as const })),
        ],
        master: { token: tokenEntryOf(master), pin: { prompt: true } },
      }),
    );
    try {
      this.answers = parseAnswers(text, parsed);
    } finally {
      text.fill(0);
    }
    const participants = [
      { id: 'admin', name: form.administrator.trim(), role: 'administrator' as const, token: master.label, tokenSerial: master.serial },
      ...trustees.map((t) => ({ id: t.id, name: t.name, role: 'trustee' as const, token: t.token.label, tokenSerial: t.token.serial })),
      ...form.witnesses.map((w, i) => ({ id: `witness-${i + 1}`, name: w.trim(), role: 'witness' as const, token: null, tokenSerial: null })),
    ];
    return this.update({ phase: 'ready', participants, error: null });
  }

  start(): CeremonyView {
    this.requireIdle();
    const parsed = this.parsed;
    const answers = this.answers;
    if (!parsed || !answers || this.view.phase !== 'ready') throw new KeyriteError('USAGE', 'Check the participants in before starting the ceremony.');
    const v = this.update({ phase: 'running', log: [], error: null, outcome: null, steps: this.view.steps.map((s) => ({ ...s, status: 'pending', notes: [] })) });
    void this.run(parsed, answers);
    return v;
  }

  private async run(parsed: ParsedCeremonyScript, answers: Answers): Promise<void> {
    let env: (CeremonyEnvironment & { close(): Promise<void> }) | undefined;
    const opened: KeyriteToken[] = [];
    try {
      this.runDir = this.resumeDir ?? (await mkdtemp(join(this.o.workRoot, 'ceremony-')));
      const base = createNodeCeremonyEnvironment({
        outDir: this.runDir,
        answersDir: this.runDir,
        ...(this.o.modulePath ? { modulePath: this.o.modulePath } : {}),
        env: {},
        interactive: true,
        confirmations: [],
        progress: (e) => this.onProgress(e),
        ...(this.o.networkInterfaces ? { networkInterfaces: this.o.networkInterfaces } : {}),
        ...(this.o.verifierPage ? { verifierPage: this.o.verifierPage } : {}),
      });
      env = base;
      const environment = this.prompts.environment(base, { ...(this.o.softwareDir ? { softwareDir: this.o.softwareDir } : {}), opened });
      this.result = await runCeremony({ parsed, answers, env: environment });
      const outcome = await this.outcome(this.result);
      this.update({ phase: 'done', prompt: null, current: null, outcome });
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

  private onProgress(e: ProgressEvent): void {
    this.update(this.progressChange(e));
  }

  stop(): CeremonyView {
    if (this.view.phase !== 'running' || !this.prompts.waiting) throw new KeyriteError('USAGE', 'The ceremony can be stopped while it waits for a PIN or a witness.');
    this.prompts.stop(new KeyriteError('CEREMONY_ERROR', 'The ceremony was stopped in the app and the step recorded as failed. Resume it from "Interrupted ceremonies" (the same participants check in again), or start a new one.'));
    return this.state();
  }

  reset(): CeremonyView {
    this.requireIdle();
    this.parsed = undefined;
    this.answers = undefined;
    this.result = undefined;
    this.runDir = undefined;
    this.resumeDir = undefined;
    this.copied.clear();
    return this.update(emptyView());
  }

  /** Earlier run folders under the work root holding a journal but no bundle, newest journal first. Reads only. */
  async interrupted(): Promise<InterruptedCeremonyView[]> {
    const runs = await interruptedRuns({ workRoot: this.o.workRoot, scriptsDir: this.o.scriptsDir, scripts: await this.scripts(), folder: RUN_FOLDER, ...(this.runDir && this.view.phase === 'running' ? { running: this.runDir } : {}) });
    return runs.map((r) => r.view);
  }

  /** Chooses an interrupted ceremony: loads its shipped script; the same participants then check in again. */
  async resume(folder: string): Promise<CeremonyView> {
    this.requireIdle();
    const entry = (await this.interrupted()).find((c) => c.folder === folder);
    if (!entry) throw new KeyriteError('INVALID_INPUT', `${folder} holds no interrupted ceremony (its journal is missing, unreadable, or the bundle was already written).`);
    if (entry.scriptFile === null) throw new KeyriteError('UNSUPPORTED', `Ceremony ${entry.ceremonyId} ran a script that is not shipped with this Keyrite; resume it with "keyrite ceremony run --out ${entry.path}" and the same script.`);
    const parsed = parseCeremonyScript(new Uint8Array(await readFile(join(this.o.scriptsDir, entry.scriptFile))));
    this.parsed = parsed;
    this.answers = undefined;
    this.result = undefined;
    this.resumeDir = join(this.o.workRoot, folder);
    const script = scriptView(entry.scriptFile, parsed);
    return this.update({ ...emptyView(), phase: 'check-in', script, steps: script.steps.map((s) => ({ ...s, status: 'pending', notes: [] })), resuming: { folder, ceremonyId: entry.ceremonyId } });
  }

  private async outcome(r: CeremonyResult): Promise<CeremonyView['outcome']> {
    const journal = await readFile(join(this.runDir!, ...JOURNAL_TRANSCRIPT.split('/')));
    const receipts: ReceiptView[] = [];
    for (const e of recoverTranscript(new Uint8Array(journal)).entries) {
      if (e.type !== ENTRY.shareReceipt) continue;
      const b = e.body;
      const id = String(b.trusteeId);
      const t = r.trustees.find((x) => x.id === id);
      const folder = join(this.runDir!, 'trustees', id);
      const card = join(folder, TRUSTEE_FILES.card);
      receipts.push({
        trusteeId: id,
        name: t?.name ?? id,
        x: Number(b.x),
        commitmentCheck: String(b.commitmentCheck),
        envelopeSha256: String(b.envelopeSha256),
        paperBackup: b.paperBackup === true,
        paperCopied: false,
        folder,
        shareCard: (await stat(card).then((st) => st.isFile()).catch(() => false)) ? card : null,
      });
    }
    return {
      ceremonyId: r.ceremonyId,
      fingerprint: r.master.fingerprint,
      hexGroups: r.master.hexGroups,
      words: [...r.master.words],
      keyLabel: r.master.keyLabel,
      tokenUri: r.master.tokenUri,
      checks: r.checks.map((c) => ({ name: c.name, ok: c.ok, detail: c.detail })),
      receipts,
      transcriptEntries: r.transcriptEntries,
      archive: { sha256: r.archive.sha256, ...readableFingerprint(r.archive.sha256) },
      exportedTo: null,
    };
  }

  private receipt(trusteeId: string): ReceiptView {
    const r = this.view.outcome?.receipts.find((x) => x.trusteeId === trusteeId);
    if (!r) throw new KeyriteError('INVALID_INPUT', 'That is not a trustee of this ceremony.');
    return r;
  }

  async paperWords(trusteeId: string): Promise<PaperWords> {
    const r = this.receipt(trusteeId);
    if (!r.paperBackup) throw new KeyriteError('UNSUPPORTED', 'This ceremony made no paper backup.');
    if (this.copied.has(trusteeId)) throw new KeyriteError('USAGE', `${r.name} already confirmed copying their words; they are not shown again.`);
    const text = await readFile(join(r.folder, TRUSTEE_FILES.paper), 'utf8');
    const words = text.split('\n').flatMap((l) => {
      const m = /^\s*\d+\.\s+(\S+)\s*$/.exec(l);
      return m ? [m[1]!] : [];
    });
    return { trusteeId, words };
  }

  paperCopied(trusteeId: string): CeremonyView {
    this.receipt(trusteeId);
    this.copied.add(trusteeId);
    const o = this.view.outcome!;
    return this.update({ outcome: { ...o, receipts: o.receipts.map((x) => (x.trusteeId === trusteeId ? { ...x, paperCopied: true } : x)) } });
  }

  /** The loaded script and `source` compared (keyrite script diff): the rehearsal one first, whichever was loaded. */
  async diffScript(source: ScriptSource): Promise<ScriptDiffView | null> {
    const current = this.parsed;
    const file = this.view.script?.file;
    if (!current || file === undefined) throw new KeyriteError('USAGE', 'Choose a ceremony script first.');
    const other = await loadScript(source, this.o, 'root-keygen', 'root-keygen ceremonies');
    if (other === undefined) return null;
    const [rehearsal, live] = current.script.mode === 'rehearsal' ? [{ file, parsed: current }, other] : [other, { file, parsed: current }];
    const d = diffScripts(rehearsal.parsed, live.parsed);
    const side = (x: { file: string; parsed: ParsedCeremonyScript }) => ({ file: x.file, name: x.parsed.script.name, mode: x.parsed.script.mode, hexGroups: x.parsed.hashHexGroups });
    return { rehearsal: side(rehearsal), live: side(live), differences: d.differences, ok: d.ok };
  }

  /** The loaded script as the paper script (keyrite script print), with the participants once they are checked in, to a new file. */
  async printScript(): Promise<{ file: string } | null> {
    const parsed = this.parsed;
    const script = this.view.script;
    if (!parsed || !script) throw new KeyriteError('USAGE', 'Choose a ceremony script first.');
    if (!this.o.pickPdfFile) throw new KeyriteError('UNSUPPORTED', 'Printing the script is not part of this build; use keyrite script print.');
    const participants = this.view.participants.map((p) => ({ id: p.id, name: p.name, role: p.role, ...(p.token ? { token: `${p.role === 'administrator' ? 'master: ' : ''}${p.token}${p.tokenSerial ? ` (serial ${p.tokenSerial})` : ''}` } : {}) }));
    const pdf = await scriptPdf({ parsed, file: script.file, titles: parsed.script.steps.map(describeStep), ...(participants.length > 0 ? { participants } : {}) });
    const path = await this.o.pickPdfFile(`${script.file.replace(/\.ya?ml$/, '')}-script.pdf`);
    if (path === undefined) return null;
    await createFileExclusive(path, pdf, 0o644, `${path} already exists; Keyrite never overwrites a file. Choose another name.`);
    return { file: path };
  }

  async exportBundle(): Promise<CeremonyView> {
    const o = this.view.outcome;
    if (this.view.phase !== 'done' || !o || !this.result) throw new KeyriteError('USAGE', 'The bundle can be exported once the ceremony is complete.');
    const folder = await this.o.pickExportFolder();
    if (folder === undefined) return this.state();
    const name = `keyrite-bundle-${o.ceremonyId}`;
    const target = join(folder, name);
    try {
      await cp(join(this.runDir!, this.result.bundle.path), target, { recursive: true, errorOnExist: true, force: false });
    } catch (e) {
      if ((e as { code?: string }).code === 'ERR_FS_CP_EEXIST') throw new KeyriteError('OBJECT_EXISTS', `${target} already exists; Keyrite never overwrites a bundle. Choose another folder.`);
      throw new KeyriteError('IO_ERROR', `Keyrite could not write the bundle to ${folder}. Check the folder is writable (and the disk not full), then export again.`);
    }
    // The same bundle as one file next to it (docs/FORMATS.md "Bundle archive"), never over another file.
    const archive = `${name}.keyrite.tar`;
    try {
      await copyFile(join(this.runDir!, this.result.archive.ref.path), join(folder, archive), fsConstants.COPYFILE_EXCL);
    } catch (e) {
      if ((e as { code?: string }).code === 'EEXIST') throw new KeyriteError('OBJECT_EXISTS', `${join(folder, archive)} already exists; Keyrite never overwrites a file. Choose another folder.`);
      throw new KeyriteError('IO_ERROR', `Keyrite could not write the bundle archive to ${folder}. Check the folder is writable (and the disk not full), then export again.`);
    }
    const files = nodeCeremonyFiles({ out: folder, answers: folder });
    const expect = { ceremonyId: o.ceremonyId, masterFingerprint: o.fingerprint };
    const checks = await checkBundleAndArchive(files, { root: 'out', path: name }, { root: 'out', path: archive }, expect);
    const failed = checks.filter((c) => !c.ok);
    if (failed.length > 0) throw new KeyriteError('VERIFY_FAILED', `The exported copy at ${target} failed its check (${failed.map((c) => c.name).join(', ')}). Do not use it (nor its archive ${archive}); export again to another folder.`);
    return this.update({ outcome: { ...o, exportedTo: target } });
  }
}
