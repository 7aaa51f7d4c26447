/**
 * One inventory of everything that can hold a Keyrite key on this machine, for
 * `keyrite tokens` and the app's token picker: PKCS#11 tokens of the configured module,
 * software tokens in the configured folder (marked rehearsal only), and USB status.
 * Each part reports its own problem instead of failing the whole inventory.
 * Configuration: module = option, else KEYRITE_PKCS11_MODULE; software folder = option,
 * else KEYRITE_SOFTWARE_TOKENS.
 */
import { isKeyriteError, type ErrorCode } from '../errors.ts';
import type { LibraryIdentity, TokenDescription } from '../tokens/token.ts';
import { Pkcs11Module, pkcs11ModulePath } from './pkcs11/module.ts';
import { listSoftwareTokens, softwareTokenDir } from './software-token-file.ts';
import { usbReport, type LoadUsbOptions, type UsbReport } from './usb-watch.ts';

export interface InventoryProblem {
  code: ErrorCode | 'INTERNAL';
  message: string;
}

export interface Pkcs11Inventory {
  configured: boolean;
  module?: string;
  library?: LibraryIdentity & { cryptokiVersion: string };
  /** Initialised tokens. */
  tokens: TokenDescription[];
  /** Slots holding a token that is not initialised (SoftHSM always shows one). */
  uninitialized: number;
  error?: InventoryProblem;
}

export interface SoftwareInventory {
  configured: boolean;
  dir?: string;
  tokens: TokenDescription[];
  problems: { path: string; message: string }[];
  error?: InventoryProblem;
}

export interface TokenInventory {
  pkcs11: Pkcs11Inventory;
  software: SoftwareInventory;
  usb: UsbReport;
}

export interface DiscoverOptions {
  module?: string;
  softwareDir?: string;
  env: Readonly<Record<string, string | undefined>>;
  usb?: LoadUsbOptions;
}

function problem(e: unknown): InventoryProblem {
  if (isKeyriteError(e)) return { code: e.code, message: e.message };
  return { code: 'INTERNAL', message: e instanceof Error ? e.message.split('\n')[0]! : 'unknown error' };
}

export async function discoverPkcs11(modulePath: string | undefined): Promise<Pkcs11Inventory> {
  if (!modulePath) return { configured: false, tokens: [], uninitialized: 0 };
  const out: Pkcs11Inventory = { configured: true, module: modulePath, tokens: [], uninitialized: 0 };
  let m: Pkcs11Module | undefined;
  try {
    m = await Pkcs11Module.open(modulePath);
    out.library = await m.libraryInfo();
    for (const t of await m.listTokens()) {
      if (t.initialized) out.tokens.push(t);
      else out.uninitialized++;
    }
  } catch (e) {
    out.error = problem(e);
  } finally {
    await m?.close().catch(() => undefined);
  }
  return out;
}

export async function discoverSoftware(dir: string | undefined): Promise<SoftwareInventory> {
  if (!dir) return { configured: false, tokens: [], problems: [] };
  try {
    const listing = await listSoftwareTokens(dir);
    return { configured: true, dir, tokens: listing.tokens, problems: listing.problems };
  } catch (e) {
    return { configured: true, dir, tokens: [], problems: [], error: problem(e) };
  }
}

export async function discoverTokens(opts: DiscoverOptions): Promise<TokenInventory> {
  const [pkcs11, software, usb] = await Promise.all([
    discoverPkcs11(pkcs11ModulePath(opts.module, opts.env)),
    discoverSoftware(softwareTokenDir(opts.softwareDir, opts.env)),
    usbReport(opts.usb),
  ]);
  return { pkcs11, software, usb };
}
