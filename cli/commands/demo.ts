/**
 * `keyrite demo --out DIR [--json]`: a full rehearsal of the root key ceremony on embedded
 * software tokens (rehearsal only), on any machine:
 *  - six software tokens (master + five trustees) with generated passphrases, plus an empty
 *    "new master" token for a later recovery rehearsal and one for a rotation rehearsal;
 *  - the shipped rehearsal script (ceremony-scripts/root-keygen-3of5-rehearsal.yaml) run by
 *    the same engine as `keyrite ceremony run`, with simulated dice for every trustee;
 *  - DIR/bundle (public) and the same bundle as one file, DIR/bundle.keyrite.tar, DIR/trustees/<id>/ (rehearsal token, keyring, envelope, paper words),
 *    DIR/recovery-answers.yaml (for `keyrite recover`), DIR/signing-answers.yaml and
 *    DIR/rotation-answers.yaml (for `keyrite ceremony run`), DIR/journal/;
 *  - the bundle and its archive verified again from disk, the master fingerprint printed.
 *
 * Passphrases (docs/CEREMONY-SCRIPTS.md "The demo"): random, held in memory for the run, and
 * written ONLY next to each rehearsal token, as DIR/.../REHEARSAL-ONLY-passphrase.env (mode
 * 0600), because a later `keyrite recover` rehearsal needs them and a rehearsal token file is
 * no secret anyway. Real ceremonies never write a PIN anywhere.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { EXIT, printJson, type Command } from '../command.ts';
import { KeyriteError, isKeyriteError } from '../../core/errors.ts';
import { toPlainBytes, utf8 } from '../../core/bytes.ts';
import { randomBytes } from '../../core/crypto/random.ts';
import { parseCeremonyScript, type ParsedCeremonyScript } from '../../core/script/script.ts';
import { parseAnswers } from '../../core/ceremony/answers.ts';
import { encodeAnswers, type ParticipantEntry } from '../../core/ceremony/answers-writer.ts';
import { checkArchiveHolds, checkBundleFolder } from '../../core/ceremony/bundle-check.ts';
import type { BundleCheck, CeremonyResult, ProgressEvent } from '../../core/ceremony/types.ts';
import { createNodeCeremonyEnvironment } from '../../core/node/ceremony-environment.ts';
import { fileTokenStore } from '../../core/node/software-token-file.ts';
import { SoftwareToken } from '../../core/tokens/software-token.ts';
import { SoftwareTokenKeySession } from '../../core/tokens/key-session.ts';
import type { ScryptParams } from '../../core/crypto/scrypt.ts';
import type { NetworkInterfaceInfo } from '../../core/airgap/status.ts';
import { ioError } from '../../core/node/durable-files.ts';
import { progressPrinter, resultJson, resultText } from './ceremony-output.ts';
import { runCeremony } from '../../core/ceremony/kinds/root-keygen.ts';
import { equalBytes } from '../../core/bytes.ts';
import { sha256 } from '../../core/crypto/hash.ts';
import { toHex } from '../../core/encoding/hex.ts';
import { EXAMPLE_ARTIFACT_NAME, exampleArtifactBytes, exampleSigningRequest } from '../../core/signing/example-request.ts';
import { DEMO_SPEC } from './specs.ts';

export const DEMO_SCRIPT = 'root-keygen-3of5-rehearsal.yaml';
export const RECOVERY_SCRIPT = 'escrow-recovery-rehearsal.yaml';
export const SIGNING_SCRIPT = 'signing-rehearsal.yaml';
/** What the demo writes for a signing rehearsal (docs/CEREMONY-SCRIPTS.md "The demo"). */
export const SIGNING_REQUEST = 'signing-request.json';
export const SIGNING_ANSWERS = 'signing-answers.yaml';
export const ROTATION_SCRIPT = 'rotation-rehearsal.yaml';
/** What the demo writes for a rotation rehearsal (docs/CEREMONY-SCRIPTS.md "The demo"). */
export const ROTATION_ANSWERS = 'rotation-answers.yaml';
/** The demo's empty rehearsal token a rotation generates its new master key on. */
export const ROTATION_TOKEN = 'rotation/new-master.keyrite-token';
export const REVOCATION_SCRIPT = 'revocation-rehearsal.yaml';
/** What the demo writes for a revocation rehearsal (docs/CEREMONY-SCRIPTS.md "The demo"). */
export const REVOCATION_ANSWERS = 'revocation-answers.yaml';
export const PAPER_RECOVERY_ANSWERS = 'recovery-paper-answers.yaml';
export const RESHARE_SCRIPT = 'reshare-rehearsal.yaml';
/** What the demo writes for a reshare rehearsal (docs/CEREMONY-SCRIPTS.md "The demo"). */
export const RESHARE_ANSWERS = 'reshare-answers.yaml';
/** The reshare rehearsal replaces trustee-5 (whose token is "lost") by a new trustee-6, whose empty token the demo makes. */
export const RESHARE_REPLACED = 'trustee-5';
export const RESHARE_NEW_TRUSTEE = { id: 'trustee-6', name: 'Heidi Trustee' } as const;
export const RESHARE_TOKEN = 'reshare/trustee-6/token.keyrite-token';
export const DEMO_TRUSTEES = [
  { id: 'trustee-1', name: 'Bob Trustee' },
  { id: 'trustee-2', name: 'Carol Trustee' },
  { id: 'trustee-3', name: 'Dave Trustee' },
  { id: 'trustee-4', name: 'Erin Trustee' },
  { id: 'trustee-5', name: 'Frank Trustee' },
] as const;
export const PASSPHRASE_FILE = 'REHEARSAL-ONLY-passphrase.env';
export const DEMO_DICE_ROLLS = 50;

export function pinVariable(who: string): string {
  return `KEYRITE_REHEARSAL_PIN_${who.toUpperCase().replace(/-/g, '_')}`;
}

/** The shipped ceremony-scripts folder, from the sources (cli/commands/) or the bundle (dist/cli/). */
export function shippedScript(name: string): URL {
  return new URL(`../../ceremony-scripts/${name}`, import.meta.url);
}

export async function readShipped(name: string): Promise<Uint8Array> {
  try {
    return toPlainBytes(await readFile(shippedScript(name)));
  } catch {
    throw new KeyriteError('IO_ERROR', `The shipped ceremony script ${name} is missing from this installation (${shippedScript(name).pathname}).`);
  }
}

/** 25 characters from a 32-letter alphabet (125 bits), in five groups: easy to type in a rehearsal. */
export function newPassphrase(random: (n: number) => Uint8Array): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789';
  const bytes = random(25);
  const chars = [...bytes].map((b) => alphabet[b & 31]!);
  bytes.fill(0);
  return [0, 5, 10, 15, 20].map((i) => chars.slice(i, i + 5).join('')).join('-');
}

/** Fair die rolls by rejection sampling. */
function dice(random: (n: number) => Uint8Array, count: number): string {
  const rolls: number[] = [];
  while (rolls.length < count) {
    for (const b of random(64)) {
      if (b < 252 && rolls.length < count) rolls.push((b % 6) + 1);
    }
  }
  return rolls.join(' ');
}

function passphraseFile(variable: string, value: string, what: string): string {
  return [
    '# REHEARSAL ONLY - written by `keyrite demo`.',
    `# The passphrase of ${what}, a rehearsal software token.`,
    '# A real ceremony never writes a PIN or passphrase anywhere; PINs come from the',
    '# environment or are typed at a prompt. Load it for a recovery rehearsal with:',
    `#   set -a; . ./${PASSPHRASE_FILE}; set +a`,
    `${variable}='${value}'`,
    '',
  ].join('\n');
}

export interface DemoOptions {
  outDir: string;
  progress?: (e: ProgressEvent) => void;
  /** Cheaper scrypt for tests; the CLI uses the software token's defaults. */
  scrypt?: ScryptParams;
  random?: (n: number) => Uint8Array;
  networkInterfaces?: () => NetworkInterfaceInfo[];
}

export interface DemoResult {
  result: CeremonyResult;
  outDir: string;
  bundle: string;
  /** The bundle's archive (DIR/bundle.keyrite.tar). */
  archive: string;
  journal: string;
  recoveryAnswers: string;
  signingRequest: string;
  signingAnswers: string;
  rotationAnswers: string;
  revocationAnswers: string;
  reshareAnswers: string;
  trusteeFolders: Record<string, string>;
  checks: BundleCheck[];
}

/** The demo's people around the trustees (the same in the ceremony and the recovery), and each trustee with their rehearsal token. */
function demoParticipants(trustees: readonly (typeof DEMO_TRUSTEES)[number][], files: (id: string) => Partial<ParticipantEntry>): ParticipantEntry[] {
  return [
    { id: 'admin', name: 'Alice Administrator', role: 'administrator' },
    ...trustees.map((t) => ({ id: t.id, name: t.name, role: 'trustee' as const, token: { software: `trustees/${t.id}/token.keyrite-token` }, pin: { env: pinVariable(t.id) }, ...files(t.id) })),
    { id: 'witness', name: 'Grace Witness', role: 'witness' },
  ];
}

function answersText(parsed: ParsedCeremonyScript, withDice: Map<string, string> | undefined): string {
  return encodeAnswers({
    comment: [
      'Answers for the Keyrite demo (rehearsal). PINs come from environment variables the demo',
      "sets in its own memory; the trustees' dice were simulated and are not written here (secret).",
    ],
    scriptSha256: parsed.hashHex,
    participants: demoParticipants(DEMO_TRUSTEES, (id) => ({ output: `trustees/${id}`, ...(withDice ? { dice: withDice.get(id)! } : {}) })),
    master: { token: { software: 'master/master.keyrite-token' }, pin: { env: pinVariable('master') } },
    confirm: parsed.script.steps.filter((s) => s.witness).map((s) => s.id),
  });
}

/** Answers for the rehearsal recovery script: trustees 1 to t with their envelopes, restoring onto `newMasterToken` (relative to the demo folder). */
export function recoveryAnswersText(recovery: ParsedCeremonyScript, fingerprint: string, newMasterToken: string): string {
  const picked = DEMO_TRUSTEES.slice(0, recovery.script.quorum?.t ?? 3);
  return encodeAnswers({
    comment: [
      'Answers for a recovery rehearsal of the Keyrite demo ceremony: three of the five trustees',
      'rebuild the master key on a new rehearsal token. `keyrite demo recover DIR` runs that rehearsal',
      'as often as you like (each run restores onto a fresh token in DIR/recoveries/N). This file is',
      `for running it by hand once, with \`keyrite recover ceremony-scripts/${RECOVERY_SCRIPT}\`: it restores`,
      'onto recovery/new-master.keyrite-token, and the PINs come from the environment. Paths are relative to this file.',
    ],
    participants: demoParticipants(picked, (id) => ({ keyring: `trustees/${id}/keyring.json`, envelope: `trustees/${id}/share-envelope.json` })),
    master: { token: { software: newMasterToken }, pin: { env: pinVariable('recovery') } },
    bundle: { path: 'bundle', trust: fingerprint },
    confirm: recovery.script.steps.filter((s) => s.witness).map((s) => s.id),
  });
}

/** The trustee whose token is "lost" in the paper-share rehearsal, and the variable their words come from. */
export const PAPER_DEMO_TRUSTEE = 'trustee-3';
export const PAPER_WORDS_VARIABLE = 'KEYRITE_PAPER_WORDS_TRUSTEE_3';

/** Answers for a recovery rehearsal with one paper share: trustees 1 and 2 with their tokens, trustee 3 from their paper words. */
export function paperRecoveryAnswersText(recovery: ParsedCeremonyScript, fingerprint: string, newMasterToken: string): string {
  const picked = DEMO_TRUSTEES.slice(0, recovery.script.quorum?.t ?? 3);
  return encodeAnswers({
    comment: [
      'Answers for a recovery rehearsal of the Keyrite demo ceremony in which trustee-3 has "lost" their token:',
      'trustees 1 and 2 open their envelopes with their tokens, trustee-3 types the 34 paper-backup words',
      `(here from the environment variable ${PAPER_WORDS_VARIABLE}, or change it to paper-words: { prompt: true }).`,
      'The witness attests the paper share; trustee-3 signs nothing. Restores onto recovery-paper/new-master.keyrite-token.',
      'Paper words never go in this file. Paths are relative to this file.',
    ],
    participants: demoParticipants(picked, (id) => ({ keyring: `trustees/${id}/keyring.json`, envelope: `trustees/${id}/share-envelope.json` })).map((p) =>
      p.id === PAPER_DEMO_TRUSTEE ? { id: p.id, name: p.name, role: p.role, paperWords: { env: PAPER_WORDS_VARIABLE } } : p,
    ),
    master: { token: { software: newMasterToken }, pin: { env: pinVariable('recovery-paper') } },
    bundle: { path: 'bundle', trust: fingerprint },
    confirm: recovery.script.steps.filter((s) => s.witness).map((s) => s.id),
  });
}

/** Answers for the rehearsal signing script: trustees 1 to t unlock the master key on the demo's master token to sign `request`. */
export function signingAnswersText(signing: ParsedCeremonyScript, fingerprint: string, requestSha256: string): string {
  const picked = DEMO_TRUSTEES.slice(0, signing.script.quorum?.t ?? 3);
  return encodeAnswers({
    comment: [
      'Answers for a signing rehearsal of the Keyrite demo ceremony: three of the five trustees unlock the',
      `master key on the demo's master token to sign ${SIGNING_REQUEST} (two operational keys and one artifact).`,
      `Run it with \`keyrite ceremony run ceremony-scripts/${SIGNING_SCRIPT} --answers ${SIGNING_ANSWERS} --out <new folder>\``,
      'after loading the passphrases (README.md shows the command); the PINs come from the environment.',
      'request.sha256 is the digest the requester gave out of band. Paths are relative to this file.',
    ],
    participants: demoParticipants(picked, (id) => ({ keyring: `trustees/${id}/keyring.json`, envelope: `trustees/${id}/share-envelope.json` })),
    master: { token: { software: 'master/master.keyrite-token' }, pin: { env: pinVariable('master') } },
    bundle: { path: 'bundle', trust: fingerprint },
    request: { path: SIGNING_REQUEST, sha256: requestSha256 },
    confirm: signing.script.steps.filter((s) => s.witness).map((s) => s.id),
  });
}

/**
 * Answers for the rehearsal rotation script: all five trustees unlock the demo's master key with
 * their shares and receive shares of the new key in rotation/trustees/<id>; the new key goes onto
 * the demo's empty rotation token.
 */
export function rotationAnswersText(rotation: ParsedCeremonyScript, fingerprint: string, dice: (id: string) => string): string {
  return encodeAnswers({
    comment: [
      'REHEARSAL ONLY: the trustees\' dice below were simulated by the demo and are written here so that the',
      'rehearsal can be run by hand; in a real rotation each trustee rolls their own and they are never written down.',
      'Answers for a key rotation rehearsal of the Keyrite demo ceremony: the five trustees unlock the demo\'s',
      `master key with their shares, a new master key is made on ${ROTATION_TOKEN} and escrowed among them`,
      '(their new envelopes go to rotation/trustees/<id>), and the old key, the new key and the trustees sign',
      `the rotation. Run it with \`keyrite ceremony run ceremony-scripts/${ROTATION_SCRIPT} --answers ${ROTATION_ANSWERS} --out <new folder>\``,
      'after loading the passphrases (README.md shows the command); the PINs come from the environment.',
      'It can be run once per demo (the new master token then holds the new key). Paths are relative to this file.',
    ],
    participants: demoParticipants(DEMO_TRUSTEES, (id) => ({ keyring: `trustees/${id}/keyring.json`, envelope: `trustees/${id}/share-envelope.json`, output: `rotation/trustees/${id}`, dice: dice(id) })),
    master: { token: { software: ROTATION_TOKEN }, pin: { env: pinVariable('rotation') } },
    bundle: { path: 'bundle', trust: fingerprint },
    confirm: rotation.script.steps.filter((s) => s.witness).map((s) => s.id),
  });
}

/** Answers for the rehearsal revocation script: trustees 3 to 5 unlock the demo's master key from their shares (its token is never opened) and revoke it. */
export function revocationAnswersText(revocation: ParsedCeremonyScript, fingerprint: string): string {
  const t = revocation.script.quorum?.t ?? 3;
  return encodeAnswers({
    comment: [
      'Answers for an emergency revocation rehearsal of the Keyrite demo ceremony: three of the five trustees',
      'unlock the demo\'s master key from their shares (its token is never opened: it may be lost) and revoke it,',
      'with the reason the script gives. The chain then has no active key until a rotation.',
      `Run it with \`keyrite ceremony run ceremony-scripts/${REVOCATION_SCRIPT} --answers ${REVOCATION_ANSWERS} --out <new folder>\``,
      'after loading the passphrases (README.md shows the command); the PINs come from the environment. Paths are relative to this file.',
    ],
    participants: demoParticipants(DEMO_TRUSTEES.slice(DEMO_TRUSTEES.length - t), (id) => ({ keyring: `trustees/${id}/keyring.json`, envelope: `trustees/${id}/share-envelope.json` })),
    bundle: { path: 'bundle', trust: fingerprint },
    confirm: revocation.script.steps.filter((s) => s.witness).map((s) => s.id),
  });
}

/**
 * Answers for the rehearsal reshare script: trustee-5's token is "lost", so trustees 1 to 4 unlock
 * the demo's master key with their shares, and the new epoch's holders are trustees 1 to 4 (each
 * with a new identity on their own token) and a new trustee-6 on the demo's empty token. Their new
 * folders are in the reshare's run folder (OUT/trustees/<id>: a reshare's `output` is relative to
 * --out); everything else is relative to this file.
 */
export function reshareAnswersText(reshare: ParsedCeremonyScript, fingerprint: string): string {
  const continuing = DEMO_TRUSTEES.filter((t) => t.id !== RESHARE_REPLACED);
  const people = demoParticipants(continuing, (id) => ({ keyring: `trustees/${id}/keyring.json`, envelope: `trustees/${id}/share-envelope.json`, output: `trustees/${id}` }));
  const newcomer: ParticipantEntry = { id: RESHARE_NEW_TRUSTEE.id, name: RESHARE_NEW_TRUSTEE.name, role: 'trustee', token: { software: RESHARE_TOKEN }, pin: { env: pinVariable(RESHARE_NEW_TRUSTEE.id) }, output: `trustees/${RESHARE_NEW_TRUSTEE.id}` };
  return encodeAnswers({
    comment: [
      `Answers for an escrow reshare rehearsal of the Keyrite demo ceremony: ${RESHARE_REPLACED} has "lost" their token, so`,
      `trustees 1 to 4 unlock the demo's master key with their shares; the key is escrowed anew (epoch 1, 3-of-5) among`,
      `trustees 1 to 4 (each with a NEW identity on their token; their old one is destroyed) and ${RESHARE_NEW_TRUSTEE.id}, on ${RESHARE_TOKEN}.`,
      `${RESHARE_REPLACED} could not attest destruction: the bundle says so. Run it with`,
      `\`keyrite ceremony run ceremony-scripts/${RESHARE_SCRIPT} --answers ${RESHARE_ANSWERS} --out <new folder>\``,
      'after loading the passphrases (README.md shows the command). It can be run once per demo (the old identities',
      'are destroyed). The new holders\' folders ("output") are relative to --out; every other path to this file.',
    ],
    participants: [...people.slice(0, -1), newcomer, people.at(-1)!],
    master: { token: { software: 'master/master.keyrite-token' }, pin: { env: pinVariable('master') } },
    bundle: { path: 'bundle', trust: fingerprint },
    confirm: reshare.script.steps.filter((s) => s.witness).map((s) => s.id),
  });
}

/**
 * The example request a demo writes: its keys from a stream seeded by the ceremony id and its
 * validity from the start of the current UTC day, so a demo resumed on the same day writes the
 * same bytes again.
 */
function demoSigningRequest(ceremonyId: string, now: Date): Uint8Array {
  let counter = 0;
  const stream = (n: number): Uint8Array => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 32) out.set(sha256(utf8(`keyrite demo signing request ${ceremonyId} ${counter++}`)).subarray(0, Math.min(32, n - i)), i);
    return out;
  };
  return exampleSigningRequest(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())), stream);
}

/** Writes a demo file, or finds exactly these bytes there (a demo interrupted after writing it); never overwrites. */
async function writeDemoFile(path: string, bytes: Uint8Array): Promise<void> {
  try {
    await writeFile(path, bytes, { mode: 0o644, flag: 'wx' });
  } catch (e) {
    if ((e as { code?: string }).code !== 'EEXIST') throw ioError('write', path, e);
    if (!equalBytes(toPlainBytes(await readFile(path)), bytes)) throw new KeyriteError('USAGE', `${path} already exists with other contents (a demo interrupted on another day?); Keyrite never overwrites a file: run \`keyrite demo --out\` with a new folder.`);
  }
}

/** Creates a rehearsal token and its passphrase file; with `session`, the ceremony that opens it next derives no key again. */
export async function createToken(dir: string, file: string, label: string, pass: string, scrypt: ScryptParams | undefined, variable: string, what: string, session?: SoftwareTokenKeySession): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const token = await SoftwareToken.create(fileTokenStore(join(dir, file), session ? { session } : {}), { label, passphrase: pass, ...(scrypt ? { scrypt } : {}) });
  await token.close();
  await writeFile(join(dir, PASSPHRASE_FILE), passphraseFile(variable, pass, what), { mode: 0o600, flag: 'wx' });
}

/** The passphrase a demo wrote next to a rehearsal token (the one line `VARIABLE='…'` of passphraseFile). */
export async function readPassphraseFile(dir: string, variable: string): Promise<string> {
  const path = join(dir, PASSPHRASE_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw ioError('read the rehearsal passphrase file', path, e);
  }
  const m = new RegExp(`^${variable}='([a-z0-9-]{1,64})'$`, 'm').exec(text);
  if (!m) throw new KeyriteError('INVALID_INPUT', `${path} does not hold ${variable} as \`keyrite demo\` writes it; it was changed.`);
  return m[1]!;
}

/** A demo folder: new (or empty), holding a demo interrupted during its ceremony, or holding a finished demo. */
async function demoFolderState(outDir: string): Promise<'new' | 'interrupted' | 'finished'> {
  let names: string[];
  try {
    names = await readdir(outDir);
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return 'new';
    throw ioError('read the folder', outDir, e);
  }
  if (names.length === 0) return 'new';
  if (names.includes('recovery-answers.yaml')) return 'finished';
  if (names.includes('answers.yaml')) return 'interrupted';
  throw new KeyriteError('USAGE', `${outDir} is not empty and holds no demo that can be resumed (none, or one stopped before its ceremony began); the demo writes a new rehearsal into an empty or new folder.`);
}

function demoTokens(outDir: string) {
  return [
    { key: 'master', dir: join(outDir, 'master'), file: 'master.keyrite-token', label: 'Rehearsal master', what: 'the rehearsal master token' },
    ...DEMO_TRUSTEES.map((t) => ({ key: t.id, dir: join(outDir, 'trustees', t.id), file: 'token.keyrite-token', label: `Rehearsal ${t.id}`, what: `the rehearsal token of ${t.name} (${t.id})` })),
    { key: 'recovery', dir: join(outDir, 'recovery'), file: 'new-master.keyrite-token', label: 'Rehearsal new master', what: 'the empty rehearsal token a recovery restores the master key to' },
    { key: 'rotation', dir: join(outDir, 'rotation'), file: 'new-master.keyrite-token', label: 'Rehearsal rotated master', what: 'the empty rehearsal token a rotation generates the new master key on' },
    { key: 'recovery-paper', dir: join(outDir, 'recovery-paper'), file: 'new-master.keyrite-token', label: 'Rehearsal new master paper', what: 'the empty rehearsal token the paper-share recovery restores the master key to' },
    { key: RESHARE_NEW_TRUSTEE.id, dir: join(outDir, 'reshare', RESHARE_NEW_TRUSTEE.id), file: 'token.keyrite-token', label: `Rehearsal ${RESHARE_NEW_TRUSTEE.id}`, what: `the empty rehearsal token of ${RESHARE_NEW_TRUSTEE.name} (${RESHARE_NEW_TRUSTEE.id}), the new trustee of the reshare rehearsal` },
  ];
}

/**
 * A new demo, or the one interrupted in `outDir` resumed: the same engine resumes its journal
 * (docs/CEREMONY-SCRIPTS.md "Crash and resume") with the passphrases the demo wrote next to
 * its tokens and newly simulated dice. A finished demo is refused, never overwritten.
 */
export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const outDir = resolve(opts.outDir);
  const state = await demoFolderState(outDir);
  if (state === 'finished') throw new KeyriteError('USAGE', `${outDir} holds a finished demo; the demo writes a new rehearsal into an empty or new folder (\`keyrite demo recover ${outDir}\` rehearses its recovery).`);
  try {
    await mkdir(outDir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw ioError('create the folder', outDir, e);
  }
  const parsed = parseCeremonyScript(await readShipped(DEMO_SCRIPT));

  // Passphrases live in this map (the ceremony's PIN environment) and in each token's own folder.
  const pins = new Map<string, string>();
  // Each token's key is derived once: when it is created, or when the ceremony first opens it.
  const session = new SoftwareTokenKeySession();
  try {
    return await demoCeremony(opts, outDir, state, parsed, pins, session);
  } finally {
    session.forget();
    pins.clear();
  }
}

async function demoCeremony(opts: DemoOptions, outDir: string, state: 'new' | 'interrupted', parsed: ParsedCeremonyScript, pins: Map<string, string>, session: SoftwareTokenKeySession): Promise<DemoResult> {
  const random = opts.random ?? randomBytes;
  for (const t of demoTokens(outDir)) {
    if (state === 'interrupted') {
      pins.set(pinVariable(t.key), await readPassphraseFile(t.dir, pinVariable(t.key)));
      continue;
    }
    const p = newPassphrase(random);
    pins.set(pinVariable(t.key), p);
    await createToken(t.dir, t.file, t.label, p, opts.scrypt, pinVariable(t.key), t.what, session);
  }

  const diceByTrustee = new Map(DEMO_TRUSTEES.map((t) => [t.id, dice(random, DEMO_DICE_ROLLS)]));
  const answers = parseAnswers(utf8(answersText(parsed, diceByTrustee)), parsed);
  diceByTrustee.clear();
  if (state === 'new') await writeFile(join(outDir, 'answers.yaml'), answersText(parsed, undefined), { mode: 0o644, flag: 'wx' });

  const env = createNodeCeremonyEnvironment({
    outDir,
    answersDir: outDir,
    env: Object.fromEntries(pins),
    interactive: false,
    confirmations: answers.confirm,
    progress: opts.progress ?? (() => undefined),
    random,
    softwareTokenSession: session,
    ...(opts.networkInterfaces ? { networkInterfaces: opts.networkInterfaces } : {}),
  });
  let result: CeremonyResult;
  try {
    result = await runCeremony({ parsed, answers, env });
  } catch (e) {
    // On resume, an object in the way is the key (or share files) of an attempt never escrowed.
    if (state === 'interrupted' && isKeyriteError(e) && e.code === 'OBJECT_EXISTS') {
      throw new KeyriteError('USAGE', `The demo in ${outDir} was interrupted after its rehearsal master key was made; that key was never escrowed, so it is abandoned, and a demo does not clean up its rehearsal tokens: run \`keyrite demo --out\` with a new folder. (${e.message})`);
    }
    throw e;
  } finally {
    await env.close();
    pins.clear();
  }
  // The signing rehearsal's files come first: recovery-answers.yaml, written last, marks a finished demo.
  const request = demoSigningRequest(result.ceremonyId, new Date());
  const signingScript = parseCeremonyScript(await readShipped(SIGNING_SCRIPT));
  await writeDemoFile(join(outDir, EXAMPLE_ARTIFACT_NAME), exampleArtifactBytes());
  await writeDemoFile(join(outDir, SIGNING_REQUEST), request);
  await writeDemoFile(join(outDir, SIGNING_ANSWERS), utf8(signingAnswersText(signingScript, result.master.fingerprint, toHex(sha256(request)))));
  const rotationScript = parseCeremonyScript(await readShipped(ROTATION_SCRIPT));
  // A demo resumed on another run simulates other dice: its rotation answers are written once, by the run that finished the ceremony.
  if (!existsSync(join(outDir, ROTATION_ANSWERS))) await writeDemoFile(join(outDir, ROTATION_ANSWERS), utf8(rotationAnswersText(rotationScript, result.master.fingerprint, () => dice(random, DEMO_DICE_ROLLS))));
  await writeDemoFile(join(outDir, REVOCATION_ANSWERS), utf8(revocationAnswersText(parseCeremonyScript(await readShipped(REVOCATION_SCRIPT)), result.master.fingerprint)));
  const reshareScript = parseCeremonyScript(await readShipped(RESHARE_SCRIPT));
  await writeDemoFile(join(outDir, RESHARE_ANSWERS), utf8(reshareAnswersText(reshareScript, result.master.fingerprint)));
  const recoveryAnswers = join(outDir, 'recovery-answers.yaml');
  const recoveryScript = parseCeremonyScript(await readShipped(RECOVERY_SCRIPT));
  await writeDemoFile(join(outDir, PAPER_RECOVERY_ANSWERS), utf8(paperRecoveryAnswersText(recoveryScript, result.master.fingerprint, 'recovery-paper/new-master.keyrite-token')));
  await writeFile(recoveryAnswers, recoveryAnswersText(recoveryScript, result.master.fingerprint, 'recovery/new-master.keyrite-token'), { mode: 0o644, flag: 'wx' });
  // The rehearsal checks its own bundle once more, from its final place.
  const expect = { ceremonyId: result.ceremonyId, masterFingerprint: result.master.fingerprint };
  const { checks, contents } = await checkBundleFolder(env.files, result.bundle, expect);
  const failed = [...checks, await checkArchiveHolds(env.files, result.archive.ref, contents)].filter((c) => !c.ok);
  if (failed.length > 0) throw new KeyriteError('VERIFY_FAILED', `The demo bundle failed verification: ${failed.map((c) => `${c.name}: ${c.detail}`).join(' ')}`);
  return {
    result,
    outDir,
    bundle: env.files.display(result.bundle),
    archive: env.files.display(result.archive.ref),
    journal: env.files.display(result.journal),
    recoveryAnswers,
    signingRequest: join(outDir, SIGNING_REQUEST),
    signingAnswers: join(outDir, SIGNING_ANSWERS),
    rotationAnswers: join(outDir, ROTATION_ANSWERS),
    revocationAnswers: join(outDir, REVOCATION_ANSWERS),
    reshareAnswers: join(outDir, RESHARE_ANSWERS),
    trusteeFolders: Object.fromEntries(DEMO_TRUSTEES.map((t) => [t.id, join(outDir, 'trustees', t.id)])),
    checks,
  };
}

export const demoCommand: Command = {
  ...DEMO_SPEC,
  async run(args, io) {
    const json = args.flag('json');
    const demo = await runDemo({ outDir: resolve(io.cwd, args.required('out')), progress: progressPrinter(io, json) });
    const r = demo.result;
    const paths = {
      bundle: demo.bundle,
      archive: demo.archive,
      journal: demo.journal,
      trusteeFiles: (id: string) => [join(demo.trusteeFolders[id]!, 'token.keyrite-token'), join(demo.trusteeFolders[id]!, PASSPHRASE_FILE), ...r.trustees.find((t) => t.id === id)!.files.map((f) => join(demo.outDir, f))],
    };
    if (json) {
      printJson(io, { ...resultJson(r, paths), rehearsal: true, outDir: demo.outDir, recoveryAnswers: demo.recoveryAnswers, signingRequest: demo.signingRequest, signingAnswers: demo.signingAnswers, rotationAnswers: demo.rotationAnswers, reshareAnswers: demo.reshareAnswers, revocationAnswers: demo.revocationAnswers, rotationToken: join(demo.outDir, ROTATION_TOKEN), masterToken: join(demo.outDir, 'master', 'master.keyrite-token'), recoveryToken: join(demo.outDir, 'recovery', 'new-master.keyrite-token'), checks: demo.checks });
    } else {
      io.stdout(resultText(r, paths));
      io.stdout(
        [
          'REHEARSAL ONLY: software tokens, passphrases written next to them. Never use any of this for real.',
          `Rehearse the recovery (3 of the 5 trustees, as often as you like): keyrite demo recover ${demo.outDir}`,
          `Check the bundle as an auditor would: keyrite verify ${demo.bundle} --trust ${r.master.fingerprint}`,
          `  or the same bundle as one file:     keyrite verify ${demo.archive} --trust ${r.master.fingerprint}`,
          `Rehearse a signing ceremony (the master key signs ${SIGNING_REQUEST}): see "Rehearse a signing ceremony" in README.md (answers: ${demo.signingAnswers}).`,
          `Rehearse a key rotation (a new master key replaces this one): see "Rehearse a key rotation" in README.md (answers: ${demo.rotationAnswers}).`,
          `Rehearse an emergency revocation (the master token is lost): see "Rehearse an emergency revocation" in README.md (answers: ${demo.revocationAnswers}).`,
          `Rehearse a trustee change (${RESHARE_NEW_TRUSTEE.id} replaces ${RESHARE_REPLACED}, a new escrow epoch): see "Rehearse a trustee change" in README.md (answers: ${demo.reshareAnswers}).`,
          '',
        ].join('\n'),
      );
    }
    return EXIT.OK;
  },
};
