/**
 * DSSE v1 (Dead Simple Signing Envelope, secure-systems-lab/dsse, protocol.md v1.0.0 and
 * envelope.md):
 *   PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
 *   LEN(s) = ASCII decimal byte length of s, no leading zeros; type = UTF8(PAYLOAD_TYPE).
 * Every signature is over PAE(UTF8(payloadType), payload), never over the base64 text.
 *
 * JSON envelope: {"payload": Base64(body), "payloadType": type,
 *                 "signatures": [{"keyid": KEYID, "sig": Base64(SIGNATURE)}, …]}.
 * Keyrite writes standard base64 with padding (RFC 4648 §4), the canonical (RFC 8785)
 * JSON text, and always the keyid (the signer's RFC 7638 thumbprint).
 * Reading (docs/FORMATS.md, "DSSE"):
 *  - the three top-level members are required and no others are accepted; each signature
 *    object has "sig" (required) and "keyid" (optional, per the spec) and nothing else;
 *  - payloadType must be a non-empty string (an empty type is supported by no verifier);
 *  - base64: the spec says verifiers MUST accept standard and URL-safe base64, so both
 *    alphabets are read, padding optional; a value mixing the two alphabets, with
 *    non-canonical trailing bits or with wrong padding is refused;
 *  - duplicate signature entries are kept: the verifier counts distinct principals
 *    (DESIGN.md), never entries or keyids, and the keyid is only a hint (protocol.md).
 */
import { KeyriteError } from '../errors.ts';
import { concatBytes, utf8 } from '../bytes.ts';
import { fromBase64, fromBase64url, toBase64 } from './base64url.ts';
import { canonicalize } from './jcs.ts';
import { parseJsonStrict, type JsonParseOptions } from './json.ts';
import { findLoneSurrogate } from './utf16.ts';
import { expectList, expectMembers, expectObject, readString } from './json-fields.ts';

export const DSSE_PAE_PREFIX = 'DSSEv1';

export interface DsseSignature {
  /** Unauthenticated hint naming the key; Keyrite writes the RFC 7638 thumbprint. */
  keyid?: string;
  sig: Uint8Array;
}

export interface DsseEnvelope {
  payloadType: string;
  payload: Uint8Array;
  signatures: DsseSignature[];
}

function assertPayloadType(payloadType: unknown): asserts payloadType is string {
  if (typeof payloadType !== 'string') throw new KeyriteError('INVALID_INPUT', 'The DSSE payload type must be a string.');
  if (findLoneSurrogate(payloadType) !== -1) throw new KeyriteError('INVALID_ENCODING', 'The DSSE payload type contains a lone surrogate, which has no UTF-8 encoding.');
}

/** Pre-Authentication Encoding of protocol.md: the exact bytes that are signed. */
export function pae(payloadType: string, payload: Uint8Array): Uint8Array {
  assertPayloadType(payloadType);
  if (!(payload instanceof Uint8Array)) throw new KeyriteError('INVALID_INPUT', 'The DSSE payload must be a byte array.');
  const type = utf8(payloadType);
  return concatBytes(utf8(`${DSSE_PAE_PREFIX} ${type.length} `), type, utf8(` ${payload.length} `), payload);
}

/** The envelope as canonical JSON text (no trailing newline), standard padded base64. */
export function encodeEnvelope(envelope: DsseEnvelope): string {
  if (typeof envelope !== 'object' || envelope === null) throw new KeyriteError('INVALID_INPUT', 'A DSSE envelope must be an object.');
  assertPayloadType(envelope.payloadType);
  if (envelope.payloadType.length === 0) throw new KeyriteError('INVALID_INPUT', 'The DSSE payload type must not be empty.');
  if (!(envelope.payload instanceof Uint8Array)) throw new KeyriteError('INVALID_INPUT', 'The DSSE payload must be a byte array.');
  if (!Array.isArray(envelope.signatures)) throw new KeyriteError('INVALID_INPUT', 'The DSSE signatures must be a list.');
  const signatures = envelope.signatures.map((s, i) => {
    if (!(s.sig instanceof Uint8Array) || s.sig.length === 0) throw new KeyriteError('INVALID_INPUT', `DSSE signature ${i + 1} must be a non-empty byte array.`);
    if (s.keyid === undefined) return { sig: toBase64(s.sig) };
    if (typeof s.keyid !== 'string') throw new KeyriteError('INVALID_INPUT', `The keyid of DSSE signature ${i + 1} must be a string.`);
    return { keyid: s.keyid, sig: toBase64(s.sig) };
  });
  return canonicalize({ payload: toBase64(envelope.payload), payloadType: envelope.payloadType, signatures });
}

function fail(message: string): never {
  throw new KeyriteError('INVALID_ENCODING', message);
}

/** Standard or URL-safe base64 (RFC 4648 §4, §5), padding optional but correct if present. */
function decodeEitherBase64(text: string, what: string): Uint8Array {
  if (/[^A-Za-z0-9+/=_-]/.test(text)) fail(`The ${what} contains a character that is not base64.`);
  const std = /[+/]/.test(text);
  const url = /[-_]/.test(text);
  if (std && url) fail(`The ${what} mixes the standard and URL-safe base64 alphabets.`);
  if (text.includes('=')) return fromBase64(text.replace(/-/g, '+').replace(/_/g, '/'), what);
  return fromBase64url(text.replace(/\+/g, '-').replace(/\//g, '_'), what);
}

/** The members of the envelope, read through json-fields.ts; a malformed one is an encoding error of the envelope. */
function readMembers(doc: unknown): { payloadType: string; payload: string; signatures: { sig: string; keyid?: string }[] } {
  try {
    const o = expectObject(doc, 'DSSE envelope');
    expectMembers(o, 'DSSE envelope', ['payload', 'payloadType', 'signatures']);
    const signatures = expectList(o.signatures, 'DSSE signatures').map((s, i) => {
      const what = `DSSE signature ${i + 1}`;
      const g = expectObject(s, what);
      expectMembers(g, what, ['sig'], ['keyid']);
      return { sig: readString(g, 'sig', what), ...(Object.prototype.hasOwnProperty.call(g, 'keyid') ? { keyid: readString(g, 'keyid', what) } : {}) };
    });
    return { payloadType: readString(o, 'payloadType', 'DSSE envelope'), payload: readString(o, 'payload', 'DSSE envelope'), signatures };
  } catch (e) {
    if (e instanceof KeyriteError) fail(e.message);
    throw e;
  }
}

/** Reads a DSSE JSON envelope strictly; see the module comment for the rules. */
export function parseEnvelope(text: string, options: Pick<JsonParseOptions, 'maxLength'> = {}): DsseEnvelope {
  const { payloadType, payload, signatures } = readMembers(parseJsonStrict(text, 'DSSE envelope', options.maxLength === undefined ? {} : { maxLength: options.maxLength }));
  if (payloadType.length === 0) fail('The "payloadType" of the DSSE envelope is empty.');
  const sigs: DsseSignature[] = signatures.map((s, i) => {
    const sig = decodeEitherBase64(s.sig, `"sig" of DSSE signature ${i + 1}`);
    if (sig.length === 0) fail(`DSSE signature ${i + 1} is empty.`);
    return s.keyid === undefined ? { sig } : { keyid: s.keyid, sig };
  });
  return { payloadType, payload: decodeEitherBase64(payload, '"payload" of the DSSE envelope'), signatures: sigs };
}
