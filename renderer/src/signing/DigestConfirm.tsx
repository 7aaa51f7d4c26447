/**
 * One person present (each trustee, then the witness) confirms the request's digest: they read
 * the hex groups and words against the digest the requester sent and type its first two words.
 * The main process checks the words (signing:confirmDigest); nothing here is focused by itself,
 * so a stray Enter confirms nothing.
 */
import { useState, type FormEvent } from 'react';
import type { SigningRequestView, WitnessPrompt } from '../../../core/ipc/contract.ts';
import type { Send } from '../ceremony/send.ts';
import { useScrollIntoView } from '../ceremony/scroll.ts';
import { Fingerprint } from '../audit/Fingerprint.tsx';

export function DigestConfirm({ prompt, request, confirmed, send }: { prompt: WitnessPrompt; request: SigningRequestView; confirmed: string[]; send: Send }) {
  const api = window.keyrite!;
  const [words, setWords] = useState('');
  const ref = useScrollIntoView<HTMLFormElement>();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void send(() => api.signing.confirmDigest({ prompt: prompt.id, words }));
  };
  return (
    <form ref={ref} className="prompt prompt-witness digest-confirm" onSubmit={submit} aria-labelledby="digest-title" data-testid="digest-confirm" data-prompt={prompt.id} data-step={prompt.stepId}>
      <h3 id="digest-title">{prompt.witness}: compare the request’s digest</h3>
      {prompt.summary[0] && <p data-testid="digest-what">{prompt.summary[0]}</p>}
      <p>
        Read it against the digest the requester sent you, group by group. If they are the same, type its <strong>first two words</strong>.
      </p>
      <Fingerprint fp={request.digest} testid="confirm-digest" />
      {confirmed.length > 0 && (
        <p className="readout-note" data-testid="digest-confirmed">
          Already confirmed by: {confirmed.join(', ')}
        </p>
      )}
      <label className="field">
        <span>First two words of the digest, typed by {prompt.witness}</span>
        <input value={words} onChange={(e) => setWords(e.target.value)} autoComplete="off" spellCheck={false} required />
      </label>
      <div className="actions">
        <button type="submit" className="primary">
          The digest is the same: confirm
        </button>
        <button type="button" className="secondary" onClick={() => void send(() => api.signing.witness({ prompt: prompt.id, confirmed: false }))}>
          It differs: do not sign
        </button>
      </div>
    </form>
  );
}
