// Accessibility checks for the end-to-end tests and `npm run screenshots`.
// axe-core (pinned devDependency, docs/TOOLING.md) with its WCAG 2.x A/AA and best-practice
// rules: any violation of serious or critical impact fails, and so does text whose colour
// contrast axe could not measure. axe is evaluated into the page through the DevTools protocol
// (page.evaluate), which the page's CSP does not govern: the app's CSP is never loosened (an
// inline <script>, as addScriptTag makes, would rightly be refused by it).
// Then the page's ARIA tree as Playwright reads it (locator.ariaSnapshot) and the explicit rules
// a keyboard or screen-reader user depends on, each failing with the element it found:
//  - one h1, a main landmark, a navigation landmark, a skip link to the main content;
//  - every form control and button has an accessible name, every image an alt text;
//  - ids are unique and every aria-labelledby / aria-describedby / for points at one;
//  - no positive tabindex; no button takes the focus by itself (the caller checks focus);
//  - headings do not skip a level going down.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import type { AxeResults, RunOptions } from 'axe-core';

export interface A11yFinding {
  rule: string;
  element: string;
}

/** The rules above, run in the page. */
export async function a11yFindings(page: Page): Promise<A11yFinding[]> {
  // tsx compiles the function below with esbuild's keepNames helper; the page has none.
  await page.evaluate('globalThis.__name ??= (f) => f');
  return page.evaluate(() => {
    const out: { rule: string; element: string }[] = [];
    const describe = (el: Element) => `<${el.tagName.toLowerCase()}${el.id ? ` id="${el.id}"` : ''}${el.getAttribute('data-testid') ? ` data-testid="${el.getAttribute('data-testid')}"` : ''}> ${(el.textContent ?? '').trim().slice(0, 60)}`;
    const visible = (el: Element) => (el as HTMLElement).offsetParent !== null || getComputedStyle(el).position === 'fixed' || getComputedStyle(el).position === 'sticky';
    const byId = (id: string) => document.getElementById(id);
    const nameOf = (el: Element): string => {
      const labelledby = el.getAttribute('aria-labelledby');
      if (labelledby) return labelledby.split(/\s+/).map((id) => byId(id)?.textContent ?? '').join(' ').trim();
      const aria = el.getAttribute('aria-label');
      if (aria) return aria.trim();
      if (el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement) {
        return [...(el.labels ?? [])].map((l) => l.textContent ?? '').join(' ').trim() || (el.getAttribute('title') ?? '');
      }
      return (el.textContent ?? '').trim();
    };
    if (document.querySelectorAll('h1').length !== 1) out.push({ rule: 'exactly one h1', element: `${document.querySelectorAll('h1').length} h1 elements` });
    if (!document.querySelector('main')) out.push({ rule: 'a main landmark', element: 'no <main>' });
    if (window.keyrite && !document.querySelector('nav[aria-label]')) out.push({ rule: 'a named navigation landmark', element: 'no <nav aria-label>' });
    const skip = document.querySelector('a.skip-link[href^="#"]');
    if (!skip) out.push({ rule: 'a skip link to the main content', element: 'no a.skip-link' });
    else if (!byId(skip.getAttribute('href')!.slice(1))) out.push({ rule: 'the skip link points at an element', element: describe(skip) });
    for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea, button')) {
      if (!visible(el)) continue;
      if (nameOf(el).length === 0) out.push({ rule: 'every control has an accessible name', element: describe(el) });
    }
    for (const el of document.querySelectorAll('img')) if (!el.hasAttribute('alt')) out.push({ rule: 'every image has alt text', element: describe(el) });
    const ids = new Map<string, number>();
    for (const el of document.querySelectorAll('[id]')) ids.set(el.id, (ids.get(el.id) ?? 0) + 1);
    for (const [id, n] of ids) if (n > 1) out.push({ rule: 'ids are unique', element: `id "${id}" ×${n}` });
    for (const attr of ['aria-labelledby', 'aria-describedby', 'aria-controls']) {
      for (const el of document.querySelectorAll(`[${attr}]`)) {
        for (const id of el.getAttribute(attr)!.split(/\s+/)) if (!byId(id)) out.push({ rule: `${attr} points at an element`, element: `${describe(el)} → #${id}` });
      }
    }
    for (const el of document.querySelectorAll('label[for]')) if (!byId(el.getAttribute('for')!)) out.push({ rule: 'label for points at an element', element: describe(el) });
    for (const el of document.querySelectorAll('[tabindex]')) if (Number(el.getAttribute('tabindex')) > 0) out.push({ rule: 'no positive tabindex', element: describe(el) });
    let level = 0;
    for (const h of document.querySelectorAll('h1, h2, h3, h4, h5, h6')) {
      if (!visible(h)) continue;
      const l = Number(h.tagName[1]);
      if (l > level + 1) out.push({ rule: 'headings do not skip a level', element: `${describe(h)} after h${level}` });
      level = l;
    }
    return out;
  });
}

let axeSource: string | undefined;

/** axe-core's violations of serious or critical impact on the page as it is now, and any text whose contrast it could not measure, one line each: rule, element, why. */
export async function axeViolations(page: Page): Promise<string[]> {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(`${axeSource}\n;0`);
  await page.evaluate('globalThis.__name ??= (f) => f');
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: RunOptions): Promise<AxeResults> } }).axe;
    // From the top of the page, where the sticky run header covers nothing (axe would find text
    // under it "overlapped"); the page is put back where it was.
    const scrolled = window.scrollY;
    window.scrollTo(0, 0);
    const results = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } }).finally(() => window.scrollTo(0, scrolled));
    if (results.passes.length === 0) throw new Error('axe-core checked nothing on this page');
    const serious = results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')} — ${n.failureSummary?.replace(/\s+/g, ' ') ?? v.help}`));
    // Contrast axe could not measure (text on a gradient, an image, an overlap) is not contrast
    // checked: it fails too. Only glyphs that are not text (a ✓ beside the word it stands for) pass.
    const unmeasured = results.incomplete
      .filter((v) => v.id === 'color-contrast')
      .flatMap((v) => v.nodes.filter((n) => (n.any[0]?.data as { messageKey?: string } | null)?.messageKey !== 'nonBmp').map((n) => `color-contrast not measurable: ${n.target.join(' ')} — ${n.any[0]?.message ?? v.help}`));
    return [...serious, ...unmeasured];
  });
}

/** Fails with every finding; returns the ARIA snapshot of the page (for assertions on it). */
export async function assertAccessible(page: Page, where: string): Promise<string> {
  const findings = await a11yFindings(page);
  assert.deepEqual(findings, [], `${where}: accessibility findings`);
  assert.deepEqual(await axeViolations(page), [], `${where}: axe-core violations of serious or critical impact`);
  const snapshot = await page.locator('body').ariaSnapshot();
  assert.match(snapshot, /- main/, `${where}: the ARIA tree has a main landmark`);
  return snapshot;
}

/** What has the focus: tag, type and text, or "body". */
export async function focused(page: Page): Promise<{ tag: string; text: string }> {
  return page.evaluate(() => {
    const el = document.activeElement;
    return !el || el === document.body ? { tag: 'body', text: '' } : { tag: el.tagName.toLowerCase(), text: (el.textContent ?? '').trim().slice(0, 80) };
  });
}

/** No button holds the focus unless a person put it there: a stray Enter must press nothing. */
export async function assertNoButtonFocused(page: Page, where: string): Promise<void> {
  const f = await focused(page);
  assert.notEqual(f.tag, 'button', `${where}: the button “${f.text}” took the focus by itself`);
}
