/**
 * The public bundle of an escrow recovery (docs/FORMATS.md "Recovery bundle"): the same
 * layout and manifest as a root ceremony's bundle, for the recovery transcript, plus the
 * original ceremony's signed statement as `original/statement.dsse.json` (its SHA-256 is the
 * link recorded in ceremony.start), and no escrow manifest (the escrow is unchanged).
 * The statement is an in-toto Statement v1 of predicate type escrow-recovery/v1, signed by
 * the recovered master key and every trustee who checked in, two signatures each.
 */
import { toBase64 } from '../encoding/base64url.ts';
import { utf8 } from '../bytes.ts';
import type { Checkpoint } from '../transcript/checkpoint.ts';
import type { CeremonyScript } from './script.ts';
import type { TrusteeRecord } from './journal.ts';
import { IN_TOTO_STATEMENT_TYPE, POLICY_FORMAT, VERIFIER_PAGE, principalKeyIds, sha256Hex, type MasterInfo } from './bundle.ts';
import { principalName, readableFingerprint } from './run.ts';

export const RECOVERY_PREDICATE_TYPE = 'https://keyrite.dev/attestation/escrow-recovery/v1';
export const ORIGINAL_STATEMENT = 'original/statement.dsse.json';
/** Files the recovery statement names as subjects, in this order. */
export const RECOVERY_STATEMENT_SUBJECTS = ['transcript.jsonl', 'keys/jwks.json', 'policy.json', 'script.yaml', ORIGINAL_STATEMENT, VERIFIER_PAGE] as const;

export interface RecoveryLinkFacts {
  ceremonyId: string;
  masterFingerprint: string;
  statementSha256: string;
}

export interface RecoveryFacts {
  /** The recovery's own id (its transcript origin). */
  ceremonyId: string;
  kind: 'escrow-recovery';
  script: CeremonyScript;
  scriptBytes: Uint8Array;
  scriptSha256: string;
  original: RecoveryLinkFacts;
  originalStatement: Uint8Array;
  /** The recovered master key; its token is the NEW master token. */
  master: MasterInfo;
  /** Every trustee who checked in to the recovery (the statement's co-signers). */
  trustees: readonly TrusteeRecord[];
  /** Trustee ids whose shares were combined. */
  sharesCombined: readonly string[];
  witnessSteps: readonly string[];
  witnesses: number;
  verifierPage: Uint8Array;
}

export function recoveryPolicyObject(f: RecoveryFacts): Record<string, unknown> {
  const q = f.script.quorum!;
  return {
    format: POLICY_FORMAT,
    ceremonyId: f.ceremonyId,
    kind: f.kind,
    mode: f.script.mode,
    original: { ...f.original },
    quorum: { n: q.n, t: q.t },
    master: { fingerprint: f.master.fingerprint, keyLabel: f.master.keyLabel, classicalAlg: 'Ed25519', token: f.master.token },
    trustees: f.trustees.map((t) => ({ id: t.id, name: t.name, fingerprint: t.fingerprint, classicalAlg: t.publicKey.classical.alg })),
    witness: { count: f.witnesses, steps: [...f.witnessSteps] },
    signatures: {
      mode: 'hybrid',
      rule: 'a principal counts only when its classical and its ML-DSA-65 signature both verify',
      statementSigners: [principalName(f.master.fingerprint), ...f.trustees.map((t) => principalName(t.fingerprint))],
    },
    airGap: f.script.airGap,
  };
}

export function recoveryStatementObject(f: RecoveryFacts, subjects: ReadonlyMap<string, Uint8Array>, checkpoint: Checkpoint, finalNote: string): Record<string, unknown> {
  const mk = principalKeyIds(f.master.publicKey);
  const q = f.script.quorum!;
  return {
    _type: IN_TOTO_STATEMENT_TYPE,
    subject: RECOVERY_STATEMENT_SUBJECTS.map((name) => ({ name, digest: { sha256: sha256Hex(subjects.get(name)!) } })),
    predicateType: RECOVERY_PREDICATE_TYPE,
    predicate: {
      ceremonyId: f.ceremonyId,
      kind: f.kind,
      mode: f.script.mode,
      original: { ...f.original },
      script: { name: f.script.name, sha256: f.scriptSha256 },
      checkpoint: { origin: checkpoint.origin, size: checkpoint.size, root: toBase64(checkpoint.root), note: finalNote },
      master: {
        fingerprint: f.master.fingerprint,
        keyLabel: f.master.keyLabel,
        restoredTo: f.master.token,
        keys: { classical: { alg: 'Ed25519', kid: mk.classical }, pq: { alg: 'ML-DSA-65', kid: mk.pq } },
      },
      trustees: f.trustees.map((t) => {
        const k = principalKeyIds(t.publicKey);
        return { id: t.id, name: t.name, fingerprint: t.fingerprint, keys: { classical: { alg: t.publicKey.classical.alg, kid: k.classical }, pq: { alg: 'ML-DSA-65', kid: k.pq } }, shareCombined: f.sharesCombined.includes(t.id) };
      }),
      policy: { n: q.n, t: q.t, signatures: 'hybrid', witnessSteps: [...f.witnessSteps] },
    },
  };
}

export function recoveryReadme(f: RecoveryFacts, files: readonly string[]): Uint8Array {
  const r = readableFingerprint(f.master.fingerprint);
  const lines = [
    `KEYRITE RECOVERY BUNDLE - ${f.script.name}`,
    ...(f.script.mode === 'rehearsal' ? ['', 'REHEARSAL ONLY: made with rehearsal tokens; nothing here may be trusted for real use.'] : []),
    '',
    `Recovery id:        ${f.ceremonyId}`,
    `Original ceremony:  ${f.original.ceremonyId}`,
    `Master key:         "${f.master.keyLabel}" restored onto token "${f.master.token.label}" (serial ${f.master.token.serial})`,
    `Shares combined:    ${f.sharesCombined.join(', ')}`,
    '',
    'MASTER KEY FINGERPRINT - the same as the original ceremony\'s; compare it with the one read aloud:',
    `  ${r.hexGroups}`,
    `  ${r.words.join(' ')}`,
    '',
    'HOW TO VERIFY',
    '  keyrite verify <this folder> --trust "<the master fingerprint>"',
    'checks every file hash in bundle.json, the recovery transcript and its checkpoints, the link to',
    'the original ceremony (original/statement.dsse.json, signed by the same master key), and the',
    'statement signed by the recovered master key and every trustee present (both signatures each).',
    'Or open verifier/verify.html in a web browser (offline) and choose this folder.',
    '',
    'FILES',
    ...files.map((n) => `  ${n}`),
    '',
  ];
  return utf8(lines.join('\n'));
}
