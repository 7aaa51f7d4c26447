/**
 * Ceremony scripts: the YAML file that says what a ceremony does, validated strictly against
 * docs/CEREMONY-SCRIPTS.md (the single source of truth for the format; keep both in step).
 *
 * parseCeremonyScript(bytes) returns a fully typed, frozen CeremonyScript plus the SHA-256 of
 * the exact bytes (hex, hex groups and PGP words, to read aloud at the start of a run). Every
 * problem is reported with line and column in one SCRIPT_INVALID CeremonyFileError:
 *  - YAML rules (strict-yaml.ts): one document, no duplicate keys, anchors, aliases, merge
 *    keys, tags or directives;
 *  - schema: unknown keys anywhere, types, fixed vocabularies (kinds, roles, actions,
 *    algorithms), role counts, quorum bounds, token matching by RFC 7512 attributes only,
 *    Keyrite key labels, per-action parameters;
 *  - cross-step rules: every ceremony starts with air-gap-check and self-test and ends with
 *    export; root-keygen and escrow-recovery have their mandatory steps, in a valid order.
 * Platform-free: no Node APIs.
 */
import { sha256 } from '../crypto/hash.ts';
import { toHex } from '../encoding/hex.ts';
import { fingerprint, fingerprintWords, formatFingerprintHex } from '../encoding/fingerprint.ts';
import { assertObjectLabel } from '../tokens/labels.ts';
import { Checker, declaredFileKind, Issues, KEYRITE_YAML_KINDS, loadStrictYaml, showKey } from './strict-yaml.ts';
import type { At, YEntry, YMap, YNode } from './strict-yaml.ts';
import { findPinValues, SCRIPT_PIN_MESSAGE } from './pins.ts';

export { CeremonyFileError } from './strict-yaml.ts';
export type { FileIssue } from './strict-yaml.ts';

// ---------------------------------------------------------------------------------------
// Vocabulary

export const SCRIPT_FORMAT_VERSION = 1;
/** Largest script accepted, in bytes. */
export const MAX_SCRIPT_BYTES = 64 * 1024;
export const MAX_STEPS = 200;

export const CEREMONY_KINDS = ['root-keygen', 'escrow-recovery', 'rotation', 'revocation', 'signing', 'reshare', 'enrollment'] as const;
export type CeremonyKind = (typeof CEREMONY_KINDS)[number];

export const CEREMONY_MODES = ['live', 'rehearsal'] as const;
/** `rehearsal` allows the embedded software token (and fixed ids and clocks in answers). */
export type CeremonyMode = (typeof CEREMONY_MODES)[number];

export const AIR_GAP_POLICIES = ['block', 'warn'] as const;
/** What a non-loopback network interface that is up does: stop the ceremony, or warn and record. */
export type AirGapPolicy = (typeof AIR_GAP_POLICIES)[number];

export const CEREMONY_ROLES = ['administrator', 'trustee', 'witness'] as const;
export type CeremonyRole = (typeof CEREMONY_ROLES)[number];

export const CEREMONY_ACTIONS = [
  'air-gap-check',
  'self-test',
  'check-in',
  'token-select',
  'login',
  'entropy',
  'generate',
  'import',
  'split',
  'distribute',
  'verify-receipts',
  'checkpoint',
  'co-sign',
  'export',
  'verify-bundle',
  'collect-share',
  'combine',
  'restore-to-token',
  'cross-sign',
  'check-request',
  'sign-document',
  'revoke',
  'destroy-old-keys',
] as const;
export type CeremonyAction = (typeof CEREMONY_ACTIONS)[number];

export const CLASSICAL_ALGORITHMS = ['Ed25519', 'ES256'] as const;
export type ClassicalAlgorithm = (typeof CLASSICAL_ALGORITHMS)[number];

export const ENTROPY_SOURCES = ['hsm', 'os', 'trustee-dice'] as const;
export type EntropySource = (typeof ENTROPY_SOURCES)[number];

export const TOKEN_TARGETS = ['master', 'trustee'] as const;
/** Which token a token-select or login step is about. */
export type TokenTarget = (typeof TOKEN_TARGETS)[number];

/** RFC 7512 token attributes a script may match on, with the width of the CK_TOKEN_INFO field in bytes. */
export const MATCH_ATTRIBUTES = { token: 32, manufacturer: 32, serial: 16, model: 16 } as const;
export type MatchAttribute = keyof typeof MATCH_ATTRIBUTES;

// ---------------------------------------------------------------------------------------
// Types of a parsed script (all readonly; the parser freezes them)

/** Role → number of people. 0 means the script does not declare the role. */
export interface RoleCounts {
  readonly administrator: number;
  readonly trustee: number;
  readonly witness: number;
}

export interface Quorum {
  /** Number of shares (trustees at key generation), 2..255. */
  readonly n: number;
  /** Shares needed to recover, 2..n. */
  readonly t: number;
}

export interface Algorithms {
  readonly classical: ClassicalAlgorithm;
  readonly pq: 'ML-DSA-65';
  readonly kem: 'X-Wing';
  readonly aead: 'XChaCha20-Poly1305';
}

/** Token selection by RFC 7512 token attributes; compatible with core/tokens/pkcs11-uri.ts TokenMatch. */
export interface ScriptTokenMatch {
  readonly token?: string;
  readonly serial?: string;
  readonly manufacturer?: string;
  readonly model?: string;
}

/** Where a token comes from: a PKCS#11 token matching these attributes, or the embedded software token (rehearsal only). */
export type TokenRequirement = { readonly kind: 'pkcs11'; readonly match: ScriptTokenMatch } | { readonly kind: 'software' };

export interface MasterTokenSpec {
  readonly token: TokenRequirement;
  /** Keyrite label of the master key on the token (core/tokens/labels.ts rules). */
  readonly keyLabel: string;
}

export interface TokenSpecs {
  readonly master: MasterTokenSpec;
  /** Present whenever the script declares trustees. */
  readonly trustee?: TokenRequirement;
}

export interface EscrowOptions {
  /** Also produce the share as words with a checksum and a printable card for every trustee. */
  readonly paperBackup: boolean;
}

export type EmptyParams = Readonly<Record<string, never>>;

/** Parameters of each action (docs/CEREMONY-SCRIPTS.md, "Actions"). */
export interface ActionParams {
  readonly 'air-gap-check': EmptyParams;
  readonly 'self-test': EmptyParams;
  /** enroll: create the participant's identity on their token (trustees only); false: use an existing keyring. */
  readonly 'check-in': { readonly enroll: boolean };
  readonly 'token-select': { readonly token: TokenTarget };
  readonly login: { readonly token: TokenTarget };
  /** minDice is present exactly when sources include trustee-dice: the fewest rolls a contribution may have. */
  readonly entropy: { readonly sources: readonly EntropySource[]; readonly minDice?: number };
  readonly generate: EmptyParams;
  readonly import: EmptyParams;
  readonly split: EmptyParams;
  readonly distribute: EmptyParams;
  readonly 'verify-receipts': EmptyParams;
  readonly checkpoint: { readonly phase: string };
  /** The roles whose every member signs (the master key signs as well where the kind says so). */
  readonly 'co-sign': { readonly roles: readonly CeremonyRole[] };
  readonly export: EmptyParams;
  readonly 'verify-bundle': EmptyParams;
  readonly 'collect-share': EmptyParams;
  readonly combine: EmptyParams;
  readonly 'restore-to-token': EmptyParams;
  readonly 'cross-sign': { readonly graceDays: number };
  /** The signing request's caps (Boulder's rule: check before signing). */
  readonly 'check-request': { readonly maxValidityDays: number; readonly maxKeys: number; readonly maxArtifacts: number };
  readonly 'sign-document': EmptyParams;
  /** Why the key is revoked: one line, shown (escaped) wherever the revocation is. */
  readonly revoke: { readonly reason: string };
  /** reshare: each old holder present destroys the keys of their old identity on their token; old paper backups destroyed before the witness. */
  readonly 'destroy-old-keys': EmptyParams;
}

export interface StepCommon {
  readonly id: string;
  /** The role that performs the step; a trustee step runs once per trustee, one by one. */
  readonly actor: CeremonyRole;
  /** A witness must confirm the step before the ceremony moves on. */
  readonly witness: boolean;
  /** Text shown to the people in the room. */
  readonly title?: string;
  /** Where the step starts in the script (for messages). */
  readonly line: number;
  readonly column: number;
}

export type CeremonyStep = { [A in CeremonyAction]: StepCommon & { readonly action: A; readonly params: ActionParams[A] } }[CeremonyAction];
/** The step type for one action, e.g. StepOf<'entropy'>. */
export type StepOf<A extends CeremonyAction> = Extract<CeremonyStep, { action: A }>;

export interface CeremonyScript {
  readonly version: 1;
  readonly kind: CeremonyKind;
  readonly name: string;
  readonly mode: CeremonyMode;
  readonly airGap: AirGapPolicy;
  readonly roles: RoleCounts;
  /** Required for root-keygen and escrow-recovery. */
  readonly quorum?: Quorum;
  readonly algorithms: Algorithms;
  readonly tokens: TokenSpecs;
  /** Present exactly when the script has a split step (required then). */
  readonly escrow?: EscrowOptions;
  readonly steps: readonly CeremonyStep[];
}

export interface ParsedCeremonyScript {
  readonly script: CeremonyScript;
  /** A copy of the exact bytes (what the bundle stores as script.yaml). */
  readonly bytes: Uint8Array;
  /** SHA-256 of the exact bytes. */
  readonly sha256: Uint8Array;
  /** 64 lowercase hex digits. */
  readonly hashHex: string;
  /** The hash in 16 groups of 4 hex digits, to read aloud. */
  readonly hashHexGroups: string;
  /** The first 16 bytes of the hash as 16 PGP words, to read aloud. */
  readonly hashWords: readonly string[];
}

// ---------------------------------------------------------------------------------------
// Per-action rules

interface ActionRule {
  /** Roles that may perform the action. */
  readonly actors: readonly CeremonyRole[];
  readonly required: readonly string[];
  readonly optional: readonly string[];
  /** The ceremony kinds whose engine runs the action (none yet: the action is reserved). */
  readonly kinds: readonly CeremonyKind[];
}

const ADMIN: readonly CeremonyRole[] = ['administrator'];
const NONE = { required: [], optional: [] } as const;
/** The kinds that generate and escrow a new master key. */
const ROOT: readonly CeremonyKind[] = ['root-keygen', 'rotation'];
/** The kinds that split an escrow: a new key's (root-keygen, rotation) or the same key's anew (reshare). */
const ESCROWING: readonly CeremonyKind[] = ['root-keygen', 'rotation', 'reshare'];
const RESHARE: readonly CeremonyKind[] = ['reshare'];
const ROTATION: readonly CeremonyKind[] = ['rotation'];
const RECOVERY: readonly CeremonyKind[] = ['escrow-recovery'];
const SIGNING: readonly CeremonyKind[] = ['signing'];
const REVOCATION: readonly CeremonyKind[] = ['revocation'];
/** Every kind but revocation, which never opens the master token (its token may be lost or stolen). */
const TOKEN_KINDS: readonly CeremonyKind[] = ['root-keygen', 'escrow-recovery', 'signing', 'rotation'];
const UNLOCK: readonly CeremonyKind[] = ['escrow-recovery', 'signing', 'rotation', 'revocation', 'reshare'];
const ALL: readonly CeremonyKind[] = ['root-keygen', 'escrow-recovery', 'signing', 'rotation', 'revocation', 'reshare'];

export const ACTION_RULES: Readonly<Record<CeremonyAction, ActionRule>> = Object.freeze({
  'air-gap-check': { actors: ADMIN, ...NONE, kinds: ALL },
  'self-test': { actors: ADMIN, ...NONE, kinds: ALL },
  'check-in': { actors: ['administrator', 'trustee', 'witness'], required: [], optional: ['enroll'], kinds: ALL },
  'token-select': { actors: ['administrator', 'trustee'], required: ['token'], optional: [], kinds: TOKEN_KINDS },
  login: { actors: ['administrator', 'trustee'], required: ['token'], optional: [], kinds: TOKEN_KINDS },
  entropy: { actors: ADMIN, required: ['sources'], optional: ['min-dice'], kinds: ROOT },
  generate: { actors: ADMIN, ...NONE, kinds: ROOT },
  import: { actors: ADMIN, ...NONE, kinds: ROOT },
  split: { actors: ADMIN, ...NONE, kinds: ESCROWING },
  distribute: { actors: ADMIN, ...NONE, kinds: ESCROWING },
  'verify-receipts': { actors: ['trustee'], ...NONE, kinds: ESCROWING },
  checkpoint: { actors: ADMIN, required: ['phase'], optional: [], kinds: ALL },
  'co-sign': { actors: ADMIN, required: ['roles'], optional: [], kinds: ALL },
  export: { actors: ADMIN, ...NONE, kinds: ALL },
  'verify-bundle': { actors: ADMIN, ...NONE, kinds: UNLOCK },
  'collect-share': { actors: ['trustee'], ...NONE, kinds: UNLOCK },
  combine: { actors: ADMIN, ...NONE, kinds: UNLOCK },
  'restore-to-token': { actors: ADMIN, ...NONE, kinds: RECOVERY },
  'cross-sign': { actors: ADMIN, required: ['grace-days'], optional: [], kinds: ROTATION },
  'check-request': { actors: ADMIN, required: ['max-validity-days'], optional: ['max-keys', 'max-artifacts'], kinds: SIGNING },
  revoke: { actors: ADMIN, required: ['reason'], optional: [], kinds: REVOCATION },
  'sign-document': { actors: ADMIN, ...NONE, kinds: SIGNING },
  'destroy-old-keys': { actors: ADMIN, ...NONE, kinds: RESHARE },
});

/** The kinds an engine runs; the others accept the whole vocabulary until their engines come. */
export const ENGINE_KINDS: readonly CeremonyKind[] = CEREMONY_KINDS.filter((k) => CEREMONY_ACTIONS.some((a) => ACTION_RULES[a].kinds.includes(k)));

/** The actions a kind's script may use. */
export function kindActions(kind: CeremonyKind): readonly CeremonyAction[] {
  return ENGINE_KINDS.includes(kind) ? CEREMONY_ACTIONS.filter((a) => ACTION_RULES[a].kinds.includes(kind)) : CEREMONY_ACTIONS;
}

const STEP_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const PHASE = /^[a-z0-9][a-z0-9-]{0,31}$/;
/** check-request caps: no endorsement outlives ten years; the hard caps of core/signing/request.ts bound the counts. */
const MAX_VALIDITY_DAYS = 3653;
const MAX_REQUEST_KEYS = 64;
const MAX_REQUEST_ARTIFACTS = 4096;
const DEFAULT_MAX_KEYS = 16;
const DEFAULT_MAX_ARTIFACTS = 64;
const MAX_DICE = 1000;
/** cross-sign: the longest grace a rotated-out key keeps (ten years, as the longest endorsement). */
const MAX_GRACE_DAYS = 3653;
/** revoke: the reason is one line a person reads aloud. */
const MAX_REASON_CHARS = 300;

// ---------------------------------------------------------------------------------------
// Parser

/**
 * Parses and validates a ceremony script. Throws CeremonyFileError (code SCRIPT_INVALID)
 * listing every problem with line and column; never any other error for any bytes.
 */
export function parseCeremonyScript(bytes: Uint8Array): ParsedCeremonyScript {
  const issues = new Issues('SCRIPT_INVALID', 'ceremony script');
  const root = loadStrictYaml(bytes, { issues, maxBytes: MAX_SCRIPT_BYTES });
  const declared = declaredFileKind(root, KEYRITE_YAML_KINDS);
  if (declared?.kind === 'answers') {
    issues.add(declared.at, 'this is an answers file (it has keyrite-answers), not a ceremony script: give the script first and the answers file with --answers');
    issues.fail();
  }
  for (const at of findPinValues(root, false)) issues.add(at, SCRIPT_PIN_MESSAGE);
  issues.throwIfAny();
  const c = new Checker(issues, true);
  const script = checkScript(root, c);
  issues.throwIfAny();
  const copy = Uint8Array.from(bytes);
  const digest = sha256(copy);
  const fp = fingerprint(digest);
  return Object.freeze({
    script: deepFreeze(script!),
    bytes: copy,
    sha256: digest,
    hashHex: toHex(digest),
    hashHexGroups: formatFingerprintHex(fp),
    hashWords: Object.freeze(fingerprintWords(fp)),
  });
}

function deepFreeze<T>(o: T): T {
  if (o !== null && typeof o === 'object' && !ArrayBuffer.isView(o) && !Object.isFrozen(o)) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

const TOP_REQUIRED = ['keyrite-script', 'kind', 'name', 'mode', 'air-gap', 'roles', 'algorithms', 'tokens', 'steps'] as const;
const TOP_OPTIONAL = ['quorum', 'escrow'] as const;

function checkScript(root: YNode, c: Checker): CeremonyScript | undefined {
  const top = c.map(root, 'A ceremony script');
  if (!top) return undefined;
  // The version decides what everything else means: check it alone first.
  const versionEntry = top.entries.find((e) => e.key === 'keyrite-script');
  if (!versionEntry) {
    c.error(top.at, 'the script does not start with "keyrite-script: 1" (the format version)');
    return undefined;
  }
  const v = versionEntry.value;
  if (!(v.kind === 'scalar' && v.plain && v.text === '1')) {
    c.error(v.at, `keyrite-script${v.kind === 'scalar' && v.value !== null ? c.quote(v.text) : ''} is not a format version this Keyrite reads; it reads version 1 only`);
    return undefined;
  }
  const f = c.fields(top, 'The script', { required: TOP_REQUIRED, optional: TOP_OPTIONAL });
  const val = (k: string): YNode | undefined => f.get(k)?.value;

  const kind = val('kind') && c.oneOf(val('kind')!, 'kind', CEREMONY_KINDS);
  const name = val('name') && c.str(val('name')!, 'name', { max: 200 });
  const mode = val('mode') && c.oneOf(val('mode')!, 'mode', CEREMONY_MODES);
  const airGap = val('air-gap') && c.oneOf(val('air-gap')!, 'air-gap', AIR_GAP_POLICIES);
  const roles = val('roles') && checkRoles(val('roles')!, c);
  const algorithms = val('algorithms') && checkAlgorithms(val('algorithms')!, c);
  const tokens = val('tokens') && checkTokens(val('tokens')!, c, mode, roles);
  const quorumEntry = f.get('quorum');
  const quorum = quorumEntry && checkQuorum(quorumEntry.value, c);
  const escrowEntry = f.get('escrow');
  const escrow = escrowEntry && checkEscrow(escrowEntry.value, c);
  const stepsNode = val('steps');
  const steps = stepsNode && roles && checkSteps(stepsNode, c, roles, tokens, mode);

  if (kind && roles) checkKindRoles(kind, roles, quorum, quorumEntry, top, c);
  if (quorumEntry && roles && roles.trustee === 0) c.error(quorumEntry.keyAt, 'quorum needs trustees: declare roles.trustee');
  if (steps && stepsNode) {
    const hasSplit = steps.some((s) => s.action === 'split');
    if (hasSplit && !escrowEntry) c.error(top.at, 'the script splits an escrow, so it must say "escrow: { paper-backup: true | false }"');
    if (!hasSplit && escrowEntry) c.error(escrowEntry.keyAt, 'escrow options apply only to a script with a split step; remove "escrow"');
    if (kind && c.issues.count === 0) checkStepOrder(kind, steps, stepsNode.at, c);
  }
  if (c.issues.count > 0) return undefined;
  return {
    version: 1,
    kind: kind!,
    name: name!,
    mode: mode!,
    airGap: airGap!,
    roles: roles!,
    ...(quorum ? { quorum } : {}),
    algorithms: algorithms!,
    tokens: tokens!,
    ...(escrow ? { escrow } : {}),
    steps: steps!,
  };
}

function checkRoles(n: YNode, c: Checker): RoleCounts | undefined {
  const m = c.map(n, 'roles');
  if (!m) return undefined;
  const counts = { administrator: 0, trustee: 0, witness: 0 };
  let ok = true;
  for (const e of m.entries) {
    if (!(CEREMONY_ROLES as readonly string[]).includes(e.key)) {
      c.error(e.keyAt, `${showKey(e.key)} is not a Keyrite role; roles are ${CEREMONY_ROLES.join(', ')}`);
      ok = false;
      continue;
    }
    const role = e.key as CeremonyRole;
    const count = c.int(e.value, `roles.${role}`, 1, 255);
    if (count === undefined) {
      ok = false;
      continue;
    }
    if (role === 'administrator' && count !== 1) {
      c.error(e.value.at, 'roles.administrator must be 1: exactly one administrator drives the ceremony machine');
      ok = false;
    }
    counts[role] = count;
  }
  if (!m.entries.some((e) => e.key === 'administrator')) {
    c.error(m.at, 'roles must declare "administrator: 1" (every ceremony has one administrator)');
    ok = false;
  }
  return ok ? counts : undefined;
}

function checkQuorum(n: YNode, c: Checker): Quorum | undefined {
  const m = c.map(n, 'quorum');
  if (!m) return undefined;
  const f = c.fields(m, 'quorum', { required: ['n', 't'] });
  const nn = f.get('n') && c.int(f.get('n')!.value, 'quorum.n', 2, 255);
  const tNode = f.get('t')?.value;
  const t = tNode && c.int(tNode, 'quorum.t', 2, 255);
  if (nn === undefined || t === undefined || !tNode) return undefined;
  if (t > nn) {
    c.error(tNode.at, `quorum.t (${t}) is larger than quorum.n (${nn}): a secret split into ${nn} shares cannot need ${t} of them`);
    return undefined;
  }
  return { n: nn, t };
}

function checkKindRoles(kind: CeremonyKind, roles: RoleCounts, quorum: Quorum | undefined, quorumEntry: YEntry | undefined, top: YMap, c: Checker): void {
  const needsQuorum = kind === 'root-keygen' || kind === 'escrow-recovery' || kind === 'signing' || kind === 'rotation' || kind === 'revocation' || kind === 'reshare';
  if (needsQuorum && !quorumEntry) {
    c.error(top.at, `${kindPhrase(kind)} must declare "quorum: { n: …, t: … }"`);
    return;
  }
  if (!quorum || !quorumEntry) return;
  if ((kind === 'root-keygen' || kind === 'rotation') && roles.trustee !== quorum.n) {
    c.error(quorumEntry.value.at, `quorum.n (${quorum.n}) must equal roles.trustee (${roles.trustee}): at key generation every trustee receives exactly one share`);
  }
  if (kind === 'reshare' && roles.trustee < quorum.n) {
    c.error(quorumEntry.value.at, `roles.trustee (${roles.trustee}) must be at least quorum.n (${quorum.n}): every holder of the new epoch takes part in a reshare (roles.trustee counts them and the old holders who only unlock)`);
  }
  if ((kind === 'escrow-recovery' || kind === 'signing' || kind === 'revocation') && (roles.trustee < quorum.t || roles.trustee > quorum.n)) {
    c.error(
      quorumEntry.value.at,
      `roles.trustee (${roles.trustee}) must be from quorum.t (${quorum.t}) to quorum.n (${quorum.n}): ${kind === 'signing' ? 'unlocking the key to sign' : kind === 'revocation' ? 'revoking the key' : 'a recovery'} needs at least t of the n share holders`,
    );
  }
}

function checkAlgorithms(n: YNode, c: Checker): Algorithms | undefined {
  const m = c.map(n, 'algorithms');
  if (!m) return undefined;
  const f = c.fields(m, 'algorithms', { required: ['classical', 'pq', 'kem', 'aead'] });
  const classical = f.get('classical') && c.oneOf(f.get('classical')!.value, 'algorithms.classical', CLASSICAL_ALGORITHMS);
  const pq = f.get('pq') && c.oneOf(f.get('pq')!.value, 'algorithms.pq', ['ML-DSA-65'] as const);
  const kem = f.get('kem') && c.oneOf(f.get('kem')!.value, 'algorithms.kem', ['X-Wing'] as const);
  const aead = f.get('aead') && c.oneOf(f.get('aead')!.value, 'algorithms.aead', ['XChaCha20-Poly1305'] as const);
  if (!classical || !pq || !kem || !aead) return undefined;
  return { classical, pq, kem, aead };
}

function checkMatch(n: YNode, what: string, c: Checker): ScriptTokenMatch | undefined {
  const m = c.map(n, what);
  if (!m) return undefined;
  const f = c.fields(m, what, { optional: Object.keys(MATCH_ATTRIBUTES) });
  const out: { -readonly [K in MatchAttribute]?: string } = {};
  let ok = true;
  for (const [attr, width] of Object.entries(MATCH_ATTRIBUTES) as [MatchAttribute, number][]) {
    const e = f.get(attr);
    if (!e) continue;
    const v = c.str(e.value, `${what}.${attr}`, { max: width });
    if (v === undefined) {
      ok = false;
      continue;
    }
    if (new TextEncoder().encode(v).length > width) {
      c.error(e.value.at, `${what}.${attr} is longer than the ${width} bytes a PKCS#11 token stores for it`);
      ok = false;
    } else if (/\s$/.test(v) || /^\s/.test(v)) {
      c.error(e.value.at, `${what}.${attr} starts or ends with a space; PKCS#11 pads these fields with spaces, so it could never match`);
      ok = false;
    } else out[attr] = v;
  }
  return ok ? out : undefined;
}

function checkTokenRequirement(n: YNode, what: string, c: Checker, mode: CeremonyMode | undefined, extra: readonly string[]): [TokenRequirement | undefined, Map<string, YEntry>] {
  const m = c.map(n, what);
  if (!m) return [undefined, new Map()];
  const f = c.fields(m, what, { optional: ['match', 'software', ...extra] });
  const match = f.get('match');
  const software = f.get('software');
  if (match && software) {
    c.error(software.keyAt, `${what} gives both "match" and "software"; choose one`);
    return [undefined, f];
  }
  if (!match && !software) {
    c.error(m.at, `${what} must say which token: "match: { token: …, serial: … }" (PKCS#11) or "software: true" (embedded software token, rehearsal only)`);
    return [undefined, f];
  }
  if (software) {
    const b = c.bool(software.value, `${what}.software`);
    if (b === false) {
      c.error(software.value.at, `${what}.software can only be true; use "match" for a PKCS#11 token`);
      return [undefined, f];
    }
    if (b === undefined) return [undefined, f];
    if (mode === 'live') {
      c.error(software.keyAt, `${what} is the embedded software token, which is for rehearsals only; a live ceremony matches a PKCS#11 token`);
      return [undefined, f];
    }
    return [{ kind: 'software' }, f];
  }
  const mm = checkMatch(match!.value, `${what}.match`, c);
  if (!mm) return [undefined, f];
  return [{ kind: 'pkcs11', match: mm }, f];
}

function checkTokens(n: YNode, c: Checker, mode: CeremonyMode | undefined, roles: RoleCounts | undefined): TokenSpecs | undefined {
  const m = c.map(n, 'tokens');
  if (!m) return undefined;
  const f = c.fields(m, 'tokens', { required: ['master'], optional: ['trustee'] });
  let master: MasterTokenSpec | undefined;
  const masterEntry = f.get('master');
  if (masterEntry) {
    const [req, mf] = checkTokenRequirement(masterEntry.value, 'tokens.master', c, mode, ['key-label']);
    const labelEntry = mf.get('key-label');
    let keyLabel: string | undefined;
    if (masterEntry.value.kind === 'map' && !labelEntry) c.error(masterEntry.value.at, 'tokens.master is missing the required key "key-label"');
    if (labelEntry) {
      const s = c.str(labelEntry.value, 'tokens.master.key-label', { max: 64 });
      if (s !== undefined) {
        try {
          assertObjectLabel(s);
          keyLabel = s;
        } catch {
          c.error(labelEntry.value.at, `tokens.master.key-label${c.quote(s)} must be 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit`);
        }
      }
    }
    if (req && mode === 'live' && req.kind === 'pkcs11' && Object.keys(req.match).length === 0) {
      c.error(masterEntry.value.at, 'tokens.master.match is empty: a live ceremony must name the master token (token, serial, manufacturer or model)');
    } else if (req && keyLabel) master = { token: req, keyLabel };
  }
  let trustee: TokenRequirement | undefined;
  const trusteeEntry = f.get('trustee');
  if (trusteeEntry) {
    [trustee] = checkTokenRequirement(trusteeEntry.value, 'tokens.trustee', c, mode, []);
    if (roles && roles.trustee === 0) c.error(trusteeEntry.keyAt, 'tokens.trustee is given but the script declares no trustees');
  } else if (roles && roles.trustee > 0) {
    c.error(m.at, 'the script declares trustees, so tokens must say how their tokens are chosen ("trustee: { match: {} }" lets each trustee name theirs in the answers file)');
  }
  if (!master || (trusteeEntry && !trustee)) return undefined;
  return trustee ? { master, trustee } : { master };
}

function checkEscrow(n: YNode, c: Checker): EscrowOptions | undefined {
  const m = c.map(n, 'escrow');
  if (!m) return undefined;
  const f = c.fields(m, 'escrow', { required: ['paper-backup'] });
  const pb = f.get('paper-backup') && c.bool(f.get('paper-backup')!.value, 'escrow.paper-backup');
  return pb === undefined ? undefined : { paperBackup: pb };
}

function describeStep(id: string | undefined, index: number): string {
  return id ? `step "${id}"` : `step ${index + 1}`;
}

function checkSteps(n: YNode, c: Checker, roles: RoleCounts, tokens: TokenSpecs | undefined, mode: CeremonyMode | undefined): CeremonyStep[] | undefined {
  const list = c.seq(n, 'steps');
  if (!list) return undefined;
  if (list.items.length === 0) {
    c.error(list.at, 'steps is empty');
    return undefined;
  }
  if (list.items.length > MAX_STEPS) {
    c.error(list.at, `a script has at most ${MAX_STEPS} steps; this one has ${list.items.length}`);
    return undefined;
  }
  const before = c.issues.count;
  const seenIds = new Map<string, At>();
  const seenPhases = new Map<string, At>();
  const steps: CeremonyStep[] = [];
  list.items.forEach((item, index) => {
    const m = c.map(item, `step ${index + 1}`);
    if (!m) return;
    const idNode = m.entries.find((e) => e.key === 'id')?.value;
    const rawId = idNode && idNode.kind === 'scalar' && typeof idNode.value === 'string' ? idNode.value : undefined;
    const label = describeStep(rawId && STEP_ID.test(rawId) ? rawId : undefined, index);
    const f = c.fields(m, label, { required: ['id', 'action', 'actor'], optional: ['params', 'witness', 'title'] });
    let id: string | undefined;
    if (f.get('id')) {
      id = c.str(f.get('id')!.value, `${label}: id`, { pattern: STEP_ID, hint: 'must be 1 to 64 of a-z, 0-9 and "-", starting with a letter or digit', max: 64 });
      if (id !== undefined) {
        const first = seenIds.get(id);
        if (first) {
          c.error(f.get('id')!.value.at, `step id "${id}" is used twice (first at line ${first.line}); step ids must be unique`);
          id = undefined;
        } else seenIds.set(id, f.get('id')!.value.at);
      }
    }
    const actionNode = f.get('action')?.value;
    let action: CeremonyAction | undefined;
    if (actionNode) {
      if (actionNode.kind === 'scalar' && typeof actionNode.value === 'string' && !(CEREMONY_ACTIONS as readonly string[]).includes(actionNode.value)) {
        c.error(actionNode.at, `${label} has the unknown action${c.quote(actionNode.value)}; actions are: ${CEREMONY_ACTIONS.join(', ')}`);
      } else action = c.oneOf(actionNode, `${label}: action`, CEREMONY_ACTIONS);
    }
    const actorNode = f.get('actor')?.value;
    let actor: CeremonyRole | undefined;
    if (actorNode) {
      const s = c.str(actorNode, `${label}: actor`, { max: 64 });
      if (s !== undefined) {
        if (!(CEREMONY_ROLES as readonly string[]).includes(s)) {
          c.error(actorNode.at, `${label}: actor${c.quote(s)} is not a Keyrite role; roles are ${CEREMONY_ROLES.join(', ')}`);
        } else if (roles[s as CeremonyRole] === 0) {
          c.error(actorNode.at, `${label}: actor "${s}" is not declared in roles`);
        } else actor = s as CeremonyRole;
      }
    }
    if (action && actor && !ACTION_RULES[action].actors.includes(actor)) {
      c.error(actorNode!.at, `${label}: ${action} is performed by ${ACTION_RULES[action].actors.join(' or ')}, not by ${actor}`);
      actor = undefined;
    }
    let witness = false;
    const witnessEntry = f.get('witness');
    if (witnessEntry) {
      const w = c.bool(witnessEntry.value, `${label}: witness`);
      if (w === true && roles.witness === 0) c.error(witnessEntry.value.at, `${label} needs a witness, but the script declares no witness role`);
      witness = w ?? false;
    }
    const title = f.get('title') && c.str(f.get('title')!.value, `${label}: title`, { max: 200 });
    const params = action ? checkParams(action, f.get('params'), m.at, label, actor, c, roles, tokens, mode, seenPhases) : undefined;
    if (id === undefined || action === undefined || actor === undefined || params === undefined) return;
    if (f.get('title') && title === undefined) return;
    steps.push({
      id,
      action,
      actor,
      witness,
      ...(title !== undefined ? { title } : {}),
      line: m.at.line,
      column: m.at.column,
      params,
    } as CeremonyStep);
  });
  return c.issues.count > before ? undefined : steps;
}

function checkParams(
  action: CeremonyAction,
  entry: YEntry | undefined,
  stepAt: At,
  label: string,
  actor: CeremonyRole | undefined,
  c: Checker,
  roles: RoleCounts,
  tokens: TokenSpecs | undefined,
  mode: CeremonyMode | undefined,
  seenPhases: Map<string, At>,
): ActionParams[CeremonyAction] | undefined {
  const rule = ACTION_RULES[action];
  const what = `${label} (${action}): params`;
  let f = new Map<string, YEntry>();
  let at = stepAt;
  if (entry) {
    const m = c.map(entry.value, what);
    if (!m) return undefined;
    at = m.at;
    if (rule.required.length === 0 && rule.optional.length === 0 && m.entries.length > 0) {
      c.error(m.entries[0]!.keyAt, `${what}: ${action} takes no parameters; remove them`);
      return undefined;
    }
    f = c.fields(m, what, { required: rule.required, optional: rule.optional });
  } else if (rule.required.length > 0) {
    c.error(stepAt, `${label} (${action}) needs params with ${rule.required.map((r) => `"${r}"`).join(', ')}`);
    return undefined;
  }
  for (const r of rule.required) if (!f.has(r)) return undefined;
  const val = (k: string) => f.get(k)!.value;

  switch (action) {
    case 'check-in': {
      const e = f.get('enroll');
      const enroll = e ? c.bool(e.value, `${what}.enroll`) : false;
      if (enroll === undefined) return undefined;
      if (enroll && actor !== undefined && actor !== 'trustee') {
        c.error(e!.value.at, `${what}.enroll: only trustees enroll (create an identity on their token) at check-in`);
        return undefined;
      }
      return { enroll };
    }
    case 'token-select':
    case 'login': {
      const token = c.oneOf(val('token'), `${what}.token`, TOKEN_TARGETS);
      if (!token) return undefined;
      const expected: CeremonyRole = token === 'master' ? 'administrator' : 'trustee';
      if (actor !== undefined && actor !== expected) {
        c.error(val('token').at, `${what}.token: the ${token} token is ${action === 'login' ? 'logged into' : 'selected'} by the ${expected}, not the ${actor}`);
        return undefined;
      }
      if (token === 'trustee' && roles.trustee === 0) {
        c.error(val('token').at, `${what}.token: the script declares no trustees`);
        return undefined;
      }
      return { token };
    }
    case 'entropy': {
      const list = c.seq(val('sources'), `${what}.sources`);
      if (!list) return undefined;
      const sources: EntropySource[] = [];
      let ok = true;
      for (const item of list.items) {
        const s = c.oneOf(item, `${what}.sources`, ENTROPY_SOURCES);
        if (!s) {
          ok = false;
          continue;
        }
        if (sources.includes(s)) {
          c.error(item.at, `${what}.sources lists "${s}" twice`);
          ok = false;
          continue;
        }
        sources.push(s);
      }
      if (!ok) return undefined;
      if (sources.length === 0) {
        c.error(list.at, `${what}.sources is empty`);
        return undefined;
      }
      if (!sources.includes('hsm') && !sources.includes('os')) {
        c.error(list.at, `${what}.sources must include "hsm" or "os": trustee dice alone are not a key's entropy`);
        ok = false;
      }
      if (mode === 'live' && (!sources.includes('hsm') || !sources.includes('os'))) {
        c.error(list.at, `${what}.sources must include both "hsm" and "os" in a live ceremony (the master seed mixes several independent sources)`);
        ok = false;
      }
      if (sources.includes('hsm') && tokens?.master.token.kind === 'software') {
        c.error(list.at, `${what}.sources lists "hsm" but the master token is the embedded software token, which has no hardware random generator`);
        ok = false;
      }
      if (sources.includes('trustee-dice') && roles.trustee === 0) {
        c.error(list.at, `${what}.sources lists "trustee-dice" but the script declares no trustees`);
        ok = false;
      }
      const md = f.get('min-dice');
      if (sources.includes('trustee-dice') && !md) {
        c.error(at, `${what} must give "min-dice" (the fewest rolls a trustee's contribution may have) when sources include trustee-dice`);
        return undefined;
      }
      if (!sources.includes('trustee-dice') && md) {
        c.error(md.keyAt, `${what}.min-dice only applies when sources include trustee-dice`);
        return undefined;
      }
      if (!ok) return undefined;
      if (md) {
        const minDice = c.int(md.value, `${what}.min-dice`, 1, MAX_DICE);
        if (minDice === undefined) return undefined;
        return { sources, minDice };
      }
      return { sources };
    }
    case 'checkpoint': {
      const phase = c.str(val('phase'), `${what}.phase`, { pattern: PHASE, hint: 'must be 1 to 32 of a-z, 0-9 and "-", starting with a letter or digit', max: 32 });
      if (phase === undefined) return undefined;
      const first = seenPhases.get(phase);
      if (first) {
        c.error(val('phase').at, `${what}.phase "${phase}" is already used by the checkpoint at line ${first.line}; phases must be unique`);
        return undefined;
      }
      seenPhases.set(phase, val('phase').at);
      return { phase };
    }
    case 'co-sign': {
      const list = c.seq(val('roles'), `${what}.roles`);
      if (!list) return undefined;
      const out: CeremonyRole[] = [];
      let ok = true;
      for (const item of list.items) {
        const r = c.oneOf(item, `${what}.roles`, CEREMONY_ROLES);
        if (!r) {
          ok = false;
        } else if (roles[r] === 0) {
          c.error(item.at, `${what}.roles lists "${r}", which is not declared in roles`);
          ok = false;
        } else if (out.includes(r)) {
          c.error(item.at, `${what}.roles lists "${r}" twice`);
          ok = false;
        } else out.push(r);
      }
      if (ok && out.length === 0) {
        c.error(list.at, `${what}.roles is empty: name the roles whose members sign`);
        ok = false;
      }
      return ok ? { roles: out } : undefined;
    }
    case 'check-request': {
      const maxValidityDays = c.int(val('max-validity-days'), `${what}.max-validity-days`, 1, MAX_VALIDITY_DAYS);
      const keys = f.get('max-keys');
      const artifacts = f.get('max-artifacts');
      const maxKeys = keys ? c.int(keys.value, `${what}.max-keys`, 0, MAX_REQUEST_KEYS) : DEFAULT_MAX_KEYS;
      const maxArtifacts = artifacts ? c.int(artifacts.value, `${what}.max-artifacts`, 0, MAX_REQUEST_ARTIFACTS) : DEFAULT_MAX_ARTIFACTS;
      if (maxValidityDays === undefined || maxKeys === undefined || maxArtifacts === undefined) return undefined;
      if (maxKeys === 0 && maxArtifacts === 0) {
        c.error(at, `${what}: max-keys and max-artifacts are both 0, so no request could ever be signed`);
        return undefined;
      }
      return { maxValidityDays, maxKeys, maxArtifacts };
    }
    case 'cross-sign': {
      const graceDays = c.int(val('grace-days'), `${what}.grace-days`, 0, MAX_GRACE_DAYS);
      return graceDays === undefined ? undefined : { graceDays };
    }
    case 'revoke': {
      const reason = c.str(val('reason'), `${what}.reason`, { max: MAX_REASON_CHARS });
      if (reason === undefined) return undefined;
      if (reason.trim() === '' || /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(reason)) {
        c.error(val('reason').at, `${what}.reason must be one line of readable text (no control or format characters): the reason everyone reads in the bundle`);
        return undefined;
      }
      return { reason };
    }
    default:
      return {};
  }
}

// ---------------------------------------------------------------------------------------
// Cross-step rules

interface OrderContext {
  readonly steps: readonly CeremonyStep[];
  readonly c: Checker;
  readonly kind: CeremonyKind;
  readonly listAt: At;
}

function stepAt(s: CeremonyStep): At {
  return { line: s.line, column: s.column };
}

function show(s: CeremonyStep): string {
  return `step "${s.id}" (${s.action}, line ${s.line})`;
}

/** Index of the first step matching `pred`, or -1. */
function firstIndex(steps: readonly CeremonyStep[], pred: (s: CeremonyStep) => boolean): number {
  return steps.findIndex(pred);
}

function kindPhrase(kind: CeremonyKind): string {
  return `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind} script`;
}

function requireStep(o: OrderContext, pred: (s: CeremonyStep) => boolean, description: string): number {
  const i = firstIndex(o.steps, pred);
  if (i < 0) o.c.error(o.listAt, `${kindPhrase(o.kind)} must have ${description}; this one has none`);
  return i;
}

function atMostOnce(o: OrderContext, action: CeremonyAction): void {
  const all = o.steps.filter((s) => s.action === action);
  if (all.length > 1) o.c.error(stepAt(all[1]!), `${show(all[1]!)}: ${kindPhrase(o.kind)} has one ${action} step; the first is ${show(all[0]!)}`);
}

/** Reports at step `b` when it comes before step `a`. */
function mustPrecede(o: OrderContext, a: number, b: number, why: string): void {
  if (a < 0 || b < 0 || a < b) return;
  const sa = o.steps[a]!;
  const sb = o.steps[b]!;
  o.c.error(stepAt(sb), `${show(sb)} must come after ${show(sa)}: ${why}`);
}

function checkStepOrder(kind: CeremonyKind, steps: readonly CeremonyStep[], listAt: At, c: Checker): void {
  const o: OrderContext = { steps, c, kind, listAt };
  const is = (a: CeremonyAction) => (s: CeremonyStep) => s.action === a;

  const allowed = kindActions(kind);
  for (const s of steps) {
    if (!allowed.includes(s.action)) c.error(stepAt(s), `${show(s)}: ${kindPhrase(kind)} cannot use the action ${s.action}`);
  }

  // Every kind: air-gap-check and self-test before anything else; export exactly once, last; a co-sign before it.
  const airGap = requireStep(o, is('air-gap-check'), 'an air-gap-check step');
  const selfTest = requireStep(o, is('self-test'), 'a self-test step');
  const gate = firstIndex(steps, (s) => s.action !== 'air-gap-check' && s.action !== 'self-test');
  if (gate >= 0) {
    if (airGap > gate) mustPrecede(o, airGap, gate, 'the air gap is checked before anything else happens');
    if (selfTest > gate) mustPrecede(o, selfTest, gate, 'the self-tests pass before anything else happens (a failed self-test blocks every ceremony)');
  }
  const exportIndex = requireStep(o, is('export'), 'an export step');
  atMostOnce(o, 'export');
  if (exportIndex >= 0 && exportIndex !== steps.length - 1) {
    const next = steps[exportIndex + 1]!;
    c.error(stepAt(steps[exportIndex]!), `${show(steps[exportIndex]!)} must be the last step; ${show(next)} follows it`);
  }
  requireStep(o, is('co-sign'), 'a co-sign step');
  if (c.issues.count > 0) return;

  const lastCoSign = steps.length - 1 - [...steps].reverse().findIndex(is('co-sign'));
  const lastCoSignStep = steps[lastCoSign] as StepOf<'co-sign'>;
  const trusteeCheckIn = (s: CeremonyStep) => s.action === 'check-in' && s.actor === 'trustee';
  const masterStep = (s: CeremonyStep) => (s.action === 'token-select' || s.action === 'login') && s.params.token === 'master';

  if (kind === 'root-keygen') {
    for (const a of ['generate', 'import', 'split', 'distribute', 'verify-receipts', 'entropy'] as const) atMostOnce(o, a);
    const checkIn = requireStep(o, trusteeCheckIn, 'a check-in step by the trustees');
    const generate = requireStep(o, is('generate'), 'a generate step');
    const imp = requireStep(o, is('import'), 'an import step (the classical key goes onto the master token)');
    const split = requireStep(o, is('split'), 'a split step');
    const distribute = requireStep(o, is('distribute'), 'a distribute step');
    const receipts = requireStep(o, is('verify-receipts'), 'a verify-receipts step');
    if (c.issues.count > 0) return;
    mustPrecede(o, checkIn, generate, 'the trustees check in before the key is generated');
    mustPrecede(o, firstIndex(steps, is('entropy')), generate, 'entropy is gathered before the key is generated from it');
    mustPrecede(o, generate, imp, 'the key must exist before it is imported into the master token');
    mustPrecede(o, generate, split, 'the escrow is split only after the key exists');
    mustPrecede(o, split, distribute, 'shares are distributed after the split');
    mustPrecede(o, distribute, receipts, 'receipts are verified after the shares are distributed');
    for (let i = 0; i < steps.length; i++) if (masterStep(steps[i]!)) mustPrecede(o, i, imp, 'the master token is selected and logged into before the key is imported');
    mustPrecede(o, receipts, lastCoSign, 'the ceremony is co-signed only after every trustee has confirmed their share');
    mustPrecede(o, imp, lastCoSign, 'the ceremony is co-signed after the key is on the master token');
    if (!lastCoSignStep.params.roles.includes('trustee')) {
      c.error(stepAt(lastCoSignStep), `${show(lastCoSignStep)}: the final co-sign of a ${kind} must include the trustees (params.roles: [trustee, …])`);
    }
  }

  if (kind === 'escrow-recovery') {
    for (const a of ['verify-bundle', 'collect-share', 'combine', 'restore-to-token'] as const) atMostOnce(o, a);
    const bundle = requireStep(o, is('verify-bundle'), 'a verify-bundle step (load and verify the public bundle)');
    const checkIn = requireStep(o, trusteeCheckIn, 'a check-in step by the trustees');
    const collect = requireStep(o, is('collect-share'), 'a collect-share step');
    const combine = requireStep(o, is('combine'), 'a combine step');
    const restore = requireStep(o, is('restore-to-token'), 'a restore-to-token step');
    if (c.issues.count > 0) return;
    for (const s of steps) {
      if (s.action === 'check-in' && s.params.enroll) {
        c.error(stepAt(s), `${show(s)}: trustees do not enroll in a recovery; they check in with the identity they received their share with (enroll: false)`);
      }
    }
    mustPrecede(o, bundle, checkIn, 'the trustees check in against the verified public bundle: only its trustees take part in its recovery');
    mustPrecede(o, bundle, collect, 'each share is checked against the verified public bundle as it is collected');
    mustPrecede(o, checkIn, collect, 'the trustees check in before they hand over their shares');
    mustPrecede(o, collect, combine, 'the shares are collected before they are combined');
    mustPrecede(o, combine, restore, 'the key is rebuilt before it is restored to the token');
    for (let i = 0; i < steps.length; i++) if (masterStep(steps[i]!)) mustPrecede(o, i, restore, 'the new master token is selected and logged into before the key is restored to it');
    mustPrecede(o, restore, lastCoSign, 'the recovery is co-signed after the key is on the new token');
    if (!lastCoSignStep.params.roles.includes('trustee')) {
      c.error(stepAt(lastCoSignStep), `${show(lastCoSignStep)}: the final co-sign of an ${kind} must include the trustees (params.roles: [trustee, …])`);
    }
  }

  if (kind === 'rotation') {
    for (const a of ['verify-bundle', 'collect-share', 'combine', 'entropy', 'generate', 'import', 'split', 'distribute', 'verify-receipts', 'cross-sign'] as const) atMostOnce(o, a);
    const bundle = requireStep(o, is('verify-bundle'), 'a verify-bundle step (load and verify the current bundle)');
    const checkIn = requireStep(o, trusteeCheckIn, 'a check-in step by the trustees');
    const collect = requireStep(o, is('collect-share'), 'a collect-share step');
    const combine = requireStep(o, is('combine'), 'a combine step (the old key is unlocked)');
    const generate = requireStep(o, is('generate'), 'a generate step (the new key)');
    const imp = requireStep(o, is('import'), 'an import step (the new classical key goes onto the new master token)');
    const split = requireStep(o, is('split'), 'a split step');
    const distribute = requireStep(o, is('distribute'), 'a distribute step');
    const receipts = requireStep(o, is('verify-receipts'), 'a verify-receipts step');
    const cross = requireStep(o, is('cross-sign'), 'a cross-sign step (the key states and the grace period)');
    if (c.issues.count > 0) return;
    for (const s of steps) {
      if (s.action === 'check-in' && s.params.enroll) {
        c.error(stepAt(s), `${show(s)}: trustees do not enroll in a rotation; they check in with the identity they hold their share of the current key with (enroll: false)`);
      }
    }
    if (!steps[cross]!.witness) c.error(stepAt(steps[cross]!), `${show(steps[cross]!)}: the witness reads the new fingerprint aloud beside the old one; the cross-sign step needs witness: true`);
    mustPrecede(o, bundle, checkIn, 'the trustees check in against the verified current bundle: only its trustees unlock its key');
    mustPrecede(o, checkIn, collect, 'the trustees check in before they hand over their shares');
    mustPrecede(o, collect, combine, 'the shares are collected before they are combined');
    mustPrecede(o, combine, generate, 'the old key is unlocked before the new one is made: a quorum that cannot unlock it stops the rotation before any new key exists');
    mustPrecede(o, firstIndex(steps, is('entropy')), generate, 'entropy is gathered before the key is generated from it');
    mustPrecede(o, generate, imp, 'the key must exist before it is imported into the master token');
    mustPrecede(o, generate, split, 'the escrow is split only after the key exists');
    mustPrecede(o, split, distribute, 'shares are distributed after the split');
    mustPrecede(o, distribute, receipts, 'receipts are verified after the shares are distributed');
    for (let i = 0; i < steps.length; i++) if (masterStep(steps[i]!)) mustPrecede(o, i, imp, 'the new master token is selected and logged into before the key is imported');
    mustPrecede(o, receipts, cross, 'the key states are published only once the new key is escrowed and every receipt is in');
    mustPrecede(o, imp, cross, 'the key states are published only once the new key is on its token');
    mustPrecede(o, cross, lastCoSign, 'the rotation is co-signed after its key states are fixed');
    if (!lastCoSignStep.params.roles.includes('trustee')) {
      c.error(stepAt(lastCoSignStep), `${show(lastCoSignStep)}: the final co-sign of a rotation must include the trustees (params.roles: [trustee, …])`);
    }
  }

  if (kind === 'revocation') {
    for (const a of ['verify-bundle', 'collect-share', 'combine', 'revoke'] as const) atMostOnce(o, a);
    const bundle = requireStep(o, is('verify-bundle'), 'a verify-bundle step (load and verify the current bundle)');
    const checkIn = requireStep(o, trusteeCheckIn, 'a check-in step by the trustees');
    const collect = requireStep(o, is('collect-share'), 'a collect-share step');
    const combine = requireStep(o, is('combine'), 'a combine step (the key to revoke is unlocked)');
    const revoke = requireStep(o, is('revoke'), 'a revoke step (the revocation time, the reason and the key states)');
    if (c.issues.count > 0) return;
    for (const s of steps) {
      if (s.action === 'check-in' && s.params.enroll) {
        c.error(stepAt(s), `${show(s)}: trustees do not enroll in a revocation; they check in with the identity they hold their share of the key with (enroll: false)`);
      }
    }
    if (!steps[revoke]!.witness) c.error(stepAt(steps[revoke]!), `${show(steps[revoke]!)}: the witness reads the revoked fingerprint, the time and the reason aloud; the revoke step needs witness: true`);
    mustPrecede(o, bundle, checkIn, 'the trustees check in against the verified current bundle: only its trustees revoke its key');
    mustPrecede(o, checkIn, collect, 'the trustees check in before they hand over their shares');
    mustPrecede(o, collect, combine, 'the shares are collected before they are combined');
    mustPrecede(o, combine, revoke, 'the key is unlocked before it signs its own revocation');
    mustPrecede(o, revoke, lastCoSign, 'the revocation is co-signed after its key states are fixed');
    if (!lastCoSignStep.params.roles.includes('trustee')) {
      c.error(stepAt(lastCoSignStep), `${show(lastCoSignStep)}: the final co-sign of a revocation must include the trustees (params.roles: [trustee, …])`);
    }
  }

  if (kind === 'reshare') {
    for (const a of ['verify-bundle', 'collect-share', 'combine', 'split', 'distribute', 'verify-receipts', 'destroy-old-keys'] as const) atMostOnce(o, a);
    const bundle = requireStep(o, is('verify-bundle'), 'a verify-bundle step (load and verify the current bundle)');
    const unlockCheckIn = requireStep(o, (s) => trusteeCheckIn(s) && s.action === 'check-in' && !s.params.enroll, 'a check-in step by the trustees with enroll: false (the old holders who unlock)');
    const collect = requireStep(o, is('collect-share'), 'a collect-share step');
    const combine = requireStep(o, is('combine'), 'a combine step');
    const enrol = requireStep(o, (s) => trusteeCheckIn(s) && s.action === 'check-in' && s.params.enroll, 'a check-in step by the trustees with enroll: true (every holder of the new epoch gets a new identity)');
    const split = requireStep(o, is('split'), 'a split step');
    const distribute = requireStep(o, is('distribute'), 'a distribute step');
    const receipts = requireStep(o, is('verify-receipts'), 'a verify-receipts step');
    const destroy = requireStep(o, is('destroy-old-keys'), 'a destroy-old-keys step (the old holders destroy their old keys and paper)');
    if (c.issues.count > 0) return;
    if (steps.filter(trusteeCheckIn).length !== 2) c.error(stepAt(steps[enrol]!), `${show(steps[enrol]!)}: a reshare has exactly two trustee check-ins: the old holders (enroll: false), then the new epoch's holders (enroll: true)`);
    if (!steps[destroy]!.witness) c.error(stepAt(steps[destroy]!), `${show(steps[destroy]!)}: old paper backups are destroyed before the witness; the destroy-old-keys step needs witness: true`);
    mustPrecede(o, bundle, unlockCheckIn, 'the old holders check in against the verified current bundle: only its trustees unlock its key');
    mustPrecede(o, unlockCheckIn, collect, 'the trustees check in before they hand over their shares');
    mustPrecede(o, collect, combine, 'the shares are collected before they are combined');
    mustPrecede(o, combine, enrol, 'the key is unlocked (and re-derives the published keys) before anyone enrols for the new epoch');
    mustPrecede(o, enrol, split, 'the new holders have their identities before the new escrow is split to them');
    mustPrecede(o, split, distribute, 'shares are distributed after the split');
    mustPrecede(o, distribute, receipts, 'receipts are verified after the shares are distributed');
    mustPrecede(o, receipts, destroy, 'the old keys are destroyed only once every new holder has confirmed their new share');
    mustPrecede(o, destroy, lastCoSign, 'the reshare is co-signed after the old keys and paper are destroyed (and recorded)');
    if (!lastCoSignStep.params.roles.includes('trustee')) {
      c.error(stepAt(lastCoSignStep), `${show(lastCoSignStep)}: the final co-sign of a reshare must include the trustees (params.roles: [trustee, …])`);
    }
  }

  if (kind === 'signing') {
    for (const a of ['verify-bundle', 'check-request', 'collect-share', 'combine', 'sign-document'] as const) atMostOnce(o, a);
    const bundle = requireStep(o, is('verify-bundle'), 'a verify-bundle step (load and verify the root bundle)');
    const checkIn = requireStep(o, trusteeCheckIn, 'a check-in step by the trustees');
    const request = requireStep(o, is('check-request'), 'a check-request step (the request is checked and its digest confirmed before the key is unlocked)');
    const collect = requireStep(o, is('collect-share'), 'a collect-share step');
    const combine = requireStep(o, is('combine'), 'a combine step');
    const sign = requireStep(o, is('sign-document'), 'a sign-document step');
    if (c.issues.count > 0) return;
    for (const s of steps) {
      if (s.action === 'check-in' && s.params.enroll) {
        c.error(stepAt(s), `${show(s)}: trustees do not enroll in a signing ceremony; they check in with the identity they received their share with (enroll: false)`);
      }
    }
    mustPrecede(o, bundle, checkIn, 'the trustees check in against the verified root bundle: only its trustees unlock its key');
    mustPrecede(o, checkIn, request, 'every trustee present confirms the request\'s digest, so they check in first');
    mustPrecede(o, request, collect, 'the request is checked and confirmed before any share is opened');
    mustPrecede(o, collect, combine, 'the shares are collected before they are combined');
    mustPrecede(o, combine, sign, 'the key is unlocked before it signs');
    for (let i = 0; i < steps.length; i++) if (masterStep(steps[i]!)) mustPrecede(o, i, sign, 'the master token is selected and logged into before it signs');
    mustPrecede(o, sign, lastCoSign, 'the signing ceremony is co-signed after the documents are signed and verified');
    if (!lastCoSignStep.params.roles.includes('trustee')) {
      c.error(stepAt(lastCoSignStep), `${show(lastCoSignStep)}: the final co-sign of a signing ceremony must include the trustees (params.roles: [trustee, …])`);
    }
  }
}
