/**
 * The bundle's files (docs/FORMATS.md "Bundle"): bundle.json is a keyrite/bundle/v1 manifest;
 * every listed file is present with its size and SHA-256 and no other file is there; and the
 * bundle holds exactly the files its kind has (kinds.ts), with a PEM file per key of the
 * ceremony and numbered checkpoint notes.
 */
import { parseBundleManifest } from '../../bundle/bundle-manifest.ts';
import { BUNDLE_KIND_SPECS } from '../../bundle/kinds.ts';
import { signedFiles } from './signing.ts';
import { BUNDLE_MANIFEST_FILE, PREVIOUS_MASTER, parseCheckpointNotePath, pemFileName } from '../../bundle/layout.ts';
import { publicKeyAlgOf } from '../../bundle/principals.ts';
import { fail, type Check } from '../check-list.ts';
import type { VerifyContext } from '../context.ts';

export const bundleManifest: Check<VerifyContext> = {
  name: 'bundle-manifest',
  needs: [],
  run(ctx) {
    ctx.manifest = parseBundleManifest(ctx.files.get(BUNDLE_MANIFEST_FILE));
    return `bundle.json is a keyrite/bundle/v1 manifest of ${ctx.manifest.files.length} files`;
  },
};

export const bundleFiles: Check<VerifyContext> = {
  name: 'bundle-files',
  needs: ['bundle-manifest'],
  run(ctx) {
    const manifest = ctx.manifest!;
    const listed = new Set(manifest.files.map((f) => f.path));
    const extra = [...ctx.files.keys()].filter((p) => p !== BUNDLE_MANIFEST_FILE && !listed.has(p)).sort();
    const missing: string[] = [];
    const changed: string[] = [];
    for (const f of manifest.files) {
      const bytes = ctx.files.get(f.path);
      if (bytes === undefined) missing.push(f.path);
      else if (bytes.length !== f.size || ctx.sha256Hex(bytes) !== f.sha256) changed.push(f.path);
    }
    const problems: string[] = [];
    if (missing.length > 0) problems.push(`missing: ${missing.join(', ')}`);
    if (changed.length > 0) problems.push(`changed (size or SHA-256 differs from bundle.json): ${changed.join(', ')}`);
    if (extra.length > 0) problems.push(`not listed in bundle.json: ${extra.join(', ')}`);
    if (problems.length > 0) fail(`The files differ from bundle.json; ${problems.join('; ')}.`);
    return `${manifest.files.length} files, each with the size and SHA-256 that bundle.json lists, and no other file`;
  },
};

/** The PEM files a bundle holds: two per principal (master first, then each trustee). */
export function expectedPemFiles(ctx: VerifyContext): Map<string, { who: string; half: 'classical' | 'pq' }> {
  const out = new Map<string, { who: string; half: 'classical' | 'pq' }>();
  for (const p of [{ id: 'master', publicKey: ctx.master!.publicKey }, ...(ctx.kind === 'rotation' ? [{ id: PREVIOUS_MASTER, publicKey: ctx.previousMaster!.publicKey }] : []), ...ctx.trustees]) {
    out.set(pemFileName(p.id, publicKeyAlgOf(p.publicKey.classical.alg)), { who: p.id, half: 'classical' });
    out.set(pemFileName(p.id, 'ML-DSA-65'), { who: p.id, half: 'pq' });
  }
  return out;
}

export const bundleLayout: Check<VerifyContext> = {
  name: 'bundle-layout',
  needs: ['transcript-structure', 'bundle-manifest'],
  run(ctx) {
    const kind = ctx.kind!;
    const expected = new Set<string>([...BUNDLE_KIND_SPECS[kind].files, ...expectedPemFiles(ctx).keys(), ...signedFiles(ctx)]);
    const unexpected = [...ctx.files.keys()].filter((p) => !expected.has(p) && parseCheckpointNotePath(p) === undefined).sort();
    if (unexpected.length > 0) fail(`The bundle holds files that a ${kind} bundle does not have: ${unexpected.join(', ')}.`);
    const missing = [...expected].filter((p) => !ctx.files.has(p)).sort();
    if (missing.length > 0) fail(`The bundle lacks ${missing.join(', ')}.`);
    return `exactly the files that a ${kind} bundle has (${ctx.files.size})`;
  },
};
