/**
 * `keyrite verify --json` on the golden root and recovery bundles, anchored, with an example
 * audit script each, and on the golden 2-link chain (root → rotation) from the root fingerprint,
 * prints the pinned document (test/fixtures/golden-outputs/verify-json/, the
 * audit scripts' run times normalised: test/helpers/golden-outputs.ts). The verifier's reports
 * alone are pinned in test/fixtures/golden-reports/; this pins what the CLI makes of them: the
 * `ok` member, the audit scripts' checks and summary, the escaping and the layout. An intended
 * change is regenerated with build/regenerate-golden.ts and reviewed (docs/CLI.md, docs/VERIFIER.md).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GOLDEN_VERIFY_JSON, goldenVerifyJson } from '../../helpers/golden-outputs.ts';
import { GOLDEN_FIXTURE, GOLDEN_ROTATION_FIXTURE } from '../../helpers/golden.ts';
import { GOLDEN_MASTER_FINGERPRINT } from '../../helpers/bundle-files.ts';
import { runInProcess } from '../../helpers/cli.ts';

const runs = await goldenVerifyJson();

test('the pinned verify --json outputs are one per golden bundle', () => {
  assert.deepEqual(readdirSync(GOLDEN_VERIFY_JSON).sort(), [...runs.keys()].sort(), 'regenerate test/fixtures/golden-outputs/ with build/regenerate-golden.ts');
});

for (const [name, r] of runs) {
  if (name === 'chain.json') continue;
  test(`keyrite verify --json on the golden ${name.replace(/\.json$/, '')} bundle prints the pinned document`, () => {
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { ok: boolean; verdict: string; auditScripts: { ok: boolean; ms: string }[] };
    assert.deepEqual([doc.ok, doc.verdict, doc.auditScripts.map((a) => [a.ok, a.ms])], [true, 'valid', [[true, '<ms>']]]);
    assert.equal(r.stdout, readFileSync(join(GOLDEN_VERIFY_JSON, name), 'utf8'));
  });
}

test('keyrite verify --json on the golden 2-link chain (root → rotation) from the root fingerprint prints the pinned document', () => {
  const r = runs.get('chain.json')!;
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { ok: boolean; verdict: string; current: { fingerprint: string }; keys: { state: string; stateNow: string }[] };
  assert.deepEqual([doc.ok, doc.verdict, doc.keys.map((k) => [k.state, k.stateNow])], [true, 'valid', [['active', 'active'], ['deprecated', 'retired']]]);
  assert.notEqual(doc.current.fingerprint, GOLDEN_MASTER_FINGERPRINT);
  assert.equal(r.stdout, readFileSync(join(GOLDEN_VERIFY_JSON, 'chain.json'), 'utf8'));
});

test('one changed byte of the golden rotation bundle (its key states, the link in its transcript): the golden chain is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyrite-golden-chain-'));
  try {
    for (const [file, from, to] of [['keys/key-states.json', '"state":"active"', '"state":"activf"'], ['transcript.jsonl', '"original":{"ceremonyId":"00', '"original":{"ceremonyId":"01']] as const) {
      const copy = join(dir, file.replace('/', '-'));
      cpSync(GOLDEN_ROTATION_FIXTURE, copy, { recursive: true });
      const text = readFileSync(join(copy, file), 'utf8');
      assert.ok(text.includes(from), `${file} holds ${from}`);
      writeFileSync(join(copy, file), text.replace(from, to));
      const r = await runInProcess(['verify', GOLDEN_FIXTURE, copy, '--trust', GOLDEN_MASTER_FINGERPRINT, '--json']);
      assert.equal(r.code, 1, `${file}: ${r.stdout}`);
      assert.equal(JSON.parse(r.stdout).current, undefined);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
