/**
 * Home screen: what a ceremony room needs to see before anything starts — the app, the
 * mode (a "rehearsal only" banner), the self-test result and the air-gap status. Built
 * for a projector: large type, high contrast, words as well as colours, every control
 * a native button or disclosure so the keyboard reaches it. Errors are sentences.
 */
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import type { AirGapStatus, AppInfo, IpcResult, SelfTestReport } from '../../core/ipc/contract.ts';

type Loadable<T> = { state: 'loading' } | { state: 'ready'; value: T } | { state: 'error'; message: string };

const NO_BRIDGE = 'This screen only works inside the Keyrite app: its connection to the main process is missing.';
const UNREACHABLE = 'Keyrite could not reach its main process. Close the app and start it again.';

/** Calls one API method on mount and again on every `refresh()`. */
function useCall<T>(call: (() => Promise<IpcResult<T>>) | undefined): [Loadable<T>, () => void] {
  const [value, setValue] = useState<Loadable<T>>(call ? { state: 'loading' } : { state: 'error', message: NO_BRIDGE });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    if (!call) return;
    let current = true;
    setValue({ state: 'loading' });
    call().then(
      (r) => {
        if (current) setValue(r.ok ? { state: 'ready', value: r.value } : { state: 'error', message: r.message });
      },
      () => {
        if (current) setValue({ state: 'error', message: UNREACHABLE });
      },
    );
    return () => {
      current = false;
    };
    // `call` comes from the frozen window.keyrite object and never changes.
  }, [generation]);
  const refresh = useCallback(() => setGeneration((g) => g + 1), []);
  return [value, refresh];
}

type Tone = 'pending' | 'good' | 'bad' | 'warn';

const MARK: Record<Tone, string> = { pending: '…', good: '✓', bad: '✗', warn: '!' };
const WORD: Record<Tone, string> = { pending: 'Checking', good: 'Passed', bad: 'Failed', warn: 'Warning' };

function StatusLine({ tone, word, children }: { tone: Tone; word?: string; children: ReactNode }) {
  return (
    <p className={`status status-${tone}`} role="status" aria-live="polite">
      <span className="badge" aria-hidden="true">
        {MARK[tone]}
      </span>
      <span className="badge-word">{word ?? WORD[tone]}</span>
      <span className="status-text">{children}</span>
    </p>
  );
}

function SelfTestPanel({ report, onRerun }: { report: Loadable<SelfTestReport>; onRerun: () => void }) {
  let line: ReactNode;
  let state: string;
  if (report.state === 'loading') {
    state = 'running';
    line = <StatusLine tone="pending">Running the self-tests…</StatusLine>;
  } else if (report.state === 'error') {
    state = 'error';
    line = <StatusLine tone="bad" word="Error">{report.message}</StatusLine>;
  } else {
    const { results } = report.value;
    const failed = results.filter((r) => !r.ok);
    state = report.value.ok ? 'passed' : 'failed';
    line = report.value.ok ? (
      <StatusLine tone="good">All {results.length} self-tests passed.</StatusLine>
    ) : results.length === 0 ? (
      <StatusLine tone="bad">No self-test ran, so no ceremony can start.</StatusLine>
    ) : (
      <StatusLine tone="bad">
        {failed.length} of {results.length} self-tests failed. No ceremony can start until they all pass.
      </StatusLine>
    );
  }
  return (
    <section className="panel" aria-labelledby="selftest-title" data-testid="selftest" data-state={state}>
      <h2 id="selftest-title">Self-tests</h2>
      {line}
      {report.state === 'ready' && report.value.results.length > 0 && (
        <details>
          <summary>Show each test</summary>
          <ul className="results">
            {report.value.results.map((r, i) => (
              <li key={`${i}:${r.name}`} className={r.ok ? 'result-ok' : 'result-bad'}>
                <span className="result-mark" aria-hidden="true">
                  {r.ok ? '✓' : '✗'}
                </span>
                <span className="result-name">{r.name}</span>
                <span className="result-outcome">
                  {r.ok ? 'passed' : 'failed'} in {formatMs(r.ms)}
                </span>
                {r.detail && <span className="result-detail">{r.detail}</span>}
              </li>
            ))}
          </ul>
        </details>
      )}
      <button type="button" onClick={onRerun} disabled={report.state === 'loading'}>
        Run the self-tests again
      </button>
    </section>
  );
}

function AirGapPanel({ status, onRecheck }: { status: Loadable<AirGapStatus>; onRecheck: () => void }) {
  let body: ReactNode;
  let state: string;
  if (status.state === 'loading') {
    state = 'checking';
    body = <StatusLine tone="pending">Checking the network interfaces…</StatusLine>;
  } else if (status.state === 'error') {
    state = 'error';
    body = <StatusLine tone="bad" word="Error">{status.message}</StatusLine>;
  } else if (status.value.isolated) {
    state = 'isolated';
    body = (
      <StatusLine tone="good" word="Offline">
        {status.value.summary}
      </StatusLine>
    );
  } else {
    state = 'connected';
    body = (
      <>
        <StatusLine tone="warn" word="Online">
          {status.value.summary}
        </StatusLine>
        <ul className="interfaces">
          {status.value.interfaces.map((i) => (
            <li key={i.name}>
              <span className="iface-name">{i.name}</span>
              <span className="iface-addresses">{i.addresses.join(', ')}</span>
              {i.linkLocalOnly && <span className="iface-note">link-local only</span>}
            </li>
          ))}
        </ul>
      </>
    );
  }
  return (
    <section className="panel" aria-labelledby="airgap-title" data-testid="airgap" data-state={state}>
      <h2 id="airgap-title">Air gap</h2>
      {body}
      <button type="button" onClick={onRecheck} disabled={status.state === 'loading'}>
        Check the network again
      </button>
    </section>
  );
}

/** A duration for people; the number and its unit never split across lines (no-break space). */
function formatMs(ms: number): string {
  return ms < 1 ? 'under 1\u00a0ms' : `${Math.round(ms)}\u00a0ms`;
}

function Readiness({ selftest, airgap }: { selftest: Loadable<SelfTestReport>; airgap: Loadable<AirGapStatus> }) {
  if (selftest.state === 'loading' || airgap.state === 'loading') return <p className="readiness readiness-pending">Checking this machine…</p>;
  const reasons: string[] = [];
  if (selftest.state === 'error' || !selftest.value.ok) reasons.push('the self-tests have not passed');
  if (airgap.state === 'error') reasons.push('the network could not be checked');
  else if (!airgap.value.isolated) reasons.push('a network interface is up');
  if (reasons.length === 0) return <p className="readiness readiness-good">This machine is ready for a ceremony.</p>;
  return <p className="readiness readiness-bad">Not ready for a ceremony: {reasons.join(' and ')}.</p>;
}

/** Opened outside the app (no preload): one clear sentence instead of three failing panels. */
function NoBridge() {
  return (
    <div className="app">
      <header className="masthead">
        <h1>Keyrite</h1>
        <p className="tagline">Offline key ceremony</p>
      </header>
      <main>
        <p className="readiness readiness-bad" role="alert">
          {NO_BRIDGE} Start Keyrite from its own icon or with “npm run app”.
        </p>
      </main>
    </div>
  );
}

export function App() {
  return window.keyrite ? <Home /> : <NoBridge />;
}

function Home() {
  const api = window.keyrite;
  const [info] = useCall<AppInfo>(api?.app.info);
  const [selftest, rerunSelftest] = useCall<SelfTestReport>(api?.selftest.run);
  const [airgap, recheckAirgap] = useCall<AirGapStatus>(api?.airgap.status);
  const rehearsal = info.state === 'ready' && info.value.mode === 'rehearsal';

  return (
    <div className="app">
      {rehearsal && (
        <div className="rehearsal-banner" role="note" aria-label="Rehearsal mode">
          <strong>Rehearsal only.</strong> Keys made here are for practice, never for real use.
        </div>
      )}
      <header className="masthead">
        <h1>Keyrite</h1>
        <p className="tagline">Offline key ceremony</p>
        {info.state === 'ready' && (
          <p className="version">
            Version {info.value.version} · {info.value.mode === 'live' ? 'Live mode' : 'Rehearsal mode'}
          </p>
        )}
        {info.state === 'error' && <p className="version version-error">{info.message}</p>}
      </header>
      <main>
        <Readiness selftest={selftest} airgap={airgap} />
        <div className="panels">
          <SelfTestPanel report={selftest} onRerun={rerunSelftest} />
          <AirGapPanel status={airgap} onRecheck={recheckAirgap} />
        </div>
      </main>
    </div>
  );
}
