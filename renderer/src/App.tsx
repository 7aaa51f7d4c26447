/**
 * The app frame: a skip link, the "rehearsal only" banner, the masthead, one navigation bar,
 * one screen at a time and the live region that announces screen changes (focus.ts). Each
 * screen is one component file under screens/; the other screens are loaded
 * on first use, so the first screen's JavaScript stays small. A new screen is one more entry
 * in SCREENS.
 */
import { lazy, Suspense, useEffect, useState, type ComponentType } from 'react';
import type { AppInfo } from '../../core/ipc/contract.ts';
import { NO_BRIDGE, useCall } from './ui.tsx';
import Home from './screens/Home.tsx';
import { markNavigated, setAnnouncer } from './focus.tsx';

const SCREENS: readonly { id: string; label: string; component: ComponentType }[] = [
  { id: 'home', label: 'Home', component: Home },
  { id: 'ceremony', label: 'Ceremony', component: lazy(() => import('./screens/Ceremony.tsx')) },
  { id: 'recovery', label: 'Recovery', component: lazy(() => import('./screens/Recovery.tsx')) },
  { id: 'signing', label: 'Signing', component: lazy(() => import('./screens/Signing.tsx')) },
  { id: 'rotation', label: 'Rotation', component: lazy(() => import('./screens/Rotation.tsx')) },
  { id: 'audit', label: 'Audit', component: lazy(() => import('./screens/Audit.tsx')) },
  { id: 'share', label: 'My share', component: lazy(() => import('./screens/Share.tsx')) },
];

function Masthead({ info }: { info?: ReturnType<typeof useCall<AppInfo>>[0] }) {
  return (
    <header className="masthead">
      <h1>Keyrite</h1>
      <p className="tagline">Offline key ceremony</p>
      {info?.state === 'ready' && (
        <p className="version">
          Version {info.value.version} · {info.value.mode === 'live' ? 'Live mode' : 'Rehearsal mode'}
        </p>
      )}
      {info?.state === 'error' && <p className="version version-error">{info.message}</p>}
    </header>
  );
}

/** The first Tab stop: past the banner, masthead and navigation to the screen itself. */
function SkipLink() {
  return (
    <a
      className="skip-link"
      href="#main"
      onClick={(e) => {
        // Focus without a fragment navigation (the window refuses navigations).
        e.preventDefault();
        document.getElementById('main')?.focus();
      }}
    >
      Skip to the screen
    </a>
  );
}

/** Opened outside the app (no preload): one clear sentence instead of failing panels. */
function NoBridge() {
  return (
    <div className="app">
      <SkipLink />
      <Masthead />
      <main id="main" tabIndex={-1}>
        <p className="readiness readiness-bad" role="alert">
          {NO_BRIDGE} Start Keyrite from its own icon or with “npm run app”.
        </p>
      </main>
    </div>
  );
}

export function App() {
  return window.keyrite ? <Shell /> : <NoBridge />;
}

function Shell() {
  const [info] = useCall<AppInfo>(window.keyrite?.app.info);
  const [screen, setScreen] = useState(SCREENS[0]!.id);
  const Screen = (SCREENS.find((s) => s.id === screen) ?? SCREENS[0]!).component;
  const [announcement, setAnnouncement] = useState('');
  // A new text each time, so the same words said twice are read twice.
  useEffect(() => setAnnouncer((text) => setAnnouncement((a) => (a === text ? `${text}\u00a0` : text))), []);
  return (
    <div className="app">
      <SkipLink />
      {info.state === 'ready' && info.value.mode === 'rehearsal' && (
        <div className="rehearsal-banner" role="note" aria-label="Rehearsal mode">
          <span className="rehearsal-words">
            <strong>Rehearsal only.</strong> Keys made here are for practice, never for real use.
          </span>
        </div>
      )}
      <Masthead info={info} />
      <nav className="screens" aria-label="Screens">
        {SCREENS.map((s) => (
          <button key={s.id} type="button" className="nav-button" aria-current={s.id === screen ? 'page' : undefined} onClick={() => {
              markNavigated();
              setScreen(s.id);
            }}>
            {s.label}
          </button>
        ))}
      </nav>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<p className="readiness readiness-pending">Opening the screen…</p>}>
          <Screen />
        </Suspense>
      </main>
      <p className="visually-hidden" aria-live="polite" data-testid="announcer">
        {announcement}
      </p>
    </div>
  );
}
