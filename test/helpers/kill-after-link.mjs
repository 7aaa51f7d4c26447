// Test-only preload (node --import) for crash tests that need a point no progress line marks:
// the process SIGKILLs itself right after the first file whose path ends with
// $KEYRITE_TEST_KILL_AFTER_LINK is linked into place by createFileExclusive
// (core/node/durable-files.ts), before its temporary file is removed and before the transcript
// records it. Never loaded by the product; see test/integration/signing/crash.test.ts.
import { createRequire, syncBuiltinESMExports } from 'node:module';

const suffix = process.env.KEYRITE_TEST_KILL_AFTER_LINK;
if (suffix) {
  const fsp = createRequire(import.meta.url)('node:fs/promises');
  const link = fsp.link;
  fsp.link = async (from, to) => {
    await link(from, to);
    if (String(to).endsWith(suffix)) process.kill(process.pid, 'SIGKILL');
  };
  syncBuiltinESMExports();
}
