// End to end in Chromium: the production renderer build, served exactly as the app://
// protocol serves it (same files, same headers, same CSP), with `window.keyrite` built
// as the preload builds it and backed by the REAL IPC handlers (real self-tests, real
// network interfaces). Asserts what the home screen shows on this machine, zero network
// requests, no CSP violation, keyboard reach, screenshots that decode to the screen, and
// that the CSP is actually enforced. Everything it writes is in one temp folder, removed after.
// Needs Chromium at /usr/bin/chromium (Debian package `chromium`) or $KEYRITE_CHROMIUM.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { appVersion as version, bundleFakePreload, buildRenderer, launchChromium, openAppPage, realHandlers, type AppPage } from './harness.ts';
import { evaluateAirGap } from '../../core/airgap/status.ts';
import { readNetworkInterfaces } from '../../core/node/network-interfaces.ts';
import { usbState } from '../../electron/ipc/node-deps.ts';

let work: string;
let site: string;
let browser: Browser;
let app: AppPage;
let page: Page;

const CSP_PROBE = `
  window.__csp = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__csp.push(e.violatedDirective + ' ' + e.blockedURI);
  });
`;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'keyrite-e2e-'));
  site = join(work, 'renderer');
  // A fresh production build of the renderer, into the temp folder (dist/ is left alone).
  await buildRenderer(site);
  const preload = await bundleFakePreload();
  browser = await launchChromium();
  app = await openAppPage(browser, { site, handlers: realHandlers(), preload, viewport: { width: 1280, height: 800 }, initScripts: [CSP_PROBE] });
  page = app.page;
});

after(async () => {
  await browser?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the production build has no inline script or style', () => {
  const html = readFileSync(join(site, 'index.html'), 'utf8');
  assert.ok(!/<script(?![^>]*\bsrc=)[^>]*>/.test(html), 'every script has a src');
  assert.ok(!/<style[\s>]/.test(html), 'no <style> element');
  assert.ok(!/\sstyle=/.test(html), 'no style attribute');
  assert.ok(!/(src|href)=["']?data:/.test(html), 'no data: URL');
});

test('home screen: self-tests passed, this machine\'s air gap, tokens and USB, rehearsal banner, version', { timeout: 180_000 }, async () => {
  await page.waitForSelector('[data-testid=selftest][data-state=passed]', { timeout: 170_000 });
  await page.waitForSelector('[data-testid=airgap]:not([data-state=checking])');
  await page.waitForSelector('[data-testid=tokens][data-state=ready]');
  await page.waitForFunction(() => document.querySelector('[data-testid=usb]')?.textContent !== 'Checking USB…');
  const selftests = Number(/^All (\d+) self-tests passed\.$/.exec(await page.locator('[data-testid=selftest] .status-text').innerText())?.[1]);
  assert.ok(selftests >= 10, `${selftests} self-tests`);
  assert.equal(await page.locator('.results li.result-ok').count(), selftests, 'one passed line per self-test in the list');
  assert.equal(await page.locator('.results li.result-bad').count(), 0);

  // What the real handlers read on this machine, read here too: the screen must show it.
  const airgap = evaluateAirGap(readNetworkInterfaces());
  assert.equal(await page.getAttribute('[data-testid=airgap]', 'data-state'), airgap.isolated ? 'isolated' : 'connected');
  assert.equal(await page.locator('[data-testid=airgap] .status-text').innerText(), airgap.summary);
  assert.deepEqual(await page.locator('[data-testid=airgap] .interfaces li').evaluateAll((lis) => lis.map((li) => [li.querySelector('.iface-name')?.textContent, li.querySelector('.iface-addresses')?.textContent])), airgap.interfaces.map((i) => [i.name, i.addresses.join(', ')]));
  // No token is attached here, so the machine is never ready.
  assert.match(await page.locator('.readiness').innerText(), airgap.isolated ? /^Not ready for a ceremony: no token is attached\.\n+Plug in the tokens/ : /^Not ready for a ceremony: a network interface is up and no token is attached\.\n+Unplug the network cable/);
  // No PKCS#11 module and no software token folder are configured for this page.
  assert.equal(await page.locator('[data-testid=tokens] .status-text').innerText(), 'No token found. Plug in a token, or set up rehearsal software tokens, then look again.');
  assert.equal(await page.locator('[data-testid=usb]').innerText(), (await usbState()).message);

  assert.match(await page.locator('.rehearsal-banner').innerText(), /rehearsal only/i);
  assert.match(await page.locator('.version').innerText(), new RegExp(`Version ${version.replace(/\./g, '\\.')}`));
  assert.equal(await page.locator('h1').innerText(), 'Keyrite');
  assert.deepEqual([...new Set(app.ipcCalls)].sort(), ['airgap:status', 'app:info', 'selftest:run', 'tokens:list', 'usb:status']);
});

test('the page made no request besides its own files, and no CSP violation or error', async () => {
  assert.deepEqual(app.foreignRequests, []);
  const paths = app.appRequests.map((u) => new URL(u).pathname);
  assert.ok(paths.includes('/index.html'));
  for (const p of paths) assert.match(p, /^\/(index\.html|assets\/[\w.-]+\.(js|css))$/, p);
  assert.deepEqual(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp), []);
  assert.deepEqual(app.consoleProblems, []);
  assert.deepEqual(app.pageErrors, []);
});

test('keyboard: Tab reaches the disclosure and both buttons, Enter opens the test list', async () => {
  await page.locator('body').focus();
  const reached: string[] = [];
  // Past the skip link and the screen buttons (Home, Ceremony, Recovery, Signing, Audit, My share) to the home panels.
  for (let i = 0; i < 11; i++) {
    await page.keyboard.press('Tab');
    reached.push(await page.evaluate(() => `${document.activeElement?.tagName.toLowerCase()}:${(document.activeElement as HTMLElement | null)?.innerText.trim()}`));
  }
  assert.equal(reached[0], 'a:Skip to the screen', 'the skip link is the first Tab stop');
  assert.ok(reached.includes('summary:Show each test'), reached.join(' | '));
  assert.ok(reached.includes('button:Run the self-tests again'), reached.join(' | '));
  assert.ok(reached.includes('button:Check the network again'), reached.join(' | '));
  await page.locator('summary').focus();
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('details').getAttribute('open'), '');
  assert.ok((await page.locator('.results li').count()) > 0);
  await page.keyboard.press('Enter');
});

/** A PNG decoded by Chromium's own decoder (a blank page, outside the app): its size and how many colours it has. */
async function decodePng(png: Buffer): Promise<{ width: number; height: number; colours: number }> {
  const blank = await browser.newPage();
  try {
    return await blank.evaluate(async (base64) => {
      const bitmap = await createImageBitmap(new Blob([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], { type: 'image/png' }));
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const g = canvas.getContext('2d')!;
      g.drawImage(bitmap, 0, 0);
      const rgba = g.getImageData(0, 0, bitmap.width, bitmap.height).data;
      const colours = new Set<number>();
      for (let i = 0; i < rgba.length; i += 4) colours.add((rgba[i]! << 16) | (rgba[i + 1]! << 8) | rgba[i + 2]!);
      return { width: bitmap.width, height: bitmap.height, colours: colours.size };
    }, png.toString('base64'));
  } finally {
    await blank.close();
  }
}

test('screenshots at 1280x800 for a human look: the screen, then the whole page with the test list open', async (t) => {
  // KEYRITE_SCREENSHOT_DIR keeps them for a person; otherwise they go with the temp folder.
  const dir = process.env.KEYRITE_SCREENSHOT_DIR ?? join(work, 'screenshots');
  mkdirSync(dir, { recursive: true });
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  const home = await page.screenshot();
  const closedHeight = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.locator('summary').click();
  assert.equal(await page.locator('details').getAttribute('open'), '');
  const pageHeight = await page.evaluate(() => document.documentElement.scrollHeight);
  const details = await page.screenshot({ fullPage: true });
  await page.locator('summary').click();
  const files = { 'home-1280x800.png': home, 'home-details-1280x800.png': details };
  for (const [name, png] of Object.entries(files)) writeFileSync(join(dir, name), png);
  t.diagnostic(`screenshots in ${dir}`);

  const shown = await decodePng(home);
  assert.deepEqual([shown.width, shown.height], [1280, 800]);
  const whole = await decodePng(details);
  assert.deepEqual([whole.width, whole.height], [1280, pageHeight]);
  assert.ok(pageHeight > closedHeight, `the open test list makes the page longer (${closedHeight} px closed, ${pageHeight} px open)`);
  // Anti-aliased text alone gives dozens of colours: a blank or single-colour capture fails here.
  for (const [name, d] of [['home', shown], ['details', whole]] as const) assert.ok(d.colours >= 32, `${name}: ${d.colours} colours`);
});

// (eval cannot be probed from page.evaluate: DevTools evaluation is exempt from the CSP's
// eval check; the policy's lack of 'unsafe-eval' is asserted in test/unit/electron.)
test('the CSP is enforced: inline script, fetch and foreign images are all blocked', async () => {
  const outcome = await page.evaluate(async () => {
    const w = window as unknown as { __inlineRan?: boolean; __csp: string[] };
    // Trusted Types refuses the assignment itself; without it, script-src would refuse the run.
    let inlineRefused = false;
    try {
      const s = document.createElement('script');
      s.textContent = 'window.__inlineRan = true';
      document.body.append(s);
    } catch {
      inlineRefused = true;
    }
    let fetchBlocked = false;
    try {
      await window.fetch('https://example.com/');
    } catch {
      fetchBlocked = true;
    }
    const img = new Image();
    const imgBlocked = await new Promise<boolean>((resolve) => {
      img.onload = () => resolve(false);
      img.onerror = () => resolve(true);
      img.src = 'https://example.com/x.png';
    });
    await new Promise((r) => setTimeout(r, 50));
    return { inlineRan: w.__inlineRan === true, inlineRefused, fetchBlocked, imgBlocked, violations: w.__csp };
  });
  assert.equal(outcome.inlineRan, false, JSON.stringify(outcome));
  assert.equal(outcome.inlineRefused, true, JSON.stringify(outcome));
  assert.equal(outcome.fetchBlocked, true);
  assert.equal(outcome.imgBlocked, true);
  const directives = outcome.violations.map((v) => v.split(' ')[0]);
  for (const d of ['connect-src', 'img-src']) assert.ok(directives.includes(d), `${d} violation in ${outcome.violations.join(', ')}`);
  assert.ok(directives.some((d) => d === 'script-src-elem' || d === 'require-trusted-types-for' || d === 'script-src'), outcome.violations.join(', '));
  // Blocked by the CSP inside the page: nothing reached the network layer (the route
  // handler saw no foreign URL); Chromium reports the image as a request failed by 'csp'.
  assert.deepEqual(app.routed, []);
  for (const url of app.foreignRequests) assert.equal(app.failures.get(url), 'csp', url);
});

test('a subframe cannot use the IPC binding', async () => {
  // A frame that is not the top-level app page is refused, as electron/ipc-sender.ts does.
  const frameResult = await page.evaluate(async () => {
    const f = document.createElement('iframe');
    document.body.append(f);
    const w = f.contentWindow as unknown as { __keyriteInvoke?: (c: string, a: unknown) => Promise<unknown> };
    if (!w.__keyriteInvoke) return 'no binding in the subframe';
    return w.__keyriteInvoke('app:info', undefined);
  });
  if (typeof frameResult !== 'string') {
    assert.equal((frameResult as { ok: boolean; code: string }).ok, false);
    assert.equal((frameResult as { ok: boolean; code: string }).code, 'FORBIDDEN');
  }
});
