/** A master fingerprint as people read it aloud: hex in groups of four, then the 16 words, numbered. */
import type { AuditFingerprint } from '../../../core/ipc/contract.ts';

export function Fingerprint({ fp, testid = 'fingerprint' }: { fp: AuditFingerprint; testid?: string }) {
  return (
    <>
      <p className="hex-groups" data-testid={`${testid}-hex`} aria-label="Fingerprint in hex groups">
        {fp.hexGroups}
      </p>
      <ol className="words" data-testid={`${testid}-words`}>
        {fp.words.map((w, i) => (
          <li key={i}>{w}</li>
        ))}
      </ol>
    </>
  );
}
