/** Process entry point of the `keyrite` CLI (bundled to dist/cli/keyrite.mjs). */
import { runCli } from './main.ts';

const code = await runCli(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
  cwd: process.cwd(),
});
process.exitCode = code;
