import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkShareAgainstManifest, encodeManifest, manifestFromJson, manifestToJson, parseManifest, type EscrowManifest } from '../../../core/escrow/manifest.ts';
import { isKeyriteError } from '../../../core/errors.ts';
import { fiveTrustees, flip, makeEscrow, makeMaster, offer } from './helpers.ts';

const master = makeMaster(1);
const trustees = fiveTrustees();
const created = makeEscrow(master, trustees);

test('the manifest file is canonical JSON that reads back to the same manifest', async () => {
  const { manifest } = await created;
  const text = encodeManifest(manifest);
  const back = parseManifest(text);
  assert.equal(encodeManifest(back), text);
  const obj = JSON.parse(text) as Record<string, unknown> & { trustees: Array<Record<string, unknown>> };
  assert.deepEqual(Object.keys(obj), ['blob', 'ceremonyId', 'epoch', 'format', 'masterFingerprint', 'n', 'suites', 't', 'trustees']);
  assert.equal(obj.format, 'keyrite/escrow-manifest/v1');
  assert.equal(obj.trustees.length, 5);
  assert.deepEqual(Object.keys(obj.trustees[0]!), ['commitment', 'fingerprint', 'id', 'name', 'x']);
  assert.deepEqual(obj.trustees.map((t) => t.id), trustees.map((t) => t.id));
  assert.deepEqual(obj.trustees.map((t) => t.fingerprint), trustees.map((t) => t.fingerprint));
  assert.ok(!/"(y|salt|share)"/.test(text), 'no secret members');
});

test('each trustee checks their own share alone', async () => {
  const c = await created;
  for (let i = 0; i < 5; i++) {
    const o = offer(c, trustees, i);
    const r = checkShareAgainstManifest(c.manifest, o.trusteeId, o.share, o.salt);
    assert.ok(r.ok);
    assert.equal(r.ok && r.trustee.id, trustees[i]!.id);
  }
  const o = offer(c, trustees, 0);
  const cases: Array<[Parameters<typeof checkShareAgainstManifest>, RegExp]> = [
    [[c.manifest, 'trustee-9', o.share, o.salt], /not a trustee/],
    [[c.manifest, trustees[1]!.id, o.share, o.salt], /index/],
    [[c.manifest, o.trusteeId, { x: o.share.x, y: flip(o.share.y, 3) }, o.salt], /published commitment/],
    [[c.manifest, o.trusteeId, o.share, flip(o.salt, 9)], /published commitment/],
    [[c.manifest, o.trusteeId, { x: o.share.x, y: o.share.y.subarray(1) }, o.salt], /32 bytes/],
    [[c.manifest, o.trusteeId, o.share, o.salt.subarray(1)], /salt/],
  ];
  for (const [args, reason] of cases) {
    const r = checkShareAgainstManifest(...args);
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.reason, reason);
  }
});

function mutate(m: EscrowManifest, f: (o: Record<string, unknown> & { trustees: Array<Record<string, unknown>> }) => void): string {
  const o = JSON.parse(encodeManifest(m)) as Record<string, unknown> & { trustees: Array<Record<string, unknown>> };
  f(o);
  return JSON.stringify(o);
}

test('consistency: n entries, distinct x/ids/fingerprints, 2 ≤ t ≤ n, blob of the same escrow', async () => {
  const { manifest } = await created;
  const cases: Array<[string, (o: Record<string, unknown> & { trustees: Array<Record<string, unknown>> }) => void, RegExp]> = [
    ['4 entries for n = 5', (o) => void o.trustees.pop(), /4 trustees for n = 5/],
    ['t > n', (o) => void (o.t = 6), /threshold/],
    ['t = 1', (o) => void (o.t = 1), /"t"/],
    ['n = 256', (o) => void (o.n = 256), /"n"/],
    ['duplicate x', (o) => void (o.trustees[1]!.x = o.trustees[0]!.x), /same share index|share index/],
    ['x = 0', (o) => void (o.trustees[1]!.x = 0), /"x"/],
    ['duplicate id', (o) => void (o.trustees[1]!.id = o.trustees[0]!.id), /appears twice/],
    ['duplicate fingerprint', (o) => void (o.trustees[1]!.fingerprint = o.trustees[0]!.fingerprint), /same key fingerprint/],
    ['duplicate commitment', (o) => void (o.trustees[1]!.commitment = o.trustees[0]!.commitment), /same share commitment/],
    ['other epoch', (o) => void (o.epoch = 1), /epoch/],
    ['other ceremony', (o) => void (o.ceremonyId = 'ff'.repeat(16)), /another ceremony/],
    ['other master', (o) => void (o.masterFingerprint = 'ee'.repeat(32)), /another master key/],
    ['unknown member', (o) => void (o.policy = 'x'), /unexpected member/],
    ['unknown trustee member', (o) => void (o.trustees[0]!.pin = '1234'), /unexpected member/],
    ['control character in a name', (o) => void (o.trustees[0]!.name = 'Al\u0007ice'), /printable/],
    ['empty name', (o) => void (o.trustees[0]!.name = ''), /printable/],
    ['uppercase commitment', (o) => void (o.trustees[0]!.commitment = (o.trustees[0]!.commitment as string).toUpperCase()), /hex/],
    ['trustees not a list', (o) => void (o.trustees = {} as never), /list/],
  ];
  for (const [name, f, reason] of cases) assert.throws(() => parseManifest(mutate(manifest, f)), (e) => isKeyriteError(e, 'INVALID_INPUT') && reason.test((e as Error).message), name);
  // A name is optional.
  const noName = parseManifest(mutate(manifest, (o) => void delete o.trustees[0]!.name));
  assert.equal(noName.trustees[0]!.name, undefined);
  assert.equal(manifestFromJson(manifestToJson(noName)).trustees[0]!.name, undefined);
});

test('garbage JSON never parses as a manifest', async () => {
  const { manifest } = await created;
  const keys = Object.keys(JSON.parse(encodeManifest(manifest)) as object);
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string(),
        fc.json(),
        fc.dictionary(fc.constantFrom(...keys), fc.jsonValue()).map((o) => JSON.stringify(o)),
      ),
      (text) => {
        assert.throws(() => parseManifest(text), (e) => isKeyriteError(e));
      },
    ),
    { numRuns: 300 },
  );
});
