/**
 * The auditor's verifier (DESIGN.md "Verifier"; docs/VERIFIER.md): checks a public bundle,
 * given as its files in memory, independently of any ceremony state. Platform-free: the same
 * code runs in `keyrite verify`, the app's audit screen and verifier/verify.html.
 *
 * Every check is named and reported with pass / fail / skipped and a reason; the verdict is
 * valid only if all pass (never fail open). The verifier never throws for a bad bundle.
 * A `trust` fingerprint (read aloud at the ceremony, out of band) anchors the master key; the
 * report always says whether the run was anchored.
 */
import { KeyriteError } from '../errors.ts';
import { equalBytes, fromUtf8, utf8 } from '../bytes.ts';
import { fromBase64 } from '../encoding/base64url.ts';
import { fromHex, toHex } from '../encoding/hex.ts';
import { encodeEnvelope, parseEnvelope, type DsseEnvelope } from '../encoding/dsse.ts';
import { parseJsonStrict } from '../encoding/json.ts';
import { parseJwks } from '../encoding/jwks.ts';
import { pemToPublicKey } from '../encoding/pem.ts';
import { fingerprint as asFingerprint, fingerprintMatches, parseFingerprint } from '../encoding/fingerprint.ts';
import { sha256 as nobleSha256 } from '../crypto/hash.ts';
import { NOBLE_ED25519, VERIFY_MODES, verifyHybrid, type Ed25519Backend, type VerifyMode } from '../crypto/hybrid.ts';
import { parseManifest, type EscrowManifest } from '../escrow/manifest.ts';
import { receiptFromJson, receiptSigningMessage } from '../escrow/receipt.ts';
import { ceremonyOrigin, parseCheckpointNote, verifyCheckpointSignatures, type CheckpointNote, type KnownPrincipal } from '../transcript/checkpoint.ts';
import { verifyConsistency } from '../transcript/merkle.ts';
import { TranscriptError, type TranscriptRule } from '../transcript/entry.ts';
import { readTranscript, type TranscriptContents } from '../transcript/transcript.ts';
import { parseCeremonyScript, type ParsedCeremonyScript } from '../ceremony/script.ts';
import { ENTRY, analyzeJournal, tokenRecord, type JournalState, type MasterRecord, type TrusteeRecord } from '../ceremony/journal.ts';
import { IN_TOTO_PAYLOAD_TYPE, IN_TOTO_STATEMENT_TYPE, PREDICATE_TYPE, STATEMENT_SUBJECTS, VERIFIER_PAGE, fingerprintsFile, jwksFile, pemFiles, principalKeyIds, type KeyFacts } from '../ceremony/bundle.ts';
import { ORIGINAL_STATEMENT, RECOVERY_PREDICATE_TYPE, RECOVERY_STATEMENT_SUBJECTS } from '../ceremony/recovery-bundle.ts';
import { fingerprintHex, principalName } from '../ceremony/run.ts';
import { readmeFile, type BundleFacts } from '../ceremony/bundle.ts';
import { recoveryReadme, type RecoveryFacts } from '../ceremony/recovery-bundle.ts';
import { checkOriginalLink, recoveryStructure, sameLink, type RecoveryLink } from './recovery-checks.ts';
import { BUNDLE_MANIFEST_FILE, checkListedFiles, parseBundleManifest, type BundleFiles, type BundleManifest } from './bundle-files.ts';
import { CheckList, fail, failureDetail } from './check-list.ts';
import { evaluateStatementSignatures, type StatementSigner } from './statement-signatures.ts';
import { VERIFY_REPORT_FORMAT, verdictOf, type TrustAnchor, type VerifyReport } from './report.ts';

/** The hash and Ed25519 implementations the verifier runs on (noble by default; node:crypto in core/node). */
export interface VerifierCrypto {
  readonly name: string;
  sha256(data: Uint8Array): Uint8Array;
  readonly ed25519: Ed25519Backend;
}

export const NOBLE_VERIFIER_CRYPTO: VerifierCrypto = Object.freeze({ name: 'noble', sha256: nobleSha256, ed25519: NOBLE_ED25519 });

export interface VerifyOptions {
  /** The master fingerprint read aloud at the ceremony: 64 hex digits, or the 16 words. */
  trust?: string;
  mode?: VerifyMode;
  crypto?: VerifierCrypto;
}

type Obj = Record<string, unknown>;
type Kind = 'root-keygen' | 'escrow-recovery';

function obj(v: unknown, what: string): Obj {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(`${what} is not a JSON object.`);
  return v as Obj;
}

function list(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) fail(`${what} is not a list.`);
  return v;
}

const TRANSCRIPT_CHECKS: Record<TranscriptRule, string> = {
  syntax: 'transcript-syntax',
  sequence: 'transcript-sequence',
  chain: 'transcript-chain',
  time: 'transcript-timestamps',
};

const ALL_TRANSCRIPT_CHECKS = Object.values(TRANSCRIPT_CHECKS);

/** Reads a trust anchor given by a person; a malformed one is a usage error (INVALID_INPUT family), thrown. */
export function parseTrustAnchor(text: string): ReturnType<typeof parseFingerprint> {
  return parseFingerprint(text);
}

/** Verifies the bundle held in `files` (relative path → bytes). Throws only for bad options. */
export function verifyBundle(files: BundleFiles, options: VerifyOptions = {}): VerifyReport {
  if (!(files instanceof Map)) throw new KeyriteError('INVALID_INPUT', 'The bundle must be given as a map of file names to bytes.');
  const mode = options.mode ?? 'hybrid';
  if (!VERIFY_MODES.includes(mode)) throw new KeyriteError('INVALID_INPUT', `Unknown verification mode ${JSON.stringify(String(mode))}; use hybrid, classical-only or pq-only.`);
  const trust = options.trust === undefined ? undefined : parseTrustAnchor(options.trust);
  const crypto = options.crypto ?? NOBLE_VERIFIER_CRYPTO;
  const hex = (b: Uint8Array): string => toHex(crypto.sha256(b));
  const checks = new CheckList();

  const file = (p: string): Uint8Array => {
    const b = files.get(p);
    if (b === undefined) fail(`${p} is missing from the bundle.`);
    return b;
  };
  const json = (p: string): Obj => obj(parseJsonStrict(fromUtf8(file(p)), p), p);

  // Files and bundle.json.
  let manifest: BundleManifest | undefined;
  checks.run('bundle-manifest', [], () => {
    manifest = parseBundleManifest(files.get(BUNDLE_MANIFEST_FILE));
    return `bundle.json is a keyrite/bundle/v1 manifest of ${manifest.files.length} files`;
  });
  checks.run('bundle-files', ['bundle-manifest'], () => checkListedFiles(manifest!, files, crypto.sha256));

  // The transcript, rule by rule.
  let transcript: TranscriptContents | undefined;
  try {
    transcript = readTranscript(file('transcript.jsonl'), { sha256: crypto.sha256 });
    const n = transcript.size;
    checks.run(TRANSCRIPT_CHECKS.syntax, [], () => `${n} entries, each one line of RFC 8785 canonical JSON of the entry form, the file ending with a line break`);
    checks.run(TRANSCRIPT_CHECKS.sequence, [], () => `sequence numbers 0 to ${n - 1} in order, none missing or repeated`);
    checks.run(TRANSCRIPT_CHECKS.chain, [], () => `every entry's prev is the hash of the entry before it (the first is 64 zeros)`);
    checks.run(TRANSCRIPT_CHECKS.time, [], () => 'entry times never go backwards');
  } catch (e) {
    const rule: TranscriptRule = e instanceof TranscriptError ? e.rule : 'syntax';
    const where = e instanceof TranscriptError && e.line !== undefined ? ` at line ${e.line}` : '';
    for (const name of ALL_TRANSCRIPT_CHECKS) {
      if (name === TRANSCRIPT_CHECKS[rule]) checks.run(name, [], () => { throw e; });
      else checks.results.push({ name, status: 'skipped', detail: `Not checked past the problem${where} (${TRANSCRIPT_CHECKS[rule]}).` });
    }
  }

  // What the transcript records.
  let journal: JournalState | undefined;
  let master: MasterRecord | undefined;
  let trustees: TrusteeRecord[] = [];
  let kind: Kind | undefined;
  let original: RecoveryLink | undefined;
  let recoveryEnd: Obj = {};
  checks.run('transcript-structure', ALL_TRANSCRIPT_CHECKS, () => {
    const t = transcript!;
    const entries = t.entries;
    const first = entries[0];
    if (first === undefined || first.type !== ENTRY.ceremonyStart) fail('The transcript does not begin with ceremony.start.');
    if (first.body.kind !== 'root-keygen' && first.body.kind !== 'escrow-recovery') fail(`The transcript is of a ${JSON.stringify(first.body.kind)} ceremony; this verifier reads root-keygen and escrow-recovery bundles.`);
    kind = first.body.kind;
    if (first.body.origin !== ceremonyOrigin(String(first.body.ceremonyId))) fail('ceremony.start names another log origin than its ceremony id gives.');
    const ends = entries.filter((e) => e.type === ENTRY.ceremonyEnd);
    if (ends.length !== 1 || entries[entries.length - 1]!.type !== ENTRY.ceremonyEnd) fail('The transcript does not end with exactly one ceremony.end entry.');
    try {
      journal = analyzeJournal(entries);
    } catch (e) {
      fail(`The transcript's entries do not describe one ceremony: ${failureDetail(e)}`);
    }
    // The last step (co-sign) is closed by ceremony.end itself.
    if (journal.interrupted && journal.interrupted.step !== entries[entries.length - 1]!.body.step) fail(`The transcript leaves the step ${journal.interrupted.step} started but never ended.`);
    trustees = [...journal.trustees.values()];
    if (kind === 'escrow-recovery') {
      const r = recoveryStructure(entries, first.body, files);
      original = r.original;
      recoveryEnd = r.end;
      master = r.master;
    } else {
      if (!journal.master) fail('The transcript records no master key.');
      if (journal.key !== 'escrowed') fail('The transcript does not record the master key as generated and escrowed.');
      master = journal.master;
    }
    if (manifest && manifest.ceremonyId !== journal.ceremonyId) fail('bundle.json names another ceremony than the transcript.');
    if (manifest && manifest.masterFingerprint !== master.fingerprint) fail('bundle.json names another master key than the transcript.');
    return kind === 'root-keygen'
      ? `root-keygen ceremony ${journal.ceremonyId}: ${t.size} entries from ceremony.start to ceremony.end, ${journal.runs} run(s), master key generated and escrowed, ${trustees.length} trustees`
      : `escrow recovery ${journal.ceremonyId} of ceremony ${original!.ceremonyId}: ${t.size} entries from ceremony.start to ceremony.end, ${journal.runs} run(s), the master key recovered from ${list(recoveryEnd.sharesCombined, 'The shares combined').length} shares, checked and restored, ${trustees.length} trustees present`;
  });
  const j = (): JournalState => journal!;
  const structure = ['transcript-structure'];

  let script: ParsedCeremonyScript | undefined;
  checks.run('script-hash', structure, () => {
    script = parseCeremonyScript(file('script.yaml'));
    if (script.hashHex !== j().scriptSha256) fail('script.yaml is not the script whose SHA-256 the transcript recorded at the start.');
    if (script.script.kind !== kind) fail(`script.yaml is not a ${kind} script.`);
    return `script.yaml is the script recorded at the start (SHA-256 ${script.hashHexGroups})`;
  });

  let policy: Obj = {};
  checks.run('policy', [...structure, 'script-hash'], () => {
    policy = json('policy.json');
    const s = script!.script;
    const q = obj(policy.quorum, 'The quorum in policy.json');
    const pm = obj(policy.master, 'The master in policy.json');
    if (policy.format !== 'keyrite/policy/v1') fail('policy.json is not a keyrite/policy/v1 document.');
    if (policy.ceremonyId !== j().ceremonyId || pm.fingerprint !== master!.fingerprint) fail('policy.json names another ceremony or master key.');
    if (policy.kind !== s.kind || policy.mode !== s.mode) fail('policy.json gives another kind or mode than the script.');
    if (!s.quorum || q.n !== s.quorum.n || q.t !== s.quorum.t) fail('policy.json gives another quorum than the script.');
    const n = s.quorum.n;
    const t = s.quorum.t;
    if (!(Number.isSafeInteger(t) && t >= 2 && t <= n)) fail(`The quorum ${t}-of-${n} is not a valid threshold.`);
    const listed = list(policy.trustees, 'The trustees in policy.json').map((x) => obj(x, 'A trustee in policy.json'));
    if (kind === 'root-keygen' && (listed.length !== n || trustees.length !== n)) fail(`The quorum has n = ${n}, but policy.json lists ${listed.length} trustees and the transcript checked in ${trustees.length}.`);
    if (kind === 'escrow-recovery') {
      if (trustees.length < t || trustees.length > n) fail(`A ${t}-of-${n} recovery needs ${t} to ${n} trustees present; the transcript checked in ${trustees.length}.`);
      if (!sameLink(policy.original, original!)) fail('policy.json links to another original ceremony than the transcript.');
    }
    if (listed.some((x, i) => x.id !== trustees[i]!.id || x.fingerprint !== trustees[i]!.fingerprint)) fail('policy.json lists other trustees than the transcript.');
    const w = obj(policy.witness, 'The witness in policy.json');
    const scriptWitnessSteps = s.steps.filter((st) => st.witness).map((st) => st.id);
    if (list(w.steps, 'The witness steps in policy.json').join('\n') !== scriptWitnessSteps.join('\n')) fail('policy.json names other witness steps than the script.');
    const witnesses = new Set(j().participants.filter((p) => p.role === 'witness').map((p) => p.id));
    const confirmed = new Set(transcript!.entries.filter((e) => e.type === ENTRY.witnessConfirm && witnesses.has(e.actor)).map((e) => String(e.body.step)));
    const unconfirmed = scriptWitnessSteps.filter((id) => !confirmed.has(id));
    if (unconfirmed.length > 0) fail(`No witness confirmation is recorded for the step(s) ${unconfirmed.join(', ')}, which the script says a witness must confirm.`);
    const sig = obj(policy.signatures, 'The signatures in policy.json');
    const expectedSigners = [principalName(master!.fingerprint), ...trustees.map((x) => principalName(x.fingerprint))];
    if (sig.mode !== 'hybrid' || list(sig.statementSigners, 'The statement signers in policy.json').join('\n') !== expectedSigners.join('\n')) {
      fail('policy.json does not require the hybrid signatures of the master key and every trustee on the statement.');
    }
    return `${t}-of-${n} as in the script, ${trustees.length} trustees${kind === 'escrow-recovery' ? ' present' : ''} as in the transcript; ${scriptWitnessSteps.length} witness steps each confirmed by a witness; hybrid signatures of ${expectedSigners.length} principals required`;
  });

  checks.run('keys', structure, () => {
    const m = master!;
    if (fingerprintHex(m.publicKey) !== m.fingerprint) fail('The recorded master fingerprint does not match its keys.');
    for (const t of trustees) if (fingerprintHex(t.publicKey) !== t.fingerprint) fail(`The fingerprint of trustee ${t.id} does not match their keys.`);
    const keyLabel = String(obj(obj(json('policy.json'), 'policy.json').master, 'The master in policy.json').keyLabel);
    const facts: KeyFacts = { ceremonyId: j().ceremonyId, kind: kind!, master: { fingerprint: m.fingerprint, publicKey: m.publicKey, keyLabel }, trustees };
    const jwks = parseJwks(fromUtf8(file('keys/jwks.json')), 'keys/jwks.json');
    if (!equalBytes(file('keys/jwks.json'), jwksFile(facts))) fail('keys/jwks.json does not hold exactly the master and trustee keys of the transcript.');
    const pems = pemFiles(facts);
    for (const [name, bytes] of pems) {
      const decoded = pemToPublicKey(fromUtf8(file(name)), name);
      const expected = pemToPublicKey(fromUtf8(bytes), name);
      if (decoded.alg !== expected.alg || !equalBytes(decoded.publicKey, expected.publicKey)) fail(`${name} holds another key than the transcript.`);
      if (!equalBytes(file(name), bytes)) fail(`${name} is not in the form Keyrite writes (its text was changed).`);
    }
    const strayPems = [...files.keys()].filter((p) => p.startsWith('keys/') && p.endsWith('.spki.pem') && !pems.has(p));
    if (strayPems.length > 0) fail(`The bundle holds PEM files for keys that are not the ceremony's: ${strayPems.join(', ')}.`);
    if (!equalBytes(file('keys/fingerprints.txt'), fingerprintsFile(facts))) fail('keys/fingerprints.txt does not match the keys.');
    return `${jwks.length} public keys: JWKS, ${pems.size} PEM files and fingerprints.txt agree with the transcript; master ${m.fingerprint}`;
  });

  checks.run('bundle-layout', [...structure, 'bundle-manifest'], () => {
    const pems = pemFiles({ ceremonyId: j().ceremonyId, master: { fingerprint: master!.fingerprint, publicKey: master!.publicKey, keyLabel: '' }, trustees });
    const expected = new Set<string>([BUNDLE_MANIFEST_FILE, 'README.txt', 'transcript.jsonl', 'statement.dsse.json', 'keys/jwks.json', 'keys/fingerprints.txt', 'policy.json', 'script.yaml', VERIFIER_PAGE, ...pems.keys(), ...(kind === 'escrow-recovery' ? [ORIGINAL_STATEMENT] : ['escrow/manifest.json'])]);
    const unexpected = [...files.keys()].filter((p) => !expected.has(p) && !/^checkpoints\/\d{2}-[a-z0-9-]+\.note$/.test(p)).sort();
    if (unexpected.length > 0) fail(`The bundle holds files that a ${kind} bundle does not have: ${unexpected.join(', ')}.`);
    const missing = [...expected].filter((p) => !files.has(p)).sort();
    if (missing.length > 0) fail(`The bundle lacks ${missing.join(', ')}.`);
    return `exactly the files that a ${kind} bundle has (${files.size})`;
  });

  checks.run('readme', [...structure, 'bundle-manifest', 'script-hash'], () => {
    const policyDoc = json('policy.json');
    const pm = obj(policyDoc.master, 'The master in policy.json');
    const names = manifest!.files.map((f) => f.path).concat(BUNDLE_MANIFEST_FILE).sort();
    const m = { fingerprint: master!.fingerprint, publicKey: master!.publicKey, keyLabel: String(pm.keyLabel), token: tokenRecord(pm.token, 'policy.json') };
    const expected = kind === 'escrow-recovery'
      ? recoveryReadme({ ceremonyId: j().ceremonyId, kind: 'escrow-recovery', script: script!.script, original: original!, master: m, sharesCombined: list(recoveryEnd.sharesCombined, 'The shares combined').map(String) } as unknown as RecoveryFacts, names)
      : readmeFile({ ceremonyId: j().ceremonyId, script: script!.script, master: m } as unknown as BundleFacts, names);
    if (!equalBytes(file('README.txt'), expected)) fail('README.txt is not the text Keyrite writes for this bundle: its fingerprint, ids or instructions were changed.');
    return 'README.txt shows this master fingerprint, ids and file list as Keyrite wrote them';
  });

  let escrow: EscrowManifest | undefined;
  if (kind === 'escrow-recovery') {
    checks.run('original-link', [...structure, 'policy'], () => checkOriginalLink(file(ORIGINAL_STATEMENT), original!, master!, trustees, obj(policy.quorum, 'The quorum in policy.json'), list(recoveryEnd.sharesCombined, 'The shares combined').map(String), mode, crypto));
  } else checks.run('escrow-manifest', [...structure, 'policy'], () => {
    const bytes = file('escrow/manifest.json');
    if (j().manifestSha256 !== hex(bytes)) fail('escrow/manifest.json is not the manifest the transcript recorded at the split.');
    escrow = parseManifest(fromUtf8(bytes).replace(/\n$/, ''));
    const m = escrow;
    const q = obj(policy.quorum, 'The quorum in policy.json');
    if (m.masterFingerprint !== master!.fingerprint || m.ceremonyId !== j().ceremonyId) fail('The escrow manifest names another master key or ceremony.');
    if (m.n !== q.n || m.t !== q.t) fail(`The escrow manifest is ${m.t}-of-${m.n}, the policy ${String(q.t)}-of-${String(q.n)}.`);
    if (m.trustees.length !== trustees.length || m.trustees.some((t, i) => t.id !== trustees[i]!.id || t.fingerprint !== trustees[i]!.fingerprint)) {
      fail('The escrow manifest lists other trustees than the transcript.');
    }
    if (m.trustees.some((t) => t.x < 1 || t.x > 255)) fail('The escrow manifest gives a share index outside 1 to 255.');
    return `${m.t}-of-${m.n}, ${m.trustees.length} share commitments with distinct indexes, escrow blob E of epoch ${m.epoch} bound to this ceremony and master key`;
  });

  if (kind !== 'escrow-recovery') checks.run('share-receipts', [...structure, 'escrow-manifest'], () => {
    for (const t of escrow!.trustees) {
      const raw = j().receipts.get(t.id);
      if (!raw) fail(`The transcript holds no share receipt from trustee ${t.id}.`);
      const r = receiptFromJson(raw);
      const pub = j().trustees.get(t.id)!.publicKey;
      const v = verifyHybrid(pub, receiptSigningMessage(r.body), r.signature, mode, crypto.ed25519);
      if (!v.valid) fail(`The share receipt of trustee ${t.id} does not verify (${mode}).`);
      if (r.body.commitmentCheck !== 'match' || r.body.blobCheck !== 'match' || r.body.x !== t.x || r.body.masterFingerprint !== master!.fingerprint || r.body.trusteeFingerprint !== t.fingerprint) {
        fail(`The share receipt of trustee ${t.id} does not confirm their share against the manifest.`);
      }
    }
    return `${escrow!.trustees.length} trustee receipts verify (${mode}) and confirm each share against its commitment and E`;
  });

  // Checkpoints.
  const principals = (): KnownPrincipal[] => [
    { name: principalName(master!.fingerprint), publicKey: master!.publicKey },
    ...trustees.map((t) => ({ name: principalName(t.fingerprint), publicKey: t.publicKey })),
  ];
  const noteNames = [...files.keys()].filter((p) => p.startsWith('checkpoints/')).sort();
  const notes = new Map<string, CheckpointNote>();
  let finalNote = '';
  checks.run('checkpoint-roots', structure, () => {
    const t = transcript!;
    const origin = ceremonyOrigin(j().ceremonyId);
    if (noteNames.length === 0) fail('The bundle has no checkpoint.');
    noteNames.forEach((p, i) => {
      const m = /^checkpoints\/(\d{2})-([a-z0-9-]+)\.note$/.exec(p);
      if (!m || Number(m[1]) !== i + 1) fail(`${p} is not a checkpoint note name in sequence (NN-phase.note, numbered from 01).`);
      const note = parseCheckpointNote(file(p), p);
      if (note.checkpoint.origin !== origin) fail(`${p} is for another log (${note.checkpoint.origin}).`);
      if (note.checkpoint.size > t.size || !equalBytes(t.tree.root(note.checkpoint.size), note.checkpoint.root)) fail(`${p} does not match the transcript's Merkle root at size ${note.checkpoint.size}.`);
      notes.set(p, note);
    });
    finalNote = noteNames[noteNames.length - 1]!;
    if (!finalNote.endsWith('-final.note') || notes.get(finalNote)!.checkpoint.size !== t.size) fail('The last checkpoint note is not a final checkpoint over the whole transcript.');
    const recorded = [...j().checkpoints.values()].sort((a, b) => a.seq - b.seq);
    if (recorded.length !== noteNames.length - 1) fail(`The transcript records ${recorded.length} checkpoints, the bundle holds ${noteNames.length - 1} besides the final one.`);
    recorded.forEach((r, i) => {
      const p = noteNames[i]!;
      const note = notes.get(p)!;
      if (`checkpoints/${r.note}` !== p || r.noteSha256 !== hex(file(p)) || r.size !== note.checkpoint.size || !equalBytes(r.root, note.checkpoint.root) || r.origin !== origin) {
        fail(`${p} is not the checkpoint the transcript recorded at seq ${r.seq}.`);
      }
      if (r.size > r.seq) fail(`The checkpoint recorded at seq ${r.seq} claims ${r.size} entries, more than existed when it was signed.`);
    });
    return `${noteNames.length} checkpoint notes match the transcript's Merkle roots (RFC 6962) at their sizes; ${recorded.length} are recorded in the transcript and the final one covers all ${t.size} entries`;
  });

  checks.run('checkpoint-consistency', ['checkpoint-roots'], () => {
    const cps = noteNames.map((p) => notes.get(p)!.checkpoint);
    for (let i = 1; i < cps.length; i++) {
      const a = cps[i - 1]!;
      const b = cps[i]!;
      if (b.size <= a.size) fail(`${noteNames[i]} (size ${b.size}) does not extend ${noteNames[i - 1]} (size ${a.size}).`);
      if (!verifyConsistency(a.size, b.size, a.root, b.root, transcript!.tree.consistencyProof(a.size, b.size))) fail(`${noteNames[i]} is not a consistent extension of ${noteNames[i - 1]}.`);
    }
    return `${cps.length} checkpoints of one log, each a consistent extension of the one before (RFC 9162 consistency proofs)`;
  });

  checks.run('checkpoint-signatures', ['checkpoint-roots'], () => {
    const known = principals();
    const recorded = [...j().checkpoints.values()].sort((a, b) => a.seq - b.seq);
    noteNames.forEach((p, i) => {
      const lines = notes.get(p)!.signatures.map((s) => `${s.name} ${toHex(s.keyId)}`);
      if (new Set(lines).size !== lines.length) fail(`${p} carries the same key's signature more than once.`);
      const v = verifyCheckpointSignatures(notes.get(p)!, known, mode, crypto.ed25519);
      if (v.failedSignatures > 0) fail(`${p}: ${v.failedSignatures} signature(s) do not verify.`);
      if (v.unknownSignatures.length > 0) fail(`${p} carries ${v.unknownSignatures.length} signature(s) from keys that are not the ceremony's.`);
      const entry = recorded[i];
      const required = entry === undefined
        ? kind === 'escrow-recovery' ? list(recoveryEnd.signers, 'The signers in ceremony.end').map(String) : known.map((k) => k.name)
        : list(obj(transcript!.entries[entry.seq]!.body, 'a checkpoint entry').signers, 'The signers of a checkpoint entry').map((s) => String(obj(s, 'a checkpoint signer').name));
      if (required.length === 0) fail(`${p} names no signers.`);
      const missing = required.filter((name) => !v.validPrincipals.includes(name));
      if (missing.length > 0) fail(`${p} lacks valid ${mode} signatures of ${missing.length} of its ${required.length} signers.`);
    });
    return `every checkpoint is signed (${mode}) by each principal the transcript names for it; the final one by the master key and all ${trustees.length} trustees${kind === 'escrow-recovery' ? ' present' : ''}`;
  });

  // The signed statement.
  let envelope: DsseEnvelope | undefined;
  checks.run('statement', ['transcript-structure', 'checkpoint-roots', 'script-hash'], () => {
    const bytes = file('statement.dsse.json');
    envelope = parseEnvelope(fromUtf8(bytes));
    if (!equalBytes(bytes, utf8(encodeEnvelope(envelope) + '\n'))) fail('statement.dsse.json is not in the form Keyrite writes (canonical JSON and one line break): it was edited.');
    if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) fail(`The statement's payloadType is not ${IN_TOTO_PAYLOAD_TYPE}.`);
    const st = obj(parseJsonStrict(fromUtf8(envelope.payload), 'statement'), 'The statement');
    const recovery = kind === 'escrow-recovery';
    if (st._type !== IN_TOTO_STATEMENT_TYPE || st.predicateType !== (recovery ? RECOVERY_PREDICATE_TYPE : PREDICATE_TYPE)) fail(`The statement is not a Keyrite ${recovery ? 'escrow recovery' : 'root key ceremony'} statement (in-toto v1).`);
    const subjects = list(st.subject, 'The statement subjects').map((s) => obj(s, 'A statement subject'));
    if (subjects.map((s) => s.name).join('\n') !== (recovery ? RECOVERY_STATEMENT_SUBJECTS : STATEMENT_SUBJECTS).join('\n')) fail(`The statement names other subjects than a ${kind} statement has.`);
    for (const s of subjects) {
      if (obj(s.digest, 'A subject digest').sha256 !== hex(file(String(s.name)))) fail(`The statement's SHA-256 of ${String(s.name)} does not match the file.`);
    }
    const pred = obj(st.predicate, 'The predicate');
    if (pred.ceremonyId !== j().ceremonyId || obj(pred.master, 'The predicate master').fingerprint !== master!.fingerprint) fail('The statement names another ceremony or master key.');
    if (obj(pred.script, 'The predicate script').sha256 !== j().scriptSha256) fail('The statement names another script.');
    const cp = obj(pred.checkpoint, 'The predicate checkpoint');
    const note = notes.get(finalNote)!;
    if (cp.note !== finalNote || cp.size !== transcript!.size || cp.origin !== note.checkpoint.origin || typeof cp.root !== 'string' || !equalBytes(fromBase64(cp.root), note.checkpoint.root)) {
      fail('The statement\'s checkpoint is not the final checkpoint of the whole transcript.');
    }
    const named = list(pred.trustees, 'The predicate trustees').map((x) => obj(x, 'A predicate trustee'));
    if (named.length !== trustees.length || named.some((x, i) => x.id !== trustees[i]!.id || x.fingerprint !== trustees[i]!.fingerprint)) fail('The statement lists other trustees than the transcript.');
    if (recovery && !sameLink(pred.original, original!)) fail('The statement links to another original ceremony than the transcript.');
    const pp = obj(pred.policy, 'The predicate policy');
    const q = obj(json('policy.json').quorum, 'The quorum in policy.json');
    if (pp.n !== q.n || pp.t !== q.t || pp.signatures !== 'hybrid') fail('The statement gives another quorum or signature rule than policy.json.');
    return `in-toto Statement v1 over ${subjects.length} subjects whose SHA-256 match the files, for this ceremony, master key, script, trustees, quorum and final checkpoint`;
  });

  const signers = (): StatementSigner[] => [{ id: 'master', fingerprint: master!.fingerprint, publicKey: master!.publicKey }, ...trustees.map((t) => ({ id: t.id, fingerprint: t.fingerprint, publicKey: t.publicKey }))];
  let sigReport: ReturnType<typeof evaluateStatementSignatures> | undefined;
  checks.run('statement-signatures', ['statement'], () => {
    sigReport = evaluateStatementSignatures(envelope!, signers(), mode, crypto.ed25519);
    if (sigReport.unknown > 0) fail(`The statement carries ${sigReport.unknown} signature(s) whose keyid is not a key of this ceremony.`);
    if (sigReport.repeatedKeyIds.length > 0) fail(`The statement carries more than one signature for the key(s) ${sigReport.repeatedKeyIds.join(', ')}; a key signs once.`);
    if (sigReport.invalid.length > 0) fail(`The statement signature(s) of ${sigReport.invalid.join(', ')} do not verify over the DSSE PAE.`);
    const order = signers().flatMap((p) => Object.values(principalKeyIds(p.publicKey)));
    const positions = envelope!.signatures.map((s) => order.indexOf(s.keyid ?? ''));
    if (positions.some((at, i) => i > 0 && at <= positions[i - 1]!)) fail('The statement signatures are not in the order Keyrite writes them (master first, then each trustee, classical before ML-DSA-65): one was moved.');
    return `${envelope!.signatures.length} signatures over the DSSE PAE, each from a distinct key of this ceremony, all ${mode === 'hybrid' ? '' : `checked in ${mode} mode `}valid`;
  });

  checks.run('hybrid-rule', ['statement-signatures'], () => {
    const failing = sigReport!.principals.filter((p) => !p.counts);
    if (failing.length > 0) {
      fail(`${failing.map((p) => `${p.id} (classical ${p.classical}, ML-DSA-65 ${p.pq})`).join('; ')} ${failing.length === 1 ? 'does' : 'do'} not count: a principal counts only when ${mode === 'hybrid' ? 'both its classical and its ML-DSA-65 signature verify' : `its ${mode === 'classical-only' ? 'classical' : 'ML-DSA-65'} signature verifies (${mode} mode)`}.`);
    }
    return mode === 'hybrid'
      ? `each of ${sigReport!.principals.length} principals has a valid classical and a valid ML-DSA-65 signature`
      : `${mode} mode: only the ${mode === 'classical-only' ? 'classical' : 'ML-DSA-65'} half of each principal was checked`;
  });

  checks.run('threshold', ['hybrid-rule', 'policy'], () => {
    const required = list(obj(policy.signatures, 'The signatures in policy.json').statementSigners, 'The statement signers').map(String);
    const counting = new Set(sigReport!.principals.filter((p) => p.counts).map((p) => principalName(p.fingerprint)));
    const have = required.filter((r) => counting.has(r)).length;
    if (have < required.length) fail(`The statement is signed by ${have} of the ${required.length} distinct principals policy.json requires.`);
    return `${have} of ${required.length} required distinct principals (master + ${required.length - 1} trustees) signed, each counted once`;
  });

  const anchor = anchorResult(trust, options.trust, master?.fingerprint);
  if (trust !== undefined) {
    checks.run('trust-anchor', ['transcript-structure'], () => {
      if (!anchor.matches) fail(`The master key ${master!.fingerprint} is NOT the key whose trusted fingerprint was given.`);
      return anchor.compared === 'full' ? 'the master key has the fingerprint given (all 32 bytes compared)' : 'the master key matches the 16 words given (the first 16 bytes compared; compare the hex form for all 32)';
    });
  }

  const results = checks.results;
  return {
    format: VERIFY_REPORT_FORMAT,
    verdict: verdictOf(results, anchor),
    mode,
    anchor,
    ...(kind ? { kind } : {}),
    ...(journal ? { ceremonyId: journal.ceremonyId } : manifest ? { ceremonyId: manifest.ceremonyId } : {}),
    ...(master ? { masterFingerprint: master.fingerprint } : manifest ? { masterFingerprint: manifest.masterFingerprint } : {}),
    ...(transcript ? { transcriptEntries: transcript.size } : {}),
    checks: results,
  };
}

function anchorResult(trust: ReturnType<typeof parseFingerprint> | undefined, given: string | undefined, masterFingerprint: string | undefined): TrustAnchor {
  if (trust === undefined || given === undefined) return { anchored: false };
  // Without a readable master key there is nothing to compare: `matches` stays absent (and the verdict invalid).
  if (masterFingerprint === undefined) return { anchored: true, given: given.trim(), compared: trust.kind };
  return { anchored: true, given: given.trim(), compared: trust.kind, matches: fingerprintMatches(asFingerprint(fromHex(masterFingerprint)), trust) };
}
