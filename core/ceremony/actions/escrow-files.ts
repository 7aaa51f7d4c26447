/** Reading the escrow files of this ceremony back: the manifest (run folder) and each trustee's envelope (their folder). */
import { KeyriteError } from '../../errors.ts';
import { fromUtf8 } from '../../bytes.ts';
import { toHex } from '../../encoding/hex.ts';
import { envelopeHash, parseEnvelope, type ShareEnvelope } from '../../escrow/envelope.ts';
import { parseManifest, type EscrowManifest } from '../../escrow/manifest.ts';
import type { CeremonyRun } from '../run.ts';
import { sha256Hex, trusteeFile } from './common.ts';

export async function requireManifest(run: CeremonyRun): Promise<EscrowManifest> {
  if (run.manifest) return run.manifest;
  const path = run.previous?.manifestPath;
  const expected = run.previous?.manifestSha256;
  if (!path || !expected) throw new KeyriteError('CEREMONY_ERROR', 'There is no escrow in this run yet; the script must split it first.');
  const bytes = await run.env.files.read({ root: 'out', path });
  if (bytes === undefined) throw new KeyriteError('IO_ERROR', `The escrow manifest of this ceremony is missing from the run folder: ${run.env.files.display({ root: 'out', path })}.`);
  if (sha256Hex(bytes) !== expected) throw new KeyriteError('VERIFY_FAILED', 'The escrow manifest in the run folder differs from the one recorded at the split; it was changed.');
  run.manifest = parseManifest(fromUtf8(bytes).replace(/\n$/, ''));
  run.manifestBytes = bytes;
  return run.manifest;
}

export async function loadEnvelope(run: CeremonyRun, trusteeId: string): Promise<ShareEnvelope> {
  const inMemory = run.envelopes.get(trusteeId);
  if (inMemory) return inMemory;
  const ref = trusteeFile(run, trusteeId, 'envelope');
  const bytes = await run.env.files.read(ref);
  if (bytes === undefined) throw new KeyriteError('IO_ERROR', `The share envelope of ${run.whoIs(trusteeId)} is missing: ${run.env.files.display(ref)}.`);
  const env = parseEnvelope(fromUtf8(bytes).replace(/\n$/, ''));
  const expected = run.distributed.get(trusteeId) ?? run.previous?.distributed.get(trusteeId);
  if (expected !== undefined && toHex(envelopeHash(env)) !== expected) {
    throw new KeyriteError('VERIFY_FAILED', `The share envelope of ${run.whoIs(trusteeId)} (${run.env.files.display(ref)}) is not the one distributed in this ceremony.`);
  }
  run.envelopes.set(trusteeId, env);
  return env;
}

