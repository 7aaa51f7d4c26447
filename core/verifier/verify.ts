/**
 * The auditor's verifier (DESIGN.md "Verifier"; docs/VERIFIER.md): checks a public bundle,
 * given as its files in memory, independently of any ceremony state and of the code that wrote
 * it (nothing here imports core/ceremony). Platform-free: the same code runs in
 * `keyrite verify`, the app's audit screen and verifier/verify.html.
 *
 * The checks (checks/index.ts) run in order, each named and reported with pass / fail /
 * skipped and a reason; the verdict is valid only if all pass (never fail open). The verifier
 * never throws for a bad bundle. A `trust` fingerprint (read aloud at the ceremony, out of
 * band) anchors the master key; the report always says whether the run was anchored.
 */
import { KeyriteError } from '../errors.ts';
import { fromHex } from '../encoding/hex.ts';
import { fingerprint as asFingerprint, fingerprintMatches, parseFingerprint, type ParsedFingerprint } from '../encoding/fingerprint.ts';
import { sha256 as nobleSha256 } from '../crypto/hash.ts';
import { NOBLE_ED25519, NOBLE_MLDSA65, VERIFY_MODES, type VerifyMode } from '../crypto/hybrid.ts';
import type { BundleFiles } from '../bundle/layout.ts';
import { CheckList, fail, type Check } from './check-list.ts';
import { VerifyContext, type VerifierCrypto } from './context.ts';
import { CHECKS } from './checks/index.ts';
import { VERIFY_REPORT_FORMAT, verdictOf, type TrustAnchor, type VerifyReport } from './report.ts';

export type { VerifierCrypto } from './context.ts';

export const NOBLE_VERIFIER_CRYPTO: VerifierCrypto = Object.freeze({ name: 'noble', sha256: nobleSha256, ed25519: NOBLE_ED25519, mldsa65: NOBLE_MLDSA65 });

export interface VerifyOptions {
  /** The master fingerprint read aloud at the ceremony: 64 hex digits, or the 16 words. */
  trust?: string;
  mode?: VerifyMode;
  crypto?: VerifierCrypto;
  /** Adds the `live-ceremony` check: a rehearsal bundle then fails (`keyrite verify --require-live`). */
  requireLive?: boolean;
}

/** Reads a trust anchor given by a person; a malformed one is a usage error (INVALID_INPUT family), thrown. */
export function parseTrustAnchor(text: string): ParsedFingerprint {
  return parseFingerprint(text);
}

function anchorResult(trust: ParsedFingerprint | undefined, given: string | undefined, masterFingerprint: string | undefined): TrustAnchor {
  if (trust === undefined || given === undefined) return { anchored: false };
  // Without a readable master key there is nothing to compare: `matches` stays absent (and the verdict invalid).
  if (masterFingerprint === undefined) return { anchored: true, given: given.trim(), compared: trust.kind };
  return { anchored: true, given: given.trim(), compared: trust.kind, matches: fingerprintMatches(asFingerprint(fromHex(masterFingerprint)), trust) };
}

function trustAnchorCheck(anchor: TrustAnchor): Check<VerifyContext> {
  return {
    name: 'trust-anchor',
    needs: ['transcript-structure'],
    run(ctx) {
      if (!anchor.matches) fail(`The master key ${ctx.master!.fingerprint} is NOT the key whose trusted fingerprint was given.`);
      return anchor.compared === 'full' ? 'the master key has the fingerprint given (all 32 bytes compared)' : 'the master key matches the 16 words given (the first 16 bytes compared; compare the hex form for all 32)';
    },
  };
}

const liveCeremonyCheck: Check<VerifyContext> = {
  name: 'live-ceremony',
  needs: ['script-hash'],
  run(ctx) {
    if (ctx.script!.script.mode === 'rehearsal') fail('This bundle comes from a REHEARSAL (its script says mode: rehearsal): its keys are practice keys and must never be used for real.');
    return 'the ceremony script ran in live mode, not as a rehearsal';
  },
};

/** Verifies the bundle held in `files` (relative path → bytes). Throws only for bad options. */
export function verifyBundle(files: BundleFiles, options: VerifyOptions = {}): VerifyReport {
  if (!(files instanceof Map)) throw new KeyriteError('INVALID_INPUT', 'The bundle must be given as a map of file names to bytes.');
  const mode = options.mode ?? 'hybrid';
  if (!VERIFY_MODES.includes(mode)) throw new KeyriteError('INVALID_INPUT', `Unknown verification mode ${JSON.stringify(String(mode))}; use hybrid, classical-only or pq-only.`);
  const trust = options.trust === undefined ? undefined : parseTrustAnchor(options.trust);
  const ctx = new VerifyContext(files, mode, options.crypto ?? NOBLE_VERIFIER_CRYPTO);
  const list = new CheckList();
  for (const entry of CHECKS) {
    if (entry.kinds === undefined || entry.kinds.includes(ctx.kindOrRoot)) list.run(entry.check, ctx);
  }
  const anchor = anchorResult(trust, options.trust, ctx.master?.fingerprint);
  if (trust !== undefined) list.run(trustAnchorCheck(anchor), ctx);
  if (options.requireLive === true) list.run(liveCeremonyCheck, ctx);
  const ceremonyId = ctx.facts?.ceremonyId ?? ctx.manifest?.ceremonyId;
  const masterFingerprint = ctx.master?.fingerprint ?? ctx.manifest?.masterFingerprint;
  return {
    format: VERIFY_REPORT_FORMAT,
    verdict: verdictOf(list.results, anchor),
    mode,
    anchor,
    ...(ctx.kind ? { kind: ctx.kind } : {}),
    ...(ceremonyId !== undefined ? { ceremonyId } : {}),
    ...(masterFingerprint !== undefined ? { masterFingerprint } : {}),
    ...(ctx.transcript ? { transcriptEntries: ctx.transcript.size } : {}),
    ...(ctx.script ? { rehearsal: ctx.script.script.mode === 'rehearsal' } : {}),
    checks: list.results,
  };
}
