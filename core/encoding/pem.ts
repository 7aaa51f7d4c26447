/**
 * SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) in DER and in PEM (RFC 7468 §13, label
 * "PUBLIC KEY") for Keyrite's three key types. Each has exactly one DER encoding:
 *  - Ed25519   RFC 8410 §4: AlgorithmIdentifier {id-Ed25519 1.3.101.112}, parameters absent;
 *              BIT STRING = the 32-byte key.                                  44 bytes
 *  - ML-DSA-65 RFC 9881 §4 (and §2): AlgorithmIdentifier {id-ml-dsa-65
 *              2.16.840.1.101.3.4.3.18}, parameters absent; BIT STRING = the 1952-byte
 *              pkEncode output.                                              1974 bytes
 *  - P-256     RFC 5480 §2.1.1: AlgorithmIdentifier {id-ecPublicKey 1.2.840.10045.2.1,
 *              namedCurve secp256r1 1.2.840.10045.3.1.7}; BIT STRING = the uncompressed
 *              point 0x04 ‖ x ‖ y (RFC 5480 §2.2; compressed points are refused).  91 bytes
 * Decoding is an exact match of the fixed DER prefix and total length, so BER variants,
 * explicit NULL parameters, trailing bytes and other algorithms are all refused; the key
 * bytes then pass the same checks as everywhere else (public-key.ts).
 *
 * PEM is read in RFC 7468 §3 "strict" form: the BEGIN line first, base64 lines of exactly
 * 64 characters except a shorter last one, the END line, then at most one line ending;
 * LF or CRLF line endings; no headers, blank lines, spaces or text around the block.
 */
import { KeyriteError } from '../errors.ts';
import { concatBytes, equalBytes } from '../bytes.ts';
import { fromBase64, toBase64 } from './base64url.ts';
import { fromHex } from './hex.ts';
import { assertPublicKey, assertPublicKeyAlg, PUBLIC_KEY_LENGTH, PUBLIC_KEY_ALGS, type PublicKeyAlg } from './public-key.ts';

/** DER bytes that precede the raw public key in the SubjectPublicKeyInfo of each algorithm. */
export const SPKI_PREFIX: Readonly<Record<PublicKeyAlg, Uint8Array>> = {
  // SEQUENCE(42) { SEQUENCE(5) { OID 1.3.101.112 } BIT STRING(33) { 0 unused bits, key } }
  Ed25519: fromHex('302a300506032b6570032100'),
  // SEQUENCE(1970) { SEQUENCE(11) { OID 2.16.840.1.101.3.4.3.18 } BIT STRING(1953) { 0 unused bits, key } }
  'ML-DSA-65': fromHex('308207b2300b0609608648016503040312038207a100'),
  // SEQUENCE(89) { SEQUENCE(19) { OID 1.2.840.10045.2.1, OID 1.2.840.10045.3.1.7 } BIT STRING(66) { 0 unused bits, point } }
  'P-256': fromHex('3059301306072a8648ce3d020106082a8648ce3d030107034200'),
};

const PEM_LABEL = 'PUBLIC KEY';
const BEGIN = `-----BEGIN ${PEM_LABEL}-----`;
const END = `-----END ${PEM_LABEL}-----`;
const LINE = 64;

/** DER SubjectPublicKeyInfo of a raw public key. */
export function publicKeyToSpki(alg: PublicKeyAlg, publicKey: Uint8Array): Uint8Array {
  assertPublicKeyAlg(alg);
  assertPublicKey(alg, publicKey, `${alg} public key`);
  return concatBytes(SPKI_PREFIX[alg], publicKey);
}

/** Reads a DER SubjectPublicKeyInfo of one of Keyrite's key types; exact encoding only. */
export function spkiToPublicKey(der: Uint8Array): { alg: PublicKeyAlg; publicKey: Uint8Array } {
  if (!(der instanceof Uint8Array)) throw new KeyriteError('INVALID_INPUT', 'The SubjectPublicKeyInfo must be a byte array.');
  for (const alg of PUBLIC_KEY_ALGS) {
    const prefix = SPKI_PREFIX[alg];
    if (der.length < prefix.length || !equalBytes(der.subarray(0, prefix.length), prefix)) continue;
    const expected = prefix.length + PUBLIC_KEY_LENGTH[alg];
    if (der.length !== expected) {
      throw new KeyriteError('INVALID_LENGTH', `The ${alg} SubjectPublicKeyInfo must be ${expected} bytes, got ${der.length}.`);
    }
    const publicKey = der.slice(prefix.length);
    assertPublicKey(alg, publicKey, `${alg} public key in the SubjectPublicKeyInfo`);
    return { alg, publicKey };
  }
  throw new KeyriteError('INVALID_KEY', 'The SubjectPublicKeyInfo is not an Ed25519, ML-DSA-65 or uncompressed P-256 public key in the exact DER form Keyrite writes.');
}

/** PEM "PUBLIC KEY" text of a raw public key: 64-character lines, LF endings, final LF. */
export function publicKeyToPem(alg: PublicKeyAlg, publicKey: Uint8Array): string {
  const b64 = toBase64(publicKeyToSpki(alg, publicKey));
  const lines = [BEGIN];
  for (let i = 0; i < b64.length; i += LINE) lines.push(b64.slice(i, i + LINE));
  lines.push(END);
  return lines.join('\n') + '\n';
}

function fail(message: string): never {
  throw new KeyriteError('INVALID_ENCODING', message);
}

/** Reads a strict PEM "PUBLIC KEY" block (see module comment) and its SubjectPublicKeyInfo. */
export function pemToPublicKey(text: string, what = 'PEM public key'): { alg: PublicKeyAlg; publicKey: Uint8Array } {
  if (typeof text !== 'string') throw new KeyriteError('INVALID_INPUT', `The ${what} must be text.`);
  if (text.length > 16384) fail(`The ${what} is too long to be one of Keyrite's public keys.`);
  let s = text;
  if (s.includes('\r')) {
    if (/\r(?!\n)/.test(s)) fail(`The ${what} has a carriage return that is not part of a CRLF line ending.`);
    s = s.replace(/\r\n/g, '\n');
  }
  if (s.endsWith('\n')) s = s.slice(0, -1);
  const lines = s.split('\n');
  const first = lines[0]!;
  if (first !== BEGIN) {
    const m = /^-----BEGIN ([A-Z0-9 ]{1,40})-----$/.exec(first);
    if (m) fail(`The ${what} is labelled "${m[1]}", expected "${PEM_LABEL}".`);
    fail(`The ${what} must start with the line "${BEGIN}" (nothing before it).`);
  }
  const last = lines[lines.length - 1]!;
  if (lines.length < 3 || last !== END) {
    if (last === '') fail(`The ${what} has blank lines after its END line.`);
    fail(`The ${what} must end with the line "${END}" (nothing after it).`);
  }
  const body = lines.slice(1, -1);
  if (body.some((line) => line.startsWith('-----'))) fail(`The ${what} contains more than one PEM block.`);
  body.forEach((line, i) => {
    if (line.length === 0) fail(`The ${what} has a blank line inside the block (line ${i + 2}).`);
    if (/[^A-Za-z0-9+/=]/.test(line)) fail(`The ${what} has a character that is not base64 on line ${i + 2} (headers, spaces and tabs are not allowed).`);
  });
  body.forEach((line, i) => {
    if (i < body.length - 1 ? line.length !== LINE : line.length > LINE) {
      fail(`The ${what} has a base64 line of ${line.length} characters on line ${i + 2}; lines must be ${LINE} characters, the last one at most ${LINE}.`);
    }
  });
  const der = fromBase64(body.join(''), `base64 in the ${what}`);
  return spkiToPublicKey(der);
}
