// Preload (`node --import tsx --import ./test/helpers/record-packages.mjs …`) that appends the
// URL of every module resolved from node_modules to the file named by KEYRITE_RECORD_PACKAGES:
// which libraries a process loaded (test/unit/cli/startup-imports.test.ts).
import { register } from 'node:module';

const HOOKS = `
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (r.url.includes('/node_modules/')) appendFileSync(process.env.KEYRITE_RECORD_PACKAGES, r.url + '\\n');
  return r;
}`;

if (process.env.KEYRITE_RECORD_PACKAGES) register(`data:text/javascript,${encodeURIComponent(HOOKS)}`, import.meta.url);
