/**
 * The chain part of the audit screen (docs/APP-SHELL.md "Audit screen"): bundle folders added one
 * at a time in the main process picker, kept in the order the auditor added them, and verified as
 * `keyrite verify ROOT ROT… --trust ROOT` verifies them (core/verifier/chain.ts on native crypto).
 * The app does not reorder the folders: the chain verifier judges the order given, so a rotation
 * given before the bundle it builds on is refused as a rollback, exactly as on the command line.
 */
import { resolve } from 'node:path';
import { KeyriteError } from '../../core/errors.ts';
import { MAX_CHAIN_BUNDLES, verifyChain, type ChainReport } from '../../core/verifier/chain.ts';
import { parseTrustAnchor } from '../../core/verifier/verify.ts';
import { BUNDLE_MANIFEST_FILE, type BundleFiles } from '../../core/bundle/layout.ts';
import { readableFingerprint } from '../../core/bundle/principals.ts';
import { readBundleDirectory } from '../../core/node/bundle-directory.ts';
import { NATIVE_VERIFIER_CRYPTO } from '../../core/node/native-verifier-crypto.ts';
import type { AuditChainView, AuditFingerprint, AuditOptions, ChainReportView } from '../../core/ipc/contract.ts';

const HEX64 = /^[0-9a-f]{64}$/;

function fingerprintView(hex: string | undefined): AuditFingerprint | null {
  return hex !== undefined && HEX64.test(hex) ? { hex, ...readableFingerprint(hex) } : null;
}

/** The report as the window shows it: field by field, nothing else rides along. */
export function chainReportView(r: ChainReport, folders: readonly string[]): ChainReportView {
  const failed = r.checks.find((c) => c.status === 'fail');
  return {
    verdict: r.verdict,
    mode: r.mode,
    anchor: { anchored: r.anchor.anchored, compared: r.anchor.compared ?? null, matches: r.anchor.matches ?? null },
    at: r.at,
    steps: r.bundles.map((b, i) => {
      const step = r.path.find((p) => p.ceremonyId === b.ceremonyId && p.masterFingerprint === b.masterFingerprint);
      return { folder: folders[i]!, kind: b.kind ?? null, ceremonyId: b.ceremonyId ?? null, fingerprint: fingerprintView(b.masterFingerprint), endedAt: step?.endedAt ?? null, verifiesAlone: b.checks.every((c) => c.status === 'pass' || c.name === 'trust-anchor') };
    }),
    current: r.current ? { fingerprint: fingerprintView(r.current.fingerprint)!, ceremonyId: r.current.ceremonyId } : null,
    keys: r.keys
      ? r.keys.map((k) => ({ fingerprint: fingerprintView(k.fingerprint)!, ceremonyId: k.ceremonyId, state: k.state, stateNow: k.stateNow, since: k.since, until: k.until ?? null, revokedAt: k.revokedAt ?? null }))
      : null,
    checks: r.checks.map((c) => ({ name: c.name, status: c.status, detail: c.detail, source: 'verifier' })),
    refusal: failed ? { check: failed.name, detail: failed.detail } : null,
  };
}

export class AuditChain {
  private bundles: { folder: string; files: BundleFiles }[] = [];
  private report: ChainReportView | null = null;

  view(): AuditChainView {
    return { folders: this.bundles.map((b) => b.folder), report: this.report };
  }

  /** Reads the folder the picker returned and adds it at the end; the report is cleared. */
  async add(folder: string): Promise<void> {
    if (this.bundles.length >= MAX_CHAIN_BUNDLES) throw new KeyriteError('USAGE', `A chain is at most ${MAX_CHAIN_BUNDLES} bundles; remove one before adding another.`);
    if (this.bundles.some((b) => resolve(b.folder) === resolve(folder))) throw new KeyriteError('USAGE', `${folder} is already in the chain; each bundle is added once.`);
    let files: BundleFiles;
    try {
      files = await readBundleDirectory(folder);
    } catch (e) {
      if (e instanceof KeyriteError) throw new KeyriteError(e.code, `${e.message} Choose the bundle folder (the one holding bundle.json) again.`);
      throw e;
    }
    // A folder with no manifest is no bundle at all; anything else is for the verifier to judge.
    if (!files.has(BUNDLE_MANIFEST_FILE)) throw new KeyriteError('INVALID_INPUT', `${folder} holds no ${BUNDLE_MANIFEST_FILE}, so it is not a bundle folder. Choose the bundle folder (the one holding bundle.json) again.`);
    this.bundles.push({ folder, files });
    this.report = null;
  }

  remove(index: number): void {
    if (index >= this.bundles.length) throw new KeyriteError('USAGE', `The chain has ${this.bundles.length} bundle(s); there is no bundle ${index + 1} to remove.`);
    this.bundles.splice(index, 1);
    this.report = null;
  }

  verify(options: AuditOptions): void {
    if (this.bundles.length < 2) throw new KeyriteError('USAGE', 'A chain is the root bundle and at least one rotation bundle: add the root bundle first, then each rotation bundle in the order they were made.');
    const trust = options.trust.trim();
    if (trust.length === 0) throw new KeyriteError('INVALID_INPUT', 'A chain is followed from the ROOT master fingerprint read aloud at the root ceremony: type it (64 hex digits or the 16 words) from the paper record.');
    try {
      parseTrustAnchor(trust);
    } catch (e) {
      throw new KeyriteError('INVALID_INPUT', `The root fingerprint must be the one read aloud at the root ceremony: 64 hex digits, or its 16 words. ${e instanceof KeyriteError ? e.message : ''} Type it again.`.trim());
    }
    const report = verifyChain(
      this.bundles.map((b) => b.files),
      { trust, mode: options.mode, crypto: NATIVE_VERIFIER_CRYPTO },
    );
    this.report = chainReportView(report, this.bundles.map((b) => b.folder));
  }
}
