/**
 * Air-gap evaluation: given the machine's network interfaces (read by
 * core/node/network-interfaces.ts), decide whether anything besides loopback is up.
 * Pure: no Node, no Electron; the reading of the interfaces lives in core/node/.
 *
 * Rule: an interface counts as "up" when it carries at least one address that is not
 * loopback (127.0.0.0/8, ::1). Link-local addresses (169.254.0.0/16, fe80::/10) count
 * too — they can still talk to the cable or radio they sit on — but are flagged so the
 * screen can say so. An interface without any address is invisible to the operating
 * system's address list, so this check is necessary, not sufficient: the ceremony
 * script's check-in step still asks a person to confirm the cables and radios are off.
 */
import { KeyriteError } from '../errors.ts';

export type AddressFamily = 'IPv4' | 'IPv6';

export interface NetworkAddress {
  family: AddressFamily;
  address: string;
  /** The operating system's own "internal" (loopback) flag. */
  internal: boolean;
}

export interface NetworkInterfaceInfo {
  name: string;
  addresses: NetworkAddress[];
}

export interface AirGapInterface {
  name: string;
  /** Non-loopback addresses, IPv4 first, sorted. Addresses are not secret. */
  addresses: string[];
  /** true when every address is link-local (no routable address). */
  linkLocalOnly: boolean;
}

export interface AirGapStatus {
  /** true when no interface besides loopback carries an address. */
  isolated: boolean;
  /** The interfaces that are up, sorted by name; empty when isolated. */
  interfaces: AirGapInterface[];
  /** One sentence for people, e.g. on the projector. */
  summary: string;
}

function isLoopback(a: NetworkAddress): boolean {
  if (a.internal) return true;
  if (a.family === 'IPv4') return a.address.startsWith('127.');
  const s = a.address.toLowerCase();
  return s === '::1' || s === '0:0:0:0:0:0:0:1';
}

function isLinkLocal(a: NetworkAddress): boolean {
  if (a.family === 'IPv4') return a.address.startsWith('169.254.');
  return /^fe[89ab][0-9a-f]:/i.test(a.address);
}

function checkInput(list: unknown): asserts list is NetworkInterfaceInfo[] {
  const bad = () => new KeyriteError('INVALID_INPUT', 'The list of network interfaces could not be read.');
  if (!Array.isArray(list)) throw bad();
  for (const i of list as unknown[]) {
    if (typeof i !== 'object' || i === null) throw bad();
    const { name, addresses } = i as Record<string, unknown>;
    if (typeof name !== 'string' || !Array.isArray(addresses)) throw bad();
    for (const a of addresses as unknown[]) {
      if (typeof a !== 'object' || a === null) throw bad();
      const { family, address, internal } = a as Record<string, unknown>;
      if ((family !== 'IPv4' && family !== 'IPv6') || typeof address !== 'string' || typeof internal !== 'boolean') throw bad();
    }
  }
}

export function evaluateAirGap(list: readonly NetworkInterfaceInfo[]): AirGapStatus {
  checkInput(list);
  const up: AirGapInterface[] = [];
  for (const iface of list) {
    const external = iface.addresses.filter((a) => !isLoopback(a));
    if (external.length === 0) continue;
    const sorted = [...external].sort((a, b) => (a.family === b.family ? (a.address < b.address ? -1 : 1) : a.family === 'IPv4' ? -1 : 1));
    up.push({
      name: iface.name,
      addresses: sorted.map((a) => a.address),
      linkLocalOnly: external.every(isLinkLocal),
    });
  }
  up.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { isolated: up.length === 0, interfaces: up, summary: summarize(up) };
}

function summarize(up: AirGapInterface[]): string {
  if (up.length === 0) return 'No network interface is up besides loopback.';
  const names = up.map((i) => i.name).join(', ');
  const what = up.length === 1 ? `1 network interface is up: ${names}.` : `${up.length} network interfaces are up: ${names}.`;
  return `${what} Unplug network cables and switch off Wi-Fi and Bluetooth before a ceremony.`;
}
