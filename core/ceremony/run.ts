/**
 * The state of one run of a root-keygen ceremony, shared by the actions (actions/*.ts):
 * the transcript writer, the token sessions, the trustees' public identities, the master
 * key material while it exists, and the helpers every action uses to record what it did.
 *
 * Secret material lives only here, only as long as needed, and is wiped by wipeSecrets():
 *  - entropy source bytes (until generate), the master seed S (until the split),
 *  - the master Ed25519 seed (until it is imported into the master token),
 *  - the master ML-DSA-65 secret key (until the last signature),
 *  - trustee seeds and derived secret keys (only inside withTrusteeKeys, wiped on return).
 * PINs are fetched for one login and dropped. Nothing secret goes to the transcript,
 * progress events, files or error messages.
 */
import { KeyriteError } from '../errors.ts';
import { ed25519Sign } from '../crypto/ed25519.ts';
import { makeHybridSigner, type HybridPublicKey, type HybridSigner } from '../crypto/hybrid.ts';
import { mldsa65Sign } from '../crypto/mldsa65.ts';
import { wipe } from '../crypto/wipe.ts';
import type { EntropySource } from '../crypto/entropy.ts';
import type { EscrowManifest } from '../escrow/manifest.ts';
import type { ShareEnvelope } from '../escrow/envelope.ts';
import type { KeyRef, KeyriteToken, TokenDescription } from '../tokens/token.ts';
import type { TranscriptWriter } from '../transcript/transcript.ts';
import type { EntryBody } from '../transcript/entry.ts';
import type { AdministratorAnswers, Answers, PaperTrusteeAnswers, PinSource, TokenChoice, TrusteeAnswers, WitnessAnswers } from './answers.ts';
import type { CeremonyScript, CeremonyStep, ParsedCeremonyScript } from '../script/script.ts';
import type { CeremonyEnvironment, CeremonyOptions, ProgressEvent } from './types.ts';
import { type JournalState } from './journal.ts';
import { openSealedTrusteeKeys, type TrusteeKeyring } from './keyring.ts';
import { ENTRY, type TokenRecord, type TrusteeRecord } from '../bundle/entries.ts';

export function tokenRecordOf(d: TokenDescription): TokenRecord {
  return { uri: d.uri, label: d.label, serial: d.serial, model: d.model, manufacturer: d.manufacturer, rehearsalOnly: d.rehearsalOnly };
}

export interface TokenSession {
  readonly key: string;
  readonly who: string;
  readonly target: 'master' | 'trustee';
  readonly participantId?: string;
  readonly choice: TokenChoice;
  readonly pin: PinSource;
  token: KeyriteToken;
  desc: TokenDescription;
  selectedRecorded: boolean;
  /** A rehearsal software token this run created because the answers named a file that was not there. */
  readonly created?: true;
}

export interface MasterState {
  publicKey: HybridPublicKey;
  fingerprint: string;
  /** Until the import step; then wiped and signing goes through the token. */
  edSeed?: Uint8Array;
  mldsaSecretKey?: Uint8Array;
  tokenRef?: KeyRef;
}

export interface RunInit {
  parsed: ParsedCeremonyScript;
  answers: Answers;
  env: CeremonyEnvironment;
  options: CeremonyOptions;
  writer: TranscriptWriter;
  ceremonyId: string;
  origin: string;
  runNumber: number;
  previous?: JournalState;
  clock: () => Date;
}

export class CeremonyRun {
  readonly parsed: ParsedCeremonyScript;
  readonly script: CeremonyScript;
  readonly answers: Answers;
  readonly env: CeremonyEnvironment;
  readonly options: CeremonyOptions;
  readonly writer: TranscriptWriter;
  readonly ceremonyId: string;
  readonly origin: string;
  readonly runNumber: number;
  /** What the earlier runs of this ceremony left; replaced (never changed) when a resume records more. */
  previous: JournalState | undefined;
  readonly clock: () => Date;
  readonly admin: AdministratorAnswers;
  readonly witnesses: readonly WitnessAnswers[];
  /**
   * Trustees with their tokens (they open envelopes and co-sign). A reshare narrows it per phase
   * (kinds/reshare.ts): the old holders while they unlock, then the holders of the new epoch.
   */
  trusteeAnswers: readonly TrusteeAnswers[];
  /** Trustees without a token, offering their share from paper words (they sign nothing); none once a reshare's new epoch begins. */
  paperTrustees: readonly PaperTrusteeAnswers[];
  readonly sessions = new Map<string, TokenSession>();
  readonly trustees = new Map<string, TrusteeRecord>();
  readonly keyrings = new Map<string, TrusteeKeyring>();
  /** Trustees whose identity was checked against their token in this run. */
  readonly trusteesVerified = new Set<string>();
  master: MasterState | undefined;
  entropy: EntropySource[] | undefined;
  seed: Uint8Array | undefined;
  manifest: EscrowManifest | undefined;
  manifestBytes: Uint8Array | undefined;
  envelopes: Map<string, ShareEnvelope> = new Map();
  receipts = new Map<string, Record<string, unknown>>();
  distributed = new Map<string, string>();
  /** Checkpoint notes written in this ceremony (file names under journal/checkpoints), in order. */
  readonly checkpointNotes: { phase: string; file: string }[] = [];
  /** Step currently running, for step.failed. */
  currentStep: CeremonyStep | undefined;
  keyInFlight = false;
  /** ceremony.end is written: the transcript takes no more entries. */
  sealed = false;

  constructor(init: RunInit) {
    this.parsed = init.parsed;
    this.script = init.parsed.script;
    this.answers = init.answers;
    this.env = init.env;
    this.options = init.options;
    this.writer = init.writer;
    this.ceremonyId = init.ceremonyId;
    this.origin = init.origin;
    this.runNumber = init.runNumber;
    this.previous = init.previous;
    this.clock = init.clock;
    const admin = init.answers.participants.find((p): p is AdministratorAnswers => p.role === 'administrator');
    if (!admin) throw new KeyriteError('ANSWERS_INVALID', 'The answers file names no administrator.');
    this.admin = admin;
    this.witnesses = init.answers.participants.filter((p): p is WitnessAnswers => p.role === 'witness');
    this.trusteeAnswers = init.answers.participants.filter((p): p is TrusteeAnswers => p.role === 'trustee');
    this.paperTrustees = init.answers.participants.filter((p): p is PaperTrusteeAnswers => p.role === 'paper-trustee');
  }

  get deterministic(): boolean {
    return this.options.mldsaSigning === 'deterministic';
  }

  /**
   * Appends one entry; resolves once it is durable. After ceremony.end the transcript is
   * sealed (the final checkpoint and the statement sign it as it is): nothing more is written.
   */
  async record(type: string, actor: string, body: EntryBody): Promise<void> {
    if (this.sealed) return;
    await this.writer.append(type, actor, body);
  }

  progress(e: ProgressEvent): void {
    try {
      this.env.progress(e);
    } catch {
      // A display problem must never stop or change a ceremony.
    }
  }

  trustee(id: string): TrusteeAnswers {
    const t = this.trusteeAnswers.find((x) => x.id === id);
    if (!t) throw new KeyriteError('CEREMONY_ERROR', `There is no trustee "${id}" in the answers file.`);
    return t;
  }

  trusteeRecord(id: string): TrusteeRecord {
    const r = this.trustees.get(id);
    if (!r) throw new KeyriteError('CEREMONY_ERROR', `Trustee "${id}" has not checked in yet; the script's check-in step must come first.`);
    return r;
  }

  whoIs(id: string): string {
    const p = this.answers.participants.find((x) => x.id === id);
    return p ? `${p.name} (${p.id})` : id;
  }

  session(key: string): TokenSession {
    const s = this.sessions.get(key);
    if (!s) throw new KeyriteError('CEREMONY_ERROR', key === 'master' ? 'The master token has not been selected yet; the script must select it first.' : `The token of ${this.whoIs(key)} is not open.`);
    return s;
  }

  /** Logs into a session's token if needed (PIN from the answers' source), recording the login. */
  async ensureLoggedIn(s: TokenSession, actor: string, step: string | undefined): Promise<void> {
    if (s.token.isLoggedIn()) return;
    s.desc = await s.token.describe();
    // The PIN lives in this one call only; JavaScript strings cannot be wiped.
    await s.token.login(await this.env.pins.get({ participantId: s.participantId ?? 'master', who: s.who, source: s.pin, token: s.desc }));
    await this.record(ENTRY.tokenLogin, actor, {
      ...(step ? { step } : {}),
      target: s.target,
      ...(s.participantId ? { participantId: s.participantId } : {}),
      token: tokenRecordOf(s.desc),
      pinSource: s.pin.kind,
    });
  }

  mldsaOptions(): { random?: 'deterministic' } {
    return this.deterministic ? { random: 'deterministic' } : {};
  }

  /**
   * Unseals the trustee's seed with their token, derives their ML-DSA-65 and X-Wing keys,
   * checks they are the recorded ones, and runs `fn` with a hybrid signer (token classical +
   * derived ML-DSA-65) and the X-Wing secret key. Every secret is wiped when `fn` returns.
   */
  async withTrusteeKeys<T>(id: string, step: string | undefined, fn: (k: { signer: HybridSigner; xwingSecretKey: Uint8Array; record: TrusteeRecord }) => Promise<T>): Promise<T> {
    const record = this.trusteeRecord(id);
    const keyring = this.keyrings.get(id);
    if (!keyring) throw new KeyriteError('CEREMONY_ERROR', `The keyring of ${this.whoIs(id)} is not loaded.`);
    const s = this.session(id);
    await this.ensureLoggedIn(s, id, step);
    const keys = await openSealedTrusteeKeys(s.token, keyring, { pq: record.publicKey.pq.publicKey, xwing: record.xwingPublicKey });
    if (!keys) throw new KeyriteError('VERIFY_FAILED', `The seed sealed in the keyring of ${this.whoIs(id)} no longer derives the keys recorded at check-in; the keyring or the token is not the one enrolled.`);
    try {
      const sk = keys.mldsa65.secretKey;
      const opts = this.mldsaOptions();
      const token = s.token;
      const signer = makeHybridSigner(
        { alg: record.publicKey.classical.alg, publicKey: record.publicKey.classical.publicKey, sign: (m) => token.sign(record.signingRef, m) },
        { publicKey: record.publicKey.pq.publicKey, sign: (m) => mldsa65Sign(sk, m, opts) },
      );
      return await fn({ signer, xwingSecretKey: keys.xwing.secretKey, record });
    } finally {
      wipe(keys.mldsa65.secretKey, keys.xwing.secretKey);
    }
  }

  /** The master key's hybrid signer: classical on the master token once imported (software before), ML-DSA-65 in memory. */
  masterSigner(): HybridSigner {
    const m = this.master;
    if (!m || !m.mldsaSecretKey) throw new KeyriteError('CEREMONY_ERROR', 'The master key does not exist in this run yet; the script must generate it first.');
    const sk = m.mldsaSecretKey;
    const opts = this.mldsaOptions();
    let classicalSign: (msg: Uint8Array) => Promise<Uint8Array>;
    if (m.tokenRef) {
      const s = this.session('master');
      const ref = m.tokenRef;
      classicalSign = async (msg) => {
        // A resumed run that only re-signs has no login step: log in on first use.
        await this.ensureLoggedIn(s, this.admin.id, undefined);
        return s.token.sign(ref, msg);
      };
    } else if (m.edSeed) {
      const seed = m.edSeed;
      classicalSign = async (msg) => ed25519Sign(seed, msg);
    } else {
      throw new KeyriteError('CEREMONY_ERROR', 'The master key has no classical half available.');
    }
    return makeHybridSigner({ alg: 'Ed25519', publicKey: m.publicKey.classical.publicKey, sign: classicalSign }, { publicKey: m.publicKey.pq.publicKey, sign: (msg) => mldsa65Sign(sk, msg, opts) });
  }

  /** The facts every kind's bundle is built from that come straight from the script and the run. */
  async bundleBasics(): Promise<{ ceremonyId: string; script: CeremonyScript; scriptBytes: Uint8Array; scriptSha256: string; witnessSteps: string[]; witnesses: number; verifierPage: Uint8Array }> {
    return {
      ceremonyId: this.ceremonyId,
      script: this.script,
      scriptBytes: this.parsed.bytes,
      scriptSha256: this.parsed.hashHex,
      witnessSteps: this.script.steps.filter((s) => s.witness).map((s) => s.id),
      witnesses: this.witnesses.length,
      verifierPage: await this.env.verifierPage(),
    };
  }

  /** Every trustee recorded (checked in), in answers order. */
  checkedInTrustees(): TrusteeRecord[] {
    return this.trusteeAnswers.map((t) => this.trustees.get(t.id)).filter((r): r is TrusteeRecord => r !== undefined);
  }

  wipeSecrets(): void {
    for (const s of this.entropy ?? []) wipe(s.bytes);
    this.entropy = undefined;
    wipe(this.seed);
    this.seed = undefined;
    if (this.master) {
      wipe(this.master.edSeed, this.master.mldsaSecretKey);
      this.master.edSeed = undefined;
      this.master.mldsaSecretKey = undefined;
    }
  }

  async closeSessions(): Promise<void> {
    for (const s of this.sessions.values()) {
      try {
        await s.token.close();
      } catch {
        // Closing is best effort; the process ends soon after.
      }
    }
    this.sessions.clear();
  }
}
