/**
 * Transcript checkpoints: C2SP tlog-checkpoint (c2sp.org/tlog-checkpoint) note text inside
 * a C2SP signed note (c2sp.org/signed-note), co-signed by Keyrite principals with hybrid
 * signatures (docs/FORMATS.md "Checkpoints").
 *
 *   keyrite.dev/ceremony/<ceremony id, 32 hex>      origin
 *   <tree size>                                     ASCII decimal, no leading zeros
 *   <base64 RFC 6962 root>                          standard base64 (RFC 4648 §4), 32 bytes
 *   (blank line)
 *   — <key name> base64(key ID ‖ signature)         one line per signature
 *
 * Each principal adds two signature lines under one key name: its classical signature
 * (Ed25519, or ECDSA P-256/SHA-256 raw r ‖ s) and its ML-DSA-65 signature (FIPS 204, pure,
 * context "keyrite/v1"), both over the note text bytes (the three lines with their LFs).
 * Key IDs = SHA-256(key name ‖ 0x0A ‖ signature type ‖ public key)[:4] (signed-note §Signatures):
 *   Ed25519    type 0x01, the signed-note Ed25519 type: any C2SP verifier can check that line;
 *   ES256      type 0xFF ‖ "keyrite.dev/note-signature/ES256/v1" ‖ 0x0A, 65-byte SEC 1 point;
 *   ML-DSA-65  type 0xFF ‖ "keyrite.dev/note-signature/ML-DSA-65/v1" ‖ 0x0A, 1952-byte key.
 * 0xFF is the byte signed-note reserves for types without an assigned byte, followed by a
 * longer identifier; 0x02 (DER ECDSA over a DER SPKI key) and 0x06 (ML-DSA-44 timestamped
 * cosignatures) are different formats and are not claimed.
 *
 * Keyrite writes no extension lines and accepts none, so the three lines are all a
 * signature covers. A log (TranscriptWriter) never issues two inconsistent checkpoints:
 * see assertConsistentCheckpoint.
 */
import { KeyriteError } from '../errors.ts';
import { concatBytes, equalBytes, fromUtf8, utf8 } from '../bytes.ts';
import { fromBase64, toBase64 } from '../encoding/base64url.ts';
import { toHex } from '../encoding/hex.ts';
import { sha256 } from '../crypto/hash.ts';
import { NOBLE_ED25519, NOBLE_MLDSA65, verifyHybrid, VERIFY_MODES } from '../crypto/hybrid.ts';
import type { ClassicalAlg, Ed25519Backend, MlDsa65Backend, HybridPublicKey, HybridSigner, PartResult, VerifyMode } from '../crypto/hybrid.ts';
import { p256Uncompressed } from '../crypto/p256.ts';
import { HASH_LENGTH, verifyConsistency } from './merkle.ts';

export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly root: Uint8Array;
}

export interface NoteSignature {
  readonly name: string;
  /** The 4-byte key ID (big-endian uint32 on the wire). */
  readonly keyId: Uint8Array;
  readonly signature: Uint8Array;
}

export interface CheckpointNote {
  /** The note text: the checkpoint body with its final LF, exactly the signed bytes. */
  readonly text: string;
  readonly checkpoint: Checkpoint;
  readonly signatures: readonly NoteSignature[];
}

export type NoteSignatureAlg = ClassicalAlg | 'ML-DSA-65';

export const CEREMONY_ORIGIN_PREFIX = 'keyrite.dev/ceremony/';
/** Keyrite signs only checkpoints whose origin starts with this (domain separation of its signatures). */
export const KEYRITE_ORIGIN_PREFIX = 'keyrite.dev/';
export const ES256_NOTE_TYPE_LABEL = 'keyrite.dev/note-signature/ES256/v1';
export const MLDSA65_NOTE_TYPE_LABEL = 'keyrite.dev/note-signature/ML-DSA-65/v1';
/** Longest accepted note (16 ML-DSA-65 lines are about 71 KB). */
export const MAX_NOTE_BYTES = 1024 * 1024;
/** Most signature lines accepted in one note (signed-note asks for at least 16). */
export const MAX_NOTE_SIGNATURES = 64;
export const MAX_ORIGIN_LENGTH = 255;
export const MAX_KEY_NAME_LENGTH = 255;

const EM_DASH = '\u2014';
const KEY_ID_LENGTH = 4;
/** Printable ASCII without space and without "+": what Keyrite writes as origin or key name. */
const KEYRITE_NAME_RE = /^[\x21-\x2a\x2c-\x7e]+$/;
const SIZE_RE = /^(0|[1-9][0-9]*)$/;
const CEREMONY_ID_RE = /^[0-9a-f]{32}$/;
// signed-note: key names must not contain Unicode spaces or "+". \s is Unicode White_Space plus
// U+FEFF; U+0085 is added (Go's unicode.IsSpace counts it). Control characters are refused earlier.
const NOTE_NAME_RE = /^[^\s\u0085+]+$/;

/** Whether `s` contains an ASCII control character (C0 or DEL); LF too unless `allowLf`. */
function hasControl(s: string, allowLf: boolean): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && !(allowLf && c === 0x0a)) || c === 0x7f) return true;
  }
  return false;
}

function fail(what: string, problem: string): never {
  throw new KeyriteError('INVALID_ENCODING', `The ${what} ${problem}.`);
}

/** The origin of a ceremony's transcript log: "keyrite.dev/ceremony/" + the 128-bit ceremony id in lowercase hex. */
export function ceremonyOrigin(ceremonyIdHex: string): string {
  if (typeof ceremonyIdHex !== 'string' || !CEREMONY_ID_RE.test(ceremonyIdHex)) {
    throw new KeyriteError('INVALID_INPUT', 'The ceremony id must be 32 lowercase hex digits (128 bits).');
  }
  return CEREMONY_ORIGIN_PREFIX + ceremonyIdHex;
}

function assertKeyriteName(name: unknown, what: string, max: number): asserts name is string {
  if (typeof name !== 'string' || name.length === 0 || name.length > max || !KEYRITE_NAME_RE.test(name)) {
    throw new KeyriteError('INVALID_INPUT', `The ${what} must be 1 to ${max} printable ASCII characters without spaces or "+".`);
  }
}

function assertCheckpoint(cp: unknown): asserts cp is Checkpoint {
  if (cp === null || typeof cp !== 'object') throw new KeyriteError('INVALID_INPUT', 'A checkpoint needs an origin, a size and a root.');
  const c = cp as Record<string, unknown>;
  assertKeyriteName(c.origin, 'checkpoint origin', MAX_ORIGIN_LENGTH);
  if (typeof c.size !== 'number' || !Number.isSafeInteger(c.size) || c.size < 0) throw new KeyriteError('INVALID_INPUT', 'The checkpoint size must be a whole number from 0 to 2^53−1.');
  if (!(c.root instanceof Uint8Array) || c.root.length !== HASH_LENGTH) throw new KeyriteError('INVALID_INPUT', `The checkpoint root must be ${HASH_LENGTH} bytes.`);
}

/** The tlog-checkpoint note text: "<origin>\n<size>\n<base64 root>\n". */
export function formatCheckpoint(checkpoint: Checkpoint): string {
  assertCheckpoint(checkpoint);
  return `${checkpoint.origin}\n${checkpoint.size}\n${toBase64(checkpoint.root)}\n`;
}

/** Parses a checkpoint note text (no signatures) strictly: three lines, nothing else. */
export function parseCheckpoint(text: string, what = 'checkpoint'): Checkpoint {
  if (typeof text !== 'string') throw new KeyriteError('INVALID_INPUT', `The ${what} must be text.`);
  if (!text.endsWith('\n')) fail(what, 'does not end with a line break');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) fail(what, `has ${lines.length} line${lines.length === 1 ? '' : 's'}; a checkpoint has origin, size and root`);
  if (lines.length > 3) fail(what, 'has extension lines after the root hash; Keyrite checkpoints have none');
  const [origin, sizeText, rootText] = lines as [string, string, string];
  if (origin.length === 0 || origin.length > MAX_ORIGIN_LENGTH || !KEYRITE_NAME_RE.test(origin)) {
    fail(what, `origin line is not 1 to ${MAX_ORIGIN_LENGTH} printable ASCII characters without spaces or "+"`);
  }
  if (!SIZE_RE.test(sizeText)) fail(what, 'size line is not a decimal number without leading zeros');
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) fail(what, 'size is larger than 2^53−1');
  let root: Uint8Array;
  try {
    root = fromBase64(rootText, `${what} root hash`);
  } catch (e) {
    throw new KeyriteError('INVALID_ENCODING', `The ${what} root hash line is not canonical base64.`, { cause: e });
  }
  if (root.length !== HASH_LENGTH) fail(what, `root hash is ${root.length} bytes, not ${HASH_LENGTH}`);
  return { origin, size, root };
}

/** The full signed note: text, blank line, one "— name base64(keyID ‖ sig)" line per signature. */
export function formatSignedNote(text: string, signatures: readonly NoteSignature[]): string {
  parseCheckpoint(text);
  if (!Array.isArray(signatures) || signatures.length === 0) throw new KeyriteError('INVALID_INPUT', 'A signed note needs at least one signature.');
  if (signatures.length > MAX_NOTE_SIGNATURES) throw new KeyriteError('INVALID_INPUT', `A signed note holds at most ${MAX_NOTE_SIGNATURES} signatures.`);
  let out = `${text}\n`;
  for (const s of signatures) out += formatNoteSignatureLine(s);
  return out;
}

/** One signature line: "— <name> base64(key ID ‖ signature)\n". */
export function formatNoteSignatureLine(s: NoteSignature): string {
  if (typeof s?.name !== 'string' || s.name.length === 0 || s.name.length > MAX_KEY_NAME_LENGTH || !NOTE_NAME_RE.test(s.name) || hasControl(s.name, false)) {
    throw new KeyriteError('INVALID_INPUT', 'A note signature key name must be non-empty, without spaces, "+" or control characters.');
  }
  if (!(s.keyId instanceof Uint8Array) || s.keyId.length !== KEY_ID_LENGTH) throw new KeyriteError('INVALID_INPUT', 'A note key ID must be 4 bytes.');
  if (!(s.signature instanceof Uint8Array) || s.signature.length === 0) throw new KeyriteError('INVALID_INPUT', 'A note signature must be a non-empty byte array.');
  return `${EM_DASH} ${s.name} ${toBase64(concatBytes(s.keyId, s.signature))}\n`;
}

/** Adds signature lines to an existing signed note (for co-signing one principal after another). */
export function appendNoteSignatures(note: string | Uint8Array, signatures: readonly NoteSignature[]): string {
  const parsed = parseCheckpointNote(note);
  return formatSignedNote(parsed.text, [...parsed.signatures, ...signatures]);
}

/**
 * Parses a signed checkpoint note strictly (signed-note §Format, tlog-checkpoint §Note text):
 * UTF-8, no control characters but LF, text separated from signatures by the last blank
 * line, every signature line "— <name> <base64>" with a name free of spaces and "+", and
 * canonical standard base64 of at least 5 bytes. Signatures from keys the reader does not
 * know are kept; verifyCheckpointSignatures reports and ignores them.
 */
export function parseCheckpointNote(note: string | Uint8Array, what = 'checkpoint note'): CheckpointNote {
  let s: string;
  if (note instanceof Uint8Array) {
    if (note.length > MAX_NOTE_BYTES) fail(what, `is ${note.length} bytes; the limit is ${MAX_NOTE_BYTES}`);
    try {
      s = fromUtf8(note);
    } catch (e) {
      throw new KeyriteError('INVALID_ENCODING', `The ${what} is not valid UTF-8 text.`, { cause: e });
    }
  } else if (typeof note === 'string') {
    s = note;
    if (s.length > MAX_NOTE_BYTES) fail(what, `is longer than ${MAX_NOTE_BYTES} characters`);
    if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s)) fail(what, 'contains a lone surrogate, which is not valid Unicode');
  } else {
    throw new KeyriteError('INVALID_INPUT', `The ${what} must be text or bytes.`);
  }
  if (s.charCodeAt(0) === 0xfeff) fail(what, 'starts with a byte-order mark');
  if (hasControl(s, true)) fail(what, 'contains a control character other than line feed');
  if (!s.endsWith('\n')) fail(what, 'does not end with a line break');
  const split = s.lastIndexOf('\n\n');
  if (split < 0) fail(what, 'has no blank line between the checkpoint and its signatures');
  const text = s.slice(0, split + 1);
  const checkpoint = parseCheckpoint(text, what);
  const sigLines = s.slice(split + 2, -1);
  if (sigLines.length === 0) fail(what, 'has no signature lines');
  const lines = sigLines.split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES) fail(what, `has ${lines.length} signature lines; the limit is ${MAX_NOTE_SIGNATURES}`);
  const signatures: NoteSignature[] = [];
  lines.forEach((line, i) => {
    const n = i + 1;
    if (!line.startsWith(`${EM_DASH} `)) fail(what, `signature line ${n} does not start with "— " (em dash, space)`);
    const rest = line.slice(2);
    const sp = rest.indexOf(' ');
    if (sp < 0 || rest.indexOf(' ', sp + 1) >= 0) fail(what, `signature line ${n} is not "— <key name> <base64 signature>"`);
    const name = rest.slice(0, sp);
    const b64 = rest.slice(sp + 1);
    if (name.length === 0 || name.length > MAX_KEY_NAME_LENGTH || !NOTE_NAME_RE.test(name)) {
      fail(what, `signature line ${n} has a key name that is empty, too long, or contains spaces or "+"`);
    }
    let raw: Uint8Array;
    try {
      raw = fromBase64(b64, `${what} signature`);
    } catch (e) {
      throw new KeyriteError('INVALID_ENCODING', `The ${what} signature line ${n} is not canonical standard base64.`, { cause: e });
    }
    if (raw.length <= KEY_ID_LENGTH) fail(what, `signature line ${n} is too short to hold a key ID and a signature`);
    signatures.push({ name, keyId: raw.slice(0, KEY_ID_LENGTH), signature: raw.slice(KEY_ID_LENGTH) });
  });
  return { text, checkpoint, signatures };
}


/** The signature type bytes of signed-note key IDs for each algorithm Keyrite signs notes with. */
export function noteSignatureType(alg: NoteSignatureAlg): Uint8Array {
  switch (alg) {
    case 'Ed25519':
      return Uint8Array.of(0x01);
    case 'ES256':
      return concatBytes(Uint8Array.of(0xff), utf8(`${ES256_NOTE_TYPE_LABEL}\n`));
    case 'ML-DSA-65':
      return concatBytes(Uint8Array.of(0xff), utf8(`${MLDSA65_NOTE_TYPE_LABEL}\n`));
    default:
      throw new KeyriteError('UNSUPPORTED', `Keyrite signs notes with Ed25519, ES256 or ML-DSA-65, not ${JSON.stringify(String(alg))}.`);
  }
}

/**
 * key ID = SHA-256(key name ‖ 0x0A ‖ signature type ‖ public key)[:4]. ES256 keys are
 * hashed as the 65-byte uncompressed SEC 1 point whatever form they are given in.
 */
export function noteKeyId(name: string, alg: NoteSignatureAlg, publicKey: Uint8Array): Uint8Array {
  if (typeof name !== 'string' || name.length === 0) throw new KeyriteError('INVALID_INPUT', 'A note key name must be a non-empty string.');
  if (!(publicKey instanceof Uint8Array)) throw new KeyriteError('INVALID_INPUT', 'A note public key must be a byte array.');
  const type = noteSignatureType(alg);
  const key = alg === 'ES256' ? p256Uncompressed(publicKey) : publicKey;
  return sha256(concatBytes(utf8(name), Uint8Array.of(0x0a), type, key)).slice(0, KEY_ID_LENGTH);
}

/**
 * One principal's two signature lines over the checkpoint: classical and ML-DSA-65, both
 * under `name` (printable ASCII, no spaces, no "+"; e.g. "keyrite.dev/principal/<fingerprint>").
 * The origin must start with "keyrite.dev/", so the signed text can never be mistaken for
 * another message a Keyrite key signs (DSSE PAE, pairwise-consistency tests).
 */
export async function signCheckpoint(checkpoint: Checkpoint | string, signer: HybridSigner, name: string): Promise<NoteSignature[]> {
  const cp = typeof checkpoint === 'string' ? parseCheckpoint(checkpoint) : checkpoint;
  const text = formatCheckpoint(cp);
  if (!cp.origin.startsWith(KEYRITE_ORIGIN_PREFIX)) {
    throw new KeyriteError('INVALID_INPUT', `Keyrite signs only checkpoints whose origin starts with ${KEYRITE_ORIGIN_PREFIX}.`);
  }
  assertKeyriteName(name, 'signer key name', MAX_KEY_NAME_LENGTH);
  if (signer === null || typeof signer !== 'object' || typeof signer.sign !== 'function' || signer.publicKey === undefined) {
    throw new KeyriteError('INVALID_INPUT', 'Signing a checkpoint needs a hybrid signer.');
  }
  const { classical, pq } = signer.publicKey;
  const classicalKeyId = noteKeyId(name, classical.alg, classical.publicKey);
  const pqKeyId = noteKeyId(name, pq.alg, pq.publicKey);
  const sig = await signer.sign(utf8(text));
  return [
    { name, keyId: classicalKeyId, signature: sig.classical.slice() },
    { name, keyId: pqKeyId, signature: sig.pq.slice() },
  ];
}

export interface KnownPrincipal {
  /** The key name its signature lines carry. */
  readonly name: string;
  readonly publicKey: HybridPublicKey;
}

/** pass / fail / not-checked as in verifyHybrid, plus 'missing': no line for that key. */
export type NotePartResult = PartResult | 'missing';

export interface PrincipalCheckpointResult {
  readonly name: string;
  /** Whether this principal counts under the mode (hybrid: both halves pass). */
  readonly valid: boolean;
  readonly classical: NotePartResult;
  readonly pq: NotePartResult;
}

export interface CheckpointVerification {
  readonly checkpoint: Checkpoint;
  readonly mode: VerifyMode;
  /**
   * signed-note acceptance: at least one known principal verified and no signature from a
   * known key failed (a failing known-key signature rejects the whole note). Thresholds are
   * the caller's: count `validPrincipals`.
   */
  readonly valid: boolean;
  /** One result per known principal, in the order given. */
  readonly principals: readonly PrincipalCheckpointResult[];
  /** Names of the principals that count, each once. */
  readonly validPrincipals: readonly string[];
  /** Lines from keys not in `knownKeys` (name and key ID do not both match): ignored, listed. */
  readonly unknownSignatures: readonly { readonly name: string; readonly keyId: string }[];
  /** Known-key signature lines that did not verify. */
  readonly failedSignatures: number;
}

interface KeySlot {
  principal: number;
  part: 'classical' | 'pq';
  name: string;
  keyId: Uint8Array;
}

/**
 * Verifies the signatures of a checkpoint note against known principals (signed-note
 * §Signatures). A line counts for a principal only when both its key name and key ID match
 * one of that principal's keys. Every matching line is verified; a principal's half passes
 * only when all of its matching lines verify. Modes as in verifyHybrid: in classical-only
 * (pq-only) mode the other half is 'not-checked'. Malformed notes throw; bad signatures do not.
 */
export function verifyCheckpointSignatures(note: string | Uint8Array | CheckpointNote, knownKeys: readonly KnownPrincipal[], mode: VerifyMode = 'hybrid', ed25519: Ed25519Backend = NOBLE_ED25519, mldsa65: MlDsa65Backend = NOBLE_MLDSA65): CheckpointVerification {
  if (!VERIFY_MODES.includes(mode)) throw new KeyriteError('INVALID_INPUT', `Unknown verification mode ${JSON.stringify(String(mode))}; use hybrid, classical-only or pq-only.`);
  // A pre-parsed note is re-parsed from its own parts, so what is checked is what a file would hold.
  const parsed = typeof note === 'string' || note instanceof Uint8Array ? parseCheckpointNote(note) : parseCheckpointNote(formatSignedNote(note.text, note.signatures));
  if (!Array.isArray(knownKeys)) throw new KeyriteError('INVALID_INPUT', 'The known keys must be a list of principals.');
  const slots: KeySlot[] = [];
  const names = new Set<string>();
  const keysSeen: Uint8Array[] = [];
  knownKeys.forEach((k, i) => {
    if (k === null || typeof k !== 'object' || typeof k.name !== 'string' || k.publicKey === null || typeof k.publicKey !== 'object') {
      throw new KeyriteError('INVALID_INPUT', `Known key ${i + 1} needs a name and a hybrid public key.`);
    }
    if (names.has(k.name)) throw new KeyriteError('INVALID_INPUT', `The key name ${JSON.stringify(k.name)} is listed twice among the known keys.`);
    names.add(k.name);
    for (const part of ['classical', 'pq'] as const) {
      const pk = k.publicKey[part];
      if (pk === null || typeof pk !== 'object' || !(pk.publicKey instanceof Uint8Array)) throw new KeyriteError('INVALID_INPUT', `Known key ${JSON.stringify(k.name)} has no ${part} public key.`);
      // The same key under two names would let one principal count twice.
      if (keysSeen.some((seen) => equalBytes(seen, pk.publicKey))) {
        throw new KeyriteError('INVALID_INPUT', `A ${part} public key of ${JSON.stringify(k.name)} is also listed for another principal.`);
      }
      keysSeen.push(pk.publicKey);
      slots.push({ principal: i, part, name: k.name, keyId: noteKeyId(k.name, pk.alg, pk.publicKey) });
    }
  });

  const message = utf8(parsed.text);
  const results = knownKeys.map(() => ({ classical: [] as boolean[], pq: [] as boolean[] }));
  const unknownSignatures: { name: string; keyId: string }[] = [];
  let failedSignatures = 0;
  for (const sig of parsed.signatures) {
    const slot = slots.find((s) => s.name === sig.name && equalBytes(s.keyId, sig.keyId));
    if (slot === undefined) {
      unknownSignatures.push({ name: sig.name, keyId: toHex(sig.keyId) });
      continue;
    }
    if ((slot.part === 'classical' && mode === 'pq-only') || (slot.part === 'pq' && mode === 'classical-only')) continue;
    const pub = knownKeys[slot.principal]!.publicKey;
    const r =
      slot.part === 'classical'
        ? verifyHybrid(pub, message, { classical: sig.signature, pq: new Uint8Array(0) }, 'classical-only', ed25519).classical
        : verifyHybrid(pub, message, { classical: new Uint8Array(0), pq: sig.signature }, 'pq-only', ed25519, mldsa65).pq;
    const ok = r === 'pass';
    if (!ok) failedSignatures++;
    results[slot.principal]![slot.part].push(ok);
  }

  const summarise = (checks: boolean[], checked: boolean): NotePartResult => {
    if (!checked) return 'not-checked';
    if (checks.length === 0) return 'missing';
    return checks.every(Boolean) ? 'pass' : 'fail';
  };
  const principals: PrincipalCheckpointResult[] = knownKeys.map((k, i) => {
    const classical = summarise(results[i]!.classical, mode !== 'pq-only');
    const pq = summarise(results[i]!.pq, mode !== 'classical-only');
    const valid = mode === 'hybrid' ? classical === 'pass' && pq === 'pass' : mode === 'classical-only' ? classical === 'pass' : pq === 'pass';
    return { name: k.name, valid, classical, pq };
  });
  const validPrincipals = principals.filter((p) => p.valid).map((p) => p.name);
  return {
    checkpoint: parsed.checkpoint,
    mode,
    valid: validPrincipals.length > 0 && failedSignatures === 0,
    principals,
    validPrincipals,
    unknownSignatures,
    failedSignatures,
  };
}

/**
 * The rule "a log never signs two inconsistent checkpoints" (tlog-checkpoint §Signatures):
 * `next` may follow `previous` only under the same origin, with a size at least as large,
 * and with `proof` an RFC 9162 consistency proof from previous to next. Throws VERIFY_FAILED
 * otherwise. No previous checkpoint: anything is consistent.
 */
export function assertConsistentCheckpoint(previous: Checkpoint | undefined, next: Checkpoint, proof: readonly Uint8Array[]): void {
  assertCheckpoint(next);
  if (previous === undefined) return;
  assertCheckpoint(previous);
  if (previous.origin !== next.origin) {
    throw new KeyriteError('VERIFY_FAILED', `Refusing the checkpoint: its origin ${next.origin} differs from the previous checkpoint's origin ${previous.origin}.`);
  }
  if (next.size < previous.size) {
    throw new KeyriteError('VERIFY_FAILED', `Refusing the checkpoint: size ${next.size} is smaller than the previously signed size ${previous.size}.`);
  }
  if (!verifyConsistency(previous.size, next.size, previous.root, next.root, proof)) {
    throw new KeyriteError('VERIFY_FAILED', `Refusing the checkpoint: the tree of size ${next.size} is not a consistent extension of the previously signed tree of size ${previous.size}.`);
  }
}
