/**
 * Every CLI command, in the order `keyrite --help` lists them. Each is its spec (specs.ts)
 * with a run that loads the command's module on first use, so that `keyrite --help` and
 * `keyrite verify` load no library they do not use (the CLI bundle is split per command).
 */
import type { Command, CommandSpec } from '../command.ts';
import { BUNDLE_PACK_SPEC, BUNDLE_UNPACK_SPEC, CEREMONY_RUN_SPEC, CHECK_SHARE_SPEC, CHECK_SIGNATURE_SPEC, DEMO_RECOVER_SPEC, DEMO_SPEC, HEALTH_LOG_APPEND_SPEC, RECOVER_SPEC, SCRIPT_DIFF_SPEC, SCRIPT_PRINT_SPEC, SELFTEST_SPEC, TOKENS_SPEC, VERIFY_SPEC } from './specs.ts';

function lazy(spec: CommandSpec, load: () => Promise<Command>): Command {
  return { ...spec, run: async (args, io) => (await load()).run(args, io) };
}

export const COMMANDS: Command[] = [
  lazy(DEMO_SPEC, async () => (await import('./demo.ts')).demoCommand),
  lazy(DEMO_RECOVER_SPEC, async () => (await import('./demo-recover.ts')).demoRecoverCommand),
  lazy(CEREMONY_RUN_SPEC, async () => (await import('./ceremony-run.ts')).ceremonyRunCommand),
  lazy(RECOVER_SPEC, async () => (await import('./recover.ts')).recoverCommand),
  lazy(CHECK_SHARE_SPEC, async () => (await import('./check-share.ts')).checkShareCommand),
  lazy(HEALTH_LOG_APPEND_SPEC, async () => (await import('./health-log.ts')).healthLogAppendCommand),
  lazy(CHECK_SIGNATURE_SPEC, async () => (await import('./check-signature.ts')).checkSignatureCommand),
  lazy(SCRIPT_DIFF_SPEC, async () => (await import('./script.ts')).scriptDiffCommand),
  lazy(SCRIPT_PRINT_SPEC, async () => (await import('./script.ts')).scriptPrintCommand),
  lazy(SELFTEST_SPEC, async () => (await import('./selftest.ts')).selftestCommand),
  lazy(TOKENS_SPEC, async () => (await import('./tokens.ts')).tokensCommand),
  lazy(VERIFY_SPEC, async () => (await import('./verify.ts')).verifyCommand),
  lazy(BUNDLE_PACK_SPEC, async () => (await import('./bundle.ts')).bundlePackCommand),
  lazy(BUNDLE_UNPACK_SPEC, async () => (await import('./bundle.ts')).bundleUnpackCommand),
];
