/**
 * What the audit screen shows of a signing bundle beyond the checks: the request's title and
 * SHA-256, the documents signed and the root ceremony it links to, read from the signed
 * statement's predicate (statement.dsse.json). The verifier checks that statement, the request
 * and every envelope; these fields are shown as the bundle states them, under its verdict.
 */
import { fromUtf8 } from '../../core/bytes.ts';
import { parseEnvelope } from '../../core/encoding/dsse.ts';
import { parseJsonUtf8 } from '../../core/encoding/json.ts';
import type { AuditSigningView } from '../../core/ipc/contract.ts';

const MAX_DOCUMENTS = 16;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length <= 1000 ? v : undefined);

/** The signing predicate's request, documents and link; null when the bundle holds no readable signing statement. */
export function auditSigningView(files: ReadonlyMap<string, Uint8Array>): AuditSigningView | null {
  const bytes = files.get('statement.dsse.json');
  if (bytes === undefined) return null;
  try {
    const statement = parseJsonUtf8(parseEnvelope(fromUtf8(bytes)).payload, 'statement');
    const p = isObject(statement) ? statement.predicate : undefined;
    if (!isObject(p) || p.kind !== 'signing' || !isObject(p.request) || !isObject(p.original) || !Array.isArray(p.documents)) return null;
    const title = str(p.request.title);
    const sha256 = str(p.request.sha256);
    const ceremonyId = str(p.original.ceremonyId);
    if (title === undefined || sha256 === undefined || ceremonyId === undefined) return null;
    const documents = p.documents.slice(0, MAX_DOCUMENTS).flatMap((d) => {
      if (!isObject(d)) return [];
      const name = str(d.name);
      const digest = str(d.sha256);
      const payloadType = str(d.payloadType);
      return name !== undefined && digest !== undefined && payloadType !== undefined ? [{ name, sha256: digest, payloadType }] : [];
    });
    return { requestTitle: title, requestSha256: sha256, originalCeremonyId: ceremonyId, documents };
  } catch {
    return null;
  }
}
