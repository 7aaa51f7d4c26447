/**
 * Run by status.test.ts inside a new network namespace (`unshare -rn`, so `ip` may change its
 * interfaces): sets the interfaces up stage by stage with iproute2 and prints, as one JSON object,
 * what the real reader (core/node/network-interfaces.ts) and the air-gap evaluation give at each.
 */
import { execFileSync } from 'node:child_process';
import { evaluateAirGap } from '../../../core/airgap/status.ts';
import { readNetworkInterfaces } from '../../../core/node/network-interfaces.ts';

function ip(...args: string[]): void {
  try {
    execFileSync('ip', args, { stdio: 'pipe' });
  } catch (e) {
    const err = e as { code?: string; stderr?: Buffer };
    throw new Error(err.code === 'ENOENT' ? 'ip is needed to set up interfaces in the test namespace: install iproute2 (Debian package iproute2).' : `ip ${args.join(' ')} failed: ${err.stderr?.toString().trim()}`, { cause: e });
  }
}

function read() {
  const interfaces = readNetworkInterfaces();
  return { interfaces, status: evaluateAirGap(interfaces) };
}

const stages: Record<string, ReturnType<typeof read>> = {};
stages['new namespace'] = read();
ip('link', 'set', 'lo', 'up');
stages['loopback up'] = read();
// A veth pair is a cable with both ends here: kr0 gets routable addresses, kr1 link-local ones.
// addrgenmode none and nodad: no automatic address, none left tentative, so each stage is exact.
ip('link', 'add', 'kr0', 'type', 'veth', 'peer', 'name', 'kr1');
for (const dev of ['kr0', 'kr1']) ip('link', 'set', dev, 'addrgenmode', 'none');
ip('addr', 'add', '10.20.30.40/24', 'dev', 'kr0');
ip('addr', 'add', 'fd00::40/64', 'dev', 'kr0', 'nodad');
ip('addr', 'add', 'fe80::7/64', 'dev', 'kr1', 'nodad');
ip('addr', 'add', '169.254.7.8/16', 'dev', 'kr1');
ip('link', 'set', 'kr0', 'up');
ip('link', 'set', 'kr1', 'up');
stages['veth pair up'] = read();
ip('link', 'set', 'kr1', 'down');
stages['peer end down'] = read();
process.stdout.write(JSON.stringify(stages));
