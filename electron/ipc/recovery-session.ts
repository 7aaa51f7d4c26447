/**
 * One escrow recovery in the app, in the main process: the original bundle (read and verified
 * here so the room can read its master fingerprint aloud), the escrow-recovery script, the
 * quorum checked in (the same data as a recovery answers file, built here and validated by
 * parseAnswers), and a run of the same engine as `keyrite recover`
 * (core/ceremony/kinds/escrow-recovery.ts) whose PIN prompts and witness confirmations wait
 * for answers from the window (PromptBroker, shared with the ceremony session). It publishes a
 * RecoveryView (public data only) on every change, with "k of t" share progress and every
 * refused share, taken from the structured `share` field of the engine's progress events.
 *
 * Files: the check-in's paths are relative to the folder holding the bundle (as in an answers
 * file next to it: `keyrite demo` lays its rehearsal out that way); each run gets a fresh folder
 * under `workRoot` (journal, checkpoints, recovery bundle).
 */
import { cp, mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { KeyriteError, isKeyriteError } from '../../core/errors.ts';
import { fromUtf8, utf8 } from '../../core/bytes.ts';
import { CeremonyFileError, type ParsedCeremonyScript } from '../../core/script/script.ts';
import { parseAnswers, type Answers } from '../../core/ceremony/answers.ts';
import { encodeAnswers } from '../../core/ceremony/answers-writer.ts';
import { runRecovery, type RecoveryOutcome } from '../../core/ceremony/kinds/escrow-recovery.ts';
import type { ProgressEvent } from '../../core/ceremony/types.ts';
import type { KeyriteToken } from '../../core/tokens/token.ts';
import type { NetworkInterfaceInfo } from '../../core/airgap/status.ts';
import { parseManifest } from '../../core/escrow/manifest.ts';
import { readScannedShareCard } from '../../core/escrow/share-card-parts.ts';
import { equalBytes } from '../../core/bytes.ts';
import { createFileExclusive, ioError } from '../../core/node/durable-files.ts';
import { verifyBundle } from '../../core/verifier/verify.ts';
import { readBundleDirectory } from '../../core/node/bundle-directory.ts';
import { NATIVE_VERIFIER_CRYPTO } from '../../core/node/native-verifier-crypto.ts';
import { createNodeCeremonyEnvironment, type NodeCeremonyEnvironment } from '../../core/node/ceremony-environment.ts';
import type { OriginalBundleView, RecoveryCheckInForm, RecoveryOutcomeView, RecoveryView, ScriptSource, ShareCardReadView, ShareCardScan, ShareEventView, ShippedScript, TokenSummary } from '../../core/ipc/contract.ts';
import { ViewSession, loadScript, shippedScripts } from './view-session.ts';
import { relativeTo, tokenChooser, typedFingerprint } from './quorum-check-in.ts';
import { scriptView } from './ceremony-session.ts';
import { readableFingerprint } from '../../core/bundle/principals.ts';

export interface RecoverySessionOptions {
  /** Where run folders are created. */
  workRoot: string;
  /** The shipped ceremony-scripts/ folder. */
  scriptsDir: string;
  softwareDir?: string;
  modulePath?: string;
  listTokens(): Promise<TokenSummary[]>;
  /** The main process folder picker for the original bundle; undefined when cancelled. */
  pickBundleFolder(): Promise<string | undefined>;
  /** The main process file picker for a script; undefined when cancelled. */
  pickScriptFile(): Promise<string | undefined>;
  /** The main process folder picker for recovery:export; undefined when cancelled. */
  pickExportFolder(): Promise<string | undefined>;
  publish(view: RecoveryView): void;
  networkInterfaces?: () => NetworkInterfaceInfo[];
  /** The bundle's verifier/verify.html; the Electron main passes it (a CommonJS bundle cannot locate it by itself). */
  verifierPage?: () => Promise<Uint8Array>;
  logError?: (error: unknown) => void;
}

/** Where a scanned share card's envelope is saved, relative to the bundle's base folder. */
export const SCANNED_CARDS_FOLDER = 'scanned-share-cards';

/** A token chosen as a file (a rehearsal software token), not from tokens:list. */

function emptyView(): RecoveryView {
  return { phase: 'bundle', bundle: null, script: null, participants: [], steps: [], log: [], prompt: null, current: null, shares: { accepted: 0, needed: 0, events: [] }, outcome: null, error: null };
}

function sentence(e: unknown): string {
  if (e instanceof CeremonyFileError) return `The check-in was refused: ${e.issues.map((i) => i.message).join('; ')}.`;
  if (isKeyriteError(e)) return e.message;
  return 'Keyrite hit an unexpected internal error; the recovery stopped. Nothing was restored after the last completed step; start again in a new run.';
}

/** A YAML scalar for a value typed in the app: JSON's double-quoted strings are YAML's. */

/** A share outcome for the view, from the structured `share` field of a collect-share progress event. */
export function shareEvent(e: ProgressEvent, who: string): (ShareEventView & { accepted: number; needed: number }) | undefined {
  const s = e.share;
  if (!s) return undefined;
  return { trusteeId: s.trusteeId, who, outcome: s.outcome, reason: s.reason ?? null, accepted: s.accepted, needed: s.needed };
}

/** An original bundle as the main process holds it: the view for the window, and the master fingerprint, which never goes to the window before the quorum has typed it. */
export interface OriginalBundle {
  view: OriginalBundleView;
  /** 64 hex digits; null when the bundle names no master key. */
  masterFingerprint: string | null;
}

/**
 * The bundle of a root-keygen ceremony chosen in the main process, read and verified (not yet
 * anchored): its quorum and trustees from the escrow manifest for the window; its master
 * fingerprint kept here, to compare with the one the quorum types from paper. Shared by the
 * recovery, signing and share-check screens.
 */
export async function readOriginalBundle(folder: string, kinds: readonly string[] = ['root-keygen']): Promise<OriginalBundle> {
  let files: Map<string, Uint8Array>;
  try {
    files = await readBundleDirectory(folder);
  } catch (e) {
    if (e instanceof KeyriteError) throw new KeyriteError(e.code, `${e.message} Choose the original ceremony's bundle folder (the one holding bundle.json) again.`);
    throw e;
  }
  const report = verifyBundle(files, { crypto: NATIVE_VERIFIER_CRYPTO });
  if (report.kind !== undefined && !kinds.includes(report.kind)) throw new KeyriteError('UNSUPPORTED', `${folder} is the bundle of an ${report.kind}; shares belong to the bundle of the ${kinds.join(' or ')} ceremony that made them.`);
  const failed = report.checks.filter((c) => c.status !== 'pass').map((c) => c.name);
  let quorum: OriginalBundleView['quorum'] = null;
  let trustees: OriginalBundleView['trustees'] = [];
  const manifestBytes = files.get('escrow/manifest.json');
  if (manifestBytes !== undefined) {
    try {
      const m = parseManifest(fromUtf8(manifestBytes));
      quorum = { n: m.n, t: m.t };
      trustees = m.trustees.map((t) => ({ id: t.id, name: t.name ?? t.id }));
    } catch {
      // A bundle without a readable manifest holds no shares; the verdict already says why.
    }
  }
  return {
    view: {
      folder,
      baseFolder: dirname(folder),
      ceremonyId: report.ceremonyId ?? null,
      verdict: report.verdict,
      checksPassed: report.checks.length - failed.length,
      checksTotal: report.checks.length,
      failed,
      quorum,
      trustees,
    },
    masterFingerprint: report.masterFingerprint && /^[0-9a-f]{64}$/.test(report.masterFingerprint) ? report.masterFingerprint : null,
  };
}

/**
 * A trustee who brings the printed card instead of the envelope file (the recovery and the
 * signing check-in): the card's QR parts, as a scanner typed them, are joined and checked
 * against this root bundle (its master fingerprint as the session holds it, never in the view)
 * and trustee (readScannedShareCard), and the envelope is saved as a new
 * file next to the bundle, for the check-in's envelope field. A file already there is kept when
 * it is the same envelope and refused otherwise: Keyrite never overwrites a file.
 */
export async function saveScannedShareCard(bundle: OriginalBundleView, masterFingerprint: string | null, scan: ShareCardScan): Promise<ShareCardReadView> {
  if (!bundle.trustees.some((t) => t.id === scan.trusteeId)) throw new KeyriteError('INVALID_INPUT', `${scan.trusteeId} is not a trustee of the original ceremony.`);
  if (bundle.ceremonyId === null || masterFingerprint === null) throw new KeyriteError('USAGE', 'This bundle names no ceremony or master key; a card cannot be checked against it.');
  const card = readScannedShareCard(scan.scanned, { ceremonyId: bundle.ceremonyId, masterFingerprint, trusteeId: scan.trusteeId });
  const envelope = `${SCANNED_CARDS_FOLDER}/${scan.trusteeId}.share-envelope.json`;
  const path = join(bundle.baseFolder, SCANNED_CARDS_FOLDER, `${scan.trusteeId}.share-envelope.json`);
  const view = { trusteeId: scan.trusteeId, envelope, parts: card.parts, envelopeSha256: card.envelopeFileSha256 };
  const unwritable = (e: unknown): KeyriteError =>
    new KeyriteError('IO_ERROR', `${ioError('save the scanned envelope at', path, e).message} Copy the bundle's folder to a writable drive, open the bundle from there and scan the card again, or use the trustee's share-envelope.json file.`);
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  } catch (e) {
    throw unwritable(e);
  }
  const before = await readFile(path).catch(() => undefined);
  if (before !== undefined) {
    if (equalBytes(new Uint8Array(before), card.envelopeFile)) return { ...view, alreadySaved: true };
    throw new KeyriteError('OBJECT_EXISTS', `Another envelope of ${scan.trusteeId} is already saved at ${path}. Keyrite never overwrites a file: move that file away, then scan the card again.`);
  }
  try {
    await createFileExclusive(path, card.envelopeFile, 0o600, `Another envelope of ${scan.trusteeId} was saved at ${path} meanwhile; scan the card again.`);
  } catch (e) {
    if (isKeyriteError(e) && e.code === 'OBJECT_EXISTS') throw e;
    throw unwritable(e instanceof KeyriteError && e.cause !== undefined ? e.cause : e);
  }
  return { ...view, alreadySaved: false };
}

export class RecoverySession extends ViewSession<RecoveryView> {
  private bundleDir: string | undefined;
  /** The open bundle's master fingerprint (not in the view). */
  private originalFingerprint: string | null = null;
  /** The finished run's recovery bundle folder, for recovery:export. */
  private bundleOut: string | undefined;
  private parsed: ParsedCeremonyScript | undefined;
  private answers: Answers | undefined;

  constructor(private readonly o: RecoverySessionOptions) {
    super(emptyView(), (v) => o.publish(v), 'A recovery is running: stop it first.');
  }

  scripts(): Promise<ShippedScript[]> {
    return shippedScripts(this.o.scriptsDir, 'escrow-recovery');
  }

  async openBundle(): Promise<RecoveryView> {
    this.requireIdle();
    const folder = await this.o.pickBundleFolder();
    if (folder === undefined) return this.state();
    const { view: bundle, masterFingerprint } = await readOriginalBundle(folder);
    this.bundleDir = folder;
    this.originalFingerprint = masterFingerprint;
    this.parsed = undefined;
    this.answers = undefined;
    return this.update({ ...emptyView(), phase: bundle.verdict === 'valid' && bundle.quorum ? 'script' : 'bundle', bundle, shares: { accepted: 0, needed: bundle.quorum?.t ?? 0, events: [] } });
  }

  async load(source: ScriptSource): Promise<RecoveryView> {
    this.requireIdle();
    if (!this.bundleDir || this.view.bundle?.verdict !== 'valid') throw new KeyriteError('USAGE', "Open the original ceremony's bundle first.");
    const loaded = await loadScript(source, this.o, 'escrow-recovery', 'escrow recoveries');
    if (loaded === undefined) return this.state();
    const { file, parsed } = loaded;
    this.parsed = parsed;
    this.answers = undefined;
    const script = scriptView(file, parsed);
    return this.update({ phase: 'check-in', script, participants: [], steps: script.steps.map((s) => ({ ...s, status: 'pending', notes: [] })), log: [], outcome: null, error: null });
  }

  /** A path typed in the app, relative to the bundle's base folder (an absolute one inside it is made relative). */
  private relativePath(p: string): string {
    return relativeTo(this.view.bundle!.baseFolder, p);
  }

  /** A trustee's printed share card read at the check-in (saveScannedShareCard). */
  async readShareCard(scan: ShareCardScan): Promise<ShareCardReadView> {
    this.requireIdle();
    const bundle = this.view.bundle;
    if (!bundle || this.view.phase !== 'check-in') throw new KeyriteError('USAGE', 'Open the bundle and choose the recovery script first; cards are read during the check-in.');
    return saveScannedShareCard(bundle, this.originalFingerprint, scan);
  }

  async checkIn(form: RecoveryCheckInForm): Promise<RecoveryView> {
    this.requireIdle();
    const parsed = this.parsed;
    const bundle = this.view.bundle;
    if (!parsed || !bundle || !this.bundleDir) throw new KeyriteError('USAGE', 'Open the bundle and choose the recovery script first.');
    const s = parsed.script;
    const names = [form.administrator, ...form.witnesses, ...form.trustees.map((t) => t.name)];
    if (names.some((n) => n.trim().length === 0)) throw new KeyriteError('ANSWERS_INVALID', 'Every participant needs a name: fill in each name field.');
    if (form.trustees.length !== (s.roles.trustee ?? 0)) throw new KeyriteError('ANSWERS_INVALID', `This script needs exactly ${s.roles.trustee ?? 0} trustees; ${form.trustees.length} ${form.trustees.length === 1 ? 'is' : 'are'} checked in. Tick exactly ${s.roles.trustee ?? 0} trustees.`);
    if (form.witnesses.length !== (s.roles.witness ?? 0)) throw new KeyriteError('ANSWERS_INVALID', `This script needs exactly ${s.roles.witness ?? 0} witnesses.`);
    for (const t of form.trustees) {
      if (!bundle.trustees.some((x) => x.id === t.id)) throw new KeyriteError('ANSWERS_INVALID', `${t.id} is not a trustee of the original ceremony.`);
      if (t.keyring.trim().length === 0 || t.envelope.trim().length === 0 || t.token.trim().length === 0) throw new KeyriteError('ANSWERS_INVALID', `${t.name.trim() || t.id} needs a token, a keyring file and a share envelope file.`);
    }
    const trust = typedFingerprint(form.trust, this.originalFingerprint, {
      missing: 'Type the master fingerprint the quorum read aloud (64 hex digits or the 16 words): it anchors the bundle.',
      mismatch: 'The fingerprint typed does not match the master key of this bundle. Compare it with the paper record digit by digit; if it still differs, this is not the bundle of that ceremony: stop.',
    });
    const tokenChoice = await tokenChooser(this.o.listTokens, bundle.baseFolder);
    const master = tokenChoice(form.masterToken, 'the new master key');
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
    });
    this.answers = parseAnswers(utf8(text), parsed);
    const participants = [
      { id: 'admin', name: form.administrator.trim(), role: 'administrator' as const, token: master.label, tokenSerial: master.serial },
      ...trustees.map((t) => ({ id: t.id, name: t.name, role: 'trustee' as const, token: t.token.label, tokenSerial: t.token.serial })),
      ...form.witnesses.map((w, i) => ({ id: `witness-${i + 1}`, name: w.trim(), role: 'witness' as const, token: null, tokenSerial: null })),
    ];
    return this.update({ phase: 'ready', participants, error: null });
  }

  start(): RecoveryView {
    this.requireIdle();
    const parsed = this.parsed;
    const answers = this.answers;
    if (!parsed || !answers || !this.bundleDir || this.view.phase !== 'ready') throw new KeyriteError('USAGE', 'Check the quorum in before starting the recovery.');
    const v = this.update({
      phase: 'running',
      log: [],
      error: null,
      outcome: null,
      current: null,
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
      const runDir = await mkdtemp(join(this.o.workRoot, 'recovery-'));
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
      const r = await runRecovery({ parsed, answers, env: environment });
      this.bundleOut = join(runDir, r.bundle.path);
      this.update({ phase: 'done', prompt: null, current: null, outcome: this.outcome(r, env.files.display(r.bundle), runDir) });
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

  private outcome(r: RecoveryOutcome, bundleFolder: string, runFolder: string): RecoveryOutcomeView {
    return {
      recoveryId: r.recoveryId,
      originalCeremonyId: r.original.ceremonyId,
      anchored: r.anchored,
      fingerprint: { hex: r.recoveredFingerprint, ...readableFingerprint(r.recoveredFingerprint) },
      matchesOriginal: r.recoveredFingerprint === this.originalFingerprint,
      used: [...r.used],
      restored: { keyLabel: r.restored.label, tokenLabel: r.restored.token.label, serial: r.restored.token.serial },
      bundleFolder,
      runFolder,
      exportChecks: { passed: r.exportChecks.filter((c) => c.ok).length, total: r.exportChecks.length },
      exportedTo: null,
    };
  }

  /** Copies the recovery bundle into a folder the main process picker chose (never over anything there) and checks the copy as `keyrite verify` would. */
  async exportBundle(): Promise<RecoveryView> {
    const o = this.view.outcome;
    if (this.view.phase !== 'done' || !o || !this.bundleOut) throw new KeyriteError('USAGE', 'The recovery bundle can be exported once the recovery is complete.');
    const folder = await this.o.pickExportFolder();
    if (folder === undefined) return this.state();
    const name = `keyrite-recovery-${o.recoveryId}`;
    const target = join(folder, name);
    try {
      await cp(this.bundleOut, target, { recursive: true, errorOnExist: true, force: false });
    } catch (e) {
      if ((e as { code?: string }).code === 'ERR_FS_CP_EEXIST') throw new KeyriteError('OBJECT_EXISTS', `${target} already exists; Keyrite never overwrites a bundle. Choose another folder.`);
      throw new KeyriteError('IO_ERROR', `Keyrite could not write the recovery bundle to ${folder}. Check the folder is writable (and the disk not full), then export again.`);
    }
    const report = verifyBundle(await readBundleDirectory(target), { crypto: NATIVE_VERIFIER_CRYPTO, trust: o.fingerprint.hex });
    const failed = report.checks.filter((c) => c.status !== 'pass');
    if (report.verdict !== 'valid' || failed.length > 0) throw new KeyriteError('VERIFY_FAILED', `The exported copy at ${target} failed its check (${failed.map((c) => c.name).join(', ') || 'anchor'}). Do not use it; export again to another folder.`);
    return this.update({ outcome: { ...o, exportedTo: target } });
  }


  stop(): RecoveryView {
    if (this.view.phase !== 'running' || !this.prompts.waiting) throw new KeyriteError('USAGE', 'The recovery can be stopped while it waits for a PIN or a witness.');
    this.prompts.stop(new KeyriteError('CEREMONY_ERROR', 'The recovery was stopped in the app. Nothing was combined or restored after the last completed step; start it again from the beginning.'));
    return this.state();
  }

  reset(): RecoveryView {
    this.requireIdle();
    this.bundleDir = undefined;
    this.bundleOut = undefined;
    this.parsed = undefined;
    this.answers = undefined;
    return this.update(emptyView());
  }
}
