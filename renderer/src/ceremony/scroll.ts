import { useEffect, useRef } from 'react';

/** Brings a request for the room (PIN, witness) to the top of the screen when it appears; the focused control may otherwise leave its heading out of view. */
export function useScrollIntoView<T extends HTMLElement>() {
  const ref = useRef<T>(null);
  useEffect(() => {
    // Chromium's scrollIntoView may return a promise: it must not become the effect's cleanup.
    void ref.current?.scrollIntoView({ block: 'start' });
  }, []);
  return ref;
}
