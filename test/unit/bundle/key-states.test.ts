// keys/key-states.json (core/bundle/key-states.ts; docs/FORMATS.md "Key states"): the one
// canonical form round-trips; every rule refuses with a typed error naming the file; random
// byte changes and any JSON value in any member are accepted (then in canonical form) or
// refused, never a crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { utf8 } from '../../../core/bytes.ts';
import { isKeyriteError } from '../../../core/errors.ts';
import { encodeKeyStates, parseKeyStates, stateAt, MAX_STATED_KEYS, type KeyStates } from '../../../core/bundle/key-states.ts';

const KID_A = 'azUPmTMTeTTQ4h0BTwzyWmkt9DFO4zH8Rfk6cl_6-uM';
const KID_B = 'aTluSyUHFbmBJ9lk0_PQJn4h6VidAqTaWPt3SBVFPxY';
const T = '2026-12-07T18:29:01.534Z';
const UNTIL = '2027-01-06T18:29:01.534Z';

function example(): KeyStates {
  return {
    format: 'keyrite/key-states/v1',
    ceremonyId: '345697a842c2352cd9b8ae7efcda5930',
    issuedAt: T,
    keys: [
      { fingerprint: 'a'.repeat(64), kids: { classical: KID_A, pq: KID_B }, ceremonyId: '345697a842c2352cd9b8ae7efcda5930', state: 'active', since: T },
      { fingerprint: 'b'.repeat(64), kids: { classical: KID_B, pq: KID_A }, ceremonyId: '9f10591d16784866490f5851eae7c1bc', state: 'deprecated', since: T, until: UNTIL },
      { fingerprint: 'c'.repeat(64), kids: { classical: KID_A, pq: KID_A }, ceremonyId: '0'.repeat(32), state: 'retired', since: '2026-01-01T00:00:00.000Z' },
      { fingerprint: 'd'.repeat(64), kids: { classical: KID_B, pq: KID_B }, ceremonyId: '1'.repeat(32), state: 'revoked', since: '2025-06-01T00:00:00.000Z', revokedAt: '2025-05-30T12:00:00.000Z' },
    ],
  };
}

/** The example as plain JSON, to edit. */
function json(): Record<string, unknown> & { keys: Record<string, unknown>[] } {
  return JSON.parse(new TextDecoder().decode(encodeKeyStates(example())));
}

/** Canonical bytes of an edited document (JSON.stringify of sorted members is RFC 8785 for this ASCII content). */
function canonical(v: unknown): Uint8Array {
  const sort = (x: unknown): unknown => (Array.isArray(x) ? x.map(sort) : x !== null && typeof x === 'object' ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, sort((x as Record<string, unknown>)[k])])) : x);
  return utf8(JSON.stringify(sort(v)) + '\n');
}

function refused(bytes: Uint8Array, message: RegExp): void {
  assert.throws(() => parseKeyStates(bytes), (e: unknown) => isKeyriteError(e) && message.test(e.message), message.source);
}

test('the canonical form round-trips, and a deprecated key is retired once its grace has ended', () => {
  const bytes = encodeKeyStates(example());
  assert.deepEqual(parseKeyStates(bytes), example());
  const [active, deprecated, retired, revoked] = example().keys;
  assert.equal(stateAt(deprecated!, T), 'deprecated');
  assert.equal(stateAt(deprecated!, UNTIL), 'retired');
  assert.equal(stateAt(active!, UNTIL), 'active');
  assert.equal(stateAt(retired!, T), 'retired');
  assert.equal(stateAt(revoked!, T), 'revoked');
});

test("a revocation's key states: the newest key revoked and no key active; a second key active beside it is refused", () => {
  const revoked: KeyStates = { ...example(), keys: [{ ...example().keys[0]!, state: 'revoked', revokedAt: T }, ...example().keys.slice(1)] };
  assert.deepEqual(parseKeyStates(encodeKeyStates(revoked)), revoked);
  const bad = JSON.parse(new TextDecoder().decode(encodeKeyStates(revoked)));
  bad.keys[1].state = 'active';
  delete bad.keys[1].until;
  refused(canonical(bad), /the newest key first, active \(or revoked by a revocation\), and no other active key/);
});

test('every rule refuses with its sentence', () => {
  const edit = (f: (d: ReturnType<typeof json>) => void): Uint8Array => {
    const d = json();
    f(d);
    return canonical(d);
  };
  refused(utf8(JSON.stringify(example(), null, 2)), /not in the form Keyrite writes/);
  refused(utf8(new TextDecoder().decode(encodeKeyStates(example())).trimEnd()), /not in the form Keyrite writes/);
  refused(edit((d) => (d.extra = 1)), /unexpected member "extra"/);
  refused(edit((d) => delete d.issuedAt), /no "issuedAt" member/);
  refused(edit((d) => (d.format = 'keyrite/key-states/v2')), /not of the format keyrite\/key-states\/v1/);
  refused(edit((d) => (d.keys = [])), /1 to 1000 keys/);
  refused(edit((d) => {
    d.keys[1]!.state = 'active';
    delete d.keys[1]!.until;
  }), /the newest key first, active \(or revoked by a revocation\), and no other active key/);
  refused(edit((d) => (d.keys = [d.keys[1]!, d.keys[0]!])), /the newest key first, active \(or revoked by a revocation\), and no other active key/);
  refused(edit((d) => (d.keys[2]!.fingerprint = 'b'.repeat(64))), /lists a key twice/);
  refused(edit((d) => delete d.keys[1]!.until), /no "until" member/);
  refused(edit((d) => (d.keys[0]!.until = UNTIL)), /unexpected member "until"/);
  refused(edit((d) => (d.keys[0]!.revokedAt = T)), /unexpected member "revokedAt"/);
  refused(edit((d) => (d.keys[1]!.until = T)), /grace period that ends before it begins/);
  refused(edit((d) => (d.keys[0]!.since = '2026-12-07T18:29:01Z')), /not a UTC time/);
  refused(edit((d) => (d.keys[0]!.since = '2026-02-30T00:00:00.000Z')), /not a UTC time/);
  refused(edit((d) => (d.keys[0]!.fingerprint = 'A'.repeat(64))), /64 lowercase hex digits/);
  refused(edit((d) => (d.keys[0]!.ceremonyId = 'a'.repeat(31))), /32 lowercase hex digits/);
  refused(edit((d) => ((d.keys[0]!.kids as Record<string, string>).pq = `${KID_A}=`)), /RFC 7638 thumbprint/);
  refused(edit((d) => ((d.keys[0]!.kids as Record<string, string>).other = KID_A)), /unexpected member "other"/);
  refused(edit((d) => (d.keys[0]!.state = 'suspended')), /"state" must be/);
  refused(edit((d) => (d.keys = [d.keys[0]!, ...Array.from({ length: MAX_STATED_KEYS }, (_, i) => ({ ...d.keys[2]!, fingerprint: i.toString(16).padStart(64, '0') }))])), /1 to 1000 keys/);
  refused(new Uint8Array([0xff, 0xfe, 0x7b]), /key-states/);
  refused(new Uint8Array(1024 * 1024 + 1).fill(0x20), /larger than/);
  refused(utf8('[]\n'), /JSON object/);
  refused(utf8('{"a":1,"a":2}\n'), /key-states|duplicate/i);
  assert.throws(() => parseKeyStates('{}' as unknown as Uint8Array), (e: unknown) => isKeyriteError(e) && /as bytes/.test(e.message));
});

test('property: random byte changes parse (then in the one canonical form) or are refused with a typed error naming the file', () => {
  const base = encodeKeyStates(example());
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (edits) => {
      const bytes = Uint8Array.from(base);
      for (const [i, b] of edits) bytes[i] = b;
      let states: KeyStates;
      try {
        states = parseKeyStates(bytes);
      } catch (e) {
        assert.ok(isKeyriteError(e) && /key-states/.test(e.message), String(e));
        return;
      }
      assert.deepEqual(encodeKeyStates(states), bytes);
    }),
    { numRuns: 400 },
  );
});

test('property: any member replaced by any JSON value is accepted or refused with a typed error, never a crash', () => {
  const paths: (string | number)[][] = [['format'], ['ceremonyId'], ['issuedAt'], ['keys']];
  for (let k = 0; k < 4; k++) for (const m of ['fingerprint', 'kids', 'ceremonyId', 'state', 'since', 'until', 'revokedAt']) paths.push(['keys', k, m]);
  paths.push(['keys', 0, 'kids', 'classical'], ['keys', 1, 'kids', 'pq']);
  fc.assert(
    fc.property(fc.constantFrom(...paths), fc.jsonValue(), (path, value) => {
      const doc = json() as unknown as Record<string | number, unknown>;
      let at = doc;
      for (const p of path.slice(0, -1)) at = at[p] as Record<string | number, unknown>;
      at[path[path.length - 1]!] = value;
      try {
        parseKeyStates(canonical(doc));
      } catch (e) {
        assert.ok(isKeyriteError(e) && /key-states/.test(e.message), String(e));
      }
    }),
    { numRuns: 400 },
  );
});
