/**
 * The quorum check-in of a recovery and of a signing ceremony (one component: the two are the
 * same quorum unlock). It holds the same data as their answers file: the quorum types the master
 * fingerprint from their paper record of the root ceremony (it anchors the bundle: answers
 * bundle.trust); the administrator brings the master token (a recovery's NEW token, or for a
 * signing the token that holds the key); each trustee present brings their token, the keyring of
 * the root ceremony and their share envelope (the file, or the printed share card read with a QR
 * scanner: ShareCardScan). A signing also takes the request's digest as its author sent it
 * (required by a live script). File paths are relative to the folder holding the root bundle, as
 * in an answers file next to it.
 */
import { useState, type FormEvent } from 'react';
import type { OriginalBundleView, ScriptView, TokenSummary } from '../../../core/ipc/contract.ts';
import { FormProblem, StatusLine, emptyRequired, listWords, useCall } from '../ui.tsx';
import type { Send } from '../ceremony/send.ts';
import { TokenChoice, tokenValue, type TokenPick } from './TokenChoice.tsx';
import { ShareCardScan } from './ShareCardScan.tsx';

export type QuorumKind = 'recovery' | 'signing' | 'rotation';

interface Row {
  present: boolean;
  name: string;
  token: TokenPick;
  keyring: string;
  envelope: string;
  /** Whether the envelope comes from the printed card (scanned) rather than a file typed in. */
  fromCard: boolean;
  /** A rotation: the new, empty folder for the trustee's new share, and their dice rolls. */
  output: string;
  dice: string;
}

/** What differs between the two check-ins: the master token's role and where the fingerprint comes from. */
const WORDS: Record<QuorumKind, { master: string; trust: string; masterFile: string }> = {
  recovery: { master: 'the new master key', trust: 'Master fingerprint, typed by the quorum from their paper record (64 hex digits or the 16 words)', masterFile: '' },
  signing: { master: 'the master key', trust: 'Master fingerprint, typed by the quorum from the root ceremony’s paper record (64 hex digits or the 16 words)', masterFile: 'master/master.keyrite-token' },
  rotation: { master: 'the new master key', trust: 'CURRENT master fingerprint, typed by the trustees from their paper record (of the root ceremony, or of the last rotation; 64 hex digits or the 16 words)', masterFile: 'rotation/new-master.keyrite-token' },
};

export function QuorumCheckIn({ kind, script, bundle, send }: { kind: QuorumKind; script: ScriptView; bundle: OriginalBundleView; send: Send }) {
  const api = window.keyrite!;
  const words = WORDS[kind];
  const [tokens] = useCall<TokenSummary[]>(api.tokens.list);
  const listed = tokens.state === 'ready' ? tokens.value : [];
  const fileFirst = script.tokens === 'software' ? 'file' : '';
  const [admin, setAdmin] = useState('');
  const [witnesses, setWitnesses] = useState<string[]>(() => Array.from({ length: script.roles.witness }, () => ''));
  const [trust, setTrust] = useState('');
  const [digest, setDigest] = useState('');
  const rotation = kind === 'rotation';
  const [simulateDice, setSimulateDice] = useState(rotation && script.mode === 'rehearsal' && script.minDice !== null);
  const typedDice = rotation && script.minDice !== null && !simulateDice;
  const [master, setMaster] = useState<TokenPick>({ choice: fileFirst, path: fileFirst ? words.masterFile : '' });
  const [rows, setRows] = useState<Row[]>(() =>
    bundle.trustees.map((t) => ({
      // A rotation needs every trustee of the current bundle.
      present: kind === 'rotation',
      name: t.name === t.id ? '' : t.name,
      token: { choice: fileFirst, path: `trustees/${t.id}/token.keyrite-token` },
      keyring: `trustees/${t.id}/keyring.json`,
      envelope: `trustees/${t.id}/share-envelope.json`,
      fromCard: false,
      output: `rotation/trustees/${t.id}`,
      dice: '',
    })),
  );
  const setRow = (i: number, change: Partial<Row>) => setRows((rs) => rs.map((r, j) => (j === i ? { ...r, ...change } : r)));
  const present = rows.filter((r) => r.present).length;

  const [problems, setProblems] = useState<string[]>([]);
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const empty = emptyRequired(e.currentTarget);
    setProblems(empty.length > 0 ? [`Fill in ${listWords(empty)}.`] : []);
    if (empty.length > 0) return;
    const present = rows.flatMap((r, i) => (r.present ? [{ r, id: bundle.trustees[i]!.id }] : []));
    const form = {
      administrator: admin,
      witnesses,
      trust,
      masterToken: tokenValue(master),
      trustees: present.map(({ r, id }) => ({ id, name: r.name, token: tokenValue(r.token), keyring: r.keyring, envelope: r.envelope })),
    };
    if (kind === 'rotation') {
      const trustees = present.map(({ r, id }) => ({ id, name: r.name, token: tokenValue(r.token), keyring: r.keyring, envelope: r.envelope, output: r.output, dice: r.dice }));
      void send(() => api.rotation.checkIn({ ...form, simulateDice, trustees }));
      return;
    }
    void send(() => (kind === 'signing' ? api.signing.checkIn({ ...form, requestDigest: digest }) : api.recovery.checkIn(form)));
  };

  return (
    <form className="panel" onSubmit={submit} noValidate data-testid={`${kind}-check-in`}>
      <h3>{kind === 'rotation' ? 'Check every trustee in' : 'Check the quorum in'}</h3>
      {tokens.state === 'error' && (
        <StatusLine tone="warn" word="No tokens listed">
          {tokens.message} Rehearsal token files can still be given by path.
        </StatusLine>
      )}
      <label className="field field-wide trust-field">
        <span>{words.trust}</span>
        <input value={trust} onChange={(e) => setTrust(e.target.value)} spellCheck={false} autoComplete="off" required />
      </label>
      {kind === 'signing' && (
        <label className="field field-wide trust-field">
          <span>Request digest as the requester sent it (64 hex digits){script.mode === 'live' ? '' : ' — optional in a rehearsal: the digest of the file shown above is used'}</span>
          <input value={digest} onChange={(e) => setDigest(e.target.value)} spellCheck={false} autoComplete="off" required={script.mode === 'live'} />
        </label>
      )}
      <div className="fields">
        <label className="field">
          <span>Administrator’s name</span>
          <input value={admin} onChange={(e) => setAdmin(e.target.value)} autoComplete="off" required />
        </label>
        {witnesses.map((w, i) => (
          <label className="field" key={i}>
            <span>Witness {i + 1}’s name</span>
            <input value={w} onChange={(e) => setWitnesses((ws) => ws.map((x, j) => (j === i ? e.target.value : x)))} autoComplete="off" required />
          </label>
        ))}
        <TokenChoice who={words.master} value={master} onChange={setMaster} tokens={listed} />
      </div>
      {rotation && script.minDice !== null && script.mode === 'rehearsal' && (
        <label className="check">
          <input type="checkbox" checked={simulateDice} onChange={(e) => setSimulateDice(e.target.checked)} />
          <span>Simulate the trustees’ dice (rehearsal only)</span>
        </label>
      )}
      <fieldset className="trustees">
        <legend>
          Trustees present: {present} of the {script.roles.trustee} this script needs
        </legend>
        <p className="readout-note">
          Paths are relative to <strong>{bundle.baseFolder}</strong> (the folder holding the {kind === 'signing' ? 'root ' : rotation ? 'current ' : ''}bundle).
        </p>
        {rows.map((r, i) => {
          const t = bundle.trustees[i]!;
          return (
            <div className="trustee-row recovery-trustee" key={t.id} data-trustee={t.id}>
              <label className="check">
                <input type="checkbox" checked={r.present} onChange={(e) => setRow(i, { present: e.target.checked })} />
                <span>{t.name === t.id ? t.id : `${t.name} (${t.id})`} is here</span>
              </label>
              {r.present && (
                <>
                  <label className="field">
                    <span>Name of {t.id}</span>
                    <input value={r.name} onChange={(e) => setRow(i, { name: e.target.value })} autoComplete="off" required />
                  </label>
                  <TokenChoice who={t.id} value={r.token} onChange={(token) => setRow(i, { token })} tokens={listed} />
                  <label className="field">
                    <span>Keyring file of {t.id}</span>
                    <input className="path-input" value={r.keyring} onChange={(e) => setRow(i, { keyring: e.target.value })} spellCheck={false} autoComplete="off" required />
                  </label>
                  <label className="field">
                    <span>Share envelope file of {t.id}</span>
                    <input className="path-input" value={r.envelope} onChange={(e) => setRow(i, { envelope: e.target.value })} spellCheck={false} autoComplete="off" required />
                  </label>
                  {rotation && (
                    <label className="field">
                      <span>New share folder of {t.id} (new and empty)</span>
                      <input className="path-input" value={r.output} onChange={(e) => setRow(i, { output: e.target.value })} spellCheck={false} autoComplete="off" required />
                    </label>
                  )}
                  {typedDice && (
                    <label className="field">
                      <span>Dice rolls of {t.id} (at least {script.minDice} rolls of 1 to 6, separated by spaces)</span>
                      <input value={r.dice} onChange={(e) => setRow(i, { dice: e.target.value })} spellCheck={false} autoComplete="off" />
                    </label>
                  )}
                  {!rotation && (
                  <label className="check card-choice">
                    <input type="checkbox" checked={r.fromCard} onChange={(e) => setRow(i, { fromCard: e.target.checked })} />
                    <span>{t.id} brings the printed share card instead of the file</span>
                  </label>
                  )}
                  {r.fromCard && !rotation && <ShareCardScan ns={kind as 'recovery' | 'signing'} trusteeId={t.id} onRead={(envelope) => setRow(i, { envelope })} />}
                </>
              )}
            </div>
          );
        })}
      </fieldset>
      <FormProblem problems={problems} />
      <div className="actions">
        <button type="submit" className="primary">
          Check in
        </button>
        <button type="button" className="secondary" onClick={() => void send(() => api[kind].reset())}>
          Start over
        </button>
      </div>
    </form>
  );
}
