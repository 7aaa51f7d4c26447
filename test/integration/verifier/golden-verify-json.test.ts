/**
 * `keyrite verify --json` on the golden root and recovery bundles, anchored, with an example
 * audit script each, prints the pinned document (test/fixtures/golden-outputs/verify-json/, the
 * audit scripts' run times normalised: test/helpers/golden-outputs.ts). The verifier's reports
 * alone are pinned in test/fixtures/golden-reports/; this pins what the CLI makes of them: the
 * `ok` member, the audit scripts' checks and summary, the escaping and the layout. An intended
 * change is regenerated with build/regenerate-golden.ts and reviewed (docs/CLI.md, docs/VERIFIER.md).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GOLDEN_VERIFY_JSON, goldenVerifyJson } from '../../helpers/golden-outputs.ts';

const runs = await goldenVerifyJson();

test('the pinned verify --json outputs are one per golden bundle', () => {
  assert.deepEqual(readdirSync(GOLDEN_VERIFY_JSON).sort(), [...runs.keys()].sort(), 'regenerate test/fixtures/golden-outputs/ with build/regenerate-golden.ts');
});

for (const [name, r] of runs) {
  test(`keyrite verify --json on the golden ${name.replace(/\.json$/, '')} bundle prints the pinned document`, () => {
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { ok: boolean; verdict: string; auditScripts: { ok: boolean; ms: string }[] };
    assert.deepEqual([doc.ok, doc.verdict, doc.auditScripts.map((a) => [a.ok, a.ms])], [true, 'valid', [[true, '<ms>']]]);
    assert.equal(r.stdout, readFileSync(join(GOLDEN_VERIFY_JSON, name), 'utf8'));
  });
}
