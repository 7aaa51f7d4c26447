/**
 * Audit screen: open a bundle folder (main process picker), verify it in the main process with
 * the verifier core (`keyrite verify`), optionally anchored by the master fingerprint read aloud;
 * show the verdict large, ANCHORED / NOT ANCHORED, the master fingerprint, then every check.
 * When a verification finishes, the focus moves to the verdict (the report's heading) and the
 * verdict and anchor are announced.
 * Audit scripts run from a file or typed in the editor; their checks join the report as the
 * CLI joins them. The report is exported as JSON to a new file chosen in the main process.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { AuditReportView, AuditView, IpcResult, VerifyMode } from '../../../core/ipc/contract.ts';
import { UNREACHABLE } from '../ui.tsx';
import { ScreenOpening, announce, useFocusHeading } from '../focus.tsx';
import { Fingerprint } from '../audit/Fingerprint.tsx';
import { AuditSigning } from '../audit/AuditSigning.tsx';
import { ChainAudit } from '../audit/ChainAudit.tsx';

const MODES: { value: VerifyMode; label: string }[] = [
  { value: 'hybrid', label: 'Hybrid, both (default)' },
  { value: 'classical-only', label: 'Ed25519 only' },
  { value: 'pq-only', label: 'ML-DSA-65 only' },
];

const KIND_LABEL: Record<string, string> = { 'root-keygen': 'Root key ceremony', 'escrow-recovery': 'Recovery', signing: 'Signing ceremony' };

const STATUS = { pass: { mark: '✓', word: 'PASS' }, fail: { mark: '✗', word: 'FAIL' }, skipped: { mark: '–', word: 'SKIPPED' } } as const;

/** The mode in the verdict line; a single-half mode says which half it did not check. */
const MODE_WORDS: Record<VerifyMode, string> = {
  hybrid: 'hybrid signatures',
  'classical-only': 'classical-only mode: ML-DSA-65 signatures NOT checked',
  'pq-only': 'pq-only mode: classical signatures NOT checked',
};

function anchorLine(r: AuditReportView): { tone: 'good' | 'bad' | 'warn'; head: string; text: string } {
  const a = r.anchor;
  if (!a.anchored) return { tone: 'warn', head: 'NOT ANCHORED', text: 'No trusted fingerprint was given, so this says nothing about whether this is the master key read aloud at the ceremony. Type that fingerprint above and verify again.' };
  // null over IPC: the bundle's master key could not be read, so nothing was compared.
  if (a.matches === null) return { tone: 'bad', head: 'NOT COMPARED', text: 'The bundle\'s master key could not be read, so it was not compared with the fingerprint given. Fix what the failing checks name first.' };
  if (a.matches) return { tone: 'good', head: 'ANCHORED', text: `The master key matches the fingerprint given (${a.compared === 'full' ? 'all 32 bytes' : 'first 16 bytes, from the words'}).` };
  return { tone: 'bad', head: 'NOT ANCHORED — MISMATCH', text: 'The master key is NOT the one whose fingerprint was given. Check the fingerprint with the paper record; if it is right, this bundle is not from that ceremony.' };
}

/** The sentence under the verdict word. */
function verdictSentence(r: AuditReportView): string {
  const failed = r.checks.filter((c) => c.status === 'fail');
  const skipped = r.checks.filter((c) => c.status === 'skipped').length;
  if (r.verdict === 'valid') return `All ${r.checks.length} checks passed (${MODE_WORDS[r.mode]}).`;
  if (failed.length === 0) return 'The master key does not match the trusted fingerprint.';
  return `${failed.length} of ${r.checks.length} checks failed: ${failed.map((c) => c.name).join(', ')}.${skipped > 0 ? ` ${skipped} more could not be checked because of them.` : ''}`;
}

export default function Audit() {
  const api = window.keyrite!;
  const [view, setView] = useState<AuditView | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [trust, setTrust] = useState('');
  const [mode, setMode] = useState<VerifyMode>('hybrid');
  const [script, setScript] = useState('');
  // One bundle, or a chain of bundles (root, then its rotations); a chain already started opens on the chain.
  const [what, setWhat] = useState<'bundle' | 'chain'>('bundle');
  const heading = useFocusHeading<HTMLHeadingElement>(view ? 'audit' : 'opening', 'Audit a bundle: open its folder and verify it on this machine.');
  // Counts the verifications that gave a report; each new one takes the focus to the verdict.
  const [verified, setVerified] = useState(0);
  const verdictHeading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    const report = view?.report;
    if (verified === 0 || !report) return;
    verdictHeading.current?.focus();
    const anchor = anchorLine(report);
    announce(`Audit report: ${report.verdict === 'valid' ? 'VALID' : 'INVALID'}. ${verdictSentence(report)} ${anchor.head}: ${anchor.text}`);
  }, [verified]);

  useEffect(() => {
    void api.audit.state().then((r) => {
      if (!r.ok) return setProblem(r.message);
      setView(r.value);
      if (r.value.chain.folders.length > 0 && !r.value.bundle) setWhat('chain');
      setTrust(r.value.options.trust);
      setMode(r.value.options.mode);
    });
  }, []);

  const send = async (doing: string, call: () => Promise<IpcResult<AuditView>>, verification = false): Promise<boolean> => {
    setBusy(doing);
    let r: IpcResult<AuditView>;
    try {
      r = await call();
    } catch {
      r = { ok: false, code: 'INTERNAL', message: UNREACHABLE };
    }
    setBusy(null);
    if (!r.ok) {
      setProblem(r.message);
      return false;
    }
    setProblem(null);
    setView(r.value);
    if (verification && r.value.report) setVerified((n) => n + 1);
    return true;
  };

  const verify = (e: FormEvent) => {
    e.preventDefault();
    void send('Verifying the bundle…', () => (view?.bundle ? api.audit.verify({ trust, mode }) : api.audit.open({ trust, mode })), true);
  };

  if (!view) return <ScreenOpening title="Audit a bundle" text="Opening the audit…" problem={problem} />;
  const report = view.report;
  const anchor = report ? anchorLine(report) : null;
  const fields = (
      <div className="fields">
        <label className="field field-wide">
          <span>{what === 'chain' ? 'ROOT master fingerprint read aloud at the root ceremony (64 hex digits or the 16 words)' : 'Master fingerprint read aloud at the ceremony (64 hex digits or the 16 words; optional)'}</span>
          <input value={trust} onChange={(e) => setTrust(e.target.value)} autoComplete="off" spellCheck={false} placeholder="e.g. 8047 4608 95e4 … or the 16 words" />
        </label>
        <label className="field">
          <span>Signatures to check</span>
          <select value={mode} onChange={(e) => setMode(e.target.value as VerifyMode)}>
            {MODES.map((m) => (
              <option key={m.value} value={m.value}>
                {m.label}
              </option>
            ))}
          </select>
        </label>
      </div>
  );
  // With a report on screen the verdict comes first (a projector shows the top of the page); the settings follow the fingerprint.
  const options = (
    <form className="panel" onSubmit={verify} noValidate data-testid="audit-options">
      {fields}
      <div className="actions">
        <button type="button" className={view.bundle ? 'secondary' : 'primary'} disabled={busy !== null} onClick={() => void send('Reading the bundle…', () => api.audit.open({ trust, mode }), true)}>
          Open a bundle folder…
        </button>
        <button type="button" className="secondary" disabled={busy !== null} onClick={() => void send('Reading the bundle archive…', () => api.audit.openArchive({ trust, mode }), true)}>
          Open a bundle archive (.keyrite.tar)…
        </button>
        {view.bundle && (
          <button type="submit" className="primary" disabled={busy !== null}>
            Verify again with these settings
          </button>
        )}
      </div>
    </form>
  );
  return (
    <section className="audit" aria-labelledby="audit-title" data-testid="audit" data-busy={busy ? 'yes' : 'no'}>
      <div className="ceremony-head">
        <h2 id="audit-title" ref={heading} tabIndex={-1}>
          Audit a bundle
        </h2>
        {what === 'bundle' && view.bundle && <span className="progress-text bundle-path">{view.bundle}</span>}
      </div>
      <fieldset className="audit-what" data-testid="audit-what">
        <legend>What to audit</legend>
        <label>
          <input type="radio" name="audit-what" checked={what === 'bundle'} onChange={() => setWhat('bundle')} /> One bundle
        </label>
        <label>
          <input type="radio" name="audit-what" checked={what === 'chain'} onChange={() => setWhat('chain')} /> A chain: the root bundle and its rotations
        </label>
      </fieldset>
      {what === 'chain' && (
        <>
          {busy && (
            <p className="readiness readiness-pending" role="status">
              {busy}
            </p>
          )}
          {problem && (
            <p className="problem" role="alert" data-testid="problem">
              {problem}
            </p>
          )}
          <ChainAudit view={view} busy={busy} options={{ fields, trust, mode }} send={send} />
        </>
      )}
      {what === 'bundle' && (
      <>
      {view.archive && (
        <p className="readout-note" data-testid="archive-sha256">
          Read from the archive, in memory. Its SHA-256 (compare it with the one published beside it): <code>{view.archive.hexGroups}</code> — {view.archive.words.join(' ')}
        </p>
      )}
      {!report && options}
      {busy && (
        <p className="readiness readiness-pending" role="status">
          {busy}
        </p>
      )}
      {problem && (
        <p className="problem" role="alert" data-testid="problem">
          {problem}
        </p>
      )}
      {!report && !problem && <p className="readout-note">Open the folder of a public bundle (the one holding bundle.json), or its archive (bundle.keyrite.tar). Nothing is sent anywhere: the check runs on this machine.</p>}
      {report && anchor && (
        <>
          {/* Not a live region: a new report takes the focus and is announced once (above). */}
          <div className={`verdict verdict-${report.verdict}`} data-testid="verdict" data-verdict={report.verdict}>
            <h3 className="verdict-word" ref={verdictHeading} tabIndex={-1}>
              {report.verdict === 'valid' ? '✓ VALID' : '✗ INVALID'}
            </h3>
            <p className="verdict-text">{verdictSentence(report)}</p>
          </div>
          {report.rehearsal === true && (
            <p className="anchor anchor-warn" data-testid="rehearsal">
              <strong>REHEARSAL BUNDLE</strong> Its script says rehearsal: its keys are practice keys and must never be used for real.
            </p>
          )}
          <p className={`anchor anchor-${anchor.tone}`} data-testid="anchor" data-anchored={report.anchor.anchored && report.anchor.matches ? 'yes' : 'no'}>
            <strong>{anchor.head}</strong> {anchor.text}
          </p>
          <div className="panel readout" data-testid="audit-fingerprint">
            <h3>{report.verdict === 'valid' ? 'Master key fingerprint' : 'Master key fingerprint (as the bundle states it; NOT verified)'}</h3>
            {report.fingerprint ? (
              <Fingerprint fp={report.fingerprint} />
            ) : (
              <p className="readout-note">The bundle names no master fingerprint that could be read.</p>
            )}
            {report.ceremonyId && (
              <p className="readout-note">
                {KIND_LABEL[report.kind ?? ''] ?? 'Ceremony'} {report.ceremonyId}
                {report.transcriptEntries !== null ? ` · ${report.transcriptEntries} transcript entries` : ''}
              </p>
            )}
          </div>
          {report.signing && <AuditSigning signing={report.signing} valid={report.verdict === 'valid'} />}
          {options}
          <div className="panel" data-testid="checks">
            <h3>Checks</h3>
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
          <div className="panel" data-testid="audit-scripts">
            <h3>Audit scripts</h3>
            <p className="readout-note">A script reads the bundle in a sandbox (no files, no network) and adds its own checks to the report.</p>
            {view.scripts.map((s) => (
              <div key={s.file} className="script-run" data-script={s.file}>
                <p className={s.problem ? 'problem' : s.ok ? 'checks-good' : 'checks-bad'} data-testid={s.problem ? 'script-problem' : 'script-result'} role={s.problem ? 'alert' : undefined}>
                  {s.problem ?? `${s.file}: ${s.checks} ${s.checks === 1 ? 'check' : 'checks'}, ${s.ok ? 'all passed' : 'not all passed'} (${s.ms} ms).`}
                </p>
                {s.logs.length > 0 && (
                  <details>
                    <summary>What {s.file} logged ({s.logs.length} lines)</summary>
                    <pre className="script-logs">{s.logs.join('\n')}</pre>
                  </details>
                )}
              </div>
            ))}
            <label className="field">
              <span>Type an audit script (JavaScript; docs/AUDIT-SCRIPTS.md)</span>
              <textarea className="editor" value={script} onChange={(e) => setScript(e.target.value)} rows={8} spellCheck={false} autoComplete="off" placeholder={"check('key generation is recorded', bundle.transcript.some((e) => e.type === 'key.generate'), 'key.generate is in the transcript');"} />
            </label>
            <div className="actions">
              <button type="button" className="primary" disabled={busy !== null || script.trim().length === 0} onClick={() => void send('Running the typed script…', () => api.audit.runScript({ source: script }))}>
                Run the typed script
              </button>
              <button type="button" className="secondary" disabled={busy !== null} onClick={() => void send('Running the script…', () => api.audit.runScript({ pick: true }))}>
                Run a script file…
              </button>
            </div>
          </div>
          <div className="panel" data-testid="audit-export">
            {view.exportedTo ? (
              <p className="exported" role="status" data-testid="exported">
                Report written to {view.exportedTo}
              </p>
            ) : (
              <button type="button" className="primary" disabled={busy !== null} onClick={() => void send('Writing the report…', () => api.audit.export())}>
                Export the report as JSON…
              </button>
            )}
          </div>
        </>
      )}
      </>
      )}
    </section>
  );
}
