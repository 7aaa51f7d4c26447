// A Playwright locator's innerText()/textContent() waits up to 30 s for its element; with
// `.catch(...)` as an assertion message's fallback it made every passing end-to-end test wait
// 30 s for an error element that was (rightly) not there: 10 such waits cost the suite minutes.
// Assertion messages use shownText() (test/e2e/harness.ts), which never waits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const repo = new URL('../../../', import.meta.url).pathname;

test('no end-to-end test or screenshot script reads a locator\'s text with a .catch fallback (a hidden 30-second wait)', () => {
  const files = [...readdirSync(join(repo, 'test/e2e')).map((n) => join('test/e2e', n)), 'build/screenshots.ts'].filter((f) => f.endsWith('.ts'));
  const found: string[] = [];
  for (const file of files) {
    readFileSync(join(repo, file), 'utf8').split('\n').forEach((line, i) => {
      if (/\.(innerText|textContent|inputValue|getAttribute)\([^)]*\)\s*\.catch\(/.test(line)) found.push(`${file}:${i + 1}`);
    });
  }
  assert.deepEqual(found, [], 'use shownText(page, selector) for an assertion message');
});
