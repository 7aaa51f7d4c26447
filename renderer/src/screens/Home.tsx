/**
 * Home screen: what a ceremony room needs to see before anything starts — the self-test
 * result, the air-gap status and the tokens attached (live: USB attach / detach events make
 * it look again). Built for a projector: large type, high contrast, words as well as colours,
 * every control a native button or disclosure so the keyboard reaches it. Errors are sentences,
 * and "not ready" says what to do next.
 */
import { useEffect, type ReactNode } from 'react';
import type { AirGapStatus, SelfTestReport, TokenSummary, UsbState } from '../../../core/ipc/contract.ts';
import { StatusLine, listWords, useCall, type Loadable } from '../ui.tsx';
import { useFocusHeading } from '../focus.tsx';

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

/** Ready or not, in one sentence a live region reads, and for each reason what to do next. */
function Readiness({ selftest, airgap, tokens }: { selftest: Loadable<SelfTestReport>; airgap: Loadable<AirGapStatus>; tokens: Loadable<TokenSummary[]> }) {
  if (selftest.state === 'loading' || airgap.state === 'loading' || tokens.state === 'loading')
    return (
      <p className="readiness readiness-pending" role="status" data-testid="readiness">
        Checking this machine…
      </p>
    );
  const reasons: { why: string; next: string }[] = [];
  if (selftest.state === 'error' || !selftest.value.ok) reasons.push({ why: 'the self-tests have not passed', next: 'Run the self-tests again; if one still fails, do not use this machine for a ceremony.' });
  if (airgap.state === 'error') reasons.push({ why: 'the network could not be checked', next: 'Check the network again; if it still cannot be read, unplug every network cable and switch off Wi-Fi and Bluetooth by hand, and say so in the record.' });
  else if (!airgap.value.isolated) reasons.push({ why: 'a network interface is up', next: 'Unplug the network cable and switch off Wi-Fi and Bluetooth, then check the network again.' });
  if (tokens.state === 'error' || tokens.value.length === 0) reasons.push({ why: 'no token is attached', next: 'Plug in the tokens (for a rehearsal, set up the rehearsal software tokens), then look for tokens again.' });
  if (reasons.length === 0)
    return (
      <p className="readiness readiness-good" role="status" data-testid="readiness">
        This machine is ready for a ceremony.
      </p>
    );
  return (
    <div className="readiness readiness-bad" role="status" data-testid="readiness">
      <p>Not ready for a ceremony: {listWords(reasons.map((r) => r.why))}.</p>
      <ul className="next-steps">
        {reasons.map((r) => (
          <li key={r.why}>{r.next}</li>
        ))}
      </ul>
    </div>
  );
}

function TokensPanel({ tokens, usb, onRescan }: { tokens: Loadable<TokenSummary[]>; usb: Loadable<UsbState>; onRescan: () => void }) {
  let body: ReactNode;
  if (tokens.state === 'loading') body = <StatusLine tone="pending">Looking for tokens…</StatusLine>;
  else if (tokens.state === 'error') body = <StatusLine tone="bad" word="Error">{tokens.message}</StatusLine>;
  else if (tokens.value.length === 0)
    body = (
      <StatusLine tone="warn" word="None">
        No token found. Plug in a token, or set up rehearsal software tokens, then look again.
      </StatusLine>
    );
  else
    body = (
      <ul className="tokens">
        {tokens.value.map((t) => (
          <li key={t.id}>
            <span className="token-label">{t.label}</span>
            <span className="token-detail">
              {t.manufacturer} {t.model} · serial {t.serial}
            </span>
            {t.rehearsalOnly && <span className="token-rehearsal">Rehearsal only</span>}
          </li>
        ))}
      </ul>
    );
  return (
    <section className="panel" aria-labelledby="tokens-title" data-testid="tokens" data-state={tokens.state}>
      <h2 id="tokens-title">Tokens</h2>
      {body}
      <p className="usb-line" data-testid="usb">
        {usb.state === 'ready' ? usb.value.message : usb.state === 'error' ? usb.message : 'Checking USB…'}
      </p>
      <button type="button" onClick={onRescan} disabled={tokens.state === 'loading'}>
        Look for tokens again
      </button>
    </section>
  );
}

export default function Home() {
  const api = window.keyrite;
  const [selftest, rerunSelftest] = useCall<SelfTestReport>(api?.selftest.run);
  const [airgap, recheckAirgap] = useCall<AirGapStatus>(api?.airgap.status);
  const [tokens, rescanTokens] = useCall<TokenSummary[]>(api?.tokens.list);
  const [usb, recheckUsb] = useCall<UsbState>(api?.usb.status);
  useEffect(
    () =>
      api?.on('tokens:changed', () => {
        rescanTokens();
        recheckUsb();
      }),
    [],
  );
  const heading = useFocusHeading<HTMLHeadingElement>('home', 'This machine: self-tests, air gap and tokens.');
  return (
    <>
      <h2 className="screen-title" ref={heading} tabIndex={-1}>
        This machine
      </h2>
      <Readiness selftest={selftest} airgap={airgap} tokens={tokens} />
      <div className="panels">
        <SelfTestPanel report={selftest} onRerun={rerunSelftest} />
        <AirGapPanel status={airgap} onRecheck={recheckAirgap} />
        <TokensPanel tokens={tokens} usb={usb} onRescan={rescanTokens} />
      </div>
    </>
  );
}
