// A node:test reporter for build/run-tests.mjs: at the end, the ten (KEYRITE_SLOWEST_FILES) test files that took
// longest (the sum of their top-level tests), so a slow file is seen before the suite's
// 12-minute budget on 2 cores is (docs/CONTRIBUTING.md "Suite time").
import { relative } from 'node:path';

export default async function* slowestFiles(source) {
  const byFile = new Map();
  for await (const event of source) {
    if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.nesting === 0 && event.data.file) {
      byFile.set(event.data.file, (byFile.get(event.data.file) ?? 0) + (event.data.details?.duration_ms ?? 0));
    }
  }
  const slowest = [...byFile].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.KEYRITE_SLOWEST_FILES) || 10);
  yield `\nslowest test files (seconds, sum of their tests):\n${slowest.map(([file, ms]) => `  ${(ms / 1000).toFixed(1).padStart(6)}  ${relative(process.cwd(), file)}`).join('\n')}\n`;
}
