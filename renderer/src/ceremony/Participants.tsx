/** Who checked in: name, role, and the token each one bound at check-in, by label and serial (read back before the run starts). */
import type { ParticipantView } from '../../../core/ipc/contract.ts';

const ROLE = { administrator: 'Administrator', trustee: 'Trustee', witness: 'Witness' } as const;

export function Participants({ participants }: { participants: ParticipantView[] }) {
  return (
    <div className="panel" data-testid="participants">
      <h3>Checked in: read each token back</h3>
      <table className="people">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Role</th>
            <th scope="col">Token</th>
            <th scope="col">Serial</th>
          </tr>
        </thead>
        <tbody>
          {participants.map((p) => (
            <tr key={p.id}>
              <td>{p.name}</td>
              <td>{ROLE[p.role]}</td>
              <td>{p.role === 'administrator' ? `Master token: ${p.token ?? ''}` : (p.token ?? '—')}</td>
              <td className="serial">{p.tokenSerial ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
