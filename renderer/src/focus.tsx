/**
 * Keyboard and screen-reader orientation: when a person moves to another screen, or a screen
 * moves on to its next phase, the focus goes to the new heading (so a screen reader reads it
 * and Tab continues from there) and one polite announcement says what changed. Nothing moves
 * the focus on the app's first paint: the skip link stays the first Tab stop.
 */
import { useEffect, useRef } from 'react';

type Announcer = (text: string) => void;
let announcer: Announcer = () => {};
let navigated = false;

/** The app frame registers its live region here. */
export function setAnnouncer(a: Announcer): void {
  announcer = a;
}

/** Says `text` once in the app's live region (screen readers read it; nothing visible changes). */
export function announce(text: string): void {
  announcer(text);
}

/** Called when a person chooses a screen: from now on, headings take the focus when they change. */
export function markNavigated(): void {
  navigated = true;
}

/**
 * A heading (tabIndex -1) that takes the focus and is announced whenever `key` changes, once a
 * person has navigated. Returns the ref for the heading.
 */
export function useFocusHeading<T extends HTMLElement>(key: string, text: string) {
  const ref = useRef<T>(null);
  useEffect(() => {
    if (!navigated || !ref.current) return;
    ref.current.focus();
    announce(text);
  }, [key]);
  return ref;
}

/** A screen whose session has not answered yet (or cannot): its heading, focused as any other, and the sentence. */
export function ScreenOpening({ title, text, problem }: { title: string; text: string; problem: string | null }) {
  const heading = useFocusHeading<HTMLHeadingElement>('opening', `${title}: ${problem ?? text}`);
  return (
    <>
      <h2 className="screen-title" ref={heading} tabIndex={-1}>
        {title}
      </h2>
      <p className={problem ? 'readiness readiness-bad' : 'readiness readiness-pending'} role="status">
        {problem ?? text}
      </p>
    </>
  );
}
