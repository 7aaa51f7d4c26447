/**
 * One key rotation in the app, in the main process (docs/APP-SHELL.md "Rotation screen"): the
 * current bundle (the root bundle or the last rotation bundle, read and verified here; its
 * master fingerprint stays here until the quorum has typed it from paper), the key states it
 * publishes (shown without fingerprints), the rotation script, every trustee of the current
 * bundle checked in (the same data as a rotation answers file, built here and validated by
 * parseAnswers), and a run of the same engine as `keyrite ceremony run` of a rotation script
 * (core/ceremony/kinds/rotation.ts) whose PIN prompts and witness confirmations wait for the
 * window (PromptBroker). At cross-sign the view carries both fingerprints, old and new, for the
 * room to read aloud side by side before the witness confirms. A rotation is never resumed
 * (the engine refuses it), so there is no interrupted-runs listing here.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { KeyriteError, isKeyriteError } from '../../core/errors.ts';
import { utf8 } from '../../core/bytes.ts';
import { CeremonyFileError, type ParsedCeremonyScript } from '../../core/script/script.ts';
import { parseAnswers, type Answers } from '../../core/ceremony/answers.ts';
import { encodeAnswers } from '../../core/ceremony/answers-writer.ts';
import { runRotation, type RotationOutcome } from '../../core/ceremony/kinds/rotation.ts';
import type { ProgressEvent } from '../../core/ceremony/types.ts';
import type { KeyriteToken } from '../../core/tokens/token.ts';
import type { NetworkInterfaceInfo } from '../../core/airgap/status.ts';
import { parseKeyStates, stateAt } from '../../core/bundle/key-states.ts';
import { KEY_STATES_FILE, TRANSCRIPT_FILE } from '../../core/bundle/layout.ts';
import { readableFingerprint } from '../../core/bundle/principals.ts';
import { readTranscript } from '../../core/transcript/transcript.ts';
import { createNodeCeremonyEnvironment, type NodeCeremonyEnvironment } from '../../core/node/ceremony-environment.ts';
import type { ParticipantView, RotationCheckInForm, RotationKeyView, RotationOutcomeView, RotationView, ScriptSource, ShippedScript, TokenSummary } from '../../core/ipc/contract.ts';
import { ViewSession, loadScript, shippedScripts } from './view-session.ts';
import { scriptView, simulatedDice } from './ceremony-session.ts';
import { readOriginalBundle, shareEvent } from './recovery-session.ts';
import { relativeTo, tokenChooser, typedFingerprint } from './quorum-check-in.ts';

export interface RotationSessionOptions {
  /** Where run folders are created. */
  workRoot: string;
  /** The shipped ceremony-scripts/ folder. */
  scriptsDir: string;
  softwareDir?: string;
  modulePath?: string;
  listTokens(): Promise<TokenSummary[]>;
  /** The main process folder picker for the current bundle; undefined when cancelled. */
  pickBundleFolder(): Promise<string | undefined>;
  /** The main process file picker for a script; undefined when cancelled. */
  pickScriptFile(): Promise<string | undefined>;
  publish(view: RotationView): void;
  networkInterfaces?: () => NetworkInterfaceInfo[];
  /** The bundle's verifier/verify.html; the Electron main passes it. */
  verifierPage?: () => Promise<Uint8Array>;
  /** "Now", for the key states at a glance (default: the system clock). */
  clock?: () => Date;
  logError?: (error: unknown) => void;
}

function emptyView(): RotationView {
  return { phase: 'bundle', bundle: null, chain: null, script: null, participants: [], steps: [], log: [], prompt: null, current: null, shares: { accepted: 0, needed: 0, events: [] }, crossSign: null, outcome: null, error: null };
}

function sentence(e: unknown): string {
  if (e instanceof CeremonyFileError) return `The check-in was refused: ${e.issues.map((i) => i.message).join('; ')}.`;
  if (isKeyriteError(e)) return e.message;
  return 'Keyrite hit an unexpected internal error; the rotation stopped. A rotation is never resumed: its new key must not be used; start again in a new run.';
}

/** The key states the current bundle publishes (a rotation bundle), or its own key alone (the root bundle), as of `now`; no fingerprints. */
async function currentKeys(folder: string, ceremonyId: string, now: Date): Promise<{ kind: string; keys: RotationKeyView[] }> {
  const entries = readTranscript(new Uint8Array(await readFile(join(folder, TRANSCRIPT_FILE)))).entries;
  const kind = String(entries[0]!.body.kind);
  if (kind !== 'rotation') return { kind, keys: [{ ceremonyId, state: 'active', since: entries.at(-1)!.time, until: null, revokedAt: null }] };
  const states = parseKeyStates(new Uint8Array(await readFile(join(folder, KEY_STATES_FILE))));
  const at = now.toISOString();
  return { kind, keys: states.keys.map((k) => ({ ceremonyId: k.ceremonyId, state: stateAt(k, at), since: k.since, until: k.until ?? null, revokedAt: k.revokedAt ?? null })) };
}

export class RotationSession extends ViewSession<RotationView> {
  private bundleDir: string | undefined;
  /** The current bundle's master fingerprint (not in the view until the quorum has typed it). */
  private currentFingerprint: string | null = null;
  private parsed: ParsedCeremonyScript | undefined;
  private answers: Answers | undefined;

  constructor(private readonly o: RotationSessionOptions) {
    super(emptyView(), (v) => o.publish(v), 'A rotation is running: stop it first.');
  }

  scripts(): Promise<ShippedScript[]> {
    return shippedScripts(this.o.scriptsDir, 'rotation');
  }

  async openBundle(): Promise<RotationView> {
    this.requireIdle();
    const folder = await this.o.pickBundleFolder();
    if (folder === undefined) return this.state();
    const { view: bundle, masterFingerprint } = await readOriginalBundle(folder, ['root-keygen', 'rotation']);
    const valid = bundle.verdict === 'valid' && bundle.quorum !== null;
    this.bundleDir = folder;
    this.currentFingerprint = masterFingerprint;
    this.parsed = undefined;
    this.answers = undefined;
    const chain = valid ? await currentKeys(folder, bundle.ceremonyId ?? '', (this.o.clock ?? (() => new Date()))()) : null;
    return this.update({ ...emptyView(), phase: valid ? 'script' : 'bundle', bundle, chain, shares: { accepted: 0, needed: bundle.quorum?.t ?? 0, events: [] } });
  }

  async load(source: ScriptSource): Promise<RotationView> {
    this.requireIdle();
    if (!this.bundleDir || this.view.bundle?.verdict !== 'valid') throw new KeyriteError('USAGE', 'Open the current bundle first (the root bundle, or the last rotation bundle).');
    const loaded = await loadScript(source, this.o, 'rotation', 'key rotations');
    if (loaded === undefined) return this.state();
    this.parsed = loaded.parsed;
    this.answers = undefined;
    const script = scriptView(loaded.file, loaded.parsed);
    return this.update({ phase: 'check-in', script, participants: [], steps: script.steps.map((s) => ({ ...s, status: 'pending', notes: [] })), log: [], crossSign: null, outcome: null, error: null });
  }

  async checkIn(form: RotationCheckInForm): Promise<RotationView> {
    this.requireIdle();
    const parsed = this.parsed;
    const bundle = this.view.bundle;
    if (!parsed || !bundle || !this.bundleDir || (this.view.phase !== 'check-in' && this.view.phase !== 'ready')) throw new KeyriteError('USAGE', 'Open the current bundle and choose the rotation script first.');
    const s = parsed.script;
    const names = [form.administrator, ...form.witnesses, ...form.trustees.map((t) => t.name)];
    if (names.some((n) => n.trim().length === 0)) throw new KeyriteError('ANSWERS_INVALID', 'Every participant needs a name: fill in each name field.');
    const needed = s.roles.trustee ?? 0;
    if (form.trustees.length !== needed) throw new KeyriteError('ANSWERS_INVALID', `This script needs exactly ${needed} trustees; ${form.trustees.length} ${form.trustees.length === 1 ? 'is' : 'are'} checked in. Every trustee of the current bundle checks in for a rotation.`);
    if (form.witnesses.length !== (s.roles.witness ?? 0)) throw new KeyriteError('ANSWERS_INVALID', `This script needs exactly ${s.roles.witness ?? 0} witnesses.`);
    for (const t of form.trustees) {
      if (!bundle.trustees.some((x) => x.id === t.id)) throw new KeyriteError('ANSWERS_INVALID', `${t.id} is not a trustee of the current bundle.`);
      if ([t.token, t.keyring, t.envelope, t.output].some((v) => v.trim().length === 0)) throw new KeyriteError('ANSWERS_INVALID', `${t.name.trim() || t.id} needs a token, a keyring file, a share envelope file and a new, empty folder for the new share.`);
    }
    const trust = typedFingerprint(form.trust, this.currentFingerprint, {
      missing: 'Type the CURRENT master fingerprint from the paper record (of the root ceremony, or of the last rotation): 64 hex digits or the 16 words. It anchors the bundle.',
      mismatch: 'The fingerprint typed does not match the master key of this bundle. Compare it with the paper record digit by digit; if it still differs, this is not the current bundle: stop.',
    });
    const minDice = this.view.script?.minDice ?? null;
    if (form.simulateDice && s.mode !== 'rehearsal') throw new KeyriteError('ANSWERS_INVALID', 'Simulated dice are for rehearsals only: each trustee rolls real dice in a live rotation.');
    const dice = (typed: string): string => (form.simulateDice && minDice !== null ? simulatedDice(minDice) : typed.trim());
    const base = bundle.baseFolder;
    const tokenChoice = await tokenChooser(this.o.listTokens, base);
    const master = tokenChoice(form.masterToken, 'the new master key');
    const trustees = form.trustees.map((t) => ({ id: t.id, name: t.name.trim(), token: tokenChoice(t.token, t.name.trim()), keyring: relativeTo(base, t.keyring), envelope: relativeTo(base, t.envelope), output: relativeTo(base, t.output), dice: dice(t.dice) }));
    if (minDice !== null && trustees.every((t) => t.dice.length === 0)) {
      throw new KeyriteError('ANSWERS_INVALID', `This script mixes the trustees' dice into the new master key: at least one trustee types their rolls (at least ${minDice} rolls of 1 to 6, separated by spaces).`);
    }
    const text = encodeAnswers({
      scriptSha256: parsed.hashHex,
      participants: [
        { id: 'admin', name: form.administrator.trim(), role: 'administrator' },
        ...trustees.map((t) => ({ id: t.id, name: t.name, role: 'trustee' as const, token: t.token.entry, pin: { prompt: true as const }, keyring: t.keyring, envelope: t.envelope, output: t.output, ...(minDice !== null && t.dice.length > 0 ? { dice: t.dice } : {}) })),
        ...form.witnesses.map((w, i) => ({ id: `witness-${i + 1}`, name: w.trim(), role: 'witness' as const })),
      ],
      master: { token: master.entry, pin: { prompt: true } },
      bundle: { path: relativeTo(base, this.bundleDir), trust },
    });
    this.answers = parseAnswers(utf8(text), parsed);
    const participants: ParticipantView[] = [
      { id: 'admin', name: form.administrator.trim(), role: 'administrator', token: master.label, tokenSerial: master.serial },
      ...trustees.map((t) => ({ id: t.id, name: t.name, role: 'trustee' as const, token: t.token.label, tokenSerial: t.token.serial })),
      ...form.witnesses.map((w, i) => ({ id: `witness-${i + 1}`, name: w.trim(), role: 'witness' as const, token: null, tokenSerial: null })),
    ];
    return this.update({ phase: 'ready', participants, error: null });
  }

  start(): RotationView {
    this.requireIdle();
    const parsed = this.parsed;
    const answers = this.answers;
    if (!parsed || !answers || !this.bundleDir || this.view.phase !== 'ready') throw new KeyriteError('USAGE', 'Check every trustee in before starting the rotation.');
    const v = this.update({
      phase: 'running',
      log: [],
      error: null,
      outcome: null,
      current: null,
      crossSign: null,
      shares: { accepted: 0, needed: this.view.bundle?.quorum?.t ?? 0, events: [] },
      steps: this.view.steps.map((s) => ({ ...s, status: 'pending', notes: [] })),
    });
    void this.run(parsed, answers, this.bundleDir);
    return v;
  }

  private async run(parsed: ParsedCeremonyScript, answers: Answers, bundleDir: string): Promise<void> {
    let env: NodeCeremonyEnvironment | undefined;
    const opened: KeyriteToken[] = [];
    try {
      const runDir = await mkdtemp(join(this.o.workRoot, 'rotation-'));
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
      const r = await runRotation({ parsed, answers, env: environment });
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
    // Both keys, once the key states are fixed: the old one was typed at check-in, the new one is read aloud beside it.
    const k = e.keyStates;
    const crossSign = k && e.stepId ? { stepId: e.stepId, at: k.at, until: k.until, previous: { hex: k.previous, ...readableFingerprint(k.previous) }, next: { hex: k.next, ...readableFingerprint(k.next) } } : this.view.crossSign;
    this.update({ ...this.progressChange(e), shares, crossSign });
  }

  private outcome(r: RotationOutcome, env: NodeCeremonyEnvironment, runDir: string): RotationOutcomeView {
    return {
      ceremonyId: r.ceremonyId,
      originalCeremonyId: r.original.ceremonyId,
      anchored: r.anchored,
      previous: { hex: r.previous.fingerprint, hexGroups: r.previous.hexGroups, words: [...r.previous.words], until: r.previous.until },
      next: { hex: r.master.fingerprint, hexGroups: r.master.hexGroups, words: [...r.master.words], keyLabel: r.master.keyLabel },
      rotatedAt: r.rotatedAt,
      used: [...r.used],
      trustees: r.trustees.map((t) => ({ id: t.id, name: t.name, files: [...t.files] })),
      bundleFolder: env.files.display(r.bundle),
      runFolder: runDir,
      exportChecks: { passed: r.exportChecks.filter((c) => c.ok).length, total: r.exportChecks.length },
    };
  }

  stop(): RotationView {
    if (this.view.phase !== 'running' || !this.prompts.waiting) throw new KeyriteError('USAGE', 'The rotation can be stopped while it waits for a PIN or a confirmation.');
    this.prompts.stop(new KeyriteError('CEREMONY_ERROR', 'The rotation was stopped in the app. A rotation is never resumed: if its new key was already made, it must never be used (destroy it and the new envelopes); start the rotation again in a new run.'));
    return this.state();
  }

  reset(): RotationView {
    this.requireIdle();
    this.bundleDir = undefined;
    this.currentFingerprint = null;
    this.parsed = undefined;
    this.answers = undefined;
    return this.update(emptyView());
  }
}
