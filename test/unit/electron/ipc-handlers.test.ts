// The IPC handlers against the one contract: coverage both ways, argument checks,
// tagged-union results, no internals leaking, and the window.keyrite builder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  CHANNELS,
  EVENTS,
  apiPath,
  buildKeyriteApi,
  checkArg,
  isChannel,
  isEventName,
  UNREACHABLE_MESSAGE,
  type Channel,
  type IpcResult,
} from '../../../core/ipc/contract.ts';
import { createHandlers, dispatch, displaySafeEmitter, internalErrorLogLine, INTERNAL_MESSAGE, refusalLogLine, toSelfTestReport, type HandlerDeps } from '../../../electron/ipc/handlers.ts';
import { KeyriteError } from '../../../core/errors.ts';
import { assertDisplaySafe } from '../../helpers/hostile-text.ts';

const repo = new URL('../../../', import.meta.url).pathname;

function deps(over: Partial<HandlerDeps> = {}): HandlerDeps {
  return {
    appName: 'Keyrite',
    appVersion: '9.9.9',
    platform: 'linux',
    mode: () => 'rehearsal',
    runSelfTests: async () => ({ ok: true, results: [{ name: 'SHA-256 KAT', ok: true, ms: 0.4 }] }),
    readNetworkInterfaces: () => [{ name: 'lo', addresses: [{ family: 'IPv4', address: '127.0.0.1', internal: true }] }],
    ...over,
  };
}

const handlers = createHandlers(deps());

test('every contract channel has a handler, and every handler is in the contract', () => {
  assert.deepEqual(Object.keys(handlers).sort(), [...CHANNELS].sort());
  for (const c of CHANNELS) assert.equal(typeof handlers[c], 'function', c);
});

test('channel and event names follow namespace:method and do not collide with on()', () => {
  for (const c of CHANNELS) {
    assert.match(c, /^[a-z]+:[a-z][A-Za-z]*$/);
    assert.notEqual(apiPath(c)[0], 'on');
  }
  for (const e of EVENTS) assert.match(e, /^[a-z]+:[a-z][A-Za-z]*$/);
  assert.equal(new Set(CHANNELS.map((c) => apiPath(c).join('.'))).size, CHANNELS.length);
  assert.equal(isChannel('app:info'), true);
  assert.equal(isChannel('toString'), false);
  assert.equal(isChannel('__proto__'), false);
  assert.equal(isEventName('tokens:changed'), true);
  assert.equal(isEventName('constructor'), false);
});

test('the preload and main wire channels only through the contract', () => {
  const preload = readFileSync(`${repo}electron/preload.ts`, 'utf8');
  const main = readFileSync(`${repo}electron/main.ts`, 'utf8');
  assert.match(preload, /buildKeyriteApi\(/);
  assert.equal((preload.match(/exposeInMainWorld\(/g) ?? []).length, 1, 'one exposed object');
  assert.match(main, /for \(const channel of CHANNELS\)/);
  for (const c of CHANNELS) {
    assert.ok(!preload.includes(`'${c}'`), `preload must not hard-code ${c}`);
  }
});

const GARBAGE: unknown[] = [null, 0, 1, '', 'x', true, false, [], [1], {}, { a: 1 }, NaN, Symbol('s'), () => 1, new Uint8Array(2), { then: () => {} }];

for (const channel of CHANNELS) {
  test(`${channel}: garbage arguments resolve to {ok:false, INVALID_INPUT}`, async () => {
    for (const g of GARBAGE) {
      const r = await handlers[channel](g);
      assert.equal(r.ok, false, `${String(typeof g === 'symbol' ? 'symbol' : JSON.stringify(g))}`);
      if (!r.ok) {
        assert.equal(r.code, 'INVALID_INPUT');
        assert.equal(typeof r.message, 'string');
      }
      assert.notEqual(checkArg(channel, g), null);
    }
  });
}

test('dispatch refuses unknown channels and extra arguments', async () => {
  for (const bad of ['nope', 'app:nope', '__proto__', 'constructor', 42, null, undefined]) {
    const r = await dispatch(handlers, bad, []);
    assert.deepEqual(r, { ok: false, code: 'UNKNOWN_CHANNEL', message: 'Keyrite does not know this request.' });
  }
  const r = await dispatch(handlers, 'app:info', [undefined, 'extra']);
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.code, 'INVALID_INPUT');
  assert.deepEqual(await dispatch(handlers, 'app:info', 'not an array' as never), { ok: false, code: 'INVALID_INPUT', message: 'A request takes at most one argument.' });
});

test('app:info returns exactly the contract fields', async () => {
  const r = await dispatch(handlers, 'app:info', []);
  assert.deepEqual(r, { ok: true, value: { name: 'Keyrite', version: '9.9.9', mode: 'rehearsal', platform: 'linux' } });
});

test('airgap:status evaluates the interfaces', async () => {
  const r = await createHandlers(
    deps({
      readNetworkInterfaces: () => [
        { name: 'lo', addresses: [{ family: 'IPv4', address: '127.0.0.1', internal: true }] },
        { name: 'eth0', addresses: [{ family: 'IPv4', address: '10.1.2.3', internal: false }] },
      ],
    }),
  )['airgap:status'](undefined);
  assert.equal(r.ok, true);
  if (r.ok) {
    assert.equal(r.value.isolated, false);
    assert.deepEqual(r.value.interfaces.map((i) => i.name), ['eth0']);
  }
});

test('every result is JSON-safe (survives a JSON round trip unchanged)', async () => {
  for (const c of CHANNELS) {
    const r = await handlers[c](undefined);
    assert.deepEqual(JSON.parse(JSON.stringify(r)), r, c);
  }
});

test('tokens:list answers UNAVAILABLE until the token engine is wired, then copies only contract fields', async () => {
  const r = await handlers['tokens:list'](undefined);
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.code, 'UNAVAILABLE');
  const withTokens = createHandlers(
    deps({
      listTokens: async () => [
        { id: 'pkcs11:token=A', label: 'A', manufacturer: 'SoftHSM', model: 'v2', serial: '1', rehearsalOnly: true, pin: '1234' } as never,
      ],
    }),
  );
  const t = await withTokens['tokens:list'](undefined);
  assert.deepEqual(t, { ok: true, value: [{ id: 'pkcs11:token=A', label: 'A', manufacturer: 'SoftHSM', model: 'v2', serial: '1', rehearsalOnly: true }] });
});

test('a token label, an error message and an event payload reach the window escaped (a USB token names itself)', async () => {
  const label = 'Token\u001b[2J\u202eevil\u200b';
  const h = createHandlers(
    deps({
      listTokens: async () => [{ id: 'pkcs11:token=A', label, manufacturer: 'M\u0085', model: 'v2', serial: '1', rehearsalOnly: false }],
      readNetworkInterfaces: () => {
        throw new KeyriteError('IO_ERROR', `The interface ${label} could not be read.`);
      },
    }),
  );
  const t = await h['tokens:list'](undefined);
  assert.ok(t.ok);
  assert.equal(t.value[0]!.label, 'Token\\u{1b}[2J\\u{202e}evil\\u{200b}');
  assert.equal(t.value[0]!.manufacturer, 'M\\u{85}');
  assert.deepEqual(await h['airgap:status'](undefined), { ok: false, code: 'IO_ERROR', message: 'The interface Token\\u{1b}[2J\\u{202e}evil\\u{200b} could not be read.' });
  const sent: unknown[] = [];
  displaySafeEmitter((event, payload) => sent.push([event, payload]))('tokens:changed', { change: 'attached', message: `${label} attached` });
  assert.deepEqual(sent, [['tokens:changed', { change: 'attached', message: 'Token\\u{1b}[2J\\u{202e}evil\\u{200b} attached' }]]);
  assert.equal(refusalLogLine('navigation', `https://x/\u001b]0;t\u0007`), 'keyrite: refused navigation: https://x/\\u{1b}]0;t\\u{7}');
  assertDisplaySafe(internalErrorLogLine('selftest:run', new Error(`bad ${label}`)), 'the main log line');
});

test('unexpected errors become one sentence; the error itself goes to the main log only', async () => {
  const logged: unknown[] = [];
  const secret = new Error('seed=00112233 at /home/x/core/secret.ts:12');
  const h = createHandlers(
    deps({
      runSelfTests: async () => {
        throw secret;
      },
      logError: (_c, e) => logged.push(e),
    }),
  );
  const r = await h['selftest:run'](undefined);
  assert.deepEqual(r, { ok: false, code: 'INTERNAL', message: INTERNAL_MESSAGE });
  assert.deepEqual(logged, [secret]);
  assert.ok(!JSON.stringify(r).includes('seed'));
});

test('KeyriteError keeps its code and sentence', async () => {
  const h = createHandlers(
    deps({
      readNetworkInterfaces: () => {
        throw new KeyriteError('IO_ERROR', 'The network interfaces could not be read.');
      },
    }),
  );
  assert.deepEqual(await h['airgap:status'](undefined), { ok: false, code: 'IO_ERROR', message: 'The network interfaces could not be read.' });
});

test('a throwing logger does not break the handler', async () => {
  const h = createHandlers(
    deps({
      runSelfTests: async () => {
        throw new Error('x');
      },
      logError: () => {
        throw new Error('logger down');
      },
    }),
  );
  assert.equal((await h['selftest:run'](undefined)).ok, false);
});

test('self-test reports are re-checked and fail closed', () => {
  assert.deepEqual(toSelfTestReport({ ok: true, results: [{ name: 'a', ok: true, ms: 1, extra: 'dropped' }] }), { ok: true, results: [{ name: 'a', ok: true, ms: 1 }] });
  // ok:true with a failed result, or with no result at all, is not ok.
  assert.equal(toSelfTestReport({ ok: true, results: [{ name: 'a', ok: false, ms: 1, detail: 'mismatch' }] }).ok, false);
  assert.equal(toSelfTestReport({ ok: true, results: [] }).ok, false);
  assert.equal(toSelfTestReport({ ok: false, results: [{ name: 'a', ok: true, ms: 1 }] }).ok, false);
  assert.equal(toSelfTestReport({ ok: true, results: [{ name: 'a', ok: false, ms: 1, detail: 'x'.repeat(2000) }] }).results[0]!.detail!.length, 501);
  for (const bad of [null, 1, {}, { ok: 'yes', results: [] }, { ok: true, results: {} }, { ok: true, results: [null] }, { ok: true, results: [{ name: 1, ok: true, ms: 1 }] }, { ok: true, results: [{ name: 'a', ok: true, ms: -1 }] }, { ok: true, results: [{ name: 'a', ok: true, ms: Infinity }] }, { ok: true, results: [{ name: 'a', ok: true, ms: 1, detail: 5 }] }]) {
    assert.throws(() => toSelfTestReport(bad), (e: unknown) => e instanceof KeyriteError && e.code === 'SELFTEST_FAILED');
  }
});

test('buildKeyriteApi exposes one method per channel plus on(), frozen', async () => {
  const calls: Array<[Channel, unknown]> = [];
  const api = buildKeyriteApi(
    async (channel, arg) => {
      calls.push([channel, arg]);
      return dispatch(handlers, channel, [arg]);
    },
    () => () => {},
  );
  const shape = Object.fromEntries(Object.entries(api).map(([k, v]) => [k, typeof v === 'function' ? 'function' : Object.keys(v).sort()]));
  const expected: Record<string, unknown> = { on: 'function' };
  for (const c of CHANNELS) {
    const [ns, m] = apiPath(c);
    expected[ns] = [...((expected[ns] as string[] | undefined) ?? []), m].sort();
  }
  assert.deepEqual(shape, expected);
  assert.ok(Object.isFrozen(api));
  assert.ok(Object.isFrozen(api.app));
  const info = await api.app.info();
  assert.equal(info.ok, true);
  assert.deepEqual(calls, [['app:info', undefined]]);
  // A bad argument is refused before anything is sent.
  const bad = await (api.app.info as unknown as (a: unknown) => Promise<IpcResult<unknown>>)({ evil: true });
  assert.equal(bad.ok, false);
  assert.equal(calls.length, 1);
});

test('buildKeyriteApi never rejects: transport failures and odd answers become sentences', async () => {
  const rejecting = buildKeyriteApi(
    async () => {
      throw new Error('No handler registered for app:info');
    },
    () => () => {},
  );
  assert.deepEqual(await rejecting.app.info(), { ok: false, code: 'INTERNAL', message: UNREACHABLE_MESSAGE });
  const odd = buildKeyriteApi(async () => 'surprise', () => () => {});
  assert.deepEqual(await odd.selftest.run(), { ok: false, code: 'INTERNAL', message: UNREACHABLE_MESSAGE });
});

test('on() accepts only contract events and hands the listener only the payload', () => {
  let registered: ((p: unknown) => void) | undefined;
  let unsubscribed = false;
  const api = buildKeyriteApi(
    async () => ({ ok: true, value: null }),
    (event, listener) => {
      assert.equal(event, 'tokens:changed');
      registered = listener;
      return () => {
        unsubscribed = true;
      };
    },
  );
  const got: unknown[] = [];
  const off = api.on('tokens:changed', (p) => got.push(p));
  registered?.({ change: 'attached' });
  assert.deepEqual(got, [{ change: 'attached' }]);
  off();
  assert.equal(unsubscribed, true);
  assert.throws(() => api.on('app:info' as never, () => {}), TypeError);
  assert.throws(() => api.on('tokens:changed', 'not a function' as never), TypeError);
});
