/** A signing bundle on the audit screen: the request it signed and the documents, as its signed statement states them. */
import type { AuditSigningView } from '../../../core/ipc/contract.ts';
import { DocumentsTable } from '../signing/DocumentsTable.tsx';

export function AuditSigning({ signing, valid }: { signing: AuditSigningView; valid: boolean }) {
  return (
    <div className="panel readout" data-testid="audit-signing">
      <h3>{valid ? 'Signing ceremony: what the master key signed' : 'Signing ceremony: what the bundle says was signed (NOT verified)'}</h3>
      <p data-testid="audit-request-title">Request: “{signing.requestTitle}”</p>
      <p className="readout-note">
        Request SHA-256 {signing.requestSha256} · master key of root ceremony {signing.originalCeremonyId}
      </p>
      <DocumentsTable documents={signing.documents} testid="audit-documents" envelopes={false} />
    </div>
  );
}
