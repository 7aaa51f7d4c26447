/**
 * What only a root-keygen bundle has: the escrow manifest the transcript recorded at the split,
 * for this ceremony, master key, quorum and trustees; and every trustee's signed receipt
 * confirming their share against its commitment and the escrow blob E.
 */
import { fromUtf8 } from '../../bytes.ts';
import { expectObject } from '../../encoding/json-fields.ts';
import { verifyHybrid } from '../../crypto/hybrid.ts';
import { parseManifest } from '../../escrow/manifest.ts';
import { receiptFromJson, receiptSigningMessage } from '../../escrow/receipt.ts';
import { ESCROW_MANIFEST_FILE } from '../../bundle/layout.ts';
import { fail, type Check } from '../check-list.ts';
import { modeClause } from '../mode-words.ts';
import type { VerifyContext } from '../context.ts';

export const escrowManifest: Check<VerifyContext> = {
  name: 'escrow-manifest',
  needs: ['transcript-structure', 'policy'],
  run(ctx) {
    const bytes = ctx.file(ESCROW_MANIFEST_FILE);
    if (ctx.facts!.manifestSha256 !== ctx.sha256Hex(bytes)) fail('escrow/manifest.json is not the manifest the transcript recorded at the split.');
    const m = parseManifest(fromUtf8(bytes).replace(/\n$/, ''));
    ctx.escrow = m;
    const q = expectObject(ctx.policy!.quorum, 'quorum in policy.json');
    const trustees = ctx.trustees;
    if (m.masterFingerprint !== ctx.master!.fingerprint || m.ceremonyId !== ctx.facts!.ceremonyId) fail('The escrow manifest names another master key or ceremony.');
    if (m.n !== q.n || m.t !== q.t) fail(`The escrow manifest is ${m.t}-of-${m.n}, the policy ${String(q.t)}-of-${String(q.n)}.`);
    if (m.trustees.length !== trustees.length || m.trustees.some((t, i) => t.id !== trustees[i]!.id || t.fingerprint !== trustees[i]!.fingerprint)) {
      fail('The escrow manifest lists other trustees than the transcript.');
    }
    if (m.trustees.some((t) => t.x < 1 || t.x > 255)) fail('The escrow manifest gives a share index outside 1 to 255.');
    return `${m.t}-of-${m.n}, ${m.trustees.length} share commitments with distinct indexes, escrow blob E of epoch ${m.epoch} bound to this ceremony and master key`;
  },
};

export const shareReceipts: Check<VerifyContext> = {
  name: 'share-receipts',
  needs: ['transcript-structure', 'escrow-manifest'],
  run(ctx) {
    const escrow = ctx.escrow!;
    const master = ctx.master!;
    for (const t of escrow.trustees) {
      const raw = ctx.facts!.receipts.get(t.id);
      if (!raw) fail(`The transcript holds no share receipt from trustee ${t.id}.`);
      const r = receiptFromJson(raw);
      const pub = ctx.trustees.find((x) => x.id === t.id)!.publicKey;
      const v = verifyHybrid(pub, receiptSigningMessage(r.body), r.signature, ctx.mode, ctx.crypto.ed25519, ctx.crypto.mldsa65);
      if (!v.valid) fail(`The share receipt of trustee ${t.id} does not verify (${modeClause(ctx.mode)}).`);
      if (r.body.commitmentCheck !== 'match' || r.body.blobCheck !== 'match' || r.body.x !== t.x || r.body.masterFingerprint !== master.fingerprint || r.body.trusteeFingerprint !== t.fingerprint) {
        fail(`The share receipt of trustee ${t.id} does not confirm their share against the manifest.`);
      }
    }
    return `${escrow.trustees.length} trustee receipts verify (${modeClause(ctx.mode)}) and confirm each share against its commitment and E`;
  },
};
