import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildVerifierPage } from '../../../build/verifier-page.mjs';

const root = mkdtempSync(join(tmpdir(), 'keyrite-verifier-page-'));
after(() => rmSync(root, { recursive: true, force: true }));

function source(files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

test('the build refuses a page that would bundle anything from core/node/', async () => {
  source({
    'core/node/adapter.ts': 'export const adapter = 1;\n',
    'renderer/verify-html/main.ts': "import { adapter } from '../../core/node/adapter.ts';\nconsole.log(adapter);\n",
    'renderer/verify-html/styles.css': 'body { color: #000; }\n',
    'renderer/verify-html/page.html': '<style>{{STYLE}}</style><script>{{SCRIPT}}</script>\n',
  });
  const out = join(root, 'dist/verify.html');
  await assert.rejects(buildVerifierPage(root, out), /would include Node code: core\/node\/adapter\.ts/);
  assert.ok(!existsSync(out), 'nothing written');
});

test('the build refuses a style that loads an outside resource', async () => {
  source({
    'renderer/verify-html/main.ts': 'console.log(1);\n',
    'renderer/verify-html/styles.css': 'body { background: url(x.png); }\n',
  });
  await assert.rejects(buildVerifierPage(root, join(root, 'dist/verify.html')), /outside resource/);
});
