// USB watching through an injected event source, and the real `usb` loader on a machine
// without a USB subsystem (this sandbox has no /sys/bus/usb): a normal state, not a crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { NO_USB_SUBSYSTEM, UsbWatch, describeUsbDevice, loadUsbEventSource, usbReport, type UsbDeviceInfo, type UsbEventSource, type UsbWatchEvent } from '../../../core/node/usb-watch.ts';
import { USB_VENDORS, suggestsRescan, usbVendor } from '../../../core/tokens/usb-vendors.ts';

class FakeUsb implements UsbEventSource {
  attached: UsbDeviceInfo[] = [];
  private onAttach: ((d: UsbDeviceInfo) => void) | undefined;
  private onDetach: ((id: string) => void) | undefined;
  stopped = false;
  async list() {
    return [...this.attached];
  }
  async watch(onAttach: (d: UsbDeviceInfo) => void, onDetach: (id: string) => void) {
    this.onAttach = onAttach;
    this.onDetach = onDetach;
    return async () => {
      this.stopped = true;
      this.onAttach = this.onDetach = undefined;
    };
  }
  plug(d: UsbDeviceInfo) {
    this.attached.push(d);
    this.onAttach?.(d);
  }
  unplug(id: string) {
    this.attached = this.attached.filter((d) => d.id !== id);
    this.onDetach?.(id);
  }
}

const yubikey: UsbDeviceInfo = { id: '1-1', vendorId: 0x1050, productId: 0x0407, product: 'YubiKey OTP+FIDO+CCID' };
const nitrokey: UsbDeviceInfo = { id: '1-2', vendorId: 0x20a0, productId: 0x4230 };
const keyboard: UsbDeviceInfo = { id: '1-3', vendorId: 0x046d, productId: 0xc31c, manufacturer: 'Logitech', product: 'Keyboard K120' };
const ledger: UsbDeviceInfo = { id: '1-4', vendorId: 0x2c97, productId: 0x0001 };

test('attach and detach events name the device and hint a PKCS#11 rescan for token vendors', async () => {
  const usb = new FakeUsb();
  usb.attached.push(keyboard);
  const watch = new UsbWatch(usb);
  const events: UsbWatchEvent[] = [];
  watch.on((e) => events.push(e));
  assert.deepEqual(await watch.start(), [keyboard]);
  usb.plug(yubikey);
  usb.plug(nitrokey);
  usb.plug(ledger);
  usb.unplug('1-1');
  usb.unplug('9-9');
  assert.deepEqual(
    events.map((e) => [e.type, e.device.id, e.vendor?.name, e.rescanHint]),
    [
      ['attach', '1-1', 'Yubico', true],
      ['attach', '1-2', 'Nitrokey', true],
      ['attach', '1-4', 'Ledger', false],
      ['detach', '1-1', 'Yubico', true],
      ['detach', '9-9', undefined, false],
    ],
  );
  assert.equal(events[0]!.message, 'Yubico YubiKey OTP+FIDO+CCID (1050:0407) was plugged in. Rescan the PKCS#11 slots to see its token.');
  assert.match(events[2]!.message, /hardware wallet, not a PKCS#11 token/);
  assert.match(events[3]!.message, /was removed\. Its token is no longer available; rescan the PKCS#11 slots\./);
  assert.deepEqual(
    watch.devices().map((d) => d.id),
    ['1-3', '1-2', '1-4'],
  );
  await watch.stop();
  assert.equal(usb.stopped, true);
  usb.plug(yubikey);
  assert.equal(events.length, 5, 'no events after stop');
});

test('a throwing listener does not stop the others', async () => {
  const usb = new FakeUsb();
  const watch = new UsbWatch(usb);
  const seen: string[] = [];
  watch.on(() => {
    throw new Error('listener bug');
  });
  const off = watch.on((e) => seen.push(e.device.id));
  await watch.start();
  usb.plug(yubikey);
  off();
  usb.plug(nitrokey);
  assert.deepEqual(seen, ['1-1']);
  await watch.stop();
});

test('the vendor table: known ids, kinds, no duplicates', () => {
  const ids = USB_VENDORS.map((v) => v.vendorId);
  assert.equal(new Set(ids).size, ids.length);
  assert.equal(usbVendor(0x1050)?.name, 'Yubico');
  assert.equal(usbVendor(0x20a0)?.name, 'Nitrokey');
  assert.equal(usbVendor(0x0529)?.name, 'Thales / SafeNet (Aladdin)');
  assert.equal(usbVendor(0x096e)?.name, 'Feitian');
  assert.equal(usbVendor(0x2c97)?.name, 'Ledger');
  assert.equal(suggestsRescan(0x072f), true, 'smart-card readers too');
  assert.equal(suggestsRescan(0x2c97), false);
  assert.equal(suggestsRescan(0x046d), false);
  assert.equal(describeUsbDevice(keyboard), 'Logitech Keyboard K120 (046d:c31c)');
  assert.equal(describeUsbDevice({ id: 'x', vendorId: 0xffff, productId: 1 }), 'Unknown vendor (ffff:0001)');
});

test('the real loader and the real usb module on this machine: a missing USB bus is reported, never thrown', async () => {
  const here = await loadUsbEventSource();
  if (!existsSync('/sys/bus/usb')) {
    // The sandbox and CI: no USB subsystem at all.
    assert.deepEqual(here, { status: { available: false, reason: NO_USB_SUBSYSTEM } });
    assert.deepEqual(await usbReport(), { status: { available: false, reason: 'no USB subsystem (/sys/bus/usb missing)' }, devices: [] });
    // Past the /sys check, the real native module finds no bus either: a status, not a crash.
    const pastCheck = { platform: 'linux' as const, sysBusUsb: tmpdir() };
    const cannotList = { available: false, reason: 'USB devices cannot be listed (getDevices error: /sys/bus/usb/devices/ not found (errno 2))' };
    assert.deepEqual(await loadUsbEventSource(pastCheck), { status: cannotList });
    assert.deepEqual(await usbReport(pastCheck), { status: cannotList, devices: [] });
    return;
  }
  assert.deepEqual(here.status, { available: true, backend: 'usb (node-usb 3.x)' }, 'a machine with /sys/bus/usb lists its devices through the usb module');
  const listed = (await here.source!.list()).map(describeUsbDevice).sort();
  assert.deepEqual((await usbReport()).devices.map((d) => d.name).sort(), listed);
});

test('the loader turns every failure into "not available": module missing, odd module, enumeration error', async () => {
  const here = { platform: 'linux' as const, sysBusUsb: '/' };
  const missing = await loadUsbEventSource({
    ...here,
    load: () => {
      throw new Error("Cannot find module '@node-usb/usb-linux-x64-gnu'\nstack");
    },
  });
  assert.deepEqual(missing.status, { available: false, reason: "the usb module could not be loaded (Cannot find module '@node-usb/usb-linux-x64-gnu')" });
  const odd = await loadUsbEventSource({ ...here, load: () => ({}) });
  assert.deepEqual(odd, { status: { available: false, reason: 'the usb module could not be loaded (unexpected module shape)' } });
  const failing = await loadUsbEventSource({
    ...here,
    load: () => ({ Emitter: class {}, nativeGetDevices: () => Promise.reject(new Error('getDevices error: /sys/bus/usb/devices/ not found (errno 2)')) }),
  });
  assert.deepEqual(failing.status, { available: false, reason: 'USB devices cannot be listed (getDevices error: /sys/bus/usb/devices/ not found (errno 2))' });
  const noSys = await loadUsbEventSource({ platform: 'linux', sysBusUsb: '/nonexistent/usb' });
  assert.deepEqual(noSys.status, { available: false, reason: 'no USB subsystem (/nonexistent/usb missing)' });
  // On another platform there is no /sys check; a working native layer makes a source.
  const ok = await loadUsbEventSource({
    platform: 'darwin',
    load: () => ({ Emitter: class {}, nativeGetDevices: async () => [{ vendorId: 0x1050, productId: 0x407, handle: 'h1', manufacturerName: 'Yubico', productName: null }] }),
  });
  assert.equal(ok.status.available, true);
  assert.deepEqual(await ok.source!.list(), [{ id: 'h1', vendorId: 0x1050, productId: 0x407, manufacturer: 'Yubico' }]);
});

test('the real source over an injected native layer: hotplug callbacks become watch events, stop removes both listeners', async () => {
  const calls: string[] = [];
  let attach: ((d: unknown) => void) | undefined;
  let detach: ((handle: string) => void) | undefined;
  class Emitter {
    async addAttach(cb: (d: unknown) => void) {
      calls.push('addAttach');
      attach = cb;
    }
    async addDetach(cb: (handle: string) => void) {
      calls.push('addDetach');
      detach = cb;
    }
    async removeAttach() {
      calls.push('removeAttach');
      attach = undefined;
      // A device layer that fails on the way out must not keep the detach listener in place.
      throw new Error('LIBUSB_ERROR_NO_DEVICE');
    }
    async removeDetach() {
      calls.push('removeDetach');
      detach = undefined;
    }
  }
  const present = [{ vendorId: 0x046d, productId: 0xc31c, handle: 'h3', manufacturerName: 'Logitech', productName: 'Keyboard K120' }];
  const { status, source } = await loadUsbEventSource({ platform: 'darwin', load: () => ({ Emitter, nativeGetDevices: async () => present }) });
  assert.deepEqual(status, { available: true, backend: 'usb (node-usb 3.x)' });
  const watch = new UsbWatch(source!);
  const events: UsbWatchEvent[] = [];
  watch.on((e) => events.push(e));
  assert.deepEqual(await watch.start(), [{ ...keyboard, id: 'h3' }]);
  assert.deepEqual(calls, ['addAttach', 'addDetach']);
  const unreadable = { vendorId: 0x20a0, productId: 0x4230, handle: 'h2', productName: '' } as Record<string, unknown>;
  Object.defineProperty(unreadable, 'manufacturerName', {
    get() {
      throw new Error('LIBUSB_ERROR_ACCESS');
    },
  });
  attach!({ vendorId: 0x1050, productId: 0x0407, handle: 'h1', manufacturerName: null, productName: 'YubiKey OTP+FIDO+CCID' });
  attach!(unreadable);
  detach!('h1');
  assert.deepEqual(
    events.map((e) => [e.type, e.message]),
    [
      ['attach', 'Yubico YubiKey OTP+FIDO+CCID (1050:0407) was plugged in. Rescan the PKCS#11 slots to see its token.'],
      ['attach', 'Nitrokey (20a0:4230) was plugged in. Rescan the PKCS#11 slots to see its token.'],
      ['detach', 'Yubico YubiKey OTP+FIDO+CCID (1050:0407) was removed. Its token is no longer available; rescan the PKCS#11 slots.'],
    ],
  );
  assert.deepEqual(events[1]!.device, { id: 'h2', vendorId: 0x20a0, productId: 0x4230 }, 'unreadable or empty strings are left out');
  assert.deepEqual(
    watch.devices().map((d) => d.id),
    ['h3', 'h2'],
  );
  await watch.stop();
  assert.deepEqual(calls, ['addAttach', 'addDetach', 'removeAttach', 'removeDetach']);
  assert.equal(attach ?? detach, undefined);
});
