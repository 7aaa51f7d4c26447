/**
 * The check-in: names and token choices, the same data as an answers file. Tokens come from
 * tokens:list, filtered to what the script asks for (software tokens for a rehearsal script,
 * PKCS#11 tokens otherwise). No token is bound to anyone until its holder chooses it; each
 * choice is read back under its field with the full label and serial, and a token chosen twice
 * is named at once. Missing fields are said in a sentence (the form is noValidate). Dice rolls
 * go to the main process only; the view never returns them.
 */
import { useState, type FormEvent } from 'react';
import type { ScriptView, TokenSummary } from '../../../core/ipc/contract.ts';
import { FormProblem, StatusLine, emptyRequired, listWords, useCall } from '../ui.tsx';
import type { Send } from './send.ts';

interface Row {
  name: string;
  token: string;
  dice: string;
}

function fits(script: ScriptView, t: TokenSummary): boolean {
  return script.tokens === 'software' ? t.rehearsalOnly : !t.rehearsalOnly;
}

const tokenWords = (t: TokenSummary) => `“${t.label}” (serial ${t.serial})`;

/** Under a token field: the token bound, in full, or that someone else chose it too. */
function Bound({ id, token, others }: { id: string; token: TokenSummary | undefined; others: string[] }) {
  return (
    <p className={others.length > 0 ? 'bound bound-twice' : 'bound'} id={id} data-testid={id} aria-live="polite">
      {!token
        ? 'No token chosen yet.'
        : others.length > 0
          ? `${tokenWords(token)} is also chosen for ${listWords(others)}: each one brings their own token.`
          : `Bound: ${tokenWords(token)} · ${token.manufacturer} ${token.model}`}
    </p>
  );
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
  const [problems, setProblems] = useState<string[]>([]);

  const setRow = (i: number, change: Partial<Row>) => setRows((rs) => rs.map((r, j) => (j === i ? { ...r, ...change } : r)));
  const needsDice = script.minDice !== null && !simulate;
  // Who chose which token: the master token's holder and each trustee, by the field's name.
  const holders = [{ who: 'the master token', token: master }, ...rows.map((r, i) => ({ who: `Trustee ${i + 1}`, token: r.token }))];
  const othersOf = (who: string, token: string) => (token ? holders.filter((h) => h.token === token && h.who !== who).map((h) => h.who) : []);
  const tokenOf = (id: string) => usable.find((t) => t.id === id);

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const found: string[] = [];
    const empty = emptyRequired(e.currentTarget);
    if (empty.length > 0) found.push(`Fill in ${listWords(empty)}.`);
    const twice = [...new Set(holders.filter((h) => othersOf(h.who, h.token).length > 0).map((h) => h.token))];
    for (const id of twice) found.push(`${listWords(holders.filter((h) => h.token === id).map((h) => h.who))} chose the same token ${tokenWords(tokenOf(id)!)}: each one brings their own.`);
    setProblems(found);
    if (found.length > 0) return;
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
    <form className="panel checkin" onSubmit={(e) => void submit(e)} noValidate data-testid="check-in">
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
        <div className="field-group">
          <label className="field">
            <span>Master token</span>
            <select value={master} onChange={(e) => setMaster(e.target.value)} required aria-describedby="bound-master">
              {tokenOptions}
            </select>
          </label>
          <Bound id="bound-master" token={tokenOf(master)} others={othersOf('the master token', master)} />
          {script.masterMatch && <p className="readout-note">The script asks for the token labelled “{script.masterMatch}”.</p>}
        </div>
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
            <div className="field-group">
              <label className="field">
                <span>Trustee {i + 1}’s token</span>
                <select value={r.token} onChange={(e) => setRow(i, { token: e.target.value })} required aria-describedby={`bound-trustee-${i + 1}`}>
                  {tokenOptions}
                </select>
              </label>
              <Bound id={`bound-trustee-${i + 1}`} token={tokenOf(r.token)} others={othersOf(`Trustee ${i + 1}`, r.token)} />
            </div>
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
      <FormProblem problems={problems} />
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
