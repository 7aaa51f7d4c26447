/**
 * The verifier's report as DOM: the verdict first and large, then whether the master key was
 * anchored to a fingerprint given out of band, the master fingerprint to compare by ear, and
 * every check with its status and reason. Text only (textContent), never markup, and every
 * string escaped for display (a bundle's file names and ids are the attacker's).
 */
import { fromHex } from '../../core/encoding/hex.ts';
import { fingerprint, fingerprintWords, formatFingerprintHex } from '../../core/encoding/fingerprint.ts';
import { modeClause } from '../../core/verifier/mode-words.ts';
import type { CheckResult, TrustAnchor, VerifyReport } from '../../core/verifier/report.ts';
import { el } from './dom.ts';

const NOT_ANCHORED = 'Not anchored: no trusted fingerprint was given.';

function anchorText(anchor: TrustAnchor, valid: boolean): string {
  if (!anchor.anchored) {
    return valid
      ? `${NOT_ANCHORED} The checks prove the bundle is consistent and signed by the master key it names; only comparing that key's fingerprint with the one read aloud at the ceremony proves it is the right key.`
      : NOT_ANCHORED;
  }
  const compared = anchor.compared === 'full' ? 'all 64 hex digits' : 'the 16 words (the first half of the fingerprint)';
  if (anchor.matches === undefined) return 'Not compared: the bundle\'s master key could not be read, so it was not compared with the fingerprint you gave.';
  return anchor.matches
    ? `Anchored: the master key matches the trusted fingerprint you gave (${compared} compared).`
    : 'Anchor failed: the master key is NOT the key whose fingerprint you gave.';
}

function summary(report: VerifyReport): string {
  const failed = report.checks.filter((c) => c.status === 'fail').length;
  const skipped = report.checks.filter((c) => c.status === 'skipped').length;
  if (report.verdict === 'valid') return `All ${report.checks.length} checks passed${report.mode === 'hybrid' ? '' : ` (${modeClause(report.mode)})`}.`;
  const parts = [`${failed} of ${report.checks.length} checks failed`];
  if (skipped > 0) parts.push(`${skipped} could not be run because of an earlier failure`);
  return `${parts.join('; ')}. Do not trust this bundle.`;
}

/** The master fingerprint in hex groups and words, to compare by ear; `source` says who states it when it is not verified. */
export function fingerprintBlock(hex: string, verified: boolean, source: string, testId: string): HTMLElement {
  const label = verified ? 'Master key fingerprint' : `Master key fingerprint (as ${source} states it; not verified)`;
  const fp = fingerprint(fromHex(hex));
  return el('section', { class: 'fingerprint', 'aria-label': label },
    el('h2', {}, label),
    el('p', { class: 'fp-hex', 'data-testid': testId }, formatFingerprintHex(fp)),
    el('p', { class: 'fp-words' }, fingerprintWords(fp).join(' ')),
  );
}

function facts(report: VerifyReport): HTMLElement {
  const rows: [string, string | number | undefined][] = [
    ['Ceremony', report.ceremonyId],
    ['Kind', report.kind],
    ['Transcript entries', report.transcriptEntries],
    ['Signature mode', report.mode],
  ];
  const list = el('dl', { class: 'facts' });
  for (const [k, v] of rows) if (v !== undefined) list.append(el('dt', {}, k), el('dd', {}, String(v)));
  return list;
}

const STATUS_WORD = { pass: 'PASS', fail: 'FAIL', skipped: 'NOT RUN' } as const;

function checkItem(check: CheckResult): HTMLElement {
  return el('li', { class: `check ${check.status}`, 'data-check': check.name, 'data-status': check.status },
    el('span', { class: 'status' }, STATUS_WORD[check.status]),
    el('span', { class: 'name' }, check.name),
    el('p', { class: 'detail' }, check.detail),
  );
}

export function renderReport(report: VerifyReport): HTMLElement {
  const valid = report.verdict === 'valid';
  return el('div', { class: 'report' },
    el('div', { class: `verdict ${report.verdict}`, 'data-testid': 'verdict', 'data-verdict': report.verdict, role: 'status' },
      el('p', { class: 'verdict-word' }, valid ? 'VALID' : 'INVALID'),
      el('p', { class: 'verdict-summary' }, summary(report)),
    ),
    ...(report.rehearsal === true ? [el('p', { class: 'rehearsal', 'data-testid': 'rehearsal' }, 'REHEARSAL BUNDLE: its script says rehearsal; its keys are practice keys and must never be used for real.')] : []),
    el('p', { class: `anchor ${report.anchor.anchored ? (report.anchor.matches ? 'anchored' : 'anchor-failed') : 'not-anchored'}`, 'data-testid': 'anchor' }, anchorText(report.anchor, valid)),
    ...(/^[0-9a-f]{64}$/.test(report.masterFingerprint ?? '') ? [fingerprintBlock(report.masterFingerprint!, valid, 'the bundle', 'master-fingerprint')] : []),
    facts(report),
    el('h2', {}, `Checks (${report.checks.length})`),
    el('ol', { class: 'checks' }, ...report.checks.map(checkItem)),
  );
}
