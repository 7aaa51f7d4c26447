/**
 * A chain of bundles followed from the root fingerprint (DESIGN.md "Rotation"; docs/FORMATS.md
 * "Chain verification"): the root bundle, then each rotation bundle in the order made, and at most
 * one revocation, last (the chain then has no active key; docs/FORMATS.md "Revocation"). Every
 * bundle is first verified on its own (verify.ts: the root anchored on the trusted fingerprint);
 * then each link is checked by name — it is a rotation, it builds on the bundle before it (its
 * ceremony id, master key and the SHA-256 of its signed statement), no two rotations of one key
 * (fork), nothing missing (gap), nothing out of order (rollback), the key that signed it active
 * when it signed (never after its rotation or revocation), its key states carrying the
 * previous ones forward. Since each rotation bundle verifies only when the key it replaces
 * signed it, an anchored root and sound links anchor the last key. Platform-free, like
 * verify.ts; it never throws for bad bundles.
 */
import { KeyriteError } from '../errors.ts';
import { fromUtf8 } from '../bytes.ts';
import { toHex } from '../encoding/hex.ts';
import { parseJwks } from '../encoding/jwks.ts';
import { expectObject, readInt, readString } from '../encoding/json-fields.ts';
import { readTranscript } from '../transcript/transcript.ts';
import type { VerifyMode } from '../crypto/hybrid.ts';
import { ENTRY } from '../bundle/entries.ts';
import { parseKeyStates, stateAt, type KeyState, type KeyStates, type StatedKey } from '../bundle/key-states.ts';
import { JWKS_FILE, KEY_STATES_FILE, STATEMENT_FILE, TRANSCRIPT_FILE, type BundleFiles } from '../bundle/layout.ts';
import { principalKeyIds } from '../bundle/principals.ts';
import type { BundleLink } from '../bundle/statement.ts';
import { CheckList, fail, type Check } from './check-list.ts';
import { NOBLE_VERIFIER_CRYPTO, parseTrustAnchor, verifyBundle, type VerifierCrypto } from './verify.ts';
import type { CheckResult, TrustAnchor, VerifyReport } from './report.ts';

export const VERIFY_CHAIN_REPORT_FORMAT = 'keyrite/verify-chain-report/v1';
/** At most this many bundles in one chain. */
export const MAX_CHAIN_BUNDLES = 64;

export interface ChainOptions {
  /** The ROOT master fingerprint read aloud at the root ceremony (64 hex digits or the 16 words). */
  trust: string;
  mode?: VerifyMode;
  crypto?: VerifierCrypto;
  requireLive?: boolean;
  /** When "now" is, for each key's state now (a deprecated key past its grace is retired). */
  at?: Date;
}

/** One bundle of the path, as it states itself (verified when the chain is valid). */
export interface ChainStep {
  readonly kind: string;
  readonly ceremonyId: string;
  readonly masterFingerprint: string;
  /** Its ceremony.end time: when its master key became active. */
  readonly endedAt: string;
}

export interface ChainKey extends StatedKey {
  /** The state at the report's `at`. */
  readonly stateNow: KeyState;
}

export interface ChainReport {
  readonly format: typeof VERIFY_CHAIN_REPORT_FORMAT;
  readonly verdict: 'valid' | 'invalid';
  readonly mode: VerifyMode;
  /** The root bundle's anchor: its master key against the trusted fingerprint. */
  readonly anchor: TrustAnchor;
  readonly at: string;
  readonly checks: readonly CheckResult[];
  /** Each bundle's own report, in the order given. */
  readonly bundles: readonly VerifyReport[];
  readonly path: readonly ChainStep[];
  /** The active master key at the end of the chain: only when the chain is valid and does not end with a revocation. */
  readonly current?: { readonly fingerprint: string; readonly ceremonyId: string };
  /** A valid chain that ends with a revocation: the revoked key, when, why, and that no key is active. */
  readonly revoked?: { readonly fingerprint: string; readonly ceremonyId: string; readonly revokedAt: string; readonly reason: string; readonly message: string };
  /** Every master key of the chain with its state, newest first: only when the chain is valid. */
  readonly keys?: readonly ChainKey[];
}

/** What the chain checks read of one bundle, beyond its own report. */
interface Facts {
  readonly kind: string;
  readonly ceremonyId: string;
  readonly masterFingerprint: string;
  readonly statementSha256: string;
  readonly startedAt: string;
  readonly endedAt: string;
  /** A rotation or a revocation: the bundle it builds on, its rotation (revocation) time and its key states. */
  readonly link?: BundleLink;
  readonly rotatedAt?: string;
  readonly states?: KeyStates;
  /** A revocation's reason. */
  readonly reason?: string;
  /** The escrow epoch the bundle holds (0 for a root or rotation bundle; a reshare's own). */
  readonly epoch: number;
}

class ChainContext {
  readonly facts: (Facts | undefined)[] = [];
  constructor(
    readonly bundles: readonly BundleFiles[],
    readonly reports: readonly VerifyReport[],
    readonly crypto: VerifierCrypto,
  ) {}

  /** The facts of bundle i; chain-bundles passed, so every bundle was read. */
  f(i: number): Facts {
    return this.facts[i]!;
  }
}

function readFacts(files: BundleFiles, report: VerifyReport, crypto: VerifierCrypto): Facts | undefined {
  try {
    const entries = readTranscript(files.get(TRANSCRIPT_FILE)!, { sha256: crypto.sha256 }).entries;
    const start = entries[0]!;
    const end = entries[entries.length - 1]!;
    const kind = String(start.body.kind);
    const base = { kind, ceremonyId: report.ceremonyId!, masterFingerprint: report.masterFingerprint!, statementSha256: toHex(crypto.sha256(files.get(STATEMENT_FILE)!)), startedAt: start.time, endedAt: end.time, epoch: 0 };
    if (kind !== 'rotation' && kind !== 'revocation' && kind !== 'reshare') return base;
    const o = expectObject(start.body.original, 'link of ceremony.start');
    const link = { ceremonyId: readString(o, 'ceremonyId', 'link'), masterFingerprint: readString(o, 'masterFingerprint', 'link'), statementSha256: readString(o, 'statementSha256', 'link') };
    if (kind === 'reshare') return { ...base, link, epoch: readInt(entries.find((e) => e.type === ENTRY.escrowSplit)!.body, 'epoch', 'escrow.split entry', 1, Number.MAX_SAFE_INTEGER) };
    const states = entries.find((e) => e.type === ENTRY.keyStates)!.body;
    const rotatedAt = readString(states, 'at', 'key.states entry');
    return { ...base, link, rotatedAt, states: parseKeyStates(files.get(KEY_STATES_FILE)!), ...(kind === 'revocation' ? { reason: readString(states, 'reason', 'key.states entry') } : {}) };
  } catch {
    // Only a bundle that did not verify can be unreadable here; chain-bundles names it.
    return undefined;
  }
}

const sameBundle = (link: BundleLink, f: Facts): boolean => link.ceremonyId === f.ceremonyId && link.masterFingerprint === f.masterFingerprint && link.statementSha256 === f.statementSha256;

const chainRoot: Check<ChainContext> = {
  name: 'chain-root',
  needs: [],
  run(ctx) {
    const r = ctx.reports[0]!;
    if (r.kind !== 'root-keygen') fail(`The first bundle is ${r.kind ? `a ${r.kind}` : 'not a readable'} bundle; a chain begins with the root bundle (root-keygen), whose master key is the fingerprint given.`);
    if (r.anchor.matches !== true) fail('The root bundle\'s master key is NOT the key whose trusted fingerprint was given.');
    return `the chain begins with the root bundle of ceremony ${r.ceremonyId}, whose master key has the fingerprint given (${r.anchor.compared === 'full' ? 'all 32 bytes compared' : 'the first 16 bytes, from the words'})`;
  },
};

const chainBundles: Check<ChainContext> = {
  name: 'chain-bundles',
  needs: [],
  run(ctx) {
    const bad = ctx.reports.flatMap((r, i) => {
      const failed = r.checks.filter((c) => c.status !== 'pass' && c.name !== 'trust-anchor').map((c) => c.name);
      return failed.length > 0 || ctx.facts[i] === undefined ? [`bundle ${i} (${failed.join(', ') || 'unreadable'})`] : [];
    });
    if (bad.length > 0) fail(`Not every bundle verifies on its own: ${bad.join('; ')}.`);
    return `each of the ${ctx.reports.length} bundles passes every check of its own`;
  },
};

/** bundle i builds on bundle i−1: refused as a non-successor, fork, rollback, gap, or a link that does not match. */
function linkCheck(i: number): Check<ChainContext> {
  return {
    name: `chain-link-${i}`,
    needs: ['chain-bundles'],
    run(ctx) {
      const f = ctx.f(i);
      const prev = ctx.f(i - 1);
      if ((f.kind !== 'rotation' && f.kind !== 'revocation' && f.kind !== 'reshare') || !f.link) fail(`Not a successor: bundle ${i} is a ${f.kind} bundle; only a rotation, a revocation or a reshare bundle follows a key in a chain.`);
      // A revoked key has no successor this verifier accepts yet: the recovery rotation from a revocation is docs/FORMATS.md "Revocation".
      if (prev.kind === 'revocation') fail(`Bundle ${i} follows bundle ${i - 1}, a revocation: the key it revoked signs nothing more in this chain, and a rotation from a revocation is not yet supported by this Keyrite.`);
      const link = f.link;
      const twin = ctx.facts.findIndex((g, j) => j !== i && g?.link !== undefined && g.link.ceremonyId === link.ceremonyId && g.link.statementSha256 === link.statementSha256);
      if (twin >= 0) {
        const [a, b] = [Math.min(i, twin), Math.max(i, twin)];
        const [ka, kb] = [ctx.f(a).kind, ctx.f(b).kind];
        if (ka !== 'reshare' && kb !== 'reshare') fail(`Fork: bundles ${a} and ${b} both ${ka === 'rotation' && kb === 'rotation' ? 'rotate' : 'rotate or revoke'} the key of ceremony ${link.ceremonyId}; a key has one successor.`);
        fail(`Fork: bundles ${a} and ${b} both build on ceremony ${link.ceremonyId} (${ctx.f(a).kind} and ${ctx.f(b).kind}); a key, and an escrow epoch, has one successor.`);
      }
      if (!sameBundle(link, prev)) {
        const at = ctx.facts.findIndex((g) => g !== undefined && sameBundle(link, g));
        if (at > i) fail(`Rollback: bundle ${i} builds on bundle ${at}, which is given after it; give the root bundle first, then each rotation in the order they were made.`);
        if (at >= 0) fail(`Bundle ${i} builds on bundle ${at}, not on bundle ${i - 1} before it.`);
        if (link.ceremonyId === prev.ceremonyId || link.masterFingerprint === prev.masterFingerprint) {
          fail(`Does not link: bundle ${i} names the ceremony or key of bundle ${i - 1} but another signed statement (SHA-256 ${link.statementSha256.slice(0, 16)}…); it belongs to another chain, or bundle ${i - 1} was replaced.`);
        }
        fail(`Gap: bundle ${i} builds on ceremony ${link.ceremonyId} (master key ${link.masterFingerprint.slice(0, 16)}…), which is not in the chain; a bundle is missing between bundle ${i - 1} and bundle ${i}.`);
      }
      if (f.startedAt < prev.endedAt) fail(`Rollback: bundle ${i} began at ${f.startedAt}, before bundle ${i - 1} it builds on ended (${prev.endedAt}).`);
      if (f.kind === 'reshare') {
        if (f.masterFingerprint !== prev.masterFingerprint) fail(`Not the current key: the reshare of bundle ${i} escrows the key ${f.masterFingerprint.slice(0, 16)}…, but the current key after bundle ${i - 1} is ${prev.masterFingerprint.slice(0, 16)}…; a reshare keeps the key.`);
        if (f.epoch !== prev.epoch + 1) fail(`Epoch: the reshare of bundle ${i} makes escrow epoch ${f.epoch}, but bundle ${i - 1} holds epoch ${prev.epoch}; a reshare moves the epoch on by exactly one.`);
        return `bundle ${i} (reshare ${f.ceremonyId}) builds on bundle ${i - 1}: its ceremony id, master key ${prev.masterFingerprint.slice(0, 16)}… (unchanged) and the SHA-256 of its signed statement; escrow epoch ${prev.epoch} → ${f.epoch}; begun after it ended`;
      }
      return `bundle ${i} (${f.kind} ${f.ceremonyId}) builds on bundle ${i - 1}: its ceremony id, master key ${prev.masterFingerprint.slice(0, 16)}… and the SHA-256 of its signed statement; begun after it ended`;
    },
  };
}

/**
 * The key that signed rotation or revocation i (bundle i−1's) was active then: not before it was
 * made, not rotated out or revoked earlier by any key states of the chain. The one thing a key
 * signs after its revocation time is its own revocation (bundle i's own key states revoke it).
 */
function validityCheck(i: number): Check<ChainContext> {
  return {
    name: `chain-validity-${i}`,
    needs: [`chain-link-${i}`],
    run(ctx) {
      const f = ctx.f(i);
      const prev = ctx.f(i - 1);
      const signer = prev.masterFingerprint;
      const what = `${f.kind} ${i}`;
      // When the key signed: a rotation's or revocation's own time; a reshare's, its end.
      const when = f.rotatedAt ?? f.endedAt;
      if (f.endedAt <= prev.endedAt) fail(`Signed outside its validity: the key ${signer.slice(0, 16)}… signed ${what} at ${f.endedAt}, not after it became active (${prev.endedAt}).`);
      for (const [j, g] of ctx.facts.entries()) {
        if (j === i && f.kind === 'revocation') continue;
        const stated = g?.states?.keys.find((k) => k.fingerprint === signer);
        if (stated?.state === 'revoked' && stated.revokedAt! <= f.endedAt) fail(`Signed after revocation: bundle ${j} states the key ${signer.slice(0, 16)}… revoked at ${stated.revokedAt}, and it signed ${what} at ${f.endedAt}.`);
        if (stated && stated.state !== 'active' && stated.state !== 'revoked' && stated.since < when) {
          fail(`Signed outside its validity: bundle ${j} states the key ${signer.slice(0, 16)}… ${stated.state} since ${stated.since}, before it signed ${what} (its time ${when}).`);
        }
      }
      if (f.kind === 'revocation') return `the key ${signer.slice(0, 16)}… was active from ${prev.endedAt} and signed its own revocation (revoked at ${f.rotatedAt}), before any other rotation or revocation of it`;
      return `the key ${signer.slice(0, 16)}… was active from ${prev.endedAt} and signed ${what} at ${f.endedAt}, before any rotation or revocation of it`;
    },
  };
}

const sameStated = (a: StatedKey, b: StatedKey): boolean => a.fingerprint === b.fingerprint && a.ceremonyId === b.ceremonyId && a.kids.classical === b.kids.classical && a.kids.pq === b.kids.pq;

/** Rotation or revocation i's key states carry bundle i−1's forward (docs/FORMATS.md "Key states"): after its own key(s), one for a revocation, two for a rotation. */
function keyStatesCheck(i: number): Check<ChainContext> {
  return {
    name: `chain-key-states-${i}`,
    needs: [`chain-link-${i}`],
    run(ctx) {
      const f = ctx.f(i);
      if (f.kind === 'reshare') return `bundle ${i} is a reshare: the key and every key's state are unchanged`;
      const prevKeys = statesBefore(ctx, i)?.keys ?? [];
      const carried = f.states!.keys.slice(f.kind === 'revocation' ? 1 : 2);
      const expected = prevKeys.slice(1);
      if (carried.length !== expected.length) fail(`The key states of bundle ${i} list ${carried.length} older key(s); bundle ${i - 1} states ${expected.length} before its own.`);
      expected.forEach((was, k) => {
        const now = carried[k]!;
        const unchanged = sameStated(now, was) && now.state === was.state && now.since === was.since && now.until === was.until && now.revokedAt === was.revokedAt;
        const retired = sameStated(now, was) && was.state === 'deprecated' && was.until! <= f.rotatedAt! && now.state === 'retired' && now.since === was.until;
        if (!unchanged && !retired) fail(`The key states of bundle ${i} do not carry forward key ${now.fingerprint.slice(0, 16)}… as bundle ${i - 1} stated it.`);
      });
      return `bundle ${i}'s key states carry forward the ${expected.length} older key(s) of bundle ${i - 1}`;
    },
  };
}

/** The key states in force before bundle i: the last rotation's before it (a reshare changes none), or none. */
function statesBefore(ctx: ChainContext, i: number): KeyStates | undefined {
  for (let j = i - 1; j >= 0; j--) if (ctx.f(j).states) return ctx.f(j).states;
  return undefined;
}

/** Every key of the chain and its state: the last rotation's key states, or the root key alone. */
function chainKeys(ctx: ChainContext, at: string): ChainKey[] {
  const root = ctx.f(0);
  const keys: readonly StatedKey[] = statesBefore(ctx, ctx.bundles.length)?.keys ?? [{ fingerprint: root.masterFingerprint, kids: rootKids(ctx), ceremonyId: root.ceremonyId, state: 'active', since: root.endedAt }];
  return keys.map((k) => ({ ...k, stateNow: stateAt(k, at) }));
}

/** The root key's kids: the first two keys of its keys/jwks.json (the bundle verified, so they are its master key's). */
function rootKids(ctx: ChainContext): { classical: string; pq: string } {
  const [c, q] = parseJwks(fromUtf8(ctx.bundles[0]!.get(JWKS_FILE)!), JWKS_FILE);
  return principalKeyIds({ classical: { alg: 'Ed25519', publicKey: c!.publicKey }, pq: { alg: 'ML-DSA-65', publicKey: q!.publicKey } });
}

/** The end of a valid chain: its active key, or (a revocation last) the revoked key and that no key is active. */
function endOf(last: Facts): Pick<ChainReport, 'current' | 'revoked'> {
  if (last.kind !== 'revocation') return { current: { fingerprint: last.masterFingerprint, ceremonyId: last.ceremonyId } };
  const fp = last.masterFingerprint;
  const at = last.rotatedAt!;
  return { revoked: { fingerprint: fp, ceremonyId: last.ceremonyId, revokedAt: at, reason: last.reason!, message: `No active key: the key ${fp.slice(0, 16)}… was revoked on ${at}; a rotation is needed.` } };
}

/** Verifies the bundles of `bundles` (root first) as one chain from the trusted root fingerprint. Throws only for bad options. */
export function verifyChain(bundles: readonly BundleFiles[], options: ChainOptions): ChainReport {
  if (!Array.isArray(bundles) || bundles.length < 2 || bundles.length > MAX_CHAIN_BUNDLES) throw new KeyriteError('INVALID_INPUT', `A chain is 2 to ${MAX_CHAIN_BUNDLES} bundles: the root bundle, then each rotation or reshare bundle in order.`);
  if (typeof options?.trust !== 'string') throw new KeyriteError('INVALID_INPUT', 'A chain is verified from the root master fingerprint (trust).');
  parseTrustAnchor(options.trust);
  const mode = options.mode ?? 'hybrid';
  const crypto = options.crypto ?? NOBLE_VERIFIER_CRYPTO;
  const at = (options.at ?? new Date()).toISOString();
  const common = { mode, crypto, ...(options.requireLive === true ? { requireLive: true } : {}) };
  const reports = bundles.map((files, i) => verifyBundle(files, i === 0 ? { ...common, trust: options.trust } : common));
  const ctx = new ChainContext(bundles, reports, crypto);
  bundles.forEach((files, i) => ctx.facts.push(reports[i]!.ceremonyId !== undefined && reports[i]!.masterFingerprint !== undefined ? readFacts(files, reports[i]!, crypto) : undefined));
  const list = new CheckList();
  list.run(chainRoot, ctx);
  list.run(chainBundles, ctx);
  for (let i = 1; i < bundles.length; i++) {
    list.run(linkCheck(i), ctx);
    list.run(validityCheck(i), ctx);
    list.run(keyStatesCheck(i), ctx);
  }
  const valid = list.results.every((c) => c.status === 'pass');
  const last = ctx.facts[bundles.length - 1];
  return {
    format: VERIFY_CHAIN_REPORT_FORMAT,
    verdict: valid ? 'valid' : 'invalid',
    mode,
    anchor: reports[0]!.anchor,
    at,
    checks: list.results,
    bundles: reports,
    path: ctx.facts.flatMap((f) => (f ? [{ kind: f.kind, ceremonyId: f.ceremonyId, masterFingerprint: f.masterFingerprint, endedAt: f.endedAt }] : [])),
    ...(valid && last ? { ...endOf(last), keys: chainKeys(ctx, at) } : {}),
  };
}

/**
 * Whether a valid chain's key may be relied on for something it signed at `signedAt`, judged at
 * `at` (docs/FORMATS.md "Key states"): an active key, for what it signed once active; a deprecated
 * key within its grace, for what it signed before it was rotated out (verify-only); a revoked
 * key, for what it signed before its revocation; a retired key, for nothing. Returns the reason
 * it may, or throws VERIFY_FAILED with the reason it may not.
 */
export function keyUse(key: ChainKey, signedAt: string, at: Date): string {
  const signed = Date.parse(signedAt);
  const since = Date.parse(key.since);
  if (!Number.isFinite(signed)) fail('The document gives no time it was signed at.');
  const state = stateAt(key, at.toISOString());
  const fp = `${key.fingerprint.slice(0, 16)}…`;
  if (state === 'retired') fail(`The key ${fp} that signed it is retired${key.until !== undefined ? ` (its grace ended ${key.until})` : ` since ${key.since}`}: nothing it signed is relied on any more.`);
  if (state === 'revoked') {
    if (signed >= Date.parse(key.revokedAt!)) fail(`The key ${fp} that signed it was revoked at ${key.revokedAt}, and this was signed at ${signedAt}, after that: it is not trusted.`);
    return `signed at ${signedAt} by the key ${fp} before its revocation at ${key.revokedAt}`;
  }
  if (state === 'deprecated') {
    if (signed >= since) fail(`The key ${fp} that signed it was rotated out at ${key.since} (deprecated: verify-only), and this was signed at ${signedAt}, after that.`);
    return `signed at ${signedAt} by the key ${fp} while it was active; it is deprecated (verify-only) until ${key.until}`;
  }
  if (signed < since) fail(`The key ${fp} that signed it became active at ${key.since}, after this was signed (${signedAt}).`);
  return `signed at ${signedAt} by the chain's active key ${fp}`;
}
