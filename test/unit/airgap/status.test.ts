import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { evaluateAirGap, type AirGapStatus, type NetworkInterfaceInfo } from '../../../core/airgap/status.ts';
import { KeyriteError } from '../../../core/errors.ts';
import { emptyNetworkNamespace } from '../../helpers/netns.ts';

const NAMESPACE_SCRIPT = new URL('./namespace-interfaces.ts', import.meta.url).pathname;

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

test('the Node reader on real interfaces: an empty network namespace, loopback, a veth pair, its peer end down', () => {
  // Interfaces set up with iproute2 inside a new network namespace (namespace-interfaces.ts).
  const [unshare, ...unshareArgs] = emptyNetworkNamespace();
  const child = spawnSync(unshare!, [...unshareArgs, process.execPath, '--import', 'tsx', NAMESPACE_SCRIPT], { encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  const stages = JSON.parse(child.stdout) as Record<string, { interfaces: NetworkInterfaceInfo[]; status: AirGapStatus }>;
  const isolated: AirGapStatus = { isolated: true, interfaces: [], summary: 'No network interface is up besides loopback.' };
  assert.deepEqual(Object.keys(stages), ['new namespace', 'loopback up', 'veth pair up', 'peer end down']);
  // The ceremony's own setting in the live SoftHSM tests: the loopback is down, so Node lists nothing.
  assert.deepEqual(stages['new namespace'], { interfaces: [], status: isolated });
  assert.deepEqual(stages['loopback up'], { interfaces: [lo], status: isolated });
  assert.deepEqual(stages['veth pair up']!.status, {
    isolated: false,
    interfaces: [
      { name: 'kr0', addresses: ['10.20.30.40', 'fd00::40'], linkLocalOnly: false },
      { name: 'kr1', addresses: ['169.254.7.8', 'fe80::7'], linkLocalOnly: true },
    ],
    summary: '2 network interfaces are up: kr0, kr1. Unplug network cables and switch off Wi-Fi and Bluetooth before a ceremony.',
  });
  assert.deepEqual(
    stages['veth pair up']!.interfaces.filter((i) => i.name !== 'lo').sort((a, b) => a.name.localeCompare(b.name)),
    [
      { name: 'kr0', addresses: [{ family: 'IPv4', address: '10.20.30.40', internal: false }, { family: 'IPv6', address: 'fd00::40', internal: false }] },
      { name: 'kr1', addresses: [{ family: 'IPv4', address: '169.254.7.8', internal: false }, { family: 'IPv6', address: 'fe80::7', internal: false }] },
    ],
  );
  // A cable whose other end is down carries nothing: Node lists only interfaces up and running.
  assert.deepEqual(stages['peer end down'], { interfaces: [lo], status: isolated });
});
