/**
 * Answers files: who takes part in one run of a ceremony script and with which tokens,
 * validated against that script (docs/CEREMONY-SCRIPTS.md, "Answers file" — the single source
 * of truth for the format). The GUI builds the same Answers value interactively.
 *
 * parseAnswers(bytes, parsedScript) returns a typed, frozen Answers or throws one
 * ANSWERS_INVALID CeremonyFileError listing every problem with line and column:
 *  - the strict YAML rules of strict-yaml.ts;
 *  - no PIN value anywhere (pins.ts): `pin: "1234"`, `pin: 1234`, `pin-value: …`,
 *    `passphrase: …`, a URI with pin-value / pin-source, all get ANSWERS_PIN_MESSAGE and the
 *    value is never repeated. PINs come from an environment variable or a prompt only;
 *  - participants match the script's role counts exactly; ids and names are unique (names
 *    case-insensitively); trustees name their own token (RFC 7512 URI through
 *    core/tokens/pkcs11-uri.ts, never a slot; or the software token, rehearsal only);
 *  - paths are relative to the answers file's folder, never absolute, never with "..";
 *    trustees' outputs are distinct and not nested;
 *  - fixed ceremony ids and clocks are for rehearsals only;
 *  - a trustee whose token is lost offers their share from the paper words (`paper-words:
 *    { env: NAME }` or `{ prompt: true }`, in scripts that collect shares, at most t − 1 of them);
 *    the words themselves never go in the file (paper-words-values.ts), nor a path to them.
 * Messages never quote values from an answers file (only ids, which match [a-z0-9-]).
 * Platform-free: no Node APIs.
 */
import { KeyriteError } from '../errors.ts';
import { parseFingerprint } from '../encoding/fingerprint.ts';
import type { ParsedFingerprint } from '../encoding/fingerprint.ts';
import { formatTokenMatch, parseTokenUri } from '../tokens/pkcs11-uri.ts';
import type { TokenMatch } from '../tokens/pkcs11-uri.ts';
import { Checker, declaredFileKind, Issues, KEYRITE_YAML_KINDS, loadStrictYaml } from '../script/strict-yaml.ts';
import type { At, YEntry, YNode } from '../script/strict-yaml.ts';
import { ANSWERS_PIN_MESSAGE, findPinValues } from '../script/pins.ts';
import { ANSWERS_PAPER_WORDS_MESSAGE, findPaperWordValues } from './paper-words-values.ts';
import { maxPaperShares } from '../escrow/paper-share.ts';
import { PREVIOUS_MASTER } from '../bundle/layout.ts';
import { CEREMONY_ROLES, MATCH_ATTRIBUTES } from '../script/script.ts';
import type { CeremonyRole, CeremonyScript, CeremonyStep, ParsedCeremonyScript, ScriptTokenMatch, TokenRequirement } from '../script/script.ts';

export { ANSWERS_PIN_MESSAGE } from '../script/pins.ts';

export const ANSWERS_FORMAT_VERSION = 1;
/** Largest answers file accepted, in bytes. */
export const MAX_ANSWERS_BYTES = 128 * 1024;
export const MAX_DICE_ROLLS = 1000;

// ---------------------------------------------------------------------------------------
// Types

/** Where a PIN (or a software token's passphrase) comes from. Never the PIN itself. */
export type PinSource = { readonly kind: 'env'; readonly name: string } | { readonly kind: 'prompt' };

/**
 * The token chosen for a trustee or the master.
 * pkcs11: `match` is the effective selection: the script's match plus the URI's attributes
 * (they must agree); `uri` is the URI as written, when one was given.
 * software: the embedded software token file, relative to the answers file (rehearsal only).
 */
export type TokenChoice =
  | { readonly kind: 'pkcs11'; readonly match: Readonly<TokenMatch>; readonly uri?: string }
  | { readonly kind: 'software'; readonly path: string };

interface ParticipantCommon {
  /** [a-z0-9][a-z0-9-]{0,31}, unique in the file. */
  readonly id: string;
  /** As written; unique case-insensitively. */
  readonly name: string;
  /** Where the participant starts in the answers file. */
  readonly line: number;
  readonly column: number;
}

export interface AdministratorAnswers extends ParticipantCommon {
  readonly role: 'administrator';
}

export interface WitnessAnswers extends ParticipantCommon {
  readonly role: 'witness';
}

export interface TrusteeAnswers extends ParticipantCommon {
  readonly role: 'trustee';
  readonly token: TokenChoice;
  readonly pin: PinSource;
  /** Folder for the trustee's files (identity, envelope, paper card); present exactly when the script writes them. */
  readonly output?: string;
  /** The trustee's existing keyring file; present exactly when the script checks trustees in with enroll: false. */
  readonly keyring?: string;
  /**
   * The trustee's share envelope file. With a collect-share step exactly one of `envelope` and
   * `envelopeCard` is present; neither without one.
   */
  readonly envelope?: string;
  /** A text file holding what a QR scanner typed from the trustee's printed share card (one part per line), instead of the envelope file. */
  readonly envelopeCard?: string;
  /**
   * Dice rolls (each 1..6) contributed to the entropy step, when given. Secret: never
   * logged or written; wipe it after use (the array is not frozen for that reason).
   */
  readonly dice?: Uint8Array;
}

/**
 * A trustee (`role: trustee` in the file) whose token is lost and who offers their share from the
 * paper-backup words instead: no token, PIN, keyring or envelope; the witness attests them and
 * they sign nothing (docs/CEREMONY-SCRIPTS.md "Paper share").
 */
export interface PaperTrusteeAnswers extends ParticipantCommon {
  readonly role: 'paper-trustee';
  /** Where the words come from: an environment variable or a hidden prompt, never the file. */
  readonly paperWords: PinSource;
}

export type ParticipantAnswers = AdministratorAnswers | TrusteeAnswers | PaperTrusteeAnswers | WitnessAnswers;

export interface MasterAnswers {
  readonly token: TokenChoice;
  readonly pin: PinSource;
}

export interface BundleAnswers {
  /** The public bundle of the original ceremony (folder or archive), relative to the answers file. */
  readonly path: string;
  /** The master fingerprint read aloud at that ceremony; required in live mode. */
  readonly trust?: ParsedFingerprint;
}

export interface RequestAnswers {
  /** The signing request (docs/FORMATS.md "Signing request"), relative to the answers file. */
  readonly path: string;
  /** Its SHA-256 as the requester gave it out of band (64 lowercase hex digits); required in live mode. */
  readonly sha256?: string;
}

export interface Answers {
  readonly version: 1;
  /** 64 lowercase hex digits; when present it equalled the script's SHA-256. */
  readonly scriptSha256?: string;
  /** Rehearsal only: a fixed ceremony id (32 lowercase hex digits) for reproducible runs. */
  readonly ceremonyId?: string;
  /** Rehearsal only: a fixed start time, RFC 3339 UTC ("2026-01-01T09:00:00Z"). */
  readonly clock?: string;
  /**
   * The folder every path of the file is relative to, from the file's own folder, in ".." steps
   * only ("..", "../.."): recovery answers a reshare writes into its run folder name the holders'
   * tokens, which stay where they were (docs/CEREMONY-SCRIPTS.md "Answers file"). Absent: the file's folder.
   */
  readonly base?: string;
  /** In file order. */
  readonly participants: readonly ParticipantAnswers[];
  /** The master token and its PIN; absent exactly in a revocation, which never opens the master token. */
  readonly master?: MasterAnswers;
  /** Present exactly when the script has a verify-bundle step. */
  readonly bundle?: BundleAnswers;
  /** Present exactly when the script has a check-request step. */
  readonly request?: RequestAnswers;
  /** Witness confirmations given in advance for a headless run: ids of steps with witness: true. */
  readonly confirm: readonly string[];
}

// ---------------------------------------------------------------------------------------
// Parser

const PARTICIPANT_ID = /^[a-z0-9][a-z0-9-]{0,31}$/;
const RESERVED_IDS: readonly string[] = ['master', PREVIOUS_MASTER];
/** An environment variable name, as PIN sources take it. */
export const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
const DICE = /^[1-6](?: +[1-6])*$/;
const CEREMONY_ID = /^[0-9a-f]{32}$/;
const CLOCK = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?Z$/;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;
const MAX_PATH = 240;

/** What the script asks of the answers. */
interface Needs {
  readonly output: boolean;
  readonly keyring: boolean;
  readonly envelope: boolean;
  readonly bundle: boolean;
  readonly request: boolean;
  /** undefined: the script takes no dice; else the fewest rolls per contribution. */
  readonly minDice: number | undefined;
  readonly witnessSteps: ReadonlySet<string>;
  readonly stepIds: ReadonlySet<string>;
  /** The collect-share step has witness: true (a paper share is attested by the witness). */
  readonly witnessedCollect: boolean;
  /**
   * A reshare: each trustee is an old holder who unlocks (keyring and envelope), a holder of the
   * new epoch (output), or both; the three fields are asked per trustee, not of all.
   */
  readonly perTrustee: boolean;
}

function needsOf(script: CeremonyScript): Needs {
  const steps: readonly CeremonyStep[] = script.steps;
  const trusteeCheckIns = steps.filter((s) => s.action === 'check-in' && s.actor === 'trustee');
  const dice = steps.find((s) => s.action === 'entropy' && s.params.sources.includes('trustee-dice'));
  return {
    output: steps.some((s) => s.action === 'distribute') || trusteeCheckIns.some((s) => s.action === 'check-in' && s.params.enroll),
    keyring: trusteeCheckIns.some((s) => s.action === 'check-in' && !s.params.enroll),
    envelope: steps.some((s) => s.action === 'collect-share'),
    bundle: steps.some((s) => s.action === 'verify-bundle'),
    request: steps.some((s) => s.action === 'check-request'),
    minDice: dice && dice.action === 'entropy' ? (dice.params.minDice ?? 1) : undefined,
    witnessSteps: new Set(steps.filter((s) => s.witness).map((s) => s.id)),
    stepIds: new Set(steps.map((s) => s.id)),
    witnessedCollect: steps.some((s) => s.action === 'collect-share' && s.witness),
    perTrustee: script.kind === 'reshare',
  };
}

/**
 * Parses an answers file for `parsed` (the result of parseCeremonyScript). Throws
 * CeremonyFileError (code ANSWERS_INVALID) listing every problem with line and column;
 * never any other error for any bytes, and never a PIN in a message.
 */
export function parseAnswers(bytes: Uint8Array, parsed: ParsedCeremonyScript): Answers {
  if (!parsed || typeof parsed !== 'object' || !parsed.script || typeof parsed.hashHex !== 'string') {
    throw new KeyriteError('INVALID_INPUT', 'parseAnswers needs the parsed ceremony script (the result of parseCeremonyScript).');
  }
  const issues = new Issues('ANSWERS_INVALID', 'answers file');
  const root = loadStrictYaml(bytes, { issues, maxBytes: MAX_ANSWERS_BYTES });
  const declared = declaredFileKind(root, KEYRITE_YAML_KINDS);
  if (declared?.kind === 'script') {
    issues.add(declared.at, 'this is a ceremony script (it has keyrite-script), not an answers file: give the script first and the answers file with --answers');
    issues.fail();
  }
  for (const at of findPinValues(root, true)) issues.add(at, ANSWERS_PIN_MESSAGE);
  for (const at of findPaperWordValues(root)) issues.add(at, ANSWERS_PAPER_WORDS_MESSAGE);
  issues.throwIfAny();
  const c = new Checker(issues, false);
  const answers = checkAnswers(root, c, parsed);
  issues.throwIfAny();
  return deepFreeze(answers!);
}

function deepFreeze<T>(o: T): T {
  if (o !== null && typeof o === 'object' && !ArrayBuffer.isView(o) && !Object.isFrozen(o)) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

function checkAnswers(root: YNode, c: Checker, parsed: ParsedCeremonyScript): Answers | undefined {
  const script = parsed.script;
  const top = c.map(root, 'An answers file');
  if (!top) return undefined;
  const versionEntry = top.entries.find((e) => e.key === 'keyrite-answers');
  if (!versionEntry) {
    c.error(top.at, 'the answers file does not start with "keyrite-answers: 1" (the format version)');
    return undefined;
  }
  const v = versionEntry.value;
  if (!(v.kind === 'scalar' && v.plain && v.text === '1')) {
    c.error(v.at, 'keyrite-answers is not a format version this Keyrite reads; it reads version 1 only');
    return undefined;
  }
  const needs = needsOf(script);
  const f = c.fields(top, 'The answers file', {
    required: ['keyrite-answers', 'participants', ...(script.kind === 'revocation' ? [] : ['master'])],
    optional: ['script-sha256', 'ceremony-id', 'clock', 'base', 'bundle', 'request', 'confirm', ...(script.kind === 'revocation' ? ['master'] : [])],
  });

  let base: string | undefined;
  const baseEntry = f.get('base');
  if (baseEntry) {
    const s = c.str(baseEntry.value, 'base', { max: 3 * 32 });
    if (s !== undefined && !/^\.\.(?:\/\.\.)*$/.test(s)) c.error(baseEntry.value.at, 'base must be ".." steps only ("..", "../.."): the folder above this file\'s that every path here is relative to');
    else if (s !== undefined) base = s;
  }

  let scriptSha256: string | undefined;
  const shaEntry = f.get('script-sha256');
  if (shaEntry) {
    const s = c.str(shaEntry.value, 'script-sha256', { max: 100 });
    if (s !== undefined) {
      const hex = s.replace(/ /g, '').toLowerCase();
      if (!/^[0-9a-f]{64}$/.test(hex)) c.error(shaEntry.value.at, 'script-sha256 must be the 64 hex digits of the script\'s SHA-256 (spaces between groups allowed)');
      else if (hex !== parsed.hashHex) {
        c.error(shaEntry.value.at, `script-sha256 does not match the script being run (whose SHA-256 is ${parsed.hashHexGroups}); these answers were written for another script`);
      } else scriptSha256 = hex;
    }
  }

  let ceremonyId: string | undefined;
  const idEntry = f.get('ceremony-id');
  if (idEntry) {
    if (script.mode !== 'rehearsal') {
      c.error(idEntry.keyAt, 'ceremony-id is allowed only when the script is a rehearsal: a live ceremony id is always fresh randomness');
    } else {
      const s = c.str(idEntry.value, 'ceremony-id', { max: 64 });
      if (s !== undefined) {
        if (!CEREMONY_ID.test(s.toLowerCase())) c.error(idEntry.value.at, 'ceremony-id must be 32 hex digits (128 bits)');
        else ceremonyId = s.toLowerCase();
      }
    }
  }

  let clock: string | undefined;
  const clockEntry = f.get('clock');
  if (clockEntry) {
    if (script.mode !== 'rehearsal') {
      c.error(clockEntry.keyAt, 'clock is allowed only when the script is a rehearsal: a live ceremony records the real time');
    } else {
      const s = c.str(clockEntry.value, 'clock', { max: 40 });
      if (s !== undefined) {
        if (!validClock(s)) c.error(clockEntry.value.at, 'clock must be a UTC time in RFC 3339 form, for example 2026-01-01T09:00:00Z');
        else clock = s;
      }
    }
  }

  const participants = f.get('participants') && checkParticipants(f.get('participants')!.value, c, script, needs);
  const masterEntry = f.get('master');
  // A revocation signs with the key the quorum unlocks; the token of a compromised key may be lost or in other hands.
  if (masterEntry && script.kind === 'revocation') c.error(masterEntry.keyAt, 'a revocation never opens the master token (it may be lost or stolen): the quorum unlocks the key from its shares; remove "master"');
  const master = masterEntry && script.kind !== 'revocation' ? checkMaster(masterEntry.value, c, script) : undefined;

  let bundle: BundleAnswers | undefined;
  const bundleEntry = f.get('bundle');
  if (bundleEntry && !needs.bundle) c.error(bundleEntry.keyAt, 'bundle is only used by scripts with a verify-bundle step; remove it');
  else if (!bundleEntry && needs.bundle) c.error(top.at, 'the script verifies a public bundle, so the answers file must give "bundle: { path: …, trust: … }"');
  else if (bundleEntry) bundle = checkBundle(bundleEntry.value, c, script);

  let request: RequestAnswers | undefined;
  const requestEntry = f.get('request');
  if (requestEntry && !needs.request) c.error(requestEntry.keyAt, 'request is only used by signing scripts (with a check-request step); remove it');
  else if (!requestEntry && needs.request) c.error(top.at, 'the script signs a request, so the answers file must give "request: { path: …, sha256: … }"');
  else if (requestEntry) request = checkRequest(requestEntry.value, c, script);

  const confirm: string[] = [];
  const confirmEntry = f.get('confirm');
  if (confirmEntry) {
    const list = c.seq(confirmEntry.value, 'confirm');
    (list?.items ?? []).forEach((item, index) => {
      const id = c.str(item, `confirm entry ${index + 1}`, { max: 64 });
      if (id === undefined) return;
      // Only ids the script defines are repeated in messages; an unknown entry is pointed at, not quoted.
      if (!needs.stepIds.has(id)) c.error(item.at, `confirm entry ${index + 1} names a step the script does not have (step ids: ${[...needs.witnessSteps].join(', ')} ask for a witness)`);
      else if (!needs.witnessSteps.has(id)) c.error(item.at, `confirm lists the step "${id}", which does not ask for a witness (witness: true)`);
      else if (confirm.includes(id)) c.error(item.at, `confirm lists the step "${id}" twice`);
      else confirm.push(id);
    });
  }

  // Different people, different tokens: no two token choices may select the same token.
  if (participants) checkDistinctTokens(participants, master, c);

  if (c.issues.count > 0 || !participants || (!master && script.kind !== 'revocation')) return undefined;
  return {
    version: 1,
    ...(scriptSha256 !== undefined ? { scriptSha256 } : {}),
    ...(ceremonyId !== undefined ? { ceremonyId } : {}),
    ...(clock !== undefined ? { clock } : {}),
    ...(base !== undefined ? { base } : {}),
    participants: participants.map((p) => p.value),
    ...(master ? { master: master.value } : {}),
    ...(bundle ? { bundle } : {}),
    ...(request ? { request } : {}),
    confirm,
  };
}

function validClock(s: string): boolean {
  const m = CLOCK.exec(s);
  if (!m) return false;
  const [y, mo, d, h, mi, se] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const t = Date.UTC(y, mo - 1, d, h, mi, se);
  const back = new Date(t);
  return (
    y >= 1970 &&
    back.getUTCFullYear() === y &&
    back.getUTCMonth() === mo - 1 &&
    back.getUTCDate() === d &&
    back.getUTCHours() === h &&
    back.getUTCMinutes() === mi &&
    back.getUTCSeconds() === se
  );
}

function pathKey(p: string): string {
  return p.normalize('NFC').toLowerCase();
}

/** A path relative to the answers file's folder, portable to every desktop system. */
function checkRelativePath(n: YNode, what: string, c: Checker): string | undefined {
  const s = c.str(n, what, { max: MAX_PATH });
  if (s === undefined) return undefined;
  const fail = (why: string) => {
    c.error(n.at, `${what} ${why}`);
    return undefined;
  };
  if (s.startsWith('/') || s.startsWith('\\') || /^[A-Za-z]:/.test(s)) return fail("must be relative to the answers file's folder, not absolute");
  if (s.startsWith('~')) return fail("must be relative to the answers file's folder (\"~\" is not expanded)");
  if (s.includes('\\')) return fail('must separate folders with "/"');
  const parts = s.split('/');
  if (parts.some((p) => p === '..')) return fail('must not contain ".." (it would leave the answers file\'s folder)');
  if (parts.some((p) => p === '.')) return fail('must not contain "." as a folder name');
  if (parts.some((p) => p === '')) return fail('has an empty folder name ("//", or "/" at the end)');
  // Control characters are already refused for the whole file.
  if (/[<>:"|?*]/.test(s)) return fail('contains a character file names cannot hold on every system (< > : " | ? *)');
  if (parts.some((p) => /[ .]$/.test(p) || /^ /.test(p))) return fail('has a file or folder name that starts with a space or ends with a space or a dot');
  if (parts.some((p) => WINDOWS_RESERVED.test(p))) return fail('uses a name Windows reserves for devices (CON, NUL, COM1, …)');
  return s;
}

function checkPinSource(n: YNode, what: string, c: Checker): PinSource | undefined {
  const m = c.map(n, what);
  if (!m) return undefined;
  const f = c.fields(m, what, { optional: ['env', 'prompt'] });
  const env = f.get('env');
  const prompt = f.get('prompt');
  if (env && prompt) {
    c.error(prompt.keyAt, `${what} gives both "env" and "prompt"; choose one`);
    return undefined;
  }
  if (env) {
    const name = c.str(env.value, `${what}.env`, { max: 128, pattern: ENV_NAME, hint: 'must be an environment variable name: A-Z, 0-9 and "_", not starting with a digit' });
    return name === undefined ? undefined : { kind: 'env', name };
  }
  if (prompt) {
    const b = c.bool(prompt.value, `${what}.prompt`);
    if (b === false) c.error(prompt.value.at, `${what}.prompt can only be true; name an environment variable with "env" otherwise`);
    return b === true ? { kind: 'prompt' } : undefined;
  }
  c.error(m.at, `${what} must be { env: VARIABLE_NAME } or { prompt: true }`);
  return undefined;
}

/** `paper-words: { env: NAME }` or `{ prompt: true }`; the words are never read from a file. */
function checkWordsSource(n: YNode, what: string, c: Checker): PinSource | undefined {
  const m = c.map(n, what);
  if (!m) return undefined;
  if (m.entries.some((e) => e.key !== 'env' && e.key !== 'prompt')) {
    c.error(m.at, `${what} must be { env: VARIABLE_NAME } or { prompt: true }: the words are typed at a hidden prompt or come from the environment, never from a file`);
    return undefined;
  }
  return checkPinSource(n, what, c);
}

const MATCH_KEYS = Object.keys(MATCH_ATTRIBUTES) as (keyof ScriptTokenMatch)[];

function checkTokenChoice(n: YNode, what: string, c: Checker, requirement: TokenRequirement, scriptWhat: string): TokenChoice | undefined {
  const m = c.map(n, what);
  if (!m) return undefined;
  const f = c.fields(m, what, { optional: ['uri', 'software'] });
  const uri = f.get('uri');
  const software = f.get('software');
  if (uri && software) {
    c.error(software.keyAt, `${what} gives both "uri" and "software"; choose one`);
    return undefined;
  }
  if (requirement.kind === 'software') {
    if (uri || !software) {
      c.error(uri ? uri.keyAt : m.at, `${what} must be { software: path/to/file.keyrite-token }: the script (${scriptWhat}) uses the embedded software token`);
      return undefined;
    }
    const path = checkRelativePath(software.value, `${what}.software`, c);
    return path === undefined ? undefined : { kind: 'software', path };
  }
  if (software) {
    c.error(software.keyAt, `${what}: the script (${scriptWhat}) uses PKCS#11 tokens; the embedded software token is for rehearsal scripts only`);
    return undefined;
  }
  if (!uri) {
    c.error(m.at, `${what} must be { uri: "pkcs11:token=…;serial=…" } naming the token`);
    return undefined;
  }
  const s = c.str(uri.value, `${what}.uri`, { max: 4096 });
  if (s === undefined) return undefined;
  let match: TokenMatch;
  try {
    match = parseTokenUri(s);
  } catch (e) {
    // pkcs11-uri.ts messages name attributes, never values (PIN attributes are caught before this).
    c.error(uri.value.at, `${what}.uri: ${e instanceof KeyriteError ? e.message : 'is not a valid PKCS#11 URI'}`);
    return undefined;
  }
  const effective: TokenMatch = { ...match };
  let ok = true;
  for (const k of MATCH_KEYS) {
    const want = requirement.match[k];
    if (want === undefined) continue;
    if (match[k] !== undefined && match[k] !== want) {
      c.error(uri.value.at, `${what}.uri says ${k}= differently from the script's ${scriptWhat}.${k}; the token must satisfy both`);
      ok = false;
    }
    effective[k] = want;
  }
  return ok ? { kind: 'pkcs11', match: effective, uri: s } : undefined;
}

interface Located<T> {
  readonly value: T;
  readonly at: At;
  readonly tokenAt: At;
}

function checkParticipants(n: YNode, c: Checker, script: CeremonyScript, needs: Needs): Located<ParticipantAnswers>[] | undefined {
  const list = c.seq(n, 'participants');
  if (!list) return undefined;
  const before = c.issues.count;
  const out: Located<ParticipantAnswers>[] = [];
  const ids = new Map<string, At>();
  const names = new Map<string, At>();
  const paths = { output: [] as { key: string; at: At; label: string }[], keyring: new Map<string, At>(), envelope: new Map<string, At>() };
  const counts: Record<CeremonyRole, number> = { administrator: 0, trustee: 0, witness: 0 };

  list.items.forEach((item, index) => {
    const m = c.map(item, `participants[${index + 1}]`);
    if (!m) return;
    const idNode = m.entries.find((e) => e.key === 'id')?.value;
    const rawId = idNode?.kind === 'scalar' && typeof idNode.value === 'string' && PARTICIPANT_ID.test(idNode.value) ? idNode.value : undefined;
    const label = rawId ? `participant "${rawId}"` : `participants[${index + 1}]`;
    const f = c.fields(m, label, { required: ['id', 'name', 'role'], optional: ['token', 'pin', 'output', 'keyring', 'envelope', 'envelope-card', 'entropy', 'paper-words'] });
    const get = (k: string): YEntry | undefined => f.get(k);

    let id: string | undefined;
    if (get('id')) {
      id = c.str(get('id')!.value, `${label}: id`, { max: 32, pattern: PARTICIPANT_ID, hint: 'must be 1 to 32 of a-z, 0-9 and "-", starting with a letter or digit' });
      if (id !== undefined && RESERVED_IDS.includes(id)) {
        // keys/master.* and keys/previous-master.* name the master keys in every bundle.
        c.error(get('id')!.value.at, `participant id "${id}" is reserved: bundles name the master keys so; choose another id`);
        id = undefined;
      } else if (id !== undefined) {
        const first = ids.get(id);
        if (first) {
          c.error(get('id')!.value.at, `participant id "${id}" is used twice (first at line ${first.line}); ids must be unique`);
          id = undefined;
        } else ids.set(id, get('id')!.value.at);
      }
    }
    let name: string | undefined;
    if (get('name')) {
      name = c.str(get('name')!.value, `${label}: name`, { max: 100 });
      if (name !== undefined) {
        if (name.trim() !== name) {
          c.error(get('name')!.value.at, `${label}: name starts or ends with a space`);
          name = undefined;
        } else {
          const key = name.normalize('NFC').toLowerCase().replace(/\s+/g, ' ');
          const first = names.get(key);
          if (first) {
            c.error(get('name')!.value.at, `${label} has the same name as the participant at line ${first.line} (names are compared ignoring case); every participant must be told apart`);
            name = undefined;
          } else names.set(key, get('name')!.value.at);
        }
      }
    }
    let role: CeremonyRole | undefined;
    if (get('role')) {
      const rn = get('role')!.value;
      const s = c.str(rn, `${label}: role`, { max: 64 });
      if (s !== undefined) {
        if (!(CEREMONY_ROLES as readonly string[]).includes(s)) {
          c.error(rn.at, `${label}: role must be one of ${CEREMONY_ROLES.join(', ')}`);
        } else if (script.roles[s as CeremonyRole] === 0) {
          c.error(rn.at, `${label} has the role "${s}", which the script does not declare (it declares ${declaredRoles(script)})`);
        } else {
          role = s as CeremonyRole;
          counts[role]++;
        }
      }
    }
    const personal = ['token', 'pin', 'output', 'keyring', 'envelope', 'envelope-card', 'entropy', 'paper-words'] as const;
    if (role !== undefined && role !== 'trustee') {
      for (const k of personal) {
        const e = get(k);
        if (e) c.error(e.keyAt, `${label} is the ${role}; only trustees have "${k}" here (the master token's PIN goes under "master")`);
      }
      if (id && name && personal.every((k) => !get(k))) {
        out.push({ value: { id, name, role, line: m.at.line, column: m.at.column }, at: m.at, tokenAt: m.at });
      }
      return;
    }
    if (role !== 'trustee') return;

    // A trustee without a token: the paper words, and nothing a token trustee brings.
    const paperEntry = get('paper-words');
    if (paperEntry) {
      if (!needs.envelope) {
        c.error(paperEntry.keyAt, `${label}: "paper-words" is only used by scripts that collect shares (collect-share); remove it`);
        return;
      }
      if (script.kind === 'rotation') {
        // Every trustee of a rotation signs it and receives a share of the new key: both need their token.
        c.error(paperEntry.keyAt, `${label}: a rotation needs every trustee with their token (each signs the rotation and receives a share of the new key); paper words are taken by recovery and signing scripts only`);
        return;
      }
      for (const k of personal) {
        const e = get(k);
        if (e && k !== 'paper-words') c.error(e.keyAt, `${label} offers their share from the paper words, so brings no "${k}": a trustee without a token signs nothing and opens no envelope`);
      }
      if (!needs.witnessedCollect) c.error(paperEntry.keyAt, `${label}: a share typed from paper words is attested by the witness, so the script's collect-share step must have witness: true`);
      const paperWords = checkWordsSource(paperEntry.value, `${label}: paper-words`, c);
      if (id && name && paperWords && personal.every((k) => k === 'paper-words' || !get(k)) && needs.witnessedCollect) {
        out.push({ value: { id, name, role: 'paper-trustee', paperWords, line: m.at.line, column: m.at.column }, at: m.at, tokenAt: m.at });
      }
      return;
    }

    // Trustee fields.
    const tokenEntry = get('token');
    const pinEntry = get('pin');
    if (!tokenEntry) c.error(m.at, `${label} is a trustee and needs "token" (their own token)`);
    if (!pinEntry) c.error(m.at, `${label} is a trustee and needs "pin": { env: VARIABLE_NAME } or { prompt: true }`);
    const requirement = script.tokens.trustee ?? { kind: 'pkcs11' as const, match: {} };
    const token = tokenEntry && checkTokenChoice(tokenEntry.value, `${label}: token`, c, requirement, 'tokens.trustee.match');
    if (token && token.kind === 'pkcs11' && token.match.token === undefined && token.match.serial === undefined) {
      c.error(tokenEntry!.value.at, `${label}: token must name the trustee's own token with token= (its label) or serial=`);
    }
    const pin = pinEntry && checkPinSource(pinEntry.value, `${label}: pin`, c);

    const pathField = (k: 'output' | 'keyring' | 'envelope', needed: boolean, purpose: string): string | undefined => {
      const e = get(k);
      if (!e) {
        if (needed && !needs.perTrustee) c.error(m.at, `${label} needs "${k}": ${purpose}`);
        return undefined;
      }
      if (!needed) {
        c.error(e.keyAt, `${label}: this script does not use "${k}"; remove it`);
        return undefined;
      }
      return checkRelativePath(e.value, `${label}: ${k}`, c);
    };
    const output = pathField('output', needs.output, 'the folder where this trustee\'s identity, envelope and paper card are written');
    const keyring = pathField('keyring', needs.keyring, "the trustee's keyring file from their enrolment");
    // The envelope is the file, or (envelope-card) the text a scanner typed from the printed card: one of the two.
    const cardEntry = get('envelope-card');
    let envelope: string | undefined;
    let envelopeCard: string | undefined;
    if (cardEntry && !needs.envelope) c.error(cardEntry.keyAt, `${label}: this script does not use "envelope-card"; remove it`);
    else if (cardEntry && get('envelope')) c.error(cardEntry.keyAt, `${label}: give either "envelope" (the file) or "envelope-card" (the scanned share card), not both`);
    else if (cardEntry) envelopeCard = checkRelativePath(cardEntry.value, `${label}: envelope-card`, c);
    else envelope = pathField('envelope', needs.envelope, "the trustee's share envelope file (or \"envelope-card\": a text file of what a QR scanner typed from their share card)");
    if (output !== undefined) {
      const key = pathKey(output);
      for (const other of paths.output) {
        if (other.key === key || key.startsWith(other.key + '/') || other.key.startsWith(key + '/')) {
          c.error(get('output')!.value.at, `${label}: output ${other.key === key ? 'is the same folder as' : 'is inside, or contains,'} the output of ${other.label} (line ${other.at.line}); every trustee's files go to their own folder`);
        }
      }
      paths.output.push({ key, at: get('output')!.value.at, label });
    }
    for (const [k, v, field] of [['keyring', keyring, 'keyring'], ['envelope', envelope, 'envelope'], ['envelope', envelopeCard, 'envelope-card']] as const) {
      if (v === undefined) continue;
      const first = paths[k].get(pathKey(v));
      if (first) c.error(get(field)!.value.at, `${label}: ${field} is the same file as the one at line ${first.line}; every trustee has their own`);
      else paths[k].set(pathKey(v), get(field)!.value.at);
    }

    let dice: Uint8Array | undefined;
    const entropyEntry = get('entropy');
    if (entropyEntry) {
      if (needs.minDice === undefined) {
        c.error(entropyEntry.keyAt, `${label}: the script's entropy step does not take trustee dice (sources: trustee-dice); remove "entropy"`);
      } else dice = checkDice(entropyEntry.value, `${label}: entropy`, c, needs.minDice);
    }

    const unlocks = envelope !== undefined || envelopeCard !== undefined;
    if (needs.perTrustee) {
      if ((keyring !== undefined) !== unlocks && !(get('keyring') && !keyring) && !(get('envelope') && !envelope)) {
        c.error(m.at, `${label}: an old holder who unlocks brings both "keyring" and "envelope" (or "envelope-card"); a new holder brings neither`);
        return;
      }
      if (keyring === undefined && output === undefined && !get('keyring') && !get('output')) {
        c.error(m.at, `${label} needs "output" (a holder of the new epoch: their new identity and envelope go there), or "keyring" and "envelope" (an old holder who unlocks), or all three (a continuing holder)`);
        return;
      }
    }
    if (!id || !name || !token || !pin) return;
    if (!needs.perTrustee && ((needs.output && output === undefined) || (needs.keyring && keyring === undefined) || (needs.envelope && !unlocks))) return;
    if (needs.perTrustee && ((keyring !== undefined) !== unlocks || (keyring === undefined && output === undefined))) return;
    if (entropyEntry && dice === undefined) return;
    out.push({
      value: {
        id,
        name,
        role: 'trustee',
        token,
        pin,
        ...(output !== undefined ? { output } : {}),
        ...(keyring !== undefined ? { keyring } : {}),
        ...(envelope !== undefined ? { envelope } : {}),
        ...(envelopeCard !== undefined ? { envelopeCard } : {}),
        ...(dice !== undefined ? { dice } : {}),
        line: m.at.line,
        column: m.at.column,
      },
      at: m.at,
      tokenAt: tokenEntry!.value.at,
    });
  });

  if (needs.perTrustee && script.quorum && c.issues.count === before) {
    const holders = out.filter((p) => p.value.role === 'trustee' && p.value.output !== undefined).length;
    if (holders !== script.quorum.n) c.error(list.at, `the new epoch has quorum.n = ${script.quorum.n} holders, but ${holders} trustees have an "output" folder; every holder of the new epoch has one`);
  }
  const paper = out.filter((p) => p.value.role === 'paper-trustee');
  if (script.quorum && paper.length > maxPaperShares(script.quorum.t)) {
    c.error(list.at, `${paper.length} trustees offer paper words; a quorum combines at most t − 1 = ${maxPaperShares(script.quorum.t)} shares typed from paper, so that at least one share is opened with a token and checked against its commitment`);
  }
  for (const role of CEREMONY_ROLES) {
    const want = script.roles[role];
    if (want > 0 && counts[role] !== want) {
      c.error(list.at, `the script needs ${want} ${plural(role, want)}; the answers file lists ${counts[role]}`);
    }
  }
  return c.issues.count > before ? undefined : out;
}

function plural(role: CeremonyRole, n: number): string {
  return n === 1 ? role : `${role}s`;
}

function declaredRoles(script: CeremonyScript): string {
  return CEREMONY_ROLES.filter((r) => script.roles[r] > 0).join(', ');
}

function checkDice(n: YNode, what: string, c: Checker, minDice: number): Uint8Array | undefined {
  const m = c.map(n, what);
  if (!m) return undefined;
  const f = c.fields(m, what, { required: ['dice'] });
  const e = f.get('dice');
  if (!e) return undefined;
  // The rolls are secret: messages give counts and rules, never the rolls.
  if (e.value.kind !== 'scalar' || typeof e.value.value !== 'string') {
    c.error(e.value.at, `${what}.dice must be text: die rolls 1 to 6 separated by spaces, for example "3 6 1 4" (in quotes)`);
    return undefined;
  }
  const s = e.value.value.trim();
  if (!DICE.test(s)) {
    c.error(e.value.at, `${what}.dice must be die rolls 1 to 6 separated by spaces, for example "3 6 1 4"`);
    return undefined;
  }
  const rolls = s.split(/ +/);
  if (rolls.length < minDice) {
    c.error(e.value.at, `${what}.dice has ${rolls.length} rolls; the script's entropy step asks for at least ${minDice}`);
    return undefined;
  }
  if (rolls.length > MAX_DICE_ROLLS) {
    c.error(e.value.at, `${what}.dice has more than ${MAX_DICE_ROLLS} rolls`);
    return undefined;
  }
  return Uint8Array.from(rolls, Number);
}

function checkMaster(n: YNode, c: Checker, script: CeremonyScript): Located<MasterAnswers> | undefined {
  const m = c.map(n, 'master');
  if (!m) return undefined;
  const f = c.fields(m, 'master', { required: ['pin'], optional: ['token'] });
  const requirement = script.tokens.master.token;
  const tokenEntry = f.get('token');
  let token: TokenChoice | undefined;
  if (tokenEntry) token = checkTokenChoice(tokenEntry.value, 'master.token', c, requirement, 'tokens.master.match');
  else if (requirement.kind === 'software') c.error(m.at, 'master needs "token: { software: path/to/file.keyrite-token }": the script uses the embedded software token');
  else token = { kind: 'pkcs11', match: { ...requirement.match } };
  const pin = f.get('pin') && checkPinSource(f.get('pin')!.value, 'master.pin', c);
  if (!token || !pin) return undefined;
  return { value: { token, pin }, at: m.at, tokenAt: tokenEntry ? tokenEntry.value.at : m.at };
}

function checkBundle(n: YNode, c: Checker, script: CeremonyScript): BundleAnswers | undefined {
  const m = c.map(n, 'bundle');
  if (!m) return undefined;
  const f = c.fields(m, 'bundle', { required: ['path'], optional: ['trust'] });
  const path = f.get('path') && checkRelativePath(f.get('path')!.value, 'bundle.path', c);
  const trustEntry = f.get('trust');
  let trust: ParsedFingerprint | undefined;
  if (trustEntry) {
    const s = c.str(trustEntry.value, 'bundle.trust', { max: 1000 });
    if (s !== undefined) {
      try {
        trust = parseFingerprint(s);
      } catch (e) {
        c.error(trustEntry.value.at, `bundle.trust: ${e instanceof KeyriteError ? e.message : 'is not a fingerprint'}`);
      }
    }
  } else if (script.mode === 'live') {
    c.error(m.at, 'bundle needs "trust": the master fingerprint read aloud at the original ceremony (64 hex digits or its 16 words); a live recovery never trusts a bundle on its own say-so');
  }
  if (path === undefined || (trustEntry && !trust)) return undefined;
  return trust ? { path, trust } : { path };
}

function checkRequest(n: YNode, c: Checker, script: CeremonyScript): RequestAnswers | undefined {
  const m = c.map(n, 'request');
  if (!m) return undefined;
  const f = c.fields(m, 'request', { required: ['path'], optional: ['sha256'] });
  const path = f.get('path') && checkRelativePath(f.get('path')!.value, 'request.path', c);
  const shaEntry = f.get('sha256');
  let sha256: string | undefined;
  if (shaEntry) {
    const s = c.str(shaEntry.value, 'request.sha256', { max: 100 });
    if (s !== undefined) {
      const hex = s.replace(/ /g, '').toLowerCase();
      if (/^[0-9a-f]{64}$/.test(hex)) sha256 = hex;
      else c.error(shaEntry.value.at, "request.sha256 must be the 64 hex digits of the request's SHA-256 (spaces between groups allowed)");
    }
  } else if (script.mode === 'live') {
    c.error(m.at, 'request needs "sha256": the digest of the request as its author gave it, out of band; a live ceremony never signs a file on its own say-so');
  }
  if (path === undefined || (shaEntry && sha256 === undefined)) return undefined;
  return sha256 === undefined ? { path } : { path, sha256 };
}

function tokenKey(t: TokenChoice): string {
  return t.kind === 'software' ? `software:${pathKey(t.path)}` : formatTokenMatch(t.match);
}

function checkDistinctTokens(participants: readonly Located<ParticipantAnswers>[], master: Located<MasterAnswers> | undefined, c: Checker): void {
  const seen = new Map<string, string>();
  if (master) seen.set(tokenKey(master.value.token), 'the master token');
  for (const p of participants) {
    if (p.value.role !== 'trustee') continue;
    const key = tokenKey(p.value.token);
    const other = seen.get(key);
    if (other) c.error(p.tokenAt, `participant "${p.value.id}": token selects the same token as ${other}; every trustee brings their own token, distinct from the master token`);
    else seen.set(key, `participant "${p.value.id}"`);
  }
}
