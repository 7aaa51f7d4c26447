import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import fc from 'fast-check';
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';
import { pemToPublicKey, publicKeyToPem, publicKeyToSpki, spkiToPublicKey, SPKI_PREFIX } from '../../../core/encoding/pem.ts';
import { fromHex, toHex } from '../../../core/encoding/hex.ts';
import { fixtureText, onlyKeyriteErrors, throwsKeyrite } from './_helpers.ts';

// RFC 8410 §10.1 example public key.
const RFC8410_PEM = '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n';
const RFC8410_KEY = '19bf44096984cdfe8541bac167dc3b96c85086aa30b6b6cb0c5c38ad703166e1';

const edPub = ed25519.getPublicKey(new Uint8Array(32).fill(3));
const pPub = p256.getPublicKey(new Uint8Array(32).fill(3), false);
const mlSeed = Uint8Array.from({ length: 32 }, (_, i) => i);
const mlPub = ml_dsa65.keygen(mlSeed).publicKey;

test('pem: RFC 8410 §10.1 Ed25519 example round-trips byte for byte', () => {
  const { alg, publicKey } = pemToPublicKey(RFC8410_PEM);
  assert.equal(alg, 'Ed25519');
  assert.equal(toHex(publicKey), RFC8410_KEY);
  assert.equal(publicKeyToPem('Ed25519', publicKey), RFC8410_PEM);
  assert.equal(toHex(publicKeyToSpki('Ed25519', publicKey)), `302a300506032b6570032100${RFC8410_KEY}`);
});

test('pem: RFC 9881 ML-DSA-65 example public key (seed 00 01 … 1f) byte for byte', () => {
  const pem = fixtureText('rfc9881/ML-DSA-65.pub.pem');
  assert.equal(publicKeyToPem('ML-DSA-65', mlPub), pem);
  const { alg, publicKey } = pemToPublicKey(pem);
  assert.equal(alg, 'ML-DSA-65');
  assert.deepEqual(publicKey, mlPub);
  const der = publicKeyToSpki('ML-DSA-65', mlPub);
  assert.equal(der.length, 1974);
  assert.equal(toHex(der.subarray(0, 22)), '308207b2300b0609608648016503040312038207a100');
});

test('pem: Ed25519 and P-256 SPKI agree with Node (OpenSSL)', () => {
  for (const [alg, pk, len] of [['Ed25519', edPub, 44], ['P-256', pPub, 91]] as const) {
    const der = publicKeyToSpki(alg, pk);
    assert.equal(der.length, len);
    const pem = publicKeyToPem(alg, pk);
    const node = createPublicKey(pem);
    assert.deepEqual(new Uint8Array(node.export({ type: 'spki', format: 'der' })), der);
    assert.equal(node.export({ type: 'spki', format: 'pem' }), pem);
    assert.deepEqual(pemToPublicKey(pem), { alg, publicKey: pk });
    assert.deepEqual(spkiToPublicKey(der), { alg, publicKey: pk });
  }
  assert.equal(toHex(SPKI_PREFIX['P-256']), '3059301306072a8648ce3d020106082a8648ce3d030107034200');
});

test('pem: CRLF line endings and a missing final newline are accepted', () => {
  assert.equal(pemToPublicKey(RFC8410_PEM.replace(/\n/g, '\r\n')).alg, 'Ed25519');
  assert.equal(pemToPublicKey(RFC8410_PEM.trimEnd()).alg, 'Ed25519');
});

test('pem: strict PEM framing', () => {
  const ml = publicKeyToPem('ML-DSA-65', mlPub);
  const lines = ml.split('\n');
  throwsKeyrite(() => pemToPublicKey(RFC8410_PEM.replace(/PUBLIC KEY/g, 'PRIVATE KEY')), 'INVALID_ENCODING', /labelled "PRIVATE KEY"/);
  throwsKeyrite(() => pemToPublicKey(RFC8410_PEM.replace('BEGIN PUBLIC KEY', 'BEGIN CERTIFICATE')), 'INVALID_ENCODING', /labelled "CERTIFICATE"/);
  throwsKeyrite(() => pemToPublicKey(RFC8410_PEM.replace('END PUBLIC KEY', 'END PRIVATE KEY')), 'INVALID_ENCODING', /must end with/);
  throwsKeyrite(() => pemToPublicKey('Subject: me\n' + RFC8410_PEM), 'INVALID_ENCODING', /must start with/);
  throwsKeyrite(() => pemToPublicKey(' ' + RFC8410_PEM), 'INVALID_ENCODING', /must start with/);
  throwsKeyrite(() => pemToPublicKey(RFC8410_PEM + 'trailing\n'), 'INVALID_ENCODING', /must end with/);
  throwsKeyrite(() => pemToPublicKey(RFC8410_PEM + '\n'), 'INVALID_ENCODING', /blank lines after/);
  throwsKeyrite(() => pemToPublicKey(RFC8410_PEM + RFC8410_PEM), 'INVALID_ENCODING', /more than one PEM block/);
  throwsKeyrite(() => pemToPublicKey(RFC8410_PEM.replace('\nMCow', '\nProc-Type: 4,ENCRYPTED\n\nMCow')), 'INVALID_ENCODING');
  throwsKeyrite(() => pemToPublicKey(RFC8410_PEM.replace('MCow', 'MC ow')), 'INVALID_ENCODING', /not base64/);
  throwsKeyrite(() => pemToPublicKey(RFC8410_PEM.replace('MCow', 'MC-w')), 'INVALID_ENCODING', /not base64/);
  throwsKeyrite(() => pemToPublicKey(RFC8410_PEM.replace('\n-----END', '\n\n-----END')), 'INVALID_ENCODING', /blank line/);
  throwsKeyrite(() => pemToPublicKey(RFC8410_PEM.replace(/\n/g, '\r')), 'INVALID_ENCODING', /carriage return/);
  throwsKeyrite(() => pemToPublicKey('-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n'), 'INVALID_ENCODING');
  // Lines must be 64 characters except the last.
  const rewrapped = [lines[0], ...lines.slice(1, -2).join('').match(/.{1,76}/g)!, lines.at(-2)].join('\n');
  throwsKeyrite(() => pemToPublicKey(rewrapped), 'INVALID_ENCODING', /lines must be 64/);
  const shortMiddle = [...lines.slice(0, 2), lines[2]!.slice(0, 60), lines[2]!.slice(60) + lines[3]!.slice(0, 60), ...lines.slice(4)].join('\n');
  throwsKeyrite(() => pemToPublicKey(shortMiddle), 'INVALID_ENCODING');
  throwsKeyrite(() => pemToPublicKey(RFC8410_PEM.replace('ZuE=', 'ZuE')), 'INVALID_ENCODING', /base64/);
  throwsKeyrite(() => pemToPublicKey(RFC8410_PEM.replace('ZuE=', 'ZuF=')), 'INVALID_ENCODING', /canonical/);
  throwsKeyrite(() => pemToPublicKey(42 as unknown as string), 'INVALID_INPUT');
  throwsKeyrite(() => pemToPublicKey('x'.repeat(20000)), 'INVALID_ENCODING', /too long/);
});

test('pem: strict DER', () => {
  const der = publicKeyToSpki('Ed25519', edPub);
  const pemOf = (d: Uint8Array): string => `-----BEGIN PUBLIC KEY-----\n${Buffer.from(d).toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END PUBLIC KEY-----\n`;
  throwsKeyrite(() => spkiToPublicKey(Uint8Array.of(...der, 0)), 'INVALID_LENGTH', /44 bytes, got 45/);
  throwsKeyrite(() => pemToPublicKey(pemOf(Uint8Array.of(...der, 0))), 'INVALID_LENGTH');
  throwsKeyrite(() => spkiToPublicKey(der.subarray(0, 43)), 'INVALID_LENGTH', /44 bytes, got 43/);
  // Explicit NULL parameters (RFC 8410 §3: parameters MUST be absent).
  throwsKeyrite(() => spkiToPublicKey(fromHex(`302c300706032b65700500032100${toHex(edPub)}`)), 'INVALID_KEY', /exact DER/);
  // X25519 (1.3.101.110) is not a signature key.
  throwsKeyrite(() => spkiToPublicKey(fromHex(`302a300506032b656e032100${toHex(edPub)}`)), 'INVALID_KEY');
  // ML-DSA-44 OID (…3.17) and ML-DSA-65 with explicit NULL.
  throwsKeyrite(() => spkiToPublicKey(fromHex(`308207b2300b0609608648016503040311038207a100${toHex(mlPub)}`)), 'INVALID_KEY');
  throwsKeyrite(() => spkiToPublicKey(fromHex(`308207b4300d06096086480165030403120500038207a100${toHex(mlPub)}`)), 'INVALID_KEY');
  // BER long-form length where DER needs the short form.
  throwsKeyrite(() => spkiToPublicKey(fromHex(`30812a300506032b6570032100${toHex(edPub)}`)), 'INVALID_KEY');
  // Compressed P-256 point.
  const compressed = p256.getPublicKey(new Uint8Array(32).fill(3), true);
  throwsKeyrite(() => spkiToPublicKey(fromHex(`3039301306072a8648ce3d020106082a8648ce3d030107032200${toHex(compressed)}`)), 'INVALID_KEY');
  // Right prefix, point not on the curve / not uncompressed.
  const offCurve = Uint8Array.from(pPub);
  offCurve[64] = offCurve[64]! ^ 1;
  throwsKeyrite(() => spkiToPublicKey(Uint8Array.of(...SPKI_PREFIX['P-256'], ...offCurve)), 'INVALID_KEY', /P-256 curve/);
  throwsKeyrite(() => publicKeyToPem('P-256', offCurve), 'INVALID_KEY');
  throwsKeyrite(() => spkiToPublicKey('MCow' as unknown as Uint8Array), 'INVALID_INPUT');
  throwsKeyrite(() => spkiToPublicKey(new Uint8Array(0)), 'INVALID_KEY');
});

test('pem (property): round trip for random keys; random text raises only KeyriteError', () => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (seed) => {
    const pk = ed25519.getPublicKey(seed);
    assert.deepEqual(pemToPublicKey(publicKeyToPem('Ed25519', pk)).publicKey, pk);
  }), { numRuns: 30 });
  fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => {
    onlyKeyriteErrors(() => pemToPublicKey(s));
    onlyKeyriteErrors(() => pemToPublicKey(`-----BEGIN PUBLIC KEY-----\n${s}\n-----END PUBLIC KEY-----\n`));
  }));
  fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), (b) => onlyKeyriteErrors(() => spkiToPublicKey(b))));
  // Any single-byte change of a valid SPKI is refused or yields a different key (never the same key).
  const der = publicKeyToSpki('Ed25519', edPub);
  fc.assert(fc.property(fc.nat({ max: der.length - 1 }), fc.integer({ min: 1, max: 255 }), (i, x) => {
    const d = Uint8Array.from(der);
    d[i] = d[i]! ^ x;
    try {
      const r = spkiToPublicKey(d);
      assert.ok(i >= 12 && toHex(r.publicKey) !== toHex(edPub));
    } catch (e) {
      onlyKeyriteErrors(() => {
        throw e;
      });
    }
  }));
});
