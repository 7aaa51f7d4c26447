/**
 * Watching USB attach / detach in the main process with the `usb` package (never WebUSB in
 * the renderer), to name what was plugged in (core/tokens/usb-vendors.ts) and to tell the
 * user when to rescan the PKCS#11 slots. Tokens are still used only through PKCS#11.
 *
 * The watcher runs on an injectable UsbEventSource so tests drive attach/detach without
 * hardware. loadUsbEventSource() builds the real one and reports a machine without a USB
 * subsystem as a normal state, {available:false, reason}, instead of throwing:
 *  - on Linux it first checks /sys/bus/usb (containers and some air-gapped builds lack it);
 *  - it loads `usb` lazily (a missing native build is "not available", not a crash);
 *  - it talks to usb 3.x's native layer (`usb/index.js`: nativeGetDevices, Emitter) rather
 *    than its WebUSB-style `usb` object, whose addEventListener starts a device listing with
 *    no rejection handler and rethrows hotplug errors from a setTimeout: without
 *    /sys/bus/usb that kills the process. Here every native call is awaited and caught.
 */
import { existsSync } from 'node:fs';
import { hex4, suggestsRescan, usbVendor, type UsbVendor } from '../tokens/usb-vendors.ts';

export interface UsbDeviceInfo {
  /** Stable while attached (the native handle / bus path). */
  id: string;
  vendorId: number;
  productId: number;
  manufacturer?: string;
  product?: string;
}

export type UsbStatus = { available: true; backend: string } | { available: false; reason: string };

/** What a UsbWatch listens to: the real `usb` package or a test double. */
export interface UsbEventSource {
  list(): Promise<UsbDeviceInfo[]>;
  /** Starts delivering events; resolves to a function that stops them. */
  watch(onAttach: (device: UsbDeviceInfo) => void, onDetach: (id: string) => void): Promise<() => Promise<void>>;
}

export interface UsbWatchEvent {
  type: 'attach' | 'detach';
  device: UsbDeviceInfo;
  vendor?: UsbVendor;
  /** True when the user should rescan the PKCS#11 slots (a known token or reader vendor). */
  rescanHint: boolean;
  /** One sentence for the UI. */
  message: string;
}

export const NO_USB_SUBSYSTEM = 'no USB subsystem (/sys/bus/usb missing)';

/** "Yubico YubiKey OTP+FIDO+CCID (1050:0407)" */
export function describeUsbDevice(d: UsbDeviceInfo): string {
  const v = usbVendor(d.vendorId);
  const maker = v?.name ?? d.manufacturer ?? 'Unknown vendor';
  const product = d.product ? ` ${d.product}` : '';
  return `${maker}${product} (${hex4(d.vendorId)}:${hex4(d.productId)})`;
}

export function usbEvent(type: 'attach' | 'detach', device: UsbDeviceInfo): UsbWatchEvent {
  const vendor = usbVendor(device.vendorId);
  const rescanHint = suggestsRescan(device.vendorId);
  const name = describeUsbDevice(device);
  let message: string;
  if (type === 'attach') {
    message = rescanHint
      ? `${name} was plugged in. Rescan the PKCS#11 slots to see its token.`
      : vendor?.kind === 'wallet'
        ? `${name} was plugged in. It is a hardware wallet, not a PKCS#11 token; Keyrite does not use it.`
        : `${name} was plugged in.`;
  } else {
    message = rescanHint ? `${name} was removed. Its token is no longer available; rescan the PKCS#11 slots.` : `${name} was removed.`;
  }
  return { type, device, ...(vendor ? { vendor } : {}), rescanHint, message };
}

export type UsbWatchListener = (event: UsbWatchEvent) => void;

export class UsbWatch {
  private readonly known = new Map<string, UsbDeviceInfo>();
  private readonly listeners = new Set<UsbWatchListener>();
  private stopper: (() => Promise<void>) | undefined;

  constructor(private readonly source: UsbEventSource) {}

  /** Lists what is attached now and starts watching. */
  async start(): Promise<UsbDeviceInfo[]> {
    if (this.stopper) return this.devices();
    for (const d of await this.source.list()) this.known.set(d.id, d);
    this.stopper = await this.source.watch(
      (d) => {
        this.known.set(d.id, d);
        this.emit(usbEvent('attach', d));
      },
      (id) => {
        const d = this.known.get(id);
        this.known.delete(id);
        this.emit(usbEvent('detach', d ?? { id, vendorId: 0, productId: 0 }));
      },
    );
    return this.devices();
  }

  devices(): UsbDeviceInfo[] {
    return [...this.known.values()];
  }

  on(listener: UsbWatchListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: UsbWatchEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // A failing listener must not stop the others or the watcher.
      }
    }
  }

  async stop(): Promise<void> {
    const s = this.stopper;
    this.stopper = undefined;
    if (s) await s();
  }
}

// ---- the real source (usb 3.x native layer) ----

interface NativeUsbDevice {
  vendorId: number;
  productId: number;
  readonly handle: string;
  readonly manufacturerName: string | null;
  readonly productName: string | null;
}

interface NativeEmitter {
  addAttach(cb: (d: NativeUsbDevice) => void): Promise<void>;
  removeAttach(): Promise<void>;
  addDetach(cb: (handle: string) => void): Promise<void>;
  removeDetach(): Promise<void>;
}

interface NativeUsb {
  Emitter: new () => NativeEmitter;
  nativeGetDevices(): Promise<NativeUsbDevice[]>;
}

function readString(read: () => string | null): string | undefined {
  try {
    const v = read();
    return typeof v === 'string' && v.length > 0 ? v : undefined;
  } catch {
    return undefined;
  }
}

function toInfo(d: NativeUsbDevice): UsbDeviceInfo {
  const manufacturer = readString(() => d.manufacturerName);
  const product = readString(() => d.productName);
  return { id: d.handle, vendorId: d.vendorId, productId: d.productId, ...(manufacturer ? { manufacturer } : {}), ...(product ? { product } : {}) };
}

function firstLine(e: unknown): string {
  return e instanceof Error ? e.message.split('\n')[0]! : String(e);
}

export interface LoadUsbOptions {
  platform?: NodeJS.Platform;
  /** Folder whose absence means "no USB subsystem" on Linux. */
  sysBusUsb?: string;
  /** Loads the native module (tests replace it). */
  load?: () => unknown;
}

/** Builds the real USB event source, or says why there is none. Never throws. */
export async function loadUsbEventSource(opts: LoadUsbOptions = {}): Promise<{ status: UsbStatus; source?: UsbEventSource }> {
  const platform = opts.platform ?? process.platform;
  const sys = opts.sysBusUsb ?? '/sys/bus/usb';
  if (platform === 'linux' && !existsSync(sys)) {
    return { status: { available: false, reason: sys === '/sys/bus/usb' ? NO_USB_SUBSYSTEM : `no USB subsystem (${sys} missing)` } };
  }
  let native: NativeUsb;
  try {
    // A dynamic import works from ESM (CLI, tests) and from the CommonJS Electron main bundle.
    const loaded = (await (opts.load ?? (() => import('usb/index.js')))()) as (Partial<NativeUsb> & { default?: Partial<NativeUsb> }) | undefined;
    const mod = typeof loaded?.nativeGetDevices === 'function' ? loaded : loaded?.default;
    if (!mod || typeof mod.nativeGetDevices !== 'function' || typeof mod.Emitter !== 'function') throw new Error('unexpected module shape');
    native = mod as NativeUsb;
  } catch (e) {
    return { status: { available: false, reason: `the usb module could not be loaded (${firstLine(e)})` } };
  }
  try {
    await native.nativeGetDevices();
  } catch (e) {
    return { status: { available: false, reason: `USB devices cannot be listed (${firstLine(e)})` } };
  }
  const source: UsbEventSource = {
    async list() {
      return (await native.nativeGetDevices()).map(toInfo);
    },
    async watch(onAttach, onDetach) {
      const emitter = new native.Emitter();
      await emitter.addAttach((d) => onAttach(toInfo(d)));
      await emitter.addDetach((h) => onDetach(h));
      return async () => {
        await emitter.removeAttach().catch(() => undefined);
        await emitter.removeDetach().catch(() => undefined);
      };
    },
  };
  return { status: { available: true, backend: 'usb (node-usb 3.x)' }, source };
}

export interface UsbReport {
  status: UsbStatus;
  devices: (UsbDeviceInfo & { name: string; vendorName?: string; kind?: string; rescanHint: boolean })[];
}

/** One-shot status and device list (for `keyrite tokens`). Never throws. */
export async function usbReport(opts: LoadUsbOptions = {}): Promise<UsbReport> {
  const { status, source } = await loadUsbEventSource(opts);
  if (!source) return { status, devices: [] };
  try {
    const devices = (await source.list()).map((d) => {
      const v = usbVendor(d.vendorId);
      return { ...d, name: describeUsbDevice(d), ...(v ? { vendorName: v.name, kind: v.kind } : {}), rescanHint: suggestsRescan(d.vendorId) };
    });
    return { status, devices };
  } catch (e) {
    return { status: { available: false, reason: `USB devices cannot be listed (${firstLine(e)})` }, devices: [] };
  }
}
