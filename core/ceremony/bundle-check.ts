/**
 * The engine's own check of the bundle it wrote, re-read from disk before the ceremony
 * reports success (as Boulder's ceremony tool verifies what it generated). Every check is
 * named with pass/fail and a reason; signatures are checked in hybrid mode (both halves of
 * every principal). This is the ceremony's self-check; the auditor's `keyrite verify`
 * (core/verifier) checks bundles independently of any ceremony state.
 */
import { KeyriteError } from '../errors.ts';
import { equalBytes, fromUtf8 } from '../bytes.ts';
import { fromBase64 } from '../encoding/base64url.ts';
import { toHex } from '../encoding/hex.ts';
import { parseEnvelope, pae } from '../encoding/dsse.ts';
import { parseJsonStrict } from '../encoding/json.ts';
import { parseJwks } from '../encoding/jwks.ts';
import { pemToPublicKey } from '../encoding/pem.ts';
import { verifyHybrid } from '../crypto/hybrid.ts';
import { sha256 } from '../crypto/hash.ts';
import { parseManifest } from '../escrow/manifest.ts';
import { receiptFromJson, receiptSigningMessage } from '../escrow/receipt.ts';
import { ceremonyOrigin, parseCheckpointNote, verifyCheckpointSignatures, type KnownPrincipal } from '../transcript/checkpoint.ts';
import { readTranscript, type TranscriptContents } from '../transcript/transcript.ts';
import { parseCeremonyScript } from './script.ts';
import { ENTRY, analyzeJournal, type JournalState } from './journal.ts';
import { BUNDLE_FORMAT, BUNDLE_MANIFEST, IN_TOTO_PAYLOAD_TYPE, IN_TOTO_STATEMENT_TYPE, PREDICATE_TYPE, STATEMENT_SUBJECTS, fingerprintsFile, jwksFile, pemFiles, principalKeyIds, type BundleFacts } from './bundle.ts';
import { fingerprintHex, principalName } from './run.ts';
import type { BundleCheck, CeremonyFiles, FileRef } from './types.ts';

type Obj = Record<string, unknown>;

function obj(v: unknown, what: string): Obj {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new KeyriteError('VERIFY_FAILED', `${what} is not a JSON object.`);
  return v as Obj;
}

function hex(b: Uint8Array): string {
  return toHex(sha256(b));
}

async function listTree(files: CeremonyFiles, dir: FileRef, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const name of await files.list(prefix ? { root: dir.root, path: `${dir.path}/${prefix}` } : dir)) {
    const rel = prefix ? `${prefix}/${name}` : name;
    const kind = await files.kind({ root: dir.root, path: `${dir.path}/${rel}` });
    if (kind === 'dir') out.push(...(await listTree(files, dir, rel)));
    else out.push(rel);
  }
  return out.sort();
}

export interface BundleExpectations {
  ceremonyId?: string;
  masterFingerprint?: string;
}

/** Re-reads the bundle in `dir` from disk and checks everything in it. Never throws for a bad bundle: the checks say what failed. */
export async function checkBundle(files: CeremonyFiles, dir: FileRef, expect: BundleExpectations = {}): Promise<BundleCheck[]> {
  const checks: BundleCheck[] = [];
  const contents = new Map<string, Uint8Array>();
  const run = async (name: string, fn: () => Promise<string> | string): Promise<boolean> => {
    try {
      checks.push({ name, ok: true, detail: await fn() });
      return true;
    } catch (e) {
      checks.push({ name, ok: false, detail: e instanceof KeyriteError ? e.message : `unexpected error: ${e instanceof Error ? e.message : String(e)}` });
      return false;
    }
  };
  const file = (p: string): Uint8Array => {
    const b = contents.get(p);
    if (!b) throw new KeyriteError('VERIFY_FAILED', `${p} is missing from the bundle.`);
    return b;
  };
  const json = (p: string): Obj => obj(parseJsonStrict(fromUtf8(file(p)), p), p);

  // 1. bundle.json and the file hashes.
  let manifest: Obj = {};
  const filesOk = await run('bundle-files', async () => {
    const raw = await files.read({ root: dir.root, path: `${dir.path}/${BUNDLE_MANIFEST}` });
    if (!raw) throw new KeyriteError('VERIFY_FAILED', 'bundle.json is missing.');
    contents.set(BUNDLE_MANIFEST, raw);
    manifest = json(BUNDLE_MANIFEST);
    if (manifest.format !== BUNDLE_FORMAT || manifest.version !== 1) throw new KeyriteError('VERIFY_FAILED', 'bundle.json is not a keyrite/bundle/v1 manifest.');
    const listed = (Array.isArray(manifest.files) ? manifest.files : []).map((f) => obj(f, 'a bundle.json entry'));
    const onDisk = await listTree(files, dir);
    const names = listed.map((f) => String(f.path));
    const expected = [...names, BUNDLE_MANIFEST].sort();
    if (JSON.stringify(onDisk) !== JSON.stringify(expected)) {
      const extra = onDisk.filter((n) => !expected.includes(n));
      const missing = expected.filter((n) => !onDisk.includes(n));
      throw new KeyriteError('VERIFY_FAILED', `The files on disk differ from bundle.json${extra.length ? `; not listed: ${extra.join(', ')}` : ''}${missing.length ? `; missing: ${missing.join(', ')}` : ''}.`);
    }
    for (const f of listed) {
      const p = String(f.path);
      const b = await files.read({ root: dir.root, path: `${dir.path}/${p}` });
      if (!b) throw new KeyriteError('VERIFY_FAILED', `${p} cannot be read.`);
      if (b.length !== f.size || hex(b) !== f.sha256) throw new KeyriteError('VERIFY_FAILED', `${p} does not have the size and SHA-256 bundle.json gives.`);
      contents.set(p, b);
    }
    return `${listed.length} files, each with the SHA-256 and size listed in bundle.json`;
  });
  if (!filesOk) return checks;

  // 2. Transcript.
  let transcript: TranscriptContents | undefined;
  let journal: JournalState | undefined;
  await run('transcript', () => {
    transcript = readTranscript(file('transcript.jsonl'));
    journal = analyzeJournal(transcript.entries);
    if (journal.ceremonyId !== manifest.ceremonyId) throw new KeyriteError('VERIFY_FAILED', 'The transcript belongs to another ceremony than bundle.json names.');
    if (expect.ceremonyId && journal.ceremonyId !== expect.ceremonyId) throw new KeyriteError('VERIFY_FAILED', 'The transcript belongs to another ceremony.');
    const last = transcript.entries[transcript.entries.length - 1];
    if (last?.type !== ENTRY.ceremonyEnd) throw new KeyriteError('VERIFY_FAILED', 'The transcript does not end with ceremony.end.');
    if (!journal.master) throw new KeyriteError('VERIFY_FAILED', 'The transcript records no master key.');
    return `${transcript.size} entries, hash chain intact, ends with ceremony.end`;
  });
  if (!transcript || !journal || !journal.master) return checks;
  const j = journal;
  const master = j.master!;
  const trustees = [...j.trustees.values()];
  const principalsList: KnownPrincipal[] = [
    { name: principalName(master.fingerprint), publicKey: master.publicKey },
    ...trustees.map((t) => ({ name: principalName(t.fingerprint), publicKey: t.publicKey })),
  ];

  // 3. Script and policy.
  await run('script', () => {
    const parsed = parseCeremonyScript(file('script.yaml'));
    if (parsed.hashHex !== j.scriptSha256) throw new KeyriteError('VERIFY_FAILED', 'script.yaml is not the script whose hash the transcript recorded.');
    return `script.yaml is the script recorded at the start (SHA-256 ${parsed.hashHexGroups})`;
  });
  await run('policy', () => {
    const p = json('policy.json');
    const q = obj(p.quorum, 'policy quorum');
    const pm = obj(p.master, 'policy master');
    const parsed = parseCeremonyScript(file('script.yaml'));
    if (p.ceremonyId !== j.ceremonyId || pm.fingerprint !== master.fingerprint) throw new KeyriteError('VERIFY_FAILED', 'policy.json names another ceremony or master key.');
    if (q.n !== parsed.script.quorum?.n || q.t !== parsed.script.quorum?.t) throw new KeyriteError('VERIFY_FAILED', 'policy.json gives another quorum than the script.');
    const listed = (Array.isArray(p.trustees) ? p.trustees : []).map((t) => obj(t, 'a policy trustee'));
    if (listed.length !== trustees.length || listed.some((t, i) => t.id !== trustees[i]!.id || t.fingerprint !== trustees[i]!.fingerprint)) {
      throw new KeyriteError('VERIFY_FAILED', 'policy.json lists other trustees than the transcript.');
    }
    return `${q.t}-of-${q.n}, ${listed.length} trustees, hybrid signatures`;
  });

  // 4. Keys.
  await run('keys', () => {
    if (fingerprintHex(master.publicKey) !== master.fingerprint) throw new KeyriteError('VERIFY_FAILED', 'The recorded master fingerprint does not match its keys.');
    if (manifest.masterFingerprint !== master.fingerprint) throw new KeyriteError('VERIFY_FAILED', 'bundle.json names another master key.');
    if (expect.masterFingerprint && expect.masterFingerprint !== master.fingerprint) throw new KeyriteError('VERIFY_FAILED', 'The master key is not the one this ceremony generated.');
    for (const t of trustees) if (fingerprintHex(t.publicKey) !== t.fingerprint) throw new KeyriteError('VERIFY_FAILED', `The fingerprint of trustee ${t.id} does not match their keys.`);
    const facts = { ceremonyId: j.ceremonyId, master: { fingerprint: master.fingerprint, publicKey: master.publicKey, keyLabel: String(obj(json('policy.json').master, 'policy master').keyLabel) }, trustees } as unknown as BundleFacts;
    const jwks = parseJwks(fromUtf8(file('keys/jwks.json')), 'keys/jwks.json');
    if (!equalBytes(file('keys/jwks.json'), jwksFile(facts))) throw new KeyriteError('VERIFY_FAILED', 'keys/jwks.json does not hold exactly the master and trustee keys of the transcript.');
    for (const [name, bytes] of pemFiles(facts)) {
      const decoded = pemToPublicKey(fromUtf8(file(name)), name);
      const expected = pemToPublicKey(fromUtf8(bytes), name);
      if (decoded.alg !== expected.alg || !equalBytes(decoded.publicKey, expected.publicKey)) throw new KeyriteError('VERIFY_FAILED', `${name} holds another key than the transcript.`);
    }
    if (!equalBytes(file('keys/fingerprints.txt'), fingerprintsFile(facts))) throw new KeyriteError('VERIFY_FAILED', 'keys/fingerprints.txt does not match the keys.');
    return `${jwks.length} public keys (JWKS and PEM) match the transcript; master ${master.fingerprint}`;
  });

  // 5. Escrow manifest and receipts.
  await run('escrow', () => {
    const bytes = file('escrow/manifest.json');
    const m = parseManifest(fromUtf8(bytes).replace(/\n$/, ''));
    if (j.manifestSha256 !== hex(bytes)) throw new KeyriteError('VERIFY_FAILED', 'escrow/manifest.json is not the manifest recorded at the split.');
    if (m.masterFingerprint !== master.fingerprint || m.ceremonyId !== j.ceremonyId) throw new KeyriteError('VERIFY_FAILED', 'The escrow manifest names another master key or ceremony.');
    if (m.trustees.length !== trustees.length || m.trustees.some((t, i) => t.id !== trustees[i]!.id || t.fingerprint !== trustees[i]!.fingerprint)) {
      throw new KeyriteError('VERIFY_FAILED', 'The escrow manifest lists other trustees than the transcript.');
    }
    let verified = 0;
    for (const t of m.trustees) {
      const raw = j.receipts.get(t.id);
      if (!raw) throw new KeyriteError('VERIFY_FAILED', `No receipt from trustee ${t.id}.`);
      const r = receiptFromJson(raw);
      const pub = j.trustees.get(t.id)!.publicKey;
      const sig = verifyHybrid(pub, receiptSigningMessage(r.body), r.signature, 'hybrid');
      if (!sig.valid) throw new KeyriteError('VERIFY_FAILED', `The receipt of trustee ${t.id} does not verify (hybrid).`);
      if (r.body.commitmentCheck !== 'match' || r.body.blobCheck !== 'match' || r.body.x !== t.x || r.body.masterFingerprint !== master.fingerprint || r.body.trusteeFingerprint !== t.fingerprint) {
        throw new KeyriteError('VERIFY_FAILED', `The receipt of trustee ${t.id} does not confirm their share.`);
      }
      verified++;
    }
    return `${m.t}-of-${m.n} escrow manifest; ${verified} trustee receipts verify (hybrid) and confirm their shares`;
  });

  // 6. Checkpoints.
  const notes = [...contents.keys()].filter((p) => p.startsWith('checkpoints/')).sort();
  await run('checkpoints', () => {
    if (notes.length === 0) throw new KeyriteError('VERIFY_FAILED', 'The bundle has no checkpoint.');
    const origin = ceremonyOrigin(j.ceremonyId);
    for (const p of notes) {
      const note = parseCheckpointNote(file(p), p);
      const cp = note.checkpoint;
      if (cp.origin !== origin) throw new KeyriteError('VERIFY_FAILED', `${p} is for another log (${cp.origin}).`);
      if (cp.size > transcript!.size || !equalBytes(transcript!.tree.root(cp.size), cp.root)) throw new KeyriteError('VERIFY_FAILED', `${p} does not match the transcript's Merkle root at size ${cp.size}.`);
      const v = verifyCheckpointSignatures(note, principalsList, 'hybrid');
      if (!v.valid || v.failedSignatures > 0) throw new KeyriteError('VERIFY_FAILED', `${p}: its signatures do not verify.`);
      if (p.endsWith('-final.note')) {
        if (cp.size !== transcript!.size) throw new KeyriteError('VERIFY_FAILED', `${p} does not cover the whole transcript.`);
        if (v.validPrincipals.length !== principalsList.length) throw new KeyriteError('VERIFY_FAILED', `${p} is not signed by the master key and every trustee (hybrid).`);
      }
    }
    return `${notes.length} checkpoint notes match the transcript's Merkle roots; the final one covers all ${transcript!.size} entries, signed by ${principalsList.length} principals (hybrid)`;
  });

  // 7. The signed statement.
  await run('statement', () => {
    const env = parseEnvelope(fromUtf8(file('statement.dsse.json')));
    if (env.payloadType !== IN_TOTO_PAYLOAD_TYPE) throw new KeyriteError('VERIFY_FAILED', `The statement's payloadType is not ${IN_TOTO_PAYLOAD_TYPE}.`);
    const st = obj(parseJsonStrict(fromUtf8(env.payload), 'statement'), 'statement');
    if (st._type !== IN_TOTO_STATEMENT_TYPE || st.predicateType !== PREDICATE_TYPE) throw new KeyriteError('VERIFY_FAILED', 'The statement is not a Keyrite root key ceremony statement (in-toto v1).');
    const subjects = (Array.isArray(st.subject) ? st.subject : []).map((s) => obj(s, 'a subject'));
    if (subjects.map((s) => s.name).join() !== STATEMENT_SUBJECTS.join()) throw new KeyriteError('VERIFY_FAILED', 'The statement names other subjects than expected.');
    for (const s of subjects) {
      if (obj(s.digest, 'a subject digest').sha256 !== hex(file(String(s.name)))) throw new KeyriteError('VERIFY_FAILED', `The statement's digest of ${String(s.name)} does not match the file.`);
    }
    const pred = obj(st.predicate, 'the predicate');
    const cpx = obj(pred.checkpoint, 'the predicate checkpoint');
    if (pred.ceremonyId !== j.ceremonyId || obj(pred.master, 'the predicate master').fingerprint !== master.fingerprint) throw new KeyriteError('VERIFY_FAILED', 'The statement names another ceremony or master key.');
    const noteName = String(cpx.note);
    const note = parseCheckpointNote(file(noteName), noteName);
    if (cpx.size !== transcript!.size || cpx.size !== note.checkpoint.size || !equalBytes(fromBase64(String(cpx.root)), note.checkpoint.root)) {
      throw new KeyriteError('VERIFY_FAILED', 'The statement\'s checkpoint is not the final checkpoint of the whole transcript.');
    }
    const message = pae(env.payloadType, env.payload);
    const valid = new Set<string>();
    for (const p of principalsList) {
      const ids = principalKeyIds(p.publicKey);
      const classical = env.signatures.filter((s) => s.keyid === ids.classical);
      const pq = env.signatures.filter((s) => s.keyid === ids.pq);
      const c = classical.length > 0 && classical.every((s) => verifyHybrid(p.publicKey, message, { classical: s.sig, pq: new Uint8Array(0) }, 'classical-only').valid);
      const q = pq.length > 0 && pq.every((s) => verifyHybrid(p.publicKey, message, { classical: new Uint8Array(0), pq: s.sig }, 'pq-only').valid);
      if (!c || !q) throw new KeyriteError('VERIFY_FAILED', `The statement signature of ${p.name} does not verify in hybrid mode (classical ${c ? 'pass' : 'fail'}, ML-DSA-65 ${q ? 'pass' : 'fail'}).`);
      valid.add(p.name);
    }
    const known = new Set(principalsList.flatMap((p) => Object.values(principalKeyIds(p.publicKey))));
    const unknown = env.signatures.filter((s) => s.keyid === undefined || !known.has(s.keyid));
    if (unknown.length > 0) throw new KeyriteError('VERIFY_FAILED', `The statement carries ${unknown.length} signature(s) from keys that are not the ceremony's.`);
    return `in-toto statement over ${subjects.length} subjects, signed by ${valid.size} distinct principals (master + ${valid.size - 1} trustees), both halves each`;
  });
  return checks;
}

/** All checks passed, or VERIFY_FAILED naming the failed ones. */
export function assertChecksPass(checks: readonly BundleCheck[]): void {
  const failed = checks.filter((c) => !c.ok);
  if (failed.length > 0) throw new KeyriteError('VERIFY_FAILED', `The bundle failed its own verification: ${failed.map((c) => `${c.name}: ${c.detail}`).join(' ')}`);
}
