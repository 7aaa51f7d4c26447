// The `app` entry of `npm run bench` (build/bench.ts): what the desktop app costs before its
// first screen, measured on the production renderer build (node build/build.mjs renderer →
// dist/renderer):
//  - initialJs: the JavaScript index.html loads before anything is clicked — its module
//    scripts, its modulepreload links and their static imports, followed file to file (lazy
//    chunks behind import() are not counted) — each gzipped (node:zlib, level 9) and summed;
//  - firstScreen: Chromium opens the build the way the end-to-end test does
//    (test/e2e/harness.ts: served with the app:// headers and CSP, `window.keyrite` backed by
//    the real IPC handlers through page.exposeBinding), a fresh browser context per load (cold:
//    empty caches), and the page itself records performance.now() — milliseconds since
//    navigation start — when the home screen's heading (#selftest-title, "Self-tests") is in
//    the document and visible. Median of FIRST_SCREEN_LOADS loads.
// Targets (issue: app shell): initial JS ≤ 500 KB gzipped, first screen ≤ 1000 ms. They are
// reported (true/false), never enforced: the bench does not fail on a missed target.
import { spawnSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { bundleFakePreload, launchChromium, openAppPage, realHandlers, repo } from '../test/e2e/harness.ts';

export const TARGET_INITIAL_JS_GZIP_BYTES = 500 * 1024;
export const TARGET_FIRST_SCREEN_MS = 1000;
export const FIRST_SCREEN_LOADS = 5;
/** The home screen's heading: the first heading of renderer/src/screens/Home.tsx. */
export const HOME_HEADING = '#selftest-title';

type Figures = Record<string, unknown>;

/** Relative module specifiers of static `import … from "…"`, `import "…"` and `export … from "…"` (not `import(…)`). */
export function staticImports(code: string): string[] {
  const out: string[] = [];
  for (const m of code.matchAll(/(?<![\w$.])(?:import|export)\s*(?:[\w$*{},\s]*?\s*from\s*)?["'](\.{1,2}\/[^"']+)["']/g)) out.push(m[1]!);
  return out;
}

/** The JavaScript files `index.html` in `site` loads initially: entry scripts, modulepreloads and their static imports. */
export function initialScripts(site: string): string[] {
  const html = readFileSync(join(site, 'index.html'), 'utf8');
  const queue: string[] = [];
  for (const tag of html.matchAll(/<(script|link)\b[^>]*>/g)) {
    const t = tag[0];
    const url = tag[1] === 'script' ? /\bsrc=["']([^"']+)["']/.exec(t)?.[1] : /\brel=["']modulepreload["']/.test(t) ? /\bhref=["']([^"']+)["']/.exec(t)?.[1] : undefined;
    if (url) queue.push(resolve(site, url));
  }
  const seen = new Set<string>();
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    if (!existsSync(file)) throw new Error(`index.html loads ${relative(site, file)}, which the build does not have`);
    seen.add(file);
    for (const spec of staticImports(readFileSync(file, 'utf8'))) queue.push(resolve(dirname(file), spec));
  }
  return [...seen];
}

function initialJs(site: string): Figures {
  const files = initialScripts(site).map((f) => {
    const bytes = readFileSync(f);
    return { file: relative(site, f), bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
  });
  const gzipBytes = files.reduce((s, f) => s + f.gzipBytes, 0);
  return { gzipBytes, rawBytes: files.reduce((s, f) => s + f.bytes, 0), files };
}

/** Records when the home heading is first in the document and visible, in ms since navigation start. */
const FIRST_SCREEN_PROBE = `(() => {
  window.__keyriteFirstScreen = null;
  const seen = () => {
    if (window.__keyriteFirstScreen !== null) return true;
    const h = document.querySelector(${JSON.stringify(HOME_HEADING)});
    if (!h || !h.checkVisibility()) return false;
    window.__keyriteFirstScreen = performance.now();
    return true;
  };
  new MutationObserver((_, o) => { if (seen()) o.disconnect(); }).observe(document, { childList: true, subtree: true, attributes: true });
})();`;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};
const round1 = (x: number): number => Math.round(x * 10) / 10;

async function firstScreen(site: string): Promise<Figures> {
  const preload = await bundleFakePreload();
  const handlers = realHandlers();
  const browser = await launchChromium();
  const runsMs: number[] = [];
  const fcpMs: number[] = [];
  try {
    for (let i = 0; i < FIRST_SCREEN_LOADS; i++) {
      const app = await openAppPage(browser, { site, handlers, preload, viewport: { width: 1280, height: 800 }, initScripts: [FIRST_SCREEN_PROBE] });
      try {
        await app.page.waitForSelector(HOME_HEADING, { state: 'visible', timeout: 60_000 });
        const t = await app.page.evaluate(() => {
          const w = window as unknown as { __keyriteFirstScreen: number | null };
          return { heading: w.__keyriteFirstScreen, fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null };
        });
        if (t.heading === null) throw new Error('the page showed the home heading, but the probe did not see it');
        runsMs.push(round1(t.heading));
        if (t.fcp !== null) fcpMs.push(round1(t.fcp));
        // Let the home screen finish its IPC calls (the real self-tests run in this process)
        // before the next cold load, so one load's work does not slow the next.
        await app.page.waitForSelector('[data-testid=selftest]:not([data-state=running])', { timeout: 120_000 });
        await app.page.waitForSelector('[data-testid=airgap]:not([data-state=checking])', { timeout: 60_000 });
        const problems = [...app.pageErrors, ...app.consoleProblems, ...app.foreignRequests.map((u) => `foreign request ${u}`)];
        if (problems.length > 0) throw new Error(`the home screen is broken, timing it would measure nothing: ${problems.join('; ')}`);
      } finally {
        await app.context.close();
      }
    }
  } finally {
    await browser.close();
  }
  return { medianMs: median(runsMs), runsMs, firstContentfulPaintMedianMs: fcpMs.length > 0 ? median(fcpMs) : null };
}

export const APP_BENCHMARK = {
  name: 'app',
  description:
    'desktop renderer (dist/renderer, rebuilt first): initial JavaScript gzipped (level 9: entry script, modulepreloads and their static imports; lazy chunks not counted) ' +
    `and time to first screen in Chromium (as test/e2e/harness.ts: app headers and CSP, real IPC handlers), ms from navigation start to the home heading ${HOME_HEADING} visible, median of ${FIRST_SCREEN_LOADS} cold loads (fresh context each). Targets reported, never enforced`,
  async run(): Promise<Figures> {
    const t0 = performance.now();
    const build = spawnSync(process.execPath, [join(repo, 'build/build.mjs'), 'renderer'], { cwd: repo, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`node build/build.mjs renderer failed: ${(build.stderr || build.stdout).trim()}`);
    const buildMs = Math.round(performance.now() - t0);
    const site = join(repo, 'dist/renderer');
    const js = initialJs(site);
    const screen = await firstScreen(site);
    return {
      rendererBuildMs: buildMs,
      initialJs: js,
      firstScreen: screen,
      targets: {
        initialJsMaxGzipBytes: TARGET_INITIAL_JS_GZIP_BYTES,
        initialJsMet: (js.gzipBytes as number) <= TARGET_INITIAL_JS_GZIP_BYTES,
        firstScreenMaxMs: TARGET_FIRST_SCREEN_MS,
        firstScreenMet: (screen.medianMs as number) <= TARGET_FIRST_SCREEN_MS,
      },
    };
  },
};
