/** The documents a signing ceremony signed, by name, payload type and SHA-256 (the Signing screen's result, the Audit screen's signing bundle). */
export function DocumentsTable({ documents, testid, envelopes }: { documents: readonly { name: string; payloadType: string; sha256: string }[]; testid: string; envelopes: boolean }) {
  return (
    <table className="people request-table" data-testid={testid}>
      <thead>
        <tr>
          <th scope="col">Document</th>
          <th scope="col">SHA-256</th>
        </tr>
      </thead>
      <tbody>
        {documents.map((d) => (
          <tr key={d.name} data-document={d.name}>
            <td className="mono">
              {d.name}
              <br />
              <span className="readout-note">{envelopes ? `${d.payloadType} · envelope ${d.name}.dsse.json` : d.payloadType}</span>
            </td>
            <td className="mono digest">{d.sha256}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
