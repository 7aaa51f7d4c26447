/**
 * Reads the machine's network interfaces for the air-gap check. The decision itself
 * is pure and lives in core/airgap/status.ts; this file only adapts Node's
 * os.networkInterfaces() to that module's input type. It opens no socket.
 */
import { networkInterfaces } from 'node:os';
import type { NetworkInterfaceInfo } from '../airgap/status.ts';

export function readNetworkInterfaces(): NetworkInterfaceInfo[] {
  const out: NetworkInterfaceInfo[] = [];
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    out.push({
      name,
      addresses: (addrs ?? []).map((a) => ({
        // Node 18.0–18.3 reported the family as a number.
        family: (a.family as unknown) === 6 || a.family === 'IPv6' ? 'IPv6' : 'IPv4',
        address: a.address,
        internal: a.internal,
      })),
    });
  }
  return out;
}
