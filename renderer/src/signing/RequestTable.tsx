/**
 * The signing request as the room reads it before anything is unlocked: its verdict against the
 * script's caps (or the refusal sentence), the keys to endorse (kid, algorithm, purpose and label,
 * validity) and the artifacts (name, size, SHA-256), and its digest as hex groups and words.
 */
import type { SigningRequestView } from '../../../core/ipc/contract.ts';
import { Fingerprint } from '../audit/Fingerprint.tsx';

const USE = { sig: 'signing', enc: 'encryption' } as Record<string, string>;

/** "2026-12-07T00:00:00Z" → "2026-12-07 00:00 UTC". */
const when = (t: string): string => t.replace(/^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?Z$/, (_m, d: string, hm: string, s?: string) => `${d} ${hm}${s && s !== ':00' ? s : ''} UTC`);

export function RequestTable({ request }: { request: SigningRequestView }) {
  const caps = request.limits;
  return (
    <div className="panel readout signing-request" data-testid="signing-request" data-verdict={request.verdict}>
      <h3>{request.verdict === 'accepted' ? `Signing request: ${request.title}` : 'This signing request is refused'}</h3>
      <p className={request.verdict === 'accepted' ? 'checks checks-good' : 'problem'} role={request.verdict === 'refused' ? 'alert' : undefined} data-testid="request-verdict">
        {request.verdict === 'accepted'
          ? `✓ Within this script’s limits (validity at most ${caps.maxValidityDays} days, at most ${caps.maxKeys} keys and ${caps.maxArtifacts} artifacts), checked ${when(request.checkedAt)}. Nothing is unlocked yet.`
          : `✗ ${request.refusal} Nothing was unlocked. Ask the requester for a corrected request and open it again.`}
      </p>
      <p className="readout-note">
        {request.path} · {request.bytes} bytes
      </p>
      {request.keys.length > 0 && (
        <table className="people request-table" data-testid="request-keys">
          <caption>Keys the master key will endorse ({request.keys.length})</caption>
          <thead>
            <tr>
              <th scope="col">Key id (kid)</th>
              <th scope="col">Algorithm</th>
              <th scope="col">Purpose</th>
              <th scope="col">Not before</th>
              <th scope="col">Expires</th>
              <th scope="col">Validity</th>
            </tr>
          </thead>
          <tbody>
            {request.keys.map((k) => (
              <tr key={k.kid} data-kid={k.kid}>
                <td className="mono">{k.kid}</td>
                <td>{k.alg}</td>
                <td>
                  {USE[k.use] ?? k.use} · “{k.label}”
                </td>
                <td>{when(k.nbf)}</td>
                <td>{when(k.exp)}</td>
                <td>
                  {k.days} days (cap {caps.maxValidityDays})
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {request.artifacts.length > 0 && (
        <table className="people request-table" data-testid="request-artifacts">
          <caption>Artifacts the master key will sign ({request.artifacts.length})</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Size</th>
              <th scope="col">SHA-256</th>
            </tr>
          </thead>
          <tbody>
            {request.artifacts.map((a) => (
              <tr key={a.name} data-artifact={a.name}>
                <td className="mono">{a.name}</td>
                <td>{a.size.toLocaleString('en-US')} bytes</td>
                <td className="mono digest">{a.sha256}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h4>Request digest (SHA-256 of the file) — compare it with the one the requester sent</h4>
      <Fingerprint fp={request.digest} testid="request-digest" />
    </div>
  );
}
