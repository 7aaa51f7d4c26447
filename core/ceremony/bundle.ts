/**
 * The public bundle of a root-keygen ceremony (DESIGN.md "Signed statement and public
 * bundle"; docs/FORMATS.md "Bundle"). Pure builders: every file's exact bytes from the
 * ceremony's public data. JSON files are RFC 8785 canonical text followed by one LF.
 *
 *   bundle.json               manifest: format, ceremony id, master fingerprint, every other file with sha256 and size
 *   transcript.jsonl          the transcript (docs/FORMATS.md "Transcript")
 *   statement.dsse.json       in-toto Statement v1 in a DSSE envelope, two signatures per principal
 *   checkpoints/NN-<phase>.note   C2SP signed checkpoints; the last one ("final") covers the whole transcript
 *   keys/jwks.json            JWK Set: master and trustee public keys, kid = RFC 7638 thumbprint
 *   keys/<who>.<alg>.spki.pem SubjectPublicKeyInfo PEM per key
 *   keys/fingerprints.txt     readable fingerprints (hex groups + words)
 *   escrow/manifest.json      public escrow manifest
 *   policy.json               n, t, trustees, witness requirement, algorithms, signing rule
 *   script.yaml               the exact bytes of the script that ran
 *   verifier/verify.html      the standalone offline verifier (one self-contained page)
 *   README.txt                how to verify, with the master fingerprint to read aloud
 */
import { KeyriteError } from '../errors.ts';
import { utf8 } from '../bytes.ts';
import { toBase64 } from '../encoding/base64url.ts';
import { toHex } from '../encoding/hex.ts';
import { canonicalBytes, canonicalize } from '../encoding/jcs.ts';
import { encodeJwks } from '../encoding/jwks.ts';
import { publicKeyToPem } from '../encoding/pem.ts';
import { publicKeyThumbprint } from '../encoding/thumbprint.ts';
import { sha256 } from '../crypto/hash.ts';
import type { HybridPublicKey } from '../crypto/hybrid.ts';
import type { Checkpoint } from '../transcript/checkpoint.ts';
import type { CeremonyScript } from './script.ts';
import type { TokenRecord, TrusteeRecord } from './journal.ts';
import { principalName, publicKeyAlgOf, readableFingerprint } from './run.ts';

export const BUNDLE_FORMAT = 'keyrite/bundle/v1';
export const BUNDLE_FORMAT_VERSION = 1;
export const POLICY_FORMAT = 'keyrite/policy/v1';
export const IN_TOTO_STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const PREDICATE_TYPE = 'https://keyrite.dev/attestation/root-key-ceremony/v1';
export const BUNDLE_MANIFEST = 'bundle.json';
/** The standalone offline verifier page (docs/VERIFIER.md). */
export const VERIFIER_PAGE = 'verifier/verify.html';

/** Files the statement names as subjects, in this order (the transcript's digest is known last). */
export const STATEMENT_SUBJECTS = ['transcript.jsonl', 'keys/jwks.json', 'escrow/manifest.json', 'policy.json', 'script.yaml', VERIFIER_PAGE] as const;

export interface MasterInfo {
  fingerprint: string;
  publicKey: HybridPublicKey;
  keyLabel: string;
  token: TokenRecord;
}

export interface BundleFacts {
  ceremonyId: string;
  script: CeremonyScript;
  scriptBytes: Uint8Array;
  scriptSha256: string;
  master: MasterInfo;
  trustees: readonly TrusteeRecord[];
  manifestBytes: Uint8Array;
  witnessSteps: readonly string[];
  witnesses: number;
  /** verifier/verify.html, signed as a statement subject so that the page in the bundle is the ceremony's. */
  verifierPage: Uint8Array;
}

/** What the key files (JWKS, PEM, fingerprints.txt) are built from. */
export interface KeyFacts {
  ceremonyId: string;
  /** 'escrow-recovery' for a recovery bundle; root-keygen otherwise. */
  kind?: string;
  master: Pick<MasterInfo, 'fingerprint' | 'publicKey' | 'keyLabel'>;
  trustees: readonly Pick<TrusteeRecord, 'id' | 'name' | 'fingerprint' | 'publicKey'>[];
}

export function jsonFile(value: unknown): Uint8Array {
  return utf8(canonicalize(value) + '\n');
}

export function sha256Hex(b: Uint8Array): string {
  return toHex(sha256(b));
}

function keyFileStem(id: string, alg: string): string {
  return `${id}.${alg.toLowerCase()}`;
}

/** keys/*.spki.pem file names and contents, master first. */
export function pemFiles(f: KeyFacts): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  const add = (id: string, pub: HybridPublicKey) => {
    const c = publicKeyAlgOf(pub.classical.alg);
    out.set(`keys/${keyFileStem(id, c)}.spki.pem`, utf8(publicKeyToPem(c, pub.classical.publicKey)));
    out.set(`keys/${keyFileStem(id, 'ML-DSA-65')}.spki.pem`, utf8(publicKeyToPem('ML-DSA-65', pub.pq.publicKey)));
  };
  add('master', f.master.publicKey);
  for (const t of f.trustees) add(t.id, t.publicKey);
  return out;
}

export function jwksFile(f: KeyFacts): Uint8Array {
  const keys = [f.master.publicKey, ...f.trustees.map((t) => t.publicKey)].flatMap((p) => [
    { alg: publicKeyAlgOf(p.classical.alg), publicKey: p.classical.publicKey },
    { alg: 'ML-DSA-65' as const, publicKey: p.pq.publicKey },
  ]);
  return utf8(encodeJwks(keys) + '\n');
}

export function fingerprintsFile(f: KeyFacts): Uint8Array {
  const block = (title: string, fp: string): string[] => {
    const r = readableFingerprint(fp);
    return [title, `  hex:   ${r.hexGroups}`, `  words: ${r.words.join(' ')}`, ''];
  };
  const lines = [
    `Keyrite ${f.kind === 'escrow-recovery' ? 'escrow recovery' : 'root key ceremony'} ${f.ceremonyId}`,
    'Principal fingerprints: SHA-256 over the RFC 7638 thumbprints of the classical and ML-DSA-65 keys',
    '(docs/FORMATS.md). The words cover the first 16 bytes; compare the hex form for all 32.',
    '',
    ...block(`master key "${f.master.keyLabel}" (Ed25519 + ML-DSA-65)`, f.master.fingerprint),
    ...f.trustees.flatMap((t) => block(`trustee ${t.id} (${t.name}) (${t.publicKey.classical.alg} + ML-DSA-65)`, t.fingerprint)),
  ];
  return utf8(lines.join('\n'));
}

/** keys/jwks.json, every keys/*.spki.pem and keys/fingerprints.txt. */
export function keyFiles(f: KeyFacts): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>([['keys/jwks.json', jwksFile(f)], ...pemFiles(f)]);
  files.set('keys/fingerprints.txt', fingerprintsFile(f));
  return files;
}

export function policyObject(f: BundleFacts): Record<string, unknown> {
  const q = f.script.quorum!;
  return {
    format: POLICY_FORMAT,
    ceremonyId: f.ceremonyId,
    kind: f.script.kind,
    mode: f.script.mode,
    quorum: { n: q.n, t: q.t },
    master: { fingerprint: f.master.fingerprint, keyLabel: f.master.keyLabel, classicalAlg: 'Ed25519', token: f.master.token },
    trustees: f.trustees.map((t) => ({ id: t.id, name: t.name, fingerprint: t.fingerprint, classicalAlg: t.publicKey.classical.alg })),
    witness: { count: f.witnesses, steps: [...f.witnessSteps] },
    algorithms: { classical: 'Ed25519', trusteeClassical: ['Ed25519', 'ES256'], pq: f.script.algorithms.pq, kem: f.script.algorithms.kem, aead: f.script.algorithms.aead, hash: 'SHA-256' },
    signatures: {
      mode: 'hybrid',
      rule: 'a principal counts only when its classical and its ML-DSA-65 signature both verify',
      statementSigners: [principalName(f.master.fingerprint), ...f.trustees.map((t) => principalName(t.fingerprint))],
    },
    airGap: f.script.airGap,
  };
}

export function principalKeyIds(pub: HybridPublicKey): { classical: string; pq: string } {
  return { classical: publicKeyThumbprint(publicKeyAlgOf(pub.classical.alg), pub.classical.publicKey), pq: publicKeyThumbprint('ML-DSA-65', pub.pq.publicKey) };
}

export interface StatementInputs {
  facts: BundleFacts;
  /** name → bytes for every subject (STATEMENT_SUBJECTS). */
  subjects: ReadonlyMap<string, Uint8Array>;
  checkpoint: Checkpoint;
  finalNote: string;
  receipts: readonly { trusteeId: string; x: number; commitmentCheck: string; blobCheck: string }[];
}

export function statementObject(s: StatementInputs): Record<string, unknown> {
  const f = s.facts;
  const subject = STATEMENT_SUBJECTS.map((name) => {
    const bytes = s.subjects.get(name);
    if (!bytes) throw new KeyriteError('CEREMONY_ERROR', `The statement subject ${name} is missing.`);
    return { name, digest: { sha256: sha256Hex(bytes) } };
  });
  const q = f.script.quorum!;
  const mk = principalKeyIds(f.master.publicKey);
  return {
    _type: IN_TOTO_STATEMENT_TYPE,
    subject,
    predicateType: PREDICATE_TYPE,
    predicate: {
      ceremonyId: f.ceremonyId,
      kind: f.script.kind,
      mode: f.script.mode,
      script: { name: f.script.name, sha256: f.scriptSha256 },
      checkpoint: { origin: s.checkpoint.origin, size: s.checkpoint.size, root: toBase64(s.checkpoint.root), note: s.finalNote },
      master: {
        fingerprint: f.master.fingerprint,
        keyLabel: f.master.keyLabel,
        token: f.master.token,
        keys: { classical: { alg: 'Ed25519', kid: mk.classical }, pq: { alg: 'ML-DSA-65', kid: mk.pq } },
      },
      trustees: f.trustees.map((t) => {
        const k = principalKeyIds(t.publicKey);
        const r = s.receipts.find((x) => x.trusteeId === t.id);
        return {
          id: t.id,
          name: t.name,
          fingerprint: t.fingerprint,
          keys: { classical: { alg: t.publicKey.classical.alg, kid: k.classical }, pq: { alg: 'ML-DSA-65', kid: k.pq } },
          share: r ? { x: r.x, receipt: r.commitmentCheck === 'match' && r.blobCheck === 'match' ? 'verified' : 'mismatch' } : null,
        };
      }),
      policy: { n: q.n, t: q.t, signatures: 'hybrid', witnessSteps: [...f.witnessSteps] },
    },
  };
}

export function statementPayload(statement: Record<string, unknown>): Uint8Array {
  return canonicalBytes(statement);
}

export function readmeFile(f: BundleFacts, files: readonly string[]): Uint8Array {
  const r = readableFingerprint(f.master.fingerprint);
  const q = f.script.quorum!;
  const lines = [
    `KEYRITE PUBLIC BUNDLE - ${f.script.name}`,
    ...(f.script.mode === 'rehearsal' ? ['', 'REHEARSAL ONLY: made with rehearsal tokens; nothing here may be trusted for real use.'] : []),
    '',
    `Ceremony id: ${f.ceremonyId}`,
    `Master key:  "${f.master.keyLabel}" on token "${f.master.token.label}" (serial ${f.master.token.serial})`,
    '',
    'MASTER KEY FINGERPRINT - compare it with the one read aloud at the ceremony:',
    `  ${r.hexGroups}`,
    `  ${r.words.join(' ')}`,
    '',
    `The master key is Ed25519 + ML-DSA-65. Its seed is escrowed ${q.t}-of-${q.n} among the trustees`,
    'listed in policy.json; their share envelopes are NOT in this bundle (each trustee holds their own).',
    '',
    'HOW TO VERIFY',
    '  keyrite verify <this folder> --trust "<the master fingerprint you heard at the ceremony>"',
    'checks every file hash in bundle.json, the transcript hash chain and Merkle root, every',
    'checkpoint and the signed statement (both signatures of every principal), the escrow',
    'manifest and the keys. Without --trust it says that it checked against no trust anchor.',
    '',
    'Without Keyrite installed: open verifier/verify.html in a web browser (it works offline),',
    'choose this folder, and enter the fingerprint. It runs the same checks as keyrite verify.',
    'It is a copy made by the ceremony machine; an auditor who does not trust that machine',
    'uses a verifier obtained independently.',
    '',
    'By hand: every file listed in bundle.json must have the SHA-256 and size given there, e.g.',
    '  sha256sum transcript.jsonl',
    'statement.dsse.json is a DSSE envelope (payloadType application/vnd.in-toto+json) whose',
    'payload is an in-toto Statement v1 naming transcript.jsonl, keys/jwks.json,',
    'escrow/manifest.json, policy.json, script.yaml and verifier/verify.html by SHA-256.',
    'File formats: Keyrite docs/FORMATS.md.',
    '',
    'FILES',
    ...files.map((n) => `  ${n}`),
    '',
  ];
  return utf8(lines.join('\n'));
}

export interface BundleManifestFile {
  path: string;
  sha256: string;
  size: number;
}

/** bundle.json: every other file of the bundle with its SHA-256 and size, sorted by path. */
export function bundleManifestFile(ceremonyId: string, masterFingerprint: string, files: ReadonlyMap<string, Uint8Array>): Uint8Array {
  const list: BundleManifestFile[] = [...files.entries()]
    .filter(([p]) => p !== BUNDLE_MANIFEST)
    .map(([path, bytes]) => ({ path, sha256: sha256Hex(bytes), size: bytes.length }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return jsonFile({ format: BUNDLE_FORMAT, version: BUNDLE_FORMAT_VERSION, ceremonyId, masterFingerprint, files: list });
}
