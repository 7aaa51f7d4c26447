/**
 * "My share": a trustee checks their own share, alone (the same check as `keyrite check-share`):
 * open the ceremony's bundle, say who you are, give your keyring and envelope (or scan your
 * printed card), choose your token, type its PIN and, if you like, your paper words. The main
 * process runs every check a recovery would make and writes nothing; the PIN and the words are
 * cleared from the form as soon as the check returns. The bundle's master fingerprint is not
 * shown: the trustee types it from their paper record, and the check says whether it matched.
 */
import { useState, type FormEvent } from 'react';
import type { OriginalBundleView, ShareCheckView, TokenSummary } from '../../../core/ipc/contract.ts';
import { StatusLine, UNREACHABLE, emptyRequired, listWords, useCall } from '../ui.tsx';
import { useFocusHeading } from '../focus.tsx';
import { TokenChoice, tokenValue, type TokenPick } from '../recovery/TokenChoice.tsx';

export default function Share() {
  const api = window.keyrite!;
  const [tokens] = useCall<TokenSummary[]>(api.tokens.list);
  const [bundle, setBundle] = useState<OriginalBundleView | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [result, setResult] = useState<ShareCheckView | null>(null);
  const [busy, setBusy] = useState(false);
  const [trusteeId, setTrusteeId] = useState('');
  const [keyring, setKeyring] = useState('');
  const [envelope, setEnvelope] = useState('');
  const [fromCard, setFromCard] = useState(false);
  const [card, setCard] = useState('');
  const [token, setToken] = useState<TokenPick>({ choice: '', path: '' });
  const [pin, setPin] = useState('');
  const [words, setWords] = useState('');
  const [trust, setTrust] = useState('');
  const heading = useFocusHeading<HTMLHeadingElement>('share', 'Check my share: alone, with your token, keyring and envelope.');

  const choose = (id: string) => {
    setTrusteeId(id);
    setKeyring(`trustees/${id}/keyring.json`);
    setEnvelope(`trustees/${id}/share-envelope.json`);
    setToken((t) => ({ ...t, path: `trustees/${id}/token.keyrite-token` }));
    setResult(null);
  };

  const open = async () => {
    setProblem(null);
    setResult(null);
    const r = await api.share.openBundle({ pick: true }).catch(() => null);
    if (r === null) return setProblem(UNREACHABLE);
    if (!r.ok) return setProblem(r.message);
    if (r.value !== null) {
      setBundle(r.value);
      setTrusteeId('');
    }
  };

  const check = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const empty = emptyRequired(e.currentTarget);
    if (empty.length > 0) return setProblem(`Fill in ${listWords(empty)}.`);
    setBusy(true);
    setProblem(null);
    setResult(null);
    try {
      const r = await api.share.check({ trusteeId, keyring, envelope: fromCard ? { card } : { file: envelope }, token: tokenValue(token), pin, paperWords: words, trust });
      if (r.ok) setResult(r.value);
      else setProblem(r.message);
    } catch {
      setProblem(UNREACHABLE);
    } finally {
      setPin('');
      setWords('');
      setBusy(false);
    }
  };

  const failed = result && !result.ok ? result.checks[result.checks.length - 1] : undefined;
  return (
    <section className="ceremony share-check" aria-labelledby="share-title" data-testid="share-check">
      <div className="ceremony-head">
        <h2 id="share-title" ref={heading} tabIndex={-1}>
          Check my share
        </h2>
      </div>
      <p className="readout-note">
        Alone, at any time: proves that your token still opens your share and that the share passes every check a recovery makes. Nothing is written.
      </p>
      <div className="actions">
        <button type="button" className={bundle ? 'secondary' : 'primary'} onClick={() => void open()}>
          Open the bundle folder…
        </button>
      </div>
      {problem && (
        <p className="problem" role="alert" data-testid="problem">
          {problem}
        </p>
      )}
      {bundle && bundle.verdict !== 'valid' && (
        <p className="problem" role="alert">
          This bundle did not verify ({bundle.failed.join(', ')}): check your share against an intact copy of your ceremony's bundle.
        </p>
      )}
      {bundle && bundle.verdict === 'valid' && (
        <>
          <div className="panel readout" data-testid="share-bundle">
            <h3>The bundle verified</h3>
            <p className="readout-note">
              Ceremony id {bundle.ceremonyId} · {bundle.checksPassed} of {bundle.checksTotal} checks passed · {bundle.folder}
            </p>
            <p className="readout-note" data-testid="anchor-note">
              Its master fingerprint is not shown here: type it below from your paper record, and the check compares the two.
            </p>
          </div>
          <form className="panel" onSubmit={(e) => void check(e)} noValidate data-testid="share-form">
            <h3>Your share</h3>
            <div className="fields">
              <label className="field">
                <span>You are</span>
                <select value={trusteeId} onChange={(e) => choose(e.target.value)} required>
                  <option value="">Choose your name</option>
                  {bundle.trustees.map((t) => (
                    <option key={t.id} value={t.id}>
                      {t.name === t.id ? t.id : `${t.name} (${t.id})`}
                    </option>
                  ))}
                </select>
              </label>
              {trusteeId && (
                <>
                  <label className="field">
                    <span>Your keyring file</span>
                    <input className="path-input" value={keyring} onChange={(e) => setKeyring(e.target.value)} spellCheck={false} autoComplete="off" required />
                  </label>
                  {!fromCard && (
                    <label className="field">
                      <span>Your share envelope file</span>
                      <input className="path-input" value={envelope} onChange={(e) => setEnvelope(e.target.value)} spellCheck={false} autoComplete="off" required />
                    </label>
                  )}
                  <TokenChoice who={bundle.trustees.find((t) => t.id === trusteeId)?.name ?? trusteeId} value={token} onChange={setToken} tokens={tokens.state === 'ready' ? tokens.value : []} />
                  <label className="field">
                    <span>Your token's PIN</span>
                    <input type="password" value={pin} onChange={(e) => setPin(e.target.value)} autoComplete="off" required />
                  </label>
                </>
              )}
            </div>
            {trusteeId && (
              <>
                <p className="readout-note">Paths are relative to {bundle.baseFolder} (the folder holding the bundle).</p>
                <label className="check">
                  <input type="checkbox" checked={fromCard} onChange={(e) => setFromCard(e.target.checked)} />
                  <span>I bring my printed share card instead of the envelope file</span>
                </label>
                {fromCard && (
                  <label className="field">
                    <span>QR codes scanned from your share card (the scanner types one line per code, in any order)</span>
                    <textarea className="editor" value={card} onChange={(e) => setCard(e.target.value)} rows={3} spellCheck={false} autoComplete="off" required />
                  </label>
                )}
                <label className="field field-wide">
                  <span>Your paper-backup words, to check them too (optional; hidden as you type, never shown back)</span>
                  <input type="password" value={words} onChange={(e) => setWords(e.target.value)} autoComplete="off" />
                </label>
                <label className="field field-wide">
                  <span>Master fingerprint from your paper record (optional: anchors the check)</span>
                  <input value={trust} onChange={(e) => setTrust(e.target.value)} spellCheck={false} autoComplete="off" />
                </label>
                <div className="actions">
                  <button type="submit" className="primary" disabled={busy}>
                    {busy ? 'Checking…' : 'Check my share'}
                  </button>
                </div>
              </>
            )}
          </form>
        </>
      )}
      {result && (
        <div className="panel" data-testid="share-result" data-ok={result.ok ? 'true' : 'false'}>
          <StatusLine tone={result.ok ? 'good' : 'bad'} word={result.ok ? 'Good' : 'Bad'}>
            {result.ok
              ? `${result.name}'s share ${result.x} is good: your token opens it and it passes every check a recovery makes.`
              : `The ${failed!.name} check failed. Tell the ceremony's administrator now, while enough trustees can still recover the key.`}{' '}
            {result.anchored ? 'Anchored by the fingerprint you typed.' : 'Not anchored: no fingerprint was typed.'}
          </StatusLine>
          <ul className="checks">
            {result.checks.map((c) => (
              <li key={c.name} className={c.ok ? 'check-pass' : 'check-fail'} data-check={c.name}>
                <span className="check-mark" aria-hidden="true">
                  {c.ok ? '✓' : '✗'}
                </span>{' '}
                <span className="check-word">{c.ok ? 'PASS' : 'FAIL'}</span> <span className="check-name">{c.name}</span> <span className="check-detail">{c.detail}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
