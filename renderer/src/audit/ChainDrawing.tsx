/**
 * A chain of master keys drawn root → … → current: each bundle in the order given, with its key's
 * state and dates (from the chain's key states, only when the chain is valid), then the table of
 * every key. Shared by the Audit screen's chain report and the Rotation screen's overview.
 */
import type { ChainKeyState, ChainKeyView, ChainReportView } from '../../../core/ipc/contract.ts';

const KIND_LABEL: Record<string, string> = { 'root-keygen': 'Root key ceremony', rotation: 'Rotation' };

/** A transcript time as people read it: 2026-12-07 21:08:18 UTC. */
export function when(t: string): string {
  return t.replace('T', ' ').replace(/(\.\d{3})?Z$/, ' UTC');
}

const STATE_WORD: Record<ChainKeyState, string> = { active: 'ACTIVE', deprecated: 'DEPRECATED', retired: 'RETIRED', revoked: 'REVOKED' };

/** The state in words with its dates, as of the report's time. */
export function stateText(k: ChainKeyView): string {
  if (k.stateNow === 'active') return `signs; active since ${when(k.since)}`;
  if (k.stateNow === 'deprecated') return `verify-only until ${when(k.until!)} (rotated out ${when(k.since)})`;
  if (k.stateNow === 'revoked') return `revoked at ${when(k.revokedAt!)}: nothing it signed from then on is trusted`;
  return k.state === 'deprecated' ? `its grace period ended ${when(k.until!)}: nothing it signed is relied on any more` : `since ${when(k.since)}: nothing it signed is relied on any more`;
}

/** The first groups of a fingerprint, enough to tell the keys of one chain apart on the drawing. */
const shortHex = (groups: string): string => `${groups.split(' ').slice(0, 4).join(' ')} …`;

export function ChainDrawing({ report, showFingerprints = true }: { report: ChainReportView; showFingerprints?: boolean }) {
  return (
    <ol className="chain-drawing" data-testid="chain-drawing" aria-label="The chain, root first">
      {report.steps.map((s, i) => {
        const key = report.keys?.find((k) => k.ceremonyId === s.ceremonyId);
        const state = key?.stateNow ?? null;
        return (
          <li key={i} className={`chain-link chain-state-${state ?? 'unknown'}`} data-testid="chain-step" data-kind={s.kind ?? ''} data-state={state ?? ''}>
            <p className="chain-kind">
              {i + 1}. {KIND_LABEL[s.kind ?? ''] ?? (s.kind ? `${s.kind} bundle` : 'Unreadable bundle')}
              {i === report.steps.length - 1 && report.current?.ceremonyId === s.ceremonyId ? ' · current' : ''}
            </p>
            <p className="chain-state">
              {state ? (
                <>
                  <strong>{STATE_WORD[state]}</strong> {stateText(key!)}
                </>
              ) : (
                <strong>{s.verifiesAlone ? 'State not verified (the chain was refused)' : 'This bundle does not verify on its own'}</strong>
              )}
            </p>
            {showFingerprints && s.fingerprint && <p className="chain-fp">{shortHex(s.fingerprint.hexGroups)}</p>}
            <p className="chain-meta">Ceremony {s.ceremonyId ?? '(unreadable)'}</p>
            {s.endedAt && <p className="chain-meta">Ended {when(s.endedAt)}</p>}
            <p className="chain-meta chain-folder">{s.folder}</p>
          </li>
        );
      })}
    </ol>
  );
}

export function ChainKeysTable({ keys }: { keys: ChainKeyView[] }) {
  return (
    <table className="chain-keys" data-testid="chain-keys">
      <caption>Every master key of the chain, newest first</caption>
      <thead>
        <tr>
          <th scope="col">State now</th>
          <th scope="col">Dates</th>
          <th scope="col">Fingerprint</th>
          <th scope="col">Made by ceremony</th>
        </tr>
      </thead>
      <tbody>
        {keys.map((k) => (
          <tr key={k.fingerprint.hex} data-state={k.stateNow}>
            <td>
              <strong>{STATE_WORD[k.stateNow]}</strong>
            </td>
            <td>{stateText(k)}</td>
            <td>
              <code>{k.fingerprint.hexGroups}</code>
            </td>
            <td>{k.ceremonyId}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
