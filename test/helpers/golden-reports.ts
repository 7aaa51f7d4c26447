/**
 * The verifier's reports on the four golden bundles (root, recovery, signing, rotation), anchored by the golden master fingerprint (the rotation by its own),
 * in every mode: test/fixtures/golden-reports/<kind>-<mode>.json. A change to any check's name,
 * order, status or sentence fails test/unit/verifier/golden-reports.test.ts; an intended change
 * is regenerated with build/regenerate-golden.ts and reviewed like a format change.
 */
import { join } from 'node:path';
import { verifyBundle } from '../../core/verifier/verify.ts';
import type { VerifyReport } from '../../core/verifier/report.ts';
import { GOLDEN_MASTER_FINGERPRINT, readBundleDir } from './bundle-files.ts';
import { GOLDEN_FIXTURE, GOLDEN_RECOVERY_FIXTURE, GOLDEN_ROTATION_FIXTURE, GOLDEN_SIGNING_BUNDLE_FIXTURE } from './golden.ts';
import { parseBundleManifest } from '../../core/bundle/bundle-manifest.ts';

export const GOLDEN_REPORTS = new URL('../fixtures/golden-reports/', import.meta.url).pathname;
const BUNDLES = [['root', GOLDEN_FIXTURE], ['recovery', GOLDEN_RECOVERY_FIXTURE], ['signing', GOLDEN_SIGNING_BUNDLE_FIXTURE], ['rotation', GOLDEN_ROTATION_FIXTURE]] as const;
const MODES = ['hybrid', 'classical-only', 'pq-only'] as const;

export const goldenReport = {
  /** File name → the report the verifier gives now. */
  all(): Map<string, VerifyReport> {
    const out = new Map<string, VerifyReport>();
    for (const [kind, dir] of BUNDLES) {
      const files = readBundleDir(dir);
      // A rotation bundle alone is anchored on its own (new) master key; the chain anchors it on the root (golden-outputs.ts).
      const trust = kind === 'rotation' ? parseBundleManifest(files.get('bundle.json')!).masterFingerprint : GOLDEN_MASTER_FINGERPRINT;
      for (const mode of MODES) out.set(`${kind}-${mode}.json`, verifyBundle(files, { trust, mode }));
    }
    return out;
  },
  path(name: string): string {
    return join(GOLDEN_REPORTS, name);
  },
};
