/**
 * The layout of a public bundle (docs/FORMATS.md "Bundle", "Recovery bundle"): its file names,
 * which files each bundle kind holds, and the rules every path in a bundle follows
 * (docs/VERIFIER.md "Bundle paths"). A bundle is given to readers as its files in memory:
 * relative path → bytes.
 *
 *   bundle.json                   manifest: every other file with its SHA-256 and size
 *   transcript.jsonl              the transcript
 *   statement.dsse.json           in-toto Statement v1 in a DSSE envelope
 *   checkpoints/NN-<phase>.note   C2SP signed checkpoints; the last one ("final") covers the whole transcript
 *   keys/jwks.json                the master's and the trustees' public keys
 *   keys/<who>.<alg>.spki.pem     SubjectPublicKeyInfo PEM per key
 *   keys/fingerprints.txt         readable fingerprints
 *   escrow/manifest.json          public escrow manifest (root-keygen)
 *   original/statement.dsse.json  the statement of the bundle this one builds on (escrow-recovery, signing, rotation)
 *   keys/key-states.json          every master key of the chain and its state (rotation)
 *   request/signing-request.json  the request signed (signing)
 *   signed/<name>, <name>.dsse.json  each signed document and its DSSE envelope (signing)
 *   policy.json, script.yaml, verifier/verify.html, README.txt
 */
import type { PublicKeyAlg } from '../encoding/public-key.ts';

/** The files of a bundle by relative path ("keys/jwks.json"), bundle.json included. */
export type BundleFiles = ReadonlyMap<string, Uint8Array>;

export const BUNDLE_MANIFEST_FILE = 'bundle.json';
export const TRANSCRIPT_FILE = 'transcript.jsonl';
export const STATEMENT_FILE = 'statement.dsse.json';
export const POLICY_FILE = 'policy.json';
export const SCRIPT_FILE = 'script.yaml';
export const README_FILE = 'README.txt';
export const JWKS_FILE = 'keys/jwks.json';
export const FINGERPRINTS_FILE = 'keys/fingerprints.txt';
export const ESCROW_MANIFEST_FILE = 'escrow/manifest.json';
export const ORIGINAL_STATEMENT_FILE = 'original/statement.dsse.json';
/** Every master key of the chain and its state (rotation; docs/FORMATS.md "Key states"). */
export const KEY_STATES_FILE = 'keys/key-states.json';
/** The signing request a signing ceremony checked and signed (signing). */
export const SIGNING_REQUEST_FILE = 'request/signing-request.json';
/** The signed documents and their DSSE envelopes (signing): signed/<name>, signed/<name>.dsse.json. */
export const SIGNED_DIR = 'signed';
/** The standalone offline verifier page (docs/VERIFIER.md). */
export const VERIFIER_PAGE = 'verifier/verify.html';
export const CHECKPOINTS_DIR = 'checkpoints';

export const MAX_BUNDLE_FILES = 4096;
export const MAX_BUNDLE_BYTES = 1024 * 1024 * 1024;

const PATH_RE = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}(\/[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}){0,7}$/;
const CHECKPOINT_NOTE = /^checkpoints\/(\d{2})-([a-z0-9-]+)\.note$/;

/** Whether `path` is a name a Keyrite bundle may hold: relative, no "..", no hidden or empty parts. */
export function isBundlePath(path: string): boolean {
  return PATH_RE.test(path) && !path.split('/').some((part) => part === '.' || part === '..');
}

/** The file name of the n-th checkpoint note (1-based) of a phase: "NN-phase.note". */
export function checkpointNoteName(n: number, phase: string): string {
  return `${String(n).padStart(2, '0')}-${phase}.note`;
}

/** The number and phase of a checkpoint note's bundle path, or undefined when it is not one. */
export function parseCheckpointNotePath(path: string): { n: number; phase: string } | undefined {
  const m = CHECKPOINT_NOTE.exec(path);
  return m ? { n: Number(m[1]), phase: m[2]! } : undefined;
}

/** The name a rotation bundle's PEM files give the master key it rotates out. */
export const PREVIOUS_MASTER = 'previous-master';

/** keys/<who>.<alg>.spki.pem: who is "master", "previous-master" (rotation) or a trustee id, alg in lower case. */
export function pemFileName(who: string, alg: PublicKeyAlg): string {
  return `keys/${who}.${alg.toLowerCase()}.spki.pem`;
}
