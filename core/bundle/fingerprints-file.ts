/**
 * keys/fingerprints.txt (docs/FORMATS.md "Bundle"): every principal's fingerprint as people read
 * it aloud, hex groups and the 16 words, master first, then each trustee in order:
 *
 *   Keyrite <root key ceremony | escrow recovery> <ceremony id>
 *   Principal fingerprints: SHA-256 over the RFC 7638 thumbprints of …
 *   (docs/FORMATS.md). The words cover the first 16 bytes; compare the hex form for all 32.
 *
 *   master key "<key label>" (Ed25519 + ML-DSA-65)
 *     hex:   xxxx xxxx … (16 groups)
 *     words: <16 PGP words>
 *
 *   trustee <id> (<name>) (<Ed25519 | ES256> + ML-DSA-65)
 *     …
 * parseFingerprintsFile reads every line back and checks that the words are those of the hex.
 */
import { KeyriteError } from '../errors.ts';
import { fromUtf8, utf8 } from '../bytes.ts';
import { fingerprint, fingerprintWords, formatFingerprintHex } from '../encoding/fingerprint.ts';
import { fromHex } from '../encoding/hex.ts';
import type { ClassicalAlg } from '../crypto/hybrid.ts';
import { fillTemplate, matchTemplate } from './text-template.ts';
import { BUNDLE_KIND_SPECS, BUNDLE_KINDS, type BundleKind } from './kinds.ts';

const WHAT = 'keys/fingerprints.txt';
const HEAD = [
  'Keyrite {title} {ceremonyId}',
  'Principal fingerprints: SHA-256 over the RFC 7638 thumbprints of the classical and ML-DSA-65 keys',
  '(docs/FORMATS.md). The words cover the first 16 bytes; compare the hex form for all 32.',
  '',
];
const BLOCK = ['{title}', '  hex:   {hex}', '  words: {words}', ''];
const MASTER_TITLE = /^master key "([^"]*)" \(Ed25519 \+ ML-DSA-65\)$/;
const TRUSTEE_TITLE = /^trustee (\S+) \((.*)\) \((Ed25519|ES256) \+ ML-DSA-65\)$/;
const HEX_GROUPS = /^[0-9a-f]{4}( [0-9a-f]{4}){15}$/;

export interface FingerprintsFile {
  readonly kind: BundleKind;
  readonly ceremonyId: string;
  readonly master: { readonly keyLabel: string; readonly fingerprint: string };
  readonly trustees: readonly { readonly id: string; readonly name: string; readonly alg: ClassicalAlg; readonly fingerprint: string }[];
}

function block(title: string, fingerprintHex: string): string[] {
  const fp = fingerprint(fromHex(fingerprintHex));
  return fillTemplate(BLOCK, { title, hex: formatFingerprintHex(fp), words: fingerprintWords(fp).join(' ') });
}

export function encodeFingerprintsFile(f: FingerprintsFile): Uint8Array {
  const lines = [
    ...fillTemplate(HEAD, { title: BUNDLE_KIND_SPECS[f.kind].title, ceremonyId: f.ceremonyId }),
    ...block(`master key "${f.master.keyLabel}" (Ed25519 + ML-DSA-65)`, f.master.fingerprint),
    ...f.trustees.flatMap((t) => block(`trustee ${t.id} (${t.name}) (${t.alg} + ML-DSA-65)`, t.fingerprint)),
  ];
  return utf8(lines.join('\n'));
}

function bad(message: string): never {
  throw new KeyriteError('INVALID_INPUT', `${WHAT}: ${message}`);
}

/** One block's title and fingerprint (64 hex digits), its words checked against its hex. */
function readBlock(lines: readonly string[], at: number): { title: string; fingerprint: string } {
  const v = matchTemplate(lines, at, BLOCK, WHAT);
  if (!HEX_GROUPS.test(v.hex!)) bad(`line ${at + 2} is not a fingerprint in 16 groups of 4 lowercase hex digits.`);
  const hex = v.hex!.replace(/ /g, '');
  if (v.words !== fingerprintWords(fingerprint(fromHex(hex))).join(' ')) bad(`line ${at + 3} does not give the 16 words of the fingerprint above it.`);
  return { title: v.title!, fingerprint: hex };
}

export function parseFingerprintsFile(bytes: Uint8Array): FingerprintsFile {
  const lines = fromUtf8(bytes).split('\n');
  const head = matchTemplate(lines, 0, HEAD, WHAT);
  const kind = BUNDLE_KINDS.find((k) => BUNDLE_KIND_SPECS[k].title === head.title);
  if (kind === undefined || !/^[0-9a-f]{32}$/.test(head.ceremonyId!)) bad('the first line does not name a Keyrite ceremony.');
  if ((lines.length - HEAD.length) % BLOCK.length !== 0 || lines.length < HEAD.length + 2 * BLOCK.length) bad('it does not hold whole fingerprint blocks, master first.');
  const master = readBlock(lines, HEAD.length);
  const m = MASTER_TITLE.exec(master.title);
  if (!m) bad(`line ${HEAD.length + 1} does not name the master key.`);
  const trustees: FingerprintsFile['trustees'][number][] = [];
  for (let at = HEAD.length + BLOCK.length; at < lines.length; at += BLOCK.length) {
    const b = readBlock(lines, at);
    const t = TRUSTEE_TITLE.exec(b.title);
    if (!t) bad(`line ${at + 1} does not name a trustee.`);
    trustees.push({ id: t[1]!, name: t[2]!, alg: t[3] as ClassicalAlg, fingerprint: b.fingerprint });
  }
  return { kind, ceremonyId: head.ceremonyId!, master: { keyLabel: m[1]!, fingerprint: master.fingerprint }, trustees };
}
