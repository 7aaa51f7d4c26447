/**
 * `keyrite` — the headless face of the core. Parses argv, runs one command, maps the
 * outcome to a documented exit code. Errors go to stderr as one sentence; stack traces
 * only with --debug.
 */
import { EXIT, commandHelp, parseArgs, printJson, type CliIO, type Command } from './command.ts';
import { COMMANDS } from './commands/index.ts';
import { isKeyriteError } from '../core/errors.ts';
import { displayOutput } from '../core/encoding/display.ts';
import { systemIoError } from '../core/node/durable-files.ts';

export function mainHelp(commands: readonly Command[] = COMMANDS): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  const lines = [
    'keyrite — offline key ceremonies: hybrid master keys, 3-of-5 escrow, verifiable bundles.',
    '',
    'Usage: keyrite <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Every command takes --json (machine-readable output), --debug and --help.',
    'Exit codes: 0 ok, 1 a check failed, 2 usage or I/O error, 3 audit script error or timeout (verify).',
  ];
  return lines.join('\n') + '\n';
}

function findCommand(argv: string[], commands: readonly Command[]): { command: Command; rest: string[] } | undefined {
  // Two-word commands ("ceremony run") first, then one-word ones.
  for (const words of [2, 1]) {
    const name = argv.slice(0, words).join(' ');
    const command = commands.find((c) => c.name === name);
    if (command) return { command, rest: argv.slice(words) };
  }
  return undefined;
}

/** Everything a command prints goes through here: a file name or id from a bundle can never drive the terminal. */
function displaySafeIO(io: CliIO): CliIO {
  return { ...io, stdout: (text) => io.stdout(displayOutput(text)), stderr: (text) => io.stderr(displayOutput(text)) };
}

export async function runCli(argv: string[], rawIO: CliIO, commands: readonly Command[] = COMMANDS): Promise<number> {
  const io = displaySafeIO(rawIO);
  const wantsJson = argv.includes('--json');
  const debug = argv.includes('--debug');
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === 'help' || argv[0] === '-h') {
    io.stdout(mainHelp(commands));
    return argv.length === 0 ? EXIT.USAGE_OR_IO : EXIT.OK;
  }
  const found = findCommand(argv, commands);
  if (!found) {
    const family = commands.filter((c) => c.name.startsWith(`${argv[0]} `));
    if (family.length === 0) return fail(io, wantsJson, 'USAGE', `Unknown command "${argv[0]}". Run "keyrite --help" for the list of commands.`, EXIT.USAGE_OR_IO);
    // "keyrite ceremony" alone: the first word of two-word commands.
    if (argv.includes('--help') || argv.includes('-h')) {
      io.stdout(family.map(commandHelp).join('\n'));
      return EXIT.OK;
    }
    return fail(io, wantsJson, 'USAGE', `"keyrite ${argv[0]}" needs one of: ${family.map((c) => `"keyrite ${c.name}"`).join(', ')}. Usage: keyrite ${family[0]!.usage[0]}`, EXIT.USAGE_OR_IO);
  }
  const { command, rest } = found;
  try {
    const args = parseArgs(rest, command);
    if (args.flag('help')) {
      io.stdout(commandHelp(command));
      return EXIT.OK;
    }
    return await command.run(args, io);
  } catch (e) {
    if (isKeyriteError(e)) {
      const code = e.code === 'USAGE' || e.code === 'IO_ERROR' ? EXIT.USAGE_OR_IO : e.code === 'AUDIT_SCRIPT_ERROR' ? EXIT.AUDIT_SCRIPT : EXIT.CHECK_FAILED;
      if (debug && e.stack) io.stderr(e.stack + '\n');
      return fail(io, wantsJson, e.code, e.message, code);
    }
    if (debug && e instanceof Error && e.stack) io.stderr(e.stack + '\n');
    const fileError = systemIoError(e);
    if (fileError) return fail(io, wantsJson, fileError.code, fileError.message, EXIT.USAGE_OR_IO);
    return fail(io, wantsJson, 'INTERNAL', 'Keyrite hit an unexpected internal error. Run again with --debug for details and report it.', EXIT.USAGE_OR_IO);
  }
}

function fail(io: CliIO, json: boolean, code: string, message: string, exit: number): number {
  io.stderr(`keyrite: ${message}\n`);
  if (json) printJson(io, { ok: false, code, message });
  return exit;
}
