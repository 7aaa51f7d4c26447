// The verifier's whole report (every check's name, order, status and sentence) on the golden
// root and recovery bundles, in every mode, equals the recorded one (test/helpers/golden-reports.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { GOLDEN_REPORTS, goldenReport } from '../../helpers/golden-reports.ts';

const reports = goldenReport.all();

test('the golden reports fixture holds one report per bundle kind and mode', () => {
  assert.deepEqual(readdirSync(GOLDEN_REPORTS).sort(), [...reports.keys()].sort());
});

for (const [name, report] of reports) {
  test(`the verifier's report on ${name.replace(/\.json$/, '')} is the recorded one`, () => {
    assert.equal(report.verdict, 'valid');
    assert.deepEqual(JSON.parse(JSON.stringify(report)), JSON.parse(readFileSync(goldenReport.path(name), 'utf8')));
  });
}
