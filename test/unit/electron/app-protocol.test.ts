// The app:// origin: which URLs count as the app's own, and what the protocol serves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_CSP, APP_CSP_META, APP_ENTRY_URL, isAllowedAppUrl } from '../../../electron/app-origin.ts';
import { resolveAppPath, serveAppPath, serveAppUrl, SECURITY_HEADERS } from '../../../electron/app-protocol.ts';

const repo = new URL('../../../', import.meta.url).pathname;

test('isAllowedAppUrl accepts the app entry and its files', () => {
  for (const u of [APP_ENTRY_URL, 'app://keyrite/', 'app://keyrite/assets/index-abc.js', 'app://keyrite/index.html#/ceremony', 'app://keyrite/index.html?x=1']) {
    assert.equal(isAllowedAppUrl(u), true, u);
  }
});

test('isAllowedAppUrl refuses other schemes, hosts, ports, user info and traversal', () => {
  for (const u of [
    'https://keyrite/index.html',
    'http://localhost/index.html',
    'file:///etc/passwd',
    'file:///opt/Keyrite/resources/app.asar/dist/renderer/index.html',
    'ws://keyrite/',
    'app://other/index.html',
    'app://keyrite.evil/index.html',
    'app://keyrite:8080/index.html',
    'app://user@keyrite/index.html',
    'app://keyrite/assets/..%2f..%2fmain.cjs',
    'app://keyrite/a%5c..%5cb',
    'app://keyrite/a%00.js',
    'app://keyrite/assets//x.js',
    'app://keyrite/%E0%A4%A',
    'data:text/html,<h1>x</h1>',
    'javascript:alert(1)',
    'about:blank',
    '',
    'not a url',
  ]) {
    assert.equal(isAllowedAppUrl(u), false, u);
  }
});

test('dot segments, even percent-encoded, are resolved by the URL parser inside the app origin', () => {
  // As in Chromium: app://keyrite/%2e%2e/%2e%2e/etc/passwd IS app://keyrite/etc/passwd,
  // i.e. dist/renderer/etc/passwd, which does not exist (404). It never leaves the root.
  const u = new URL('app://keyrite/%2e%2e/%2e%2e/etc/passwd');
  assert.equal(u.pathname, '/etc/passwd');
  assert.equal(resolveAppPath(u.pathname, '/r'), '/r/etc/passwd');
});

test('resolveAppPath stays inside the root', () => {
  assert.equal(resolveAppPath('/', '/r'), '/r/index.html');
  assert.equal(resolveAppPath('/assets/a.js', '/r'), '/r/assets/a.js');
  for (const p of ['/../x', '/a/../../x', '/%2e%2e/x', '/a%2f..%2f..%2fx', '//etc/passwd', 'relative', '/C:%5cwindows']) {
    assert.equal(resolveAppPath(p, '/r'), null, p);
  }
});

function withSite(fn: (dir: string) => Promise<void>) {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyrite-site-'));
    try {
      mkdirSync(join(dir, 'assets'));
      writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>');
      writeFileSync(join(dir, 'assets', 'a.js'), 'export {}');
      writeFileSync(join(dir, 'assets', 'a.css'), 'body{}');
      writeFileSync(join(dir, 'assets', 'secret.key'), 'nope');
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

const read = (p: string) => readFile(p);

test(
  'serveAppUrl serves app files with their type and the security headers',
  withSite(async (dir) => {
    const html = await serveAppUrl('GET', APP_ENTRY_URL, dir, read);
    assert.equal(html.status, 200);
    assert.equal(html.headers['Content-Type'], 'text/html; charset=utf-8');
    assert.equal(html.headers['Content-Security-Policy'], APP_CSP);
    assert.equal(html.headers['X-Content-Type-Options'], 'nosniff');
    assert.equal(new TextDecoder().decode(html.body!), '<!doctype html><title>t</title>');
    const js = await serveAppUrl('GET', 'app://keyrite/assets/a.js', dir, read);
    assert.equal(js.headers['Content-Type'], 'text/javascript; charset=utf-8');
    const css = await serveAppUrl('GET', 'app://keyrite/assets/a.css', dir, read);
    assert.equal(css.headers['Content-Type'], 'text/css; charset=utf-8');
    const head = await serveAppUrl('HEAD', 'app://keyrite/', dir, read);
    assert.equal(head.status, 200);
    assert.equal(head.body, null);
  }),
);

test(
  'serveAppUrl answers 404/405 for anything else, with the security headers',
  withSite(async (dir) => {
    for (const u of ['app://keyrite/missing.js', 'app://keyrite/assets/secret.key', 'app://keyrite/assets', 'app://keyrite/%2e%2e/x.js', 'app://other/index.html', 'https://keyrite/index.html']) {
      const r = await serveAppUrl('GET', u, dir, read);
      assert.equal(r.status, 404, u);
      assert.equal(r.body, null);
      assert.equal(r.headers['Content-Security-Policy'], APP_CSP);
    }
    assert.equal((await serveAppPath('POST', '/index.html', dir, read)).status, 405);
    assert.equal((await serveAppPath('PUT', '/index.html', dir, read)).status, 405);
  }),
);

test('the CSP forbids everything the renderer does not need', () => {
  const d = Object.fromEntries(APP_CSP.split('; ').map((x) => [x.split(' ')[0], x.split(' ').slice(1).join(' ')]));
  assert.equal(d['default-src'], "'none'");
  assert.equal(d['script-src'], "'self'");
  assert.equal(d['style-src'], "'self'");
  assert.equal(d['connect-src'], "'none'");
  assert.equal(d['object-src'], "'none'");
  assert.equal(d['base-uri'], "'none'");
  assert.equal(d['form-action'], "'none'");
  assert.equal(d['frame-ancestors'], "'none'");
  assert.ok(!APP_CSP.includes('unsafe'), 'no unsafe-inline / unsafe-eval');
  assert.equal(SECURITY_HEADERS['Content-Security-Policy'], APP_CSP);
});

test('renderer/index.html carries the same CSP as a meta tag (frame-ancestors only in the header)', () => {
  const html = readFileSync(join(repo, 'renderer/index.html'), 'utf8');
  const m = /<meta http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html);
  assert.ok(m, 'CSP meta tag present');
  assert.equal(m[1], APP_CSP_META);
  assert.ok(!APP_CSP_META.includes('frame-ancestors'));
  assert.ok(!/<script(?![^>]*\bsrc=)[^>]*>/.test(html), 'no inline script in the source page');
  assert.ok(!/<style/.test(html) && !/\sstyle=/.test(html), 'no inline style in the source page');
});
