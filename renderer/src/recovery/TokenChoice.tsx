/** A token for a recovery: one from tokens:list, or a rehearsal token file given by its path (as in an answers file). */
import type { TokenSummary } from '../../../core/ipc/contract.ts';

export interface TokenPick {
  /** '' (none yet), a token id from tokens:list, or 'file'. */
  choice: string;
  path: string;
}

/** What recovery:checkIn takes: the token id, or the file's path. */
export const tokenValue = (t: TokenPick): string => (t.choice === 'file' ? t.path : t.choice);

export function TokenChoice({ who, value, onChange, tokens }: { who: string; value: TokenPick; onChange: (t: TokenPick) => void; tokens: TokenSummary[] }) {
  return (
    <>
      <label className="field">
        <span>Token of {who}</span>
        <select value={value.choice} onChange={(e) => onChange({ ...value, choice: e.target.value })} required>
          <option value="">Choose a token</option>
          {tokens.map((t) => (
            <option key={t.id} value={t.id}>
              {t.label} (serial {t.serial})
            </option>
          ))}
          <option value="file">A token file (path below)</option>
        </select>
      </label>
      {value.choice === 'file' && (
        <label className="field">
          <span>Token file of {who}</span>
          <input className="path-input" value={value.path} onChange={(e) => onChange({ ...value, path: e.target.value })} spellCheck={false} autoComplete="off" required />
        </label>
      )}
    </>
  );
}
