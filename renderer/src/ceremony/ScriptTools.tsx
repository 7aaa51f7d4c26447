/**
 * Before the run: print the paper script witnesses follow (ceremony:printScript, a new PDF chosen
 * in the main process; with the participants once they are checked in), and compare the loaded
 * script with its rehearsal or live counterpart (ceremony:diffScript): every difference, each
 * allowed for a rehearsal or not, as `keyrite script diff` prints them.
 */
import { useState } from 'react';
import type { IpcResult, ScriptDiffView, ScriptSource, ScriptView, ShippedScript } from '../../../core/ipc/contract.ts';
import { StatusLine, UNREACHABLE, useCall } from '../ui.tsx';

async function call<T>(f: () => Promise<IpcResult<T>>): Promise<IpcResult<T>> {
  try {
    return await f();
  } catch {
    return { ok: false, code: 'INTERNAL', message: UNREACHABLE };
  }
}

function Differences({ diff }: { diff: ScriptDiffView }) {
  const refused = diff.differences.filter((d) => !d.allowed).length;
  return (
    <div data-testid="script-diff" data-ok={diff.ok ? 'true' : 'false'}>
      <StatusLine tone={diff.ok ? 'good' : 'bad'} word={diff.ok ? 'Same run' : 'Differs'}>
        {diff.differences.length === 0
          ? `${diff.rehearsal.file} and ${diff.live.file} say the same thing.`
          : refused === 0
            ? `${diff.differences.length} differences between ${diff.rehearsal.file} (rehearsal) and ${diff.live.file} (live), all allowed: the rehearsal runs what the live ceremony runs.`
            : `${refused} of ${diff.differences.length} differences between ${diff.rehearsal.file} and ${diff.live.file} are NOT allowed: the rehearsal does not run what the live ceremony runs.`}
      </StatusLine>
      {diff.differences.length > 0 && (
        <table className="people diff">
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Rehearsal</th>
              <th scope="col">Live</th>
              <th scope="col">Allowed?</th>
            </tr>
          </thead>
          <tbody>
            {diff.differences.map((d) => (
              <tr key={d.path} data-path={d.path} className={d.allowed ? undefined : 'diff-refused'}>
                <td>
                  <code>{d.path}</code>
                </td>
                <td>{d.rehearsal}</td>
                <td>{d.live}</td>
                <td>
                  <strong>{d.allowed ? 'allowed' : 'NOT ALLOWED'}</strong> — {d.reason}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

export function ScriptTools({ script }: { script: ScriptView }) {
  const api = window.keyrite!;
  const [scripts] = useCall<ShippedScript[]>(api.ceremony.scripts);
  const [printed, setPrinted] = useState<string | null>(null);
  const [diff, setDiff] = useState<ScriptDiffView | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const counterparts = scripts.state === 'ready' ? scripts.value.filter((s) => s.mode !== script.mode) : [];

  const print = async () => {
    const r = await call(() => api.ceremony.printScript());
    setProblem(r.ok ? null : r.message);
    if (r.ok && r.value) setPrinted(r.value.file);
  };
  const compare = async (source: ScriptSource) => {
    const r = await call(() => api.ceremony.diffScript(source));
    setProblem(r.ok ? null : r.message);
    if (r.ok && r.value) setDiff(r.value);
  };
  return (
    <div className="panel" data-testid="script-tools">
      <h3>The paper script and the rehearsal</h3>
      <div className="actions">
        <button type="button" className="secondary" onClick={() => void print()}>
          Print the paper script (PDF)…
        </button>
        {counterparts.map((s) => (
          <button key={s.file} type="button" className="secondary" onClick={() => void compare({ shipped: s.file })}>
            Compare with {s.mode === 'live' ? 'the live' : 'the rehearsal'} script {s.file}
          </button>
        ))}
        <button type="button" className="secondary" onClick={() => void compare({ pick: true })}>
          Compare with another script file…
        </button>
      </div>
      {printed && (
        <p className="exported" role="status" data-testid="printed">
          Paper script written to {printed}: print it on a printer attached to this machine only.
        </p>
      )}
      {problem && (
        <p className="problem" role="alert">
          {problem}
        </p>
      )}
      {diff && <Differences diff={diff} />}
    </div>
  );
}
