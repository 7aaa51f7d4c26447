/**
 * Escrow epochs (core/escrow/epoch.ts; docs/FORMATS.md "Reshare"): a reshare's new epoch of the same
 * key recovers from every t-subset of its holders (4-of-7 and 2-of-3), an envelope of the
 * superseded epoch is named with its epoch before anything is opened, and escrow.superseded
 * entries are read strictly (carried-forward epochs, garbage refused with a KeyriteError).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { recoverFromShares, checkOffer } from '../../../core/escrow/recovery.ts';
import { supersededEnvelopeReason, supersededEpochs } from '../../../core/escrow/epoch.ts';
import { KeyriteError } from '../../../core/errors.ts';
import { equalBytes } from '../../../core/bytes.ts';
import { CEREMONY_A, CEREMONY_B, makeEscrow, makeMaster, makeTrustee, offer } from './helpers.ts';

function subsets(n: number, t: number): number[][] {
  const out: number[][] = [];
  const pick = (from: number, acc: number[]): void => {
    if (acc.length === t) return void out.push([...acc]);
    for (let i = from; i < n; i++) pick(i + 1, [...acc, i]);
  };
  pick(0, []);
  return out;
}

for (const [n, t] of [[7, 4], [3, 2]] as const) {
  test(`a new epoch split ${t}-of-${n}: every one of the C(${n}, ${t}) subsets recovers the same S; an epoch-0 envelope is refused by name`, async () => {
    const master = makeMaster(3);
    const trustees = Array.from({ length: n }, (_, i) => makeTrustee(i + 1));
    const old = await makeEscrow(master, trustees.slice(0, 5), CEREMONY_A, 0, 3);
    const next = await makeEscrow(master, trustees, CEREMONY_B, 1, t);
    const all = subsets(n, t);
    assert.equal(all.length, next.verification.subsetsChecked);
    for (const s of all) {
      const r = await recoverFromShares({ manifest: next.manifest, masterPublicKey: master.publicKey, offered: s.map((i) => offer(next, trustees, i)) });
      assert.ok(equalBytes(r.seed, master.S), `subset ${s.join(',')}`);
    }
    const superseded = [{ ceremonyId: CEREMONY_A, epoch: 0, supersededBy: CEREMONY_B, supersededAt: '2026-12-07T10:00:00Z' }];
    const reason = supersededEnvelopeReason(old.envelopes[0]!.header, next.manifest, superseded);
    assert.equal(reason, 'this envelope is from epoch 0, superseded by the reshare of 2026-12-07 (ceremony ffeeddcc…); the current epoch is 1. Bring your envelope of epoch 1 (from the folder the reshare gave you), and destroy this one');
    assert.equal(supersededEnvelopeReason(next.envelopes[0]!.header, next.manifest, superseded), undefined);
    // Without the record, the old envelope is still refused (another ceremony), never combined.
    const check = checkOffer(next.manifest, master.publicKey, offer(old, trustees, 0));
    assert.equal(check.ok, false);
  });
}

test('escrow.superseded is read with its carried-forward epochs, newest first', () => {
  const entries = [
    { type: 'ceremony.start', time: '2026-12-07T09:00:00Z', body: {} },
    { type: 'escrow.superseded', time: '2026-12-07T10:00:00Z', body: { ceremonyId: CEREMONY_B, epoch: 1, earlier: [{ ceremonyId: CEREMONY_A, epoch: 0, supersededBy: CEREMONY_B, supersededAt: '2026-12-01T10:00:00Z' }] } },
  ];
  assert.deepEqual(supersededEpochs(entries, 'c'.repeat(32)), [
    { ceremonyId: CEREMONY_B, epoch: 1, supersededBy: 'c'.repeat(32), supersededAt: '2026-12-07T10:00:00Z' },
    { ceremonyId: CEREMONY_A, epoch: 0, supersededBy: CEREMONY_B, supersededAt: '2026-12-01T10:00:00Z' },
  ]);
  assert.deepEqual(supersededEpochs([entries[0]!], 'c'.repeat(32)), []);
});

test('a garbage escrow.superseded body is refused with a KeyriteError, never a crash', () => {
  fc.assert(
    fc.property(fc.jsonValue(), fc.jsonValue(), (epoch, earlier) => {
      try {
        supersededEpochs([{ type: 'escrow.superseded', time: 't', body: { ceremonyId: CEREMONY_A, epoch, earlier } }], CEREMONY_B);
      } catch (e) {
        assert.ok(e instanceof KeyriteError, String(e));
      }
    }),
  );
});
