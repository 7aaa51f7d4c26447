/**
 * Test helpers for the verifier: a bundle folder read into memory (relative path → bytes),
 * and bundle.json recomputed after a test changed files, so that a deeper check than
 * bundle-files is the one that must catch the change.
 *
 * The manifest is rebuilt here independently of core/ceremony/bundle.ts (docs/FORMATS.md
 * "Bundle"): every file but bundle.json with its SHA-256 and size, sorted by path, as RFC 8785
 * canonical JSON followed by one LF. With ASCII-only strings and integers, JSON.stringify of an
 * object whose members are written in sorted order is the canonical form.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { GOLDEN_FIXTURE } from './golden.ts';

export type MutableBundle = Map<string, Uint8Array>;

export const GOLDEN_MASTER_FINGERPRINT = '8047460895e45caaf54a2be033a6aa947ac20e4f4dc484f0892b52005038a27a';

/** Every file under `dir`, keyed by its path relative to `dir` with "/" separators. */
export function readBundleDir(dir: string): MutableBundle {
  const out: MutableBundle = new Map();
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p).split(sep).join('/'), new Uint8Array(readFileSync(p)));
    }
  };
  walk(dir);
  return out;
}

let golden: ReadonlyMap<string, Uint8Array> | undefined;

/** A fresh copy of test/fixtures/golden-bundle/ (the fixture is read once per process). */
export function goldenBundle(): MutableBundle {
  golden ??= readBundleDir(GOLDEN_FIXTURE);
  return new Map([...golden].map(([p, b]) => [p, Uint8Array.from(b)]));
}

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

export function text(files: ReadonlyMap<string, Uint8Array>, path: string): string {
  const b = files.get(path);
  if (b === undefined) throw new Error(`test bug: ${path} is not in the bundle`);
  return dec.decode(b);
}

export function setText(files: MutableBundle, path: string, value: string): void {
  files.set(path, enc.encode(value));
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Rewrites bundle.json over the current files, keeping its ceremony id and master fingerprint. */
export function rehash(files: MutableBundle): MutableBundle {
  const old = JSON.parse(text(files, 'bundle.json')) as { ceremonyId: string; masterFingerprint: string };
  const list = [...files.entries()]
    .filter(([p]) => p !== 'bundle.json')
    .map(([path, bytes]) => ({ path, sha256: sha256Hex(bytes), size: bytes.length }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const doc = { ceremonyId: old.ceremonyId, files: list, format: 'keyrite/bundle/v1', masterFingerprint: old.masterFingerprint, version: 1 };
  setText(files, 'bundle.json', `${JSON.stringify(doc)}\n`);
  return files;
}

/** transcript.jsonl as its lines (without the final LF). */
export function transcriptLines(files: ReadonlyMap<string, Uint8Array>): string[] {
  const t = text(files, 'transcript.jsonl');
  return t.slice(0, -1).split('\n');
}

export function setTranscriptLines(files: MutableBundle, lines: readonly string[]): void {
  setText(files, 'transcript.jsonl', `${lines.join('\n')}\n`);
}

export interface Envelope {
  payload: string;
  payloadType: string;
  signatures: { keyid?: string; sig: string }[];
}

export function statementEnvelope(files: ReadonlyMap<string, Uint8Array>): Envelope {
  return JSON.parse(text(files, 'statement.dsse.json')) as Envelope;
}

/** Writes the envelope back in the fixture's own form (JSON.stringify of sorted members, LF). */
export function setStatementEnvelope(files: MutableBundle, env: Envelope): void {
  const original = text(files, 'statement.dsse.json');
  const sigs = env.signatures.map((s) => (s.keyid === undefined ? { sig: s.sig } : { keyid: s.keyid, sig: s.sig }));
  setText(files, 'statement.dsse.json', `${JSON.stringify({ payload: env.payload, payloadType: env.payloadType, signatures: sigs })}${original.endsWith('\n') ? '\n' : ''}`);
}
