/** A signing bundle on the audit screen: the request it signed and the documents, as its signed statement states them. */
import type { AuditSigningView } from '../../../core/ipc/contract.ts';

export function AuditSigning({ signing, valid }: { signing: AuditSigningView; valid: boolean }) {
  return (
    <div className="panel readout" data-testid="audit-signing">
      <h3>{valid ? 'Signing ceremony: what the master key signed' : 'Signing ceremony: what the bundle says was signed (NOT verified)'}</h3>
      <p data-testid="audit-request-title">Request: “{signing.requestTitle}”</p>
      <p className="readout-note">
        Request SHA-256 {signing.requestSha256} · master key of root ceremony {signing.originalCeremonyId}
      </p>
      <table className="people request-table" data-testid="audit-documents">
        <thead>
          <tr>
            <th scope="col">Document</th>
            <th scope="col">SHA-256</th>
          </tr>
        </thead>
        <tbody>
          {signing.documents.map((d) => (
            <tr key={d.name} data-document={d.name}>
              <td className="mono">
                {d.name}
                <br />
                <span className="readout-note">{d.payloadType}</span>
              </td>
              <td className="mono digest">{d.sha256}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
