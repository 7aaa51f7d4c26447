import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateAirGap, type NetworkInterfaceInfo } from '../../../core/airgap/status.ts';
import { readNetworkInterfaces } from '../../../core/node/network-interfaces.ts';
import { KeyriteError } from '../../../core/errors.ts';

const lo: NetworkInterfaceInfo = {
  name: 'lo',
  addresses: [
    { family: 'IPv4', address: '127.0.0.1', internal: true },
    { family: 'IPv6', address: '::1', internal: true },
  ],
};

test('only loopback: isolated', () => {
  const s = evaluateAirGap([lo]);
  assert.deepEqual(s, { isolated: true, interfaces: [], summary: 'No network interface is up besides loopback.' });
  assert.equal(evaluateAirGap([]).isolated, true);
});

test('loopback addresses without the internal flag still count as loopback', () => {
  assert.equal(evaluateAirGap([{ name: 'lo0', addresses: [{ family: 'IPv4', address: '127.0.0.2', internal: false }, { family: 'IPv6', address: '::1', internal: false }] }]).isolated, true);
});

test('a routable interface is up, named in the summary', () => {
  const s = evaluateAirGap([
    lo,
    { name: 'wlan0', addresses: [{ family: 'IPv6', address: 'fe80::1', internal: false }, { family: 'IPv4', address: '192.168.1.20', internal: false }] },
    { name: 'eth0', addresses: [{ family: 'IPv4', address: '10.0.0.5', internal: false }] },
  ]);
  assert.equal(s.isolated, false);
  assert.deepEqual(s.interfaces, [
    { name: 'eth0', addresses: ['10.0.0.5'], linkLocalOnly: false },
    { name: 'wlan0', addresses: ['192.168.1.20', 'fe80::1'], linkLocalOnly: false },
  ]);
  assert.match(s.summary, /^2 network interfaces are up: eth0, wlan0\./);
});

test('link-local only still counts as up, flagged', () => {
  const s = evaluateAirGap([{ name: 'eth1', addresses: [{ family: 'IPv4', address: '169.254.3.4', internal: false }, { family: 'IPv6', address: 'FE80::abcd', internal: false }] }]);
  assert.equal(s.isolated, false);
  assert.equal(s.interfaces[0]?.linkLocalOnly, true);
  assert.match(s.summary, /^1 network interface is up: eth1\./);
});

test('interfaces without addresses are not listed', () => {
  assert.equal(evaluateAirGap([lo, { name: 'eth0', addresses: [] }]).isolated, true);
});

test('malformed input is refused with a sentence', () => {
  for (const bad of [null, {}, [{}], [{ name: 'x', addresses: [{ family: 'IPX', address: 'a', internal: false }] }], [{ name: 'x', addresses: [{ family: 'IPv4', address: 1, internal: false }] }]]) {
    assert.throws(() => evaluateAirGap(bad as never), (e: unknown) => e instanceof KeyriteError && e.code === 'INVALID_INPUT');
  }
});

test('the Node reader returns well-formed interfaces for this machine', () => {
  const list = readNetworkInterfaces();
  assert.ok(Array.isArray(list));
  const s = evaluateAirGap(list);
  assert.equal(typeof s.isolated, 'boolean');
});
