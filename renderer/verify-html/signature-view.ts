/**
 * The relying party's report (core/signing/check-signature.ts) as DOM, in the words of `keyrite
 * check-signature`: the verdict first and large (GOOD / BAD with the CLI's sentence), the
 * rehearsal warning, the issuer's fingerprint to compare by ear, every check with its reason,
 * then what the signed document states: each endorsed key with its purpose, validity and state
 * at the time of the check, or the artifact matched. Every string goes through el() (escaped).
 */
import { formatUtcSecond } from '../../core/signing/fields.ts';
import type { EndorsedKeyStatus, SignatureCheck, SignatureCheckReport } from '../../core/signing/check-signature.ts';
import { endorsedKeyState, purposeWord, REHEARSAL_LINE, signatureVerdict } from '../../core/signing/check-signature-words.ts';
import { el } from './dom.ts';
import { fingerprintBlock } from './report-view.ts';

function checkItem(check: SignatureCheck): HTMLElement {
  const status = check.ok ? 'pass' : 'fail';
  return el('li', { class: `check ${status}`, 'data-sig-check': check.name, 'data-status': status },
    el('span', { class: 'status' }, check.ok ? 'PASS' : 'FAIL'),
    el('span', { class: 'name' }, check.name),
    el('p', { class: 'detail' }, check.detail),
  );
}

function keyTable(keys: readonly EndorsedKeyStatus[], now: Date): HTMLElement {
  const head = ['kid', 'algorithm', 'purpose', 'label', 'not before', 'expires', `at ${formatUtcSecond(now)}`];
  return el('table', { class: 'keys', 'data-testid': 'endorsed-keys' },
    el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, ...keys.map((k) => {
      const state = endorsedKeyState(k, now);
      return el('tr', { 'data-kid': k.kid, 'data-state': state },
        el('td', { class: 'mono' }, k.kid), el('td', {}, k.alg), el('td', {}, purposeWord(k)), el('td', {}, k.label),
        el('td', { class: 'mono' }, k.nbf), el('td', { class: 'mono' }, k.exp), el('td', { class: `key-state ${state === 'VALID NOW' ? 'valid' : 'not-valid'}` }, state));
    })),
  );
}

function facts(r: SignatureCheckReport, now: Date): HTMLElement {
  const rows: [string, string | undefined][] = [
    ['Signing ceremony', r.ceremonyId],
    ['Request confirmed', r.signedAt],
    ['Signature mode', r.mode],
    ['Checked at', formatUtcSecond(now)],
  ];
  const list = el('dl', { class: 'facts' });
  for (const [k, v] of rows) if (v !== undefined) list.append(el('dt', {}, k), el('dd', {}, v));
  return list;
}

export function renderSignatureReport(r: SignatureCheckReport, now: Date): HTMLElement {
  const verdict = r.ok ? 'good' : 'bad';
  return el('div', { class: 'report' },
    el('div', { class: `verdict ${r.ok ? 'valid' : 'invalid'}`, 'data-testid': 'signature-verdict', 'data-verdict': verdict, role: 'status' },
      el('p', { class: 'verdict-word' }, r.ok ? 'GOOD' : 'BAD'),
      el('p', { class: 'verdict-summary', 'data-testid': 'signature-sentence' }, signatureVerdict(r)),
    ),
    ...(r.rehearsal === true ? [el('p', { class: 'rehearsal', 'data-testid': 'signature-rehearsal' }, REHEARSAL_LINE)] : []),
    ...(/^[0-9a-f]{64}$/.test(r.issuerFingerprint ?? '') ? [fingerprintBlock(r.issuerFingerprint!, r.ok, 'the document', 'issuer-fingerprint')] : []),
    facts(r, now),
    el('h2', {}, `Checks (${r.checks.length})`),
    el('ol', { class: 'checks' }, ...r.checks.map(checkItem)),
    ...(r.keys === undefined ? [] : [el('h2', {}, `Endorsed keys (${r.keys.length})`), keyTable(r.keys, now)]),
    ...(r.artifact === undefined ? [] : [el('p', { class: 'artifact', 'data-testid': 'signed-artifact' }, `Signed artifact: ${r.artifact.name}, ${r.artifact.size} bytes, SHA-256 ${r.artifact.sha256}`)]),
  );
}
