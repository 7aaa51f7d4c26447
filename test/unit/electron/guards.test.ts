// Navigation, window, webview, permission, device and request guards (electron/guards.ts),
// both as pure decisions and wired onto fake WebContents / Session objects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decideRequest,
  denyDevicePermission,
  denyPermissionCheck,
  denyPermissionRequest,
  installBluetoothGuard,
  installContentsGuards,
  installSessionGuards,
  isAllowedAppUrl,
  shouldAllowNavigation,
  windowOpenDecision,
  type GuardEvent,
} from '../../../electron/guards.ts';

type Listener = (...args: unknown[]) => void;

class FakeEmitter {
  readonly listeners = new Map<string, Listener[]>();
  on(event: string, listener: Listener) {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  emit(event: string, ...args: unknown[]) {
    for (const l of this.listeners.get(event) ?? []) l(...args);
  }
}

class FakeEvent {
  prevented = false;
  constructor(readonly url?: string) {}
  preventDefault() {
    this.prevented = true;
  }
}

function recorder() {
  const seen: Array<[GuardEvent, string]> = [];
  return { seen, report: (what: GuardEvent, detail: string) => void seen.push([what, detail]) };
}

const OUTSIDE = [
  'https://example.com/',
  'http://127.0.0.1:8080/',
  'file:///etc/passwd',
  'file:///home/user/dist/renderer/index.html',
  'app://evil/index.html',
  'app://keyrite.evil/index.html',
  'app://keyrite/..%2fmain.cjs',
  'javascript:alert(1)',
  'data:text/html,hi',
  'about:blank',
];

test('navigation: the app page is allowed', () => {
  assert.equal(shouldAllowNavigation('app://keyrite/index.html'), true);
  assert.equal(isAllowedAppUrl('app://keyrite/index.html'), true);
});

for (const url of OUTSIDE) {
  test(`navigation refused: ${url}`, () => assert.equal(shouldAllowNavigation(url), false));
}

test('window.open is always denied', () => assert.deepEqual(windowOpenDecision(), { action: 'deny' }));

test('permission handlers always deny', () => {
  for (const p of ['media', 'notifications', 'clipboard-read', 'usb', 'hid', 'serial', 'geolocation', 'openExternal', 'fullscreen', 'unknown']) {
    let granted: boolean | undefined;
    denyPermissionRequest({}, p, (g) => (granted = g));
    assert.equal(granted, false, p);
  }
  assert.equal(denyPermissionCheck(), false);
  assert.equal(denyDevicePermission(), false);
});

const policy = { allowDevTools: false };

test('webRequest: the app files pass', () => {
  for (const url of ['app://keyrite/index.html', 'app://keyrite/assets/index-x.js', 'app://keyrite/']) {
    assert.deepEqual(decideRequest({ url, resourceType: 'script' }, policy), { cancel: false }, url);
  }
});

for (const url of [
  'http://example.com/',
  'https://example.com/x.js',
  'https://keyrite/index.html',
  'ws://127.0.0.1:9222/',
  'wss://example.com/socket',
  'ftp://example.com/file',
  'file:///etc/passwd',
  'file:///opt/Keyrite/resources/app.asar/dist/renderer/index.html',
  'app://other/index.html',
  'app://keyrite:1/index.html',
  'app://keyrite/..%2fmain.cjs',
  'blob:app://keyrite/1234',
  'chrome://gpu',
  'chrome-extension://abc/x.js',
  'devtools://devtools/bundled/inspector.html',
  'not a url',
]) {
  test(`webRequest cancels ${url}`, () => assert.deepEqual(decideRequest({ url, resourceType: 'xhr' }, policy), { cancel: true }));
}

test('webRequest: data: only for images', () => {
  assert.deepEqual(decideRequest({ url: 'data:image/png;base64,iVBORw0KGgo=', resourceType: 'image' }, policy), { cancel: false });
  for (const type of ['script', 'stylesheet', 'mainFrame', 'subFrame', 'xhr', 'font', 'other']) {
    assert.deepEqual(decideRequest({ url: 'data:text/javascript,alert(1)', resourceType: type }, policy), { cancel: true }, type);
  }
});

test('webRequest: devtools only in a developer run', () => {
  assert.deepEqual(decideRequest({ url: 'devtools://devtools/bundled/inspector.html' }, { allowDevTools: true }), { cancel: false });
});

test('webRequest: malformed details are cancelled', () => {
  assert.deepEqual(decideRequest({} as never, policy), { cancel: true });
  assert.deepEqual(decideRequest(null as never, policy), { cancel: true });
});

function fakeContents() {
  const c = new FakeEmitter() as FakeEmitter & { windowOpen?: (d: { url: string }) => { action: 'deny' } };
  return Object.assign(c, {
    setWindowOpenHandler(h: (d: { url: string }) => { action: 'deny' }) {
      c.windowOpen = h;
    },
  });
}

test('installed contents guards stop navigation and redirects away from the app', () => {
  const c = fakeContents();
  const { seen, report } = recorder();
  installContentsGuards(c, report);
  for (const event of ['will-navigate', 'will-frame-navigate', 'will-redirect']) {
    for (const url of OUTSIDE) {
      const e = new FakeEvent(url);
      c.emit(event, e);
      assert.equal(e.prevented, true, `${event} ${url}`);
    }
    const ok = new FakeEvent('app://keyrite/index.html');
    c.emit(event, ok);
    assert.equal(ok.prevented, false, `${event} to the app`);
  }
  // The deprecated positional url (older signature) is honoured too.
  const legacy = new FakeEvent();
  c.emit('will-navigate', legacy, 'https://example.com/');
  assert.equal(legacy.prevented, true);
  assert.ok(seen.some(([w]) => w === 'navigation'));
});

test('installed contents guards deny window.open and refuse webviews', () => {
  const c = fakeContents();
  const { seen, report } = recorder();
  installContentsGuards(c, report);
  assert.deepEqual(c.windowOpen?.({ url: 'https://example.com/' }), { action: 'deny' });
  assert.deepEqual(c.windowOpen?.({ url: 'app://keyrite/index.html' }), { action: 'deny' });
  const e = new FakeEvent();
  c.emit('will-attach-webview', e, {}, { src: 'https://example.com/' });
  assert.equal(e.prevented, true);
  assert.deepEqual(
    seen.map(([w]) => w),
    ['window-open', 'window-open', 'webview'],
  );
});

test('bluetooth picker is cancelled', () => {
  const c = fakeContents();
  installBluetoothGuard(c, () => {});
  const e = new FakeEvent();
  let chosen: string | undefined;
  c.emit('select-bluetooth-device', e, [{ deviceId: 'x' }], (id: string) => (chosen = id));
  assert.equal(e.prevented, true);
  assert.equal(chosen, '');
});

function fakeSession() {
  const s = new FakeEmitter();
  const state: {
    request?: (wc: unknown, p: string, cb: (g: boolean) => void, d: unknown) => void;
    check?: (...a: unknown[]) => boolean;
    device?: (d: unknown) => boolean;
    spell?: boolean;
    before?: (d: unknown, cb: (r: { cancel: boolean }) => void) => void;
  } = {};
  const session = Object.assign(s, {
    setPermissionRequestHandler: (h: typeof state.request) => void (state.request = h),
    setPermissionCheckHandler: (h: typeof state.check) => void (state.check = h),
    setDevicePermissionHandler: (h: typeof state.device) => void (state.device = h),
    setSpellCheckerEnabled: (on: boolean) => void (state.spell = on),
    webRequest: { onBeforeRequest: (h: typeof state.before) => void (state.before = h) },
  });
  return { session, state };
}

test('installed session guards deny permissions, devices, downloads and foreign requests', () => {
  const { session, state } = fakeSession();
  const { seen, report } = recorder();
  installSessionGuards(session, policy, report);

  let granted: boolean | undefined;
  state.request?.({}, 'media', (g) => (granted = g), {});
  assert.equal(granted, false);
  assert.equal(state.check?.({}, 'usb', 'app://keyrite', {}), false);
  assert.equal(state.device?.({ deviceType: 'usb', origin: 'app://keyrite' }), false);
  assert.equal(state.spell, false);

  for (const [event, args, expected] of [
    ['select-usb-device', [{ deviceList: [] }], undefined],
    ['select-hid-device', [{ deviceList: [] }], undefined],
    ['select-serial-port', [[], {}], ''],
  ] as const) {
    const e = new FakeEvent();
    let picked: unknown = 'not called';
    session.emit(event, e, ...args, (id?: string) => (picked = id));
    assert.equal(e.prevented, true, event);
    assert.equal(picked, expected, event);
  }
  const download = new FakeEvent();
  session.emit('will-download', download, {}, {});
  assert.equal(download.prevented, true);

  const answers: boolean[] = [];
  for (const url of ['app://keyrite/index.html', 'https://example.com/', 'ws://localhost:1/', 'file:///etc/passwd']) {
    state.before?.({ url, resourceType: 'script' }, (r) => answers.push(r.cancel));
  }
  assert.deepEqual(answers, [false, true, true, true]);
  assert.ok(seen.some(([w, d]) => w === 'request' && d === 'https://example.com/'));
});
