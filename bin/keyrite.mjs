#!/usr/bin/env node
// `keyrite` command: runs the CLI bundle that `npm run build` (and `npm ci`, via prepare) writes.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/cli/keyrite.mjs', import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write('keyrite: the CLI is not built yet. Run "npm ci" or "npm run build" in the Keyrite folder first.\n');
  process.exit(2);
}
await import(bundle.href);
