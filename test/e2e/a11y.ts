// Accessibility checks for the end-to-end tests, without axe-core (not a dependency): the
// page's ARIA tree as Playwright reads it (locator.ariaSnapshot) and the explicit rules a
// keyboard or screen-reader user depends on, each failing with the element it found:
//  - one h1, a main landmark, a navigation landmark, a skip link to the main content;
//  - every form control and button has an accessible name, every image an alt text;
//  - ids are unique and every aria-labelledby / aria-describedby / for points at one;
//  - no positive tabindex; no button takes the focus by itself (the caller checks focus);
//  - headings do not skip a level going down.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';

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

/** Fails with every finding; returns the ARIA snapshot of the page (for assertions on it). */
export async function assertAccessible(page: Page, where: string): Promise<string> {
  const findings = await a11yFindings(page);
  assert.deepEqual(findings, [], `${where}: accessibility findings`);
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
