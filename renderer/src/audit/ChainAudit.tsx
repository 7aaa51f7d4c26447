/**
 * The Audit screen's chain: bundle folders added one at a time (the root bundle first, then each
 * rotation bundle in the order they were made — the app never reorders them, the chain verifier
 * judges the order given), verified from the ROOT fingerprint typed from the paper record of the
 * root ceremony. The report: the verdict (or the refusal named: fork, rollback, gap, not linked…),
 * the chain drawn root → … → current with each key's state and dates, the current active key's
 * fingerprint in hex groups and words, every key's state, and every check.
 */
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { AuditView, ChainReportView, IpcResult } from '../../../core/ipc/contract.ts';
import { announce } from '../focus.tsx';
import { Fingerprint } from './Fingerprint.tsx';
import { ChainDrawing, ChainKeysTable, when } from './ChainDrawing.tsx';

const STATUS = { pass: { mark: '✓', word: 'PASS' }, fail: { mark: '✗', word: 'FAIL' }, skipped: { mark: '–', word: 'SKIPPED' } } as const;

function verdictSentence(r: ChainReportView): string {
  if (r.verdict === 'valid') return `The chain of ${r.steps.length} bundles follows from the root fingerprint given: every bundle, link, signature and key state checked (${r.checks.length} checks).`;
  if (r.refusal) return `Refused by ${r.refusal.check}: ${r.refusal.detail}`;
  return 'The chain was refused.';
}

export function ChainAudit({
  view,
  busy,
  options,
  send,
}: {
  view: AuditView;
  busy: string | null;
  /** The trusted fingerprint and mode fields, shared with the single-bundle audit. */
  options: { fields: ReactNode; trust: string; mode: AuditView['options']['mode'] };
  send: (what: string, call: () => Promise<IpcResult<AuditView>>, verification?: boolean) => Promise<boolean>;
}) {
  const api = window.keyrite!;
  const chain = view.chain;
  const report = chain.report;
  const verdictHeading = useRef<HTMLHeadingElement>(null);
  const [verified, setVerified] = useState(0);
  useEffect(() => {
    if (verified === 0 || !report) return;
    verdictHeading.current?.focus();
    announce(`Chain audit: ${report.verdict === 'valid' ? 'VALID' : 'INVALID'}. ${verdictSentence(report)}`);
  }, [verified]);

  const verify = (e: FormEvent) => {
    e.preventDefault();
    void send('Verifying the chain…', () => api.audit.chainVerify({ trust: options.trust, mode: options.mode })).then((ok) => ok && setVerified((n) => n + 1));
  };

  const form = (
    <form className="panel" onSubmit={verify} noValidate data-testid="chain-options">
      <p className="readout-note">Add the root bundle first, then each rotation bundle in the order they were made. The chain is followed from the ROOT master fingerprint read aloud at the root ceremony; a bundle out of order is refused, as keyrite verify refuses it.</p>
      {chain.folders.length > 0 && (
        <ol className="chain-folders" data-testid="chain-folders">
          {chain.folders.map((f, i) => (
            <li key={f}>
              <span className="bundle-path">{f}</span>{' '}
              <button type="button" className="secondary" disabled={busy !== null} aria-label={`Remove bundle ${i + 1} from the chain`} onClick={() => void send('Removing the bundle…', () => api.audit.chainRemove({ index: i }))}>
                Remove
              </button>
            </li>
          ))}
        </ol>
      )}
      {options.fields}
      <div className="actions">
        <button type="button" className={chain.folders.length < 2 ? 'primary' : 'secondary'} disabled={busy !== null} onClick={() => void send('Reading the bundle…', () => api.audit.chainAdd())}>
          {chain.folders.length === 0 ? 'Add the root bundle folder…' : 'Add the next bundle folder…'}
        </button>
        <button type="submit" className={chain.folders.length < 2 ? 'secondary' : 'primary'} disabled={busy !== null}>
          Verify the chain
        </button>
      </div>
    </form>
  );
  // With a report on screen the verdict and the chain come first (a projector shows the top of the page).
  return (
    <div data-testid="chain-audit">
      {!report && form}
      {report && (
        <>
          <div className={`verdict verdict-${report.verdict}`} data-testid="chain-verdict" data-verdict={report.verdict}>
            <h3 className="verdict-word" ref={verdictHeading} tabIndex={-1}>
              {report.verdict === 'valid' ? '✓ CHAIN VALID' : '✗ CHAIN REFUSED'}
            </h3>
            <p className="verdict-text" data-testid="chain-verdict-text">
              {verdictSentence(report)}
            </p>
          </div>
          <div className="panel" data-testid="chain-report">
            <h3>{report.verdict === 'valid' ? 'The chain, root to current' : 'The bundles as given (as they state themselves; NOT verified as a chain)'}</h3>
            <ChainDrawing report={report} />
            {report.keys && <ChainKeysTable keys={report.keys} />}
            <p className="readout-note">States as of {when(report.at)}.</p>
          </div>
          {report.current && (
            <div className="panel readout" data-testid="chain-current">
              <h3>Current active master key (ceremony {report.current.ceremonyId})</h3>
              <Fingerprint fp={report.current.fingerprint} testid="current-fingerprint" />
            </div>
          )}
          {form}
          <div className="panel" data-testid="chain-checks">
            <h3>Chain checks</h3>
            <ol className="check-list">
              {report.checks.map((c) => (
                <li key={c.name} className={`check-row check-${c.status}`} data-check={c.name} data-status={c.status}>
                  <span className="check-mark" aria-hidden="true">
                    {STATUS[c.status].mark}
                  </span>
                  <span className="check-word">{STATUS[c.status].word}</span>
                  <span className="check-name">{c.name}</span>
                  <span className="check-detail">{c.detail}</span>
                </li>
              ))}
            </ol>
          </div>
        </>
      )}
    </div>
  );
}
