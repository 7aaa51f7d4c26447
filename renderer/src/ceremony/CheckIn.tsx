/**
 * The check-in: names and token choices, the same data as an answers file. Tokens come from
 * tokens:list, filtered to what the script asks for (software tokens for a rehearsal script,
 * PKCS#11 tokens otherwise). Dice rolls go to the main process only; the view never returns them.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { ScriptView, TokenSummary } from '../../../core/ipc/contract.ts';
import { StatusLine, useCall } from '../ui.tsx';
import type { Send } from './send.ts';

interface Row {
  name: string;
  token: string;
  dice: string;
}

function fits(script: ScriptView, t: TokenSummary): boolean {
  return script.tokens === 'software' ? t.rehearsalOnly : !t.rehearsalOnly;
}

export function CheckIn({ script, send }: { script: ScriptView; send: Send }) {
  const api = window.keyrite!;
  const [tokens, rescan] = useCall<TokenSummary[]>(api.tokens.list);
  const usable = tokens.state === 'ready' ? tokens.value.filter((t) => fits(script, t)) : [];
  const [admin, setAdmin] = useState('');
  const [witnesses, setWitnesses] = useState<string[]>(() => Array.from({ length: script.roles.witness }, () => ''));
  const [master, setMaster] = useState('');
  const [rows, setRows] = useState<Row[]>(() => Array.from({ length: script.roles.trustee }, () => ({ name: '', token: '', dice: '' })));
  const [simulate, setSimulate] = useState(script.mode === 'rehearsal');

  // Once the tokens are known: the script's master token first, then one distinct token per trustee.
  useEffect(() => {
    if (tokens.state !== 'ready') return;
    const m = usable.find((t) => t.label === script.masterMatch) ?? usable[0];
    const rest = usable.filter((t) => t !== m);
    setMaster(m?.id ?? '');
    setRows((rs) => rs.map((r, i) => ({ ...r, token: rest[i]?.id ?? '' })));
  }, [tokens.state]);

  const setRow = (i: number, change: Partial<Row>) => setRows((rs) => rs.map((r, j) => (j === i ? { ...r, ...change } : r)));
  const needsDice = script.minDice !== null && !simulate;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const sent = await send(() =>
      api.ceremony.checkIn({ administrator: admin, witnesses, masterToken: master, trustees: rows.map((r) => ({ name: r.name, token: r.token, dice: needsDice ? r.dice : '' })), simulateDice: simulate && script.minDice !== null }),
    );
    if (sent) setRows((rs) => rs.map((r) => ({ ...r, dice: '' })));
  };

  const tokenOptions = (
    <>
      <option value="">Choose a token</option>
      {usable.map((t) => (
        <option key={t.id} value={t.id}>
          {t.label} (serial {t.serial})
        </option>
      ))}
    </>
  );

  return (
    <form className="panel checkin" onSubmit={(e) => void submit(e)} data-testid="check-in">
      <h3>Check the participants in</h3>
      {tokens.state === 'loading' && <StatusLine tone="pending">Looking for tokens…</StatusLine>}
      {tokens.state === 'error' && (
        <StatusLine tone="bad" word="Error">
          {tokens.message}
        </StatusLine>
      )}
      {tokens.state === 'ready' && usable.length === 0 && (
        <StatusLine tone="warn" word="No tokens">
          {script.tokens === 'software' ? 'No rehearsal software token was found.' : 'No PKCS#11 token was found.'} Attach the tokens, then look again.
        </StatusLine>
      )}
      <div className="fields">
        <label className="field">
          <span>Administrator’s name</span>
          <input value={admin} onChange={(e) => setAdmin(e.target.value)} autoComplete="off" required maxLength={100} />
        </label>
        <label className="field">
          <span>Master token</span>
          <select value={master} onChange={(e) => setMaster(e.target.value)} required>
            {tokenOptions}
          </select>
        </label>
        {witnesses.map((w, i) => (
          <label className="field" key={`w${i}`}>
            <span>Witness {i + 1}’s name</span>
            <input value={w} onChange={(e) => setWitnesses((ws) => ws.map((x, j) => (j === i ? e.target.value : x)))} autoComplete="off" required maxLength={100} />
          </label>
        ))}
      </div>
      <fieldset className="trustees">
        <legend>Trustees</legend>
        {rows.map((r, i) => (
          <div className="trustee-row" key={i}>
            <label className="field">
              <span>Trustee {i + 1}’s name</span>
              <input value={r.name} onChange={(e) => setRow(i, { name: e.target.value })} autoComplete="off" required maxLength={100} />
            </label>
            <label className="field">
              <span>Trustee {i + 1}’s token</span>
              <select value={r.token} onChange={(e) => setRow(i, { token: e.target.value })} required>
                {tokenOptions}
              </select>
            </label>
            {needsDice && (
              <label className="field">
                <span>
                  Trustee {i + 1}’s dice rolls (at least {script.minDice})
                </span>
                <input type="password" value={r.dice} onChange={(e) => setRow(i, { dice: e.target.value })} autoComplete="off" spellCheck={false} inputMode="numeric" />
              </label>
            )}
          </div>
        ))}
      </fieldset>
      {script.minDice !== null && script.mode === 'rehearsal' && (
        <label className="check">
          <input type="checkbox" checked={simulate} onChange={(e) => setSimulate(e.target.checked)} />
          <span>Simulated dice for every trustee (rehearsal only)</span>
        </label>
      )}
      <div className="actions">
        <button type="submit" className="primary">
          Check in
        </button>
        <button type="button" className="secondary" onClick={rescan}>
          Look for tokens again
        </button>
      </div>
    </form>
  );
}
