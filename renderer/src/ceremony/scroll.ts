import { useEffect, useRef } from 'react';

/**
 * Brings a request for the room (PIN, witness) to the top of the screen, just below the sticky
 * run header, when it appears, and gives the focus to `focus(el)` (its heading, or the PIN field)
 * without letting the browser scroll it elsewhere.
 */
export function useScrollIntoView<T extends HTMLElement>(focus?: (el: T) => HTMLElement | null) {
  const ref = useRef<T>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    // Once scrolled, the sticky header sits at the top: the request goes just below its height.
    const header = document.querySelector<HTMLElement>('[data-testid=run-header]');
    window.scrollBy(0, el.getBoundingClientRect().top - (header?.offsetHeight ?? 0) - 12);
    focus?.(el)?.focus({ preventScroll: true });
  }, []);
  return ref;
}
