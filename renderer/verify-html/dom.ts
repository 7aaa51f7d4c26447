/**
 * The one way verify.html builds DOM: text only (textContent, never markup), and every string
 * escaped for display first (a bundle's or a document's names are the attacker's).
 */
import { displayOutput } from '../../core/encoding/display.ts';

export type Attrs = Record<string, string>;

export function el(tag: string, attrs: Attrs = {}, ...children: (Node | string)[]): HTMLElement {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, displayOutput(v));
  node.append(...children.map((c) => (typeof c === 'string' ? displayOutput(c) : c)));
  return node;
}
