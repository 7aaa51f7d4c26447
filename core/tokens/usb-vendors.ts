/**
 * USB vendor ids of token and smart-card-reader makers, to name what was plugged in and to
 * decide when to tell the user "rescan the PKCS#11 slots". A vendor id says who made the
 * device, not that it is a token: the hint is a suggestion, never an automatic action.
 *
 * Sources (checked entry by entry; see docs/TOKENS.md):
 *  [ccid]  LudovicRousseau/CCID, readers/supported_readers.txt (the pcsc-lite CCID driver's
 *          list of supported readers and tokens, with VID:PID and name)
 *  [fido]  Yubico/libfido2, udev/70-u2f.rules (vendor comments with VIDs)
 *  [ledger] LedgerHQ/udev-rules, 20-hw1.rules (ATTRS{idVendor}=="2c97")
 */

export type UsbVendorKind =
  /** Makes USB tokens / HSMs reachable through PKCS#11. */
  | 'token'
  /** Makes smart-card readers (a token is a card inserted into it). */
  | 'reader'
  /** Makes hardware wallets: not PKCS#11 tokens; Keyrite does not use them. */
  | 'wallet';

export interface UsbVendor {
  vendorId: number;
  name: string;
  kind: UsbVendorKind;
  /** Example products from the source, for the user. */
  examples: string;
  source: 'ccid' | 'fido' | 'ledger';
}

export const USB_VENDORS: readonly UsbVendor[] = [
  { vendorId: 0x1050, name: 'Yubico', kind: 'token', examples: 'YubiKey 4/5, YubiKey NEO (CCID)', source: 'ccid' },
  { vendorId: 0x20a0, name: 'Nitrokey', kind: 'token', examples: 'Nitrokey HSM, Nitrokey Pro, Nitrokey Start', source: 'ccid' },
  { vendorId: 0x0529, name: 'Thales / SafeNet (Aladdin)', kind: 'token', examples: 'SafeNet eToken 5100, eToken 7300', source: 'ccid' },
  { vendorId: 0x096e, name: 'Feitian', kind: 'token', examples: 'ePass2003, bR301 / iR301 readers, ePass FIDO', source: 'ccid' },
  { vendorId: 0x08e6, name: 'Thales / Gemalto', kind: 'token', examples: 'IDBridge K3000, GemPC Twin reader, USB Shell Token', source: 'ccid' },
  { vendorId: 0x0dc3, name: 'Athena Smartcard Solutions', kind: 'token', examples: 'IDProtect Key, ASEDrive IIIe reader', source: 'ccid' },
  { vendorId: 0x0a89, name: 'Aktiv (Rutoken)', kind: 'token', examples: 'Rutoken ECP, Rutoken lite', source: 'ccid' },
  { vendorId: 0x25dd, name: 'Bit4id', kind: 'token', examples: 'cryptokey, miniLector reader', source: 'ccid' },
  { vendorId: 0x1059, name: 'Giesecke & Devrient', kind: 'token', examples: 'StarSign Crypto USB Token', source: 'ccid' },
  { vendorId: 0x234b, name: 'Free Software Initiative of Japan', kind: 'token', examples: 'Gnuk', source: 'ccid' },
  { vendorId: 0x24dc, name: 'Aladdin R.D.', kind: 'token', examples: 'JaCarta', source: 'ccid' },
  { vendorId: 0x072f, name: 'Advanced Card Systems (ACS)', kind: 'reader', examples: 'ACR38U, ACR39U, CryptoMate64', source: 'ccid' },
  { vendorId: 0x076b, name: 'HID Global (OMNIKEY)', kind: 'reader', examples: 'OMNIKEY CardMan 3121, 5427 CK', source: 'ccid' },
  { vendorId: 0x04e6, name: 'Identiv (SCM Microsystems)', kind: 'reader', examples: 'SCR 3310, uTrust 2700 R', source: 'ccid' },
  { vendorId: 0x0c4b, name: 'REINER SCT', kind: 'reader', examples: 'cyberJack', source: 'ccid' },
  { vendorId: 0x2c97, name: 'Ledger', kind: 'wallet', examples: 'Nano S, Nano X', source: 'ledger' },
  { vendorId: 0x534c, name: 'SatoshiLabs (Trezor)', kind: 'wallet', examples: 'Trezor One', source: 'fido' },
];

export function usbVendor(vendorId: number): UsbVendor | undefined {
  return USB_VENDORS.find((v) => v.vendorId === vendorId);
}

export function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}

/** True when plugging in a device of this vendor should prompt a PKCS#11 slot rescan. */
export function suggestsRescan(vendorId: number): boolean {
  const v = usbVendor(vendorId);
  return v !== undefined && (v.kind === 'token' || v.kind === 'reader');
}
