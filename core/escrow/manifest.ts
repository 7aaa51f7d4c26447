/**
 * Public escrow manifest, `escrow/manifest.json` in the bundle (DESIGN.md, Escrow;
 * docs/FORMATS.md, "Escrow — manifest"):
 *
 *   {"blob": <escrow blob E>, "ceremonyId": 32 hex, "epoch": N,
 *    "format": "keyrite/escrow-manifest/v1", "masterFingerprint": 64 hex, "n": N,
 *    "suites": {…}, "t": N,
 *    "trustees": [{"commitment": 64 hex, "fingerprint": 64 hex, "id": "…", "name"?: "…", "x": N}, …]}
 *
 * It holds nothing secret: parameters, one entry per trustee with the commitment C_i to
 * their share (commitment.ts), and E. Reading is strict, then consistent: n entries,
 * distinct x in 1..255, distinct trustee ids, fingerprints and commitments, 2 ≤ t ≤ n, and
 * E's header naming the same ceremony, epoch, master key and suites.
 * A trustee checks their own share against it alone with checkShareAgainstManifest.
 */
import { KeyriteError } from '../errors.ts';
import { assertBytes } from '../bytes.ts';
import { fromHex, toHex } from '../encoding/hex.ts';
import { canonicalize } from '../encoding/jcs.ts';
import { parseJsonStrict } from '../encoding/json.ts';
import type { Share } from '../crypto/shamir.ts';
import { escrowBlobFromJson, escrowBlobToJson, type EscrowBlob } from './blob.ts';
import { COMMITMENT_LENGTH, SALT_LENGTH, SHARE_LENGTH, checkShareCommitment } from './commitment.ts';
import { expectMembers, expectObject, readHex, readInt, readLiteral, readPattern, type JsonObject } from '../encoding/json-fields.ts';
import { CEREMONY_ID_HEX, FINGERPRINT_HEX, TRUSTEE_ID, assertDisplayName, readSuites, sameSuites, type EscrowSuites } from './fields.ts';

export const ESCROW_MANIFEST_FORMAT = 'keyrite/escrow-manifest/v1';
const MAX_MANIFEST_TEXT = 1024 * 1024;

export interface ManifestTrustee {
  id: string;
  /** Display name, optional. */
  name?: string;
  /** Principal fingerprint of the trustee's keys, 64 lowercase hex digits. */
  fingerprint: string;
  x: number;
  /** C_i, 32 bytes. */
  commitment: Uint8Array;
}

export interface EscrowManifest {
  format: typeof ESCROW_MANIFEST_FORMAT;
  ceremonyId: string;
  epoch: number;
  masterFingerprint: string;
  n: number;
  t: number;
  suites: EscrowSuites;
  trustees: ManifestTrustee[];
  blob: EscrowBlob;
}

const WHAT = 'escrow manifest';

function trusteeJson(t: ManifestTrustee): JsonObject {
  expectObject(t, `${WHAT} trustee`);
  assertBytes(t.commitment, 'The trustee commitment');
  const o: JsonObject = { id: t.id, fingerprint: t.fingerprint, x: t.x, commitment: toHex(t.commitment) };
  if (t.name !== undefined) o.name = t.name;
  return o;
}

export function manifestToJson(m: EscrowManifest): JsonObject {
  expectObject(m, WHAT);
  if (!Array.isArray(m.trustees)) throw new KeyriteError('INVALID_INPUT', 'The escrow manifest trustees must be a list.');
  return {
    format: m.format,
    ceremonyId: m.ceremonyId,
    epoch: m.epoch,
    masterFingerprint: m.masterFingerprint,
    n: m.n,
    t: m.t,
    suites: { ...m.suites },
    trustees: m.trustees.map(trusteeJson),
    blob: escrowBlobToJson(m.blob),
  };
}

function readTrustee(value: unknown, i: number): ManifestTrustee {
  const what = `${WHAT} trustee ${i + 1}`;
  const o = expectObject(value, what);
  expectMembers(o, what, ['commitment', 'fingerprint', 'id', 'x'], ['name']);
  const t: ManifestTrustee = {
    id: readPattern(o, 'id', what, TRUSTEE_ID, 'a trustee id (1 to 64 letters, digits or . _ : -)'),
    fingerprint: readPattern(o, 'fingerprint', what, FINGERPRINT_HEX, '64 lowercase hex digits'),
    x: readInt(o, 'x', what, 1, 255),
    commitment: readHex(o, 'commitment', what, COMMITMENT_LENGTH),
  };
  if (o.name !== undefined) {
    assertDisplayName(o.name, `${what} name`);
    t.name = o.name;
  }
  return t;
}

/** Reads an already parsed manifest strictly and checks its consistency. */
export function manifestFromJson(value: unknown): EscrowManifest {
  const o = expectObject(value, WHAT);
  expectMembers(o, WHAT, ['blob', 'ceremonyId', 'epoch', 'format', 'masterFingerprint', 'n', 'suites', 't', 'trustees']);
  if (!Array.isArray(o.trustees)) throw new KeyriteError('INVALID_INPUT', 'The escrow manifest "trustees" must be a list.');
  if (o.trustees.length > 255) throw new KeyriteError('INVALID_INPUT', 'The escrow manifest lists more than 255 trustees.');
  const m: EscrowManifest = {
    format: readLiteral(o, 'format', WHAT, [ESCROW_MANIFEST_FORMAT] as const),
    ceremonyId: readPattern(o, 'ceremonyId', WHAT, CEREMONY_ID_HEX, '32 lowercase hex digits (16 bytes)'),
    epoch: readInt(o, 'epoch', WHAT, 0, Number.MAX_SAFE_INTEGER),
    masterFingerprint: readPattern(o, 'masterFingerprint', WHAT, FINGERPRINT_HEX, '64 lowercase hex digits'),
    n: readInt(o, 'n', WHAT, 2, 255),
    t: readInt(o, 't', WHAT, 2, 255),
    suites: readSuites(o, 'suites', WHAT),
    trustees: o.trustees.map(readTrustee),
    blob: escrowBlobFromJson(o.blob, 'escrow blob in the manifest'),
  };
  checkManifestConsistency(m);
  return m;
}

function inconsistent(problem: string): KeyriteError {
  return new KeyriteError('INVALID_INPUT', `The escrow manifest is inconsistent: ${problem}.`);
}

/** The consistency rules (also applied by manifestFromJson). */
export function checkManifestConsistency(m: EscrowManifest): void {
  if (m.t > m.n) throw inconsistent(`the threshold t = ${m.t} is above the number of shares n = ${m.n}`);
  if (m.t < 2) throw inconsistent('the threshold must be at least 2');
  if (m.trustees.length !== m.n) throw inconsistent(`it lists ${m.trustees.length} trustees for n = ${m.n} shares`);
  const xs = new Set<number>();
  const ids = new Set<string>();
  const fps = new Set<string>();
  const cs = new Set<string>();
  for (const t of m.trustees) {
    if (xs.has(t.x)) throw inconsistent(`two trustees have the share index ${t.x}`);
    if (ids.has(t.id)) throw inconsistent(`the trustee id ${JSON.stringify(t.id)} appears twice`);
    if (fps.has(t.fingerprint)) throw inconsistent(`two trustees have the same key fingerprint ${t.fingerprint.slice(0, 16)}…`);
    const c = toHex(t.commitment);
    if (cs.has(c)) throw inconsistent('two trustees have the same share commitment');
    xs.add(t.x);
    ids.add(t.id);
    fps.add(t.fingerprint);
    cs.add(c);
  }
  const h = m.blob.header;
  if (h.ceremonyId !== m.ceremonyId) throw inconsistent('the escrow blob belongs to another ceremony');
  if (h.epoch !== m.epoch) throw inconsistent(`the escrow blob is from epoch ${h.epoch}, the manifest from epoch ${m.epoch}`);
  if (h.masterFingerprint !== m.masterFingerprint) throw inconsistent('the escrow blob names another master key');
  if (!sameSuites(h.suites, m.suites)) throw inconsistent('the escrow blob names other algorithms');
}

/** The manifest file: canonical JSON text. */
export function encodeManifest(m: EscrowManifest): string {
  return canonicalize(manifestToJson(manifestFromJson(manifestToJson(m))));
}

export function parseManifest(text: string): EscrowManifest {
  return manifestFromJson(parseJsonStrict(text, WHAT, { maxLength: MAX_MANIFEST_TEXT, maxDepth: 8 }));
}

export function findManifestTrustee(m: EscrowManifest, trusteeId: string): ManifestTrustee | undefined {
  return m.trustees.find((t) => t.id === trusteeId);
}

export type ShareCheck = { ok: true; trustee: ManifestTrustee } | { ok: false; reason: string };

/**
 * A trustee checks their own share, alone: the share index must be theirs and
 * SHA-256("keyrite/share-commit/v1" ‖ ceremony id ‖ epoch ‖ x ‖ salt ‖ share) must equal the
 * published commitment (constant-time comparison). Reasons are sentences for the trustee.
 */
export function checkShareAgainstManifest(manifest: EscrowManifest, trusteeId: string, share: Share, salt: Uint8Array): ShareCheck {
  const m = manifestFromJson(manifestToJson(manifest));
  const entry = findManifestTrustee(m, trusteeId);
  if (entry === undefined) return { ok: false, reason: 'is not a trustee of this escrow' };
  if (share === null || typeof share !== 'object' || !Number.isInteger(share.x)) return { ok: false, reason: 'the share has no valid index' };
  if (share.x !== entry.x) return { ok: false, reason: `the share has index ${String(share.x)}, but this trustee's share has index ${entry.x}` };
  if (!(share.y instanceof Uint8Array) || share.y.length !== SHARE_LENGTH) return { ok: false, reason: `the share is not ${SHARE_LENGTH} bytes long` };
  if (!(salt instanceof Uint8Array) || salt.length !== SALT_LENGTH) return { ok: false, reason: `the commitment salt is not ${SALT_LENGTH} bytes long` };
  const ok = checkShareCommitment({ ceremonyId: fromHex(m.ceremonyId), epoch: m.epoch, x: share.x, salt, share: share.y }, entry.commitment);
  return ok ? { ok: true, trustee: entry } : { ok: false, reason: 'the share does not match its published commitment (it was altered, or belongs to another escrow)' };
}
