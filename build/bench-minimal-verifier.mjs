// The bench's baseline (issue 18): a MINIMAL verifier of a Keyrite root-keygen bundle, written
// with @noble only, as an auditor might write one in an afternoon. It checks the cryptography
// and nothing else:
//  - every file listed in bundle.json has its SHA-256 and size;
//  - transcript.jsonl: each line's seq is its index and its prev the hex RFC 6962 leaf hash of
//    the line before (JSON.parse per line; no canonical-form, member, time or structure check);
//  - the RFC 6962 root at each checkpoint's size equals the checkpoint's root;
//  - every signature line of every checkpoint note (Ed25519 and ML-DSA-65, key IDs against
//    keys/jwks.json), every share receipt in the transcript, and every statement signature.
// No JCS, no policy, no script, no escaping, no error sentences: it throws on the first problem.
// It is a yardstick for `keyrite verify`, never used by Keyrite itself.
//
//   node build/bench-minimal-verifier.mjs BUNDLE_DIR   → prints "ok <entries> entries <signatures> signatures"
import { readFileSync } from 'node:fs';
import { TextDecoder, TextEncoder } from 'node:util';
import { join } from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const CONTEXT = enc.encode('keyrite/v1');
const MLDSA_NOTE_TYPE = enc.encode('keyrite.dev/note-signature/ML-DSA-65/v1\n');
const RECEIPT_PREFIX = enc.encode('keyrite/share-receipt/v1 signature\0');

const hex = (b) => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');
const b64 = (s) => new Uint8Array(Buffer.from(s, 'base64'));
const b64url = (s) => new Uint8Array(Buffer.from(s, 'base64url'));
const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
function check(ok, what) {
  if (!ok) throw new Error(`minimal verifier: ${what}`);
}

export function verifyMinimal(dir) {
  const read = (p) => new Uint8Array(readFileSync(join(dir, p)));
  const manifest = JSON.parse(dec.decode(read('bundle.json')));
  const files = new Map();
  for (const f of manifest.files) {
    const bytes = read(f.path);
    check(bytes.length === f.size && hex(sha256(bytes)) === f.sha256, `${f.path} hash`);
    files.set(f.path, bytes);
  }

  // Keys: master then trustees, each an Ed25519 key followed by its ML-DSA-65 key.
  const jwks = JSON.parse(dec.decode(files.get('keys/jwks.json'))).keys;
  const principals = [];
  for (let i = 0; i < jwks.length; i += 2) principals.push({ ed: b64url(jwks[i].x), pq: b64url(jwks[i + 1].pub), edKid: jwks[i].kid, pqKid: jwks[i + 1].kid });

  // Checkpoints first, so the tree walk knows at which sizes to take roots.
  const notes = [...files.keys()].filter((p) => p.startsWith('checkpoints/')).map((p) => {
    const text = dec.decode(files.get(p));
    const split = text.indexOf('\n\n');
    const body = text.slice(0, split + 1);
    const [, size, root] = body.split('\n');
    const sigs = text.slice(split + 2).split('\n').filter((l) => l !== '').map((l) => {
      const [, name, sig] = l.split(' ');
      const raw = b64(sig);
      return { name, keyId: raw.subarray(0, 4), sig: raw.subarray(4) };
    });
    return { body: enc.encode(body), size: Number(size), root, sigs };
  });
  const wanted = new Map(notes.map((n) => [n.size, undefined]));

  // Transcript: chain and RFC 6962 tree (a stack of perfect subtrees), roots at the note sizes.
  const transcript = files.get('transcript.jsonl');
  const stack = [];
  let prevHex = '0'.repeat(64);
  let seq = 0;
  const receipts = [];
  const nodeHash = (l, r) => sha256(concat(Uint8Array.of(1), l, r));
  const rootOfStack = () => {
    let h = stack[stack.length - 1].hash;
    for (let i = stack.length - 2; i >= 0; i--) h = nodeHash(stack[i].hash, h);
    return h;
  };
  for (let start = 0; start < transcript.length; ) {
    const lf = transcript.indexOf(0x0a, start);
    check(lf >= 0, 'final line break');
    const line = transcript.subarray(start, lf);
    const entry = JSON.parse(dec.decode(line));
    check(entry.seq === seq && entry.prev === prevHex, `chain at seq ${seq}`);
    if (entry.type === 'share.receipt') receipts.push(entry.body.receipt);
    const leaf = sha256(concat(Uint8Array.of(0), line));
    prevHex = hex(leaf);
    let node = { hash: leaf, size: 1 };
    while (stack.length > 0 && stack[stack.length - 1].size === node.size) {
      const left = stack.pop();
      node = { hash: nodeHash(left.hash, node.hash), size: left.size * 2 };
    }
    stack.push(node);
    seq++;
    if (wanted.has(seq)) wanted.set(seq, Buffer.from(rootOfStack()).toString('base64'));
    start = lf + 1;
  }

  let signatures = 0;
  for (const n of notes) {
    check(wanted.get(n.size) === n.root, `root at size ${n.size}`);
    for (const s of n.sigs) {
      const nameBytes = enc.encode(`${s.name}\n`);
      const p = principals.find((k) => hex(sha256(concat(nameBytes, Uint8Array.of(1), k.ed)).subarray(0, 4)) === hex(s.keyId));
      const q = principals.find((k) => hex(sha256(concat(nameBytes, Uint8Array.of(0xff), MLDSA_NOTE_TYPE, k.pq)).subarray(0, 4)) === hex(s.keyId));
      check(p !== undefined || q !== undefined, 'known note key');
      check(p ? ed25519.verify(s.sig, n.body, p.ed) : ml_dsa65.verify(s.sig, n.body, q.pq, { context: CONTEXT }), 'note signature');
      signatures++;
    }
  }

  for (const r of receipts) {
    const index = Number(r.body.trusteeId.replace('trustee-', ''));
    const k = principals[index];
    const msg = concat(RECEIPT_PREFIX, enc.encode(JSON.stringify(r.body)));
    check(ed25519.verify(b64url(r.signature.classical), msg, k.ed) && ml_dsa65.verify(b64url(r.signature.pq), msg, k.pq, { context: CONTEXT }), 'receipt signature');
    signatures += 2;
  }

  const envelope = JSON.parse(dec.decode(files.get('statement.dsse.json')));
  const payload = b64(envelope.payload);
  const type = enc.encode(envelope.payloadType);
  const pae = concat(enc.encode(`DSSEv1 ${type.length} `), type, enc.encode(` ${payload.length} `), payload);
  for (const s of envelope.signatures) {
    const ed = principals.find((k) => k.edKid === s.keyid);
    const pq = principals.find((k) => k.pqKid === s.keyid);
    check(ed ? ed25519.verify(b64(s.sig), pae, ed.ed) : ml_dsa65.verify(b64(s.sig), pae, pq.pq, { context: CONTEXT }), 'statement signature');
    signatures++;
  }
  return { entries: seq, signatures };
}

if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const r = verifyMinimal(process.argv[2]);
  process.stdout.write(`ok ${r.entries} entries ${r.signatures} signatures\n`);
}
