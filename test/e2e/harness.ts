// The renderer in Chromium, as the app shows it, without Electron: used by the end-to-end
// test (home-screen.test.ts) and by `npm run screenshots` (build/screenshots.ts).
//  - the production renderer build, served through page.route at ORIGIN with
//    serveAppPath: the same files, headers and CSP as the app:// protocol handler;
//  - `window.keyrite` built by fake-preload.ts with the preload's own builder, backed by a
//    Playwright binding that calls dispatch() on the REAL IPC handlers in this process,
//    refusing any frame but the top-level app page (as electron/ipc-sender.ts does);
//  - every request that is not the app's own is aborted before it reaches any network.
// Needs Chromium at /usr/bin/chromium (Debian package `chromium`) or $KEYRITE_CHROMIUM.
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { serveAppPath } from '../../electron/app-protocol.ts';
import { createHandlers, dispatch, type HandlerDeps, type IpcHandlers } from '../../electron/ipc/handlers.ts';
import { nodeHandlerDeps, type NodeDepsOptions } from '../../electron/ipc/node-deps.ts';
import { sharedFixture } from '../helpers/run-cache.ts';
import { err, type EventName, type EventPayload } from '../../core/ipc/contract.ts';

export const repo = new URL('../../', import.meta.url).pathname;
/** Stand-in origin for app://keyrite (Chromium has no app: scheme): .invalid never resolves,
 *  and every request is answered (or aborted) by page.route before any network. */
export const ORIGIN = 'https://keyrite.invalid';
export const CHROMIUM = process.env.KEYRITE_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS: readonly string[] = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export const appVersion = (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string }).version;

/**
 * The text of the element `selector` if the page shows one now, else '': for assertion messages.
 * (A locator's innerText() would wait the default 30 s for an element that is not there.)
 */
export async function shownText(page: Page, selector: string): Promise<string> {
  const element = page.locator(selector).first();
  return (await element.count()) > 0 ? element.innerText() : '';
}

/** A production build of the renderer (renderer/vite.config.ts) into `outDir`: made once per test run (test/helpers/run-cache.ts) and copied. */
export async function buildRenderer(outDir: string): Promise<void> {
  const built = await sharedFixture('renderer', async (folder) => {
    const { build } = await import('vite');
    await build({ root: join(repo, 'renderer'), configFile: join(repo, 'renderer/vite.config.ts'), logLevel: 'error', build: { outDir: folder, emptyOutDir: true } });
  });
  cpSync(built, outDir, { recursive: true });
}

/** test/e2e/fake-preload.ts bundled into one init script. */
export async function bundleFakePreload(): Promise<string> {
  const out = await esbuild.build({ entryPoints: [join(repo, 'test/e2e/fake-preload.ts')], bundle: true, format: 'iife', platform: 'browser', write: false, logLevel: 'error' });
  return out.outputFiles[0]!.text;
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is needed at ${CHROMIUM} (apt-get install chromium, or set KEYRITE_CHROMIUM).`);
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS] });
}

/**
 * Main → renderer events for a page: what main.ts's emit() does with webContents.send. Events
 * raised before a page is attached are dropped (as before the window exists); deliveries are
 * chained so the page sees them in order.
 */
export class EventRelay {
  private page: Page | undefined;
  private chain: Promise<unknown> = Promise.resolve();

  readonly emit = <E extends EventName>(event: E, payload: EventPayload<E>): void => {
    const page = this.page;
    if (!page) return;
    this.chain = this.chain.then(() =>
      page.evaluate(([e, p]) => (window as unknown as { __keyriteDeliver?: (e: string, p: unknown) => void }).__keyriteDeliver?.(e, p), [event, payload] as const).catch(() => undefined),
    );
  };

  attach(page: Page): void {
    this.page = page;
  }
}

/** The real handlers with the real Node dependencies (self-tests, network interfaces, tokens, ceremonies), optionally overridden. */
export function realHandlers(overrides: Partial<HandlerDeps> = {}, node: Partial<NodeDepsOptions> = {}): IpcHandlers {
  return createHandlers({
    ...nodeHandlerDeps({ appVersion, platform: process.platform, logError: (c, e) => console.error(c, e), ...node }),
    ...overrides,
  });
}

export interface AppPageOptions {
  /** The built renderer folder (what dist/renderer holds). */
  site: string;
  /** Behind window.keyrite; null opens the page as outside the app (no preload). */
  handlers: IpcHandlers | null;
  /** bundleFakePreload() output; needed unless handlers is null. */
  preload?: string;
  viewport: { width: number; height: number };
  /** Added before the preload. */
  initScripts?: readonly string[];
  path?: string;
  /** Receives the handlers' events once the page exists. */
  events?: EventRelay;
}

export interface AppPage {
  context: BrowserContext;
  page: Page;
  /** Requests to the app's own origin, and to anywhere else. */
  appRequests: string[];
  foreignRequests: string[];
  consoleProblems: string[];
  pageErrors: string[];
  ipcCalls: string[];
  /** url → Chromium's failure text */
  failures: Map<string, string>;
  /** Foreign URLs that reached the route handler (and were aborted there). */
  routed: string[];
}

/** A fresh context and page on the app, navigated to `path` (default /index.html). */
export async function openAppPage(browser: Browser, options: AppPageOptions): Promise<AppPage> {
  const context = await browser.newContext({ viewport: options.viewport, serviceWorkers: 'block', locale: 'en-US' });
  const page = await context.newPage();
  const app: AppPage = { context, page, appRequests: [], foreignRequests: [], consoleProblems: [], pageErrors: [], ipcCalls: [], failures: new Map(), routed: [] };
  page.on('request', (r) => (r.url().startsWith(`${ORIGIN}/`) ? app.appRequests : app.foreignRequests).push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') app.consoleProblems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => app.pageErrors.push(e.message));
  page.on('requestfailed', (r) => app.failures.set(r.url(), r.failure()?.errorText ?? ''));
  await page.route('**/*', async (route, request) => {
    const url = request.url();
    if (!url.startsWith(`${ORIGIN}/`)) {
      app.routed.push(url);
      return route.abort('blockedbyclient');
    }
    const r = await serveAppPath(request.method(), new URL(url).pathname, options.site, (p) => readFile(p));
    return route.fulfill({ status: r.status, headers: r.headers, body: r.body ? Buffer.from(r.body) : '' });
  });
  for (const script of options.initScripts ?? []) await page.addInitScript({ content: script });
  const handlers = options.handlers;
  if (handlers !== null) {
    if (!options.preload) throw new Error('openAppPage: handlers need the bundled fake preload');
    // The sender check of electron/ipc-sender.ts, mirrored: only the top frame on the app origin.
    await page.exposeBinding('__keyriteInvoke', async (source, channel: unknown, arg: unknown) => {
      app.ipcCalls.push(String(channel));
      if (source.frame !== source.page.mainFrame() || !source.frame.url().startsWith(`${ORIGIN}/`)) return err('FORBIDDEN', 'This request did not come from the Keyrite window.');
      return dispatch(handlers, channel, [arg]);
    });
    await page.addInitScript({ content: options.preload });
  }
  options.events?.attach(page);
  await page.goto(`${ORIGIN}${options.path ?? '/index.html'}`);
  return app;
}
