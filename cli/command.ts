/**
 * The CLI frame: every `keyrite` command is a Command; main.ts parses the argument
 * vector against the command's declared options and maps errors to exit codes.
 */
import { KeyriteError } from '../core/errors.ts';
import { displayJson } from '../core/encoding/display.ts';

/** Documented exit codes (README.md, docs/CLI.md). */
export const EXIT = {
  OK: 0,
  CHECK_FAILED: 1,
  USAGE_OR_IO: 2,
  AUDIT_SCRIPT: 3,
  /** keyrite verify --health-log: the bundle is valid, but the health log warns (not a failure of the bundle). */
  HEALTH_WARNING: 4,
} as const;

export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

export interface OptionSpec {
  name: string;
  /** true: takes a value (`--out DIR`); false: a switch (`--json`). */
  takesValue: boolean;
  repeatable?: boolean;
  valueName?: string;
  help: string;
}

export interface Command {
  name: string;
  summary: string;
  /** One line per form, without the leading `keyrite `. */
  usage: string[];
  options: OptionSpec[];
  /** Positional argument count allowed. */
  positionals: { min: number; max: number };
  details?: string;
  /** The command's own exit-code line for --help; the common one when absent. */
  exitCodes?: string;
  run(args: ParsedArgs, io: CliIO): Promise<number>;
}

/** A command without its code: what help and argument parsing need (cli/commands/specs.ts). */
export type CommandSpec = Omit<Command, 'run'>;

/** Options every command understands. */
export const COMMON_OPTIONS: OptionSpec[] = [
  { name: 'json', takesValue: false, help: 'print the result as one JSON document on stdout' },
  { name: 'debug', takesValue: false, help: 'print stack traces for unexpected errors' },
  { name: 'help', takesValue: false, help: 'show help for this command' },
];

export class ParsedArgs {
  constructor(
    readonly positionals: string[],
    private readonly values: Map<string, string[]>,
  ) {}

  flag(name: string): boolean {
    return this.values.has(name);
  }

  value(name: string): string | undefined {
    return this.values.get(name)?.[0];
  }

  all(name: string): string[] {
    return this.values.get(name) ?? [];
  }

  required(name: string): string {
    const v = this.value(name);
    if (v === undefined) throw new KeyriteError('USAGE', `--${name} is required.`);
    return v;
  }
}

export function parseArgs(argv: string[], command: Command): ParsedArgs {
  const specs = new Map<string, OptionSpec>();
  for (const o of [...COMMON_OPTIONS, ...command.options]) specs.set(o.name, o);
  const positionals: string[] = [];
  const values = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '--') {
      if (arg.startsWith('-') && arg.length > 1) throw new KeyriteError('USAGE', `Unknown option ${arg}. Options are spelled --name.`);
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const spec = specs.get(name);
    if (!spec) throw new KeyriteError('USAGE', `Unknown option --${name} for "keyrite ${command.name}".`);
    let value = '';
    if (spec.takesValue) {
      if (eq >= 0) value = arg.slice(eq + 1);
      else {
        const next = argv[i + 1];
        if (next === undefined || next.startsWith('--')) throw new KeyriteError('USAGE', `--${name} needs a value (${spec.valueName ?? 'VALUE'}).`);
        value = next;
        i++;
      }
      if (value === '') throw new KeyriteError('USAGE', `--${name} needs a non-empty value.`);
    } else if (eq >= 0) {
      throw new KeyriteError('USAGE', `--${name} is a switch and takes no value.`);
    }
    const list = values.get(name) ?? [];
    if (list.length > 0 && !spec.repeatable) throw new KeyriteError('USAGE', `--${name} may be given only once.`);
    list.push(value);
    values.set(name, list);
  }
  if (!values.has('help')) {
    const { min, max } = command.positionals;
    if (positionals.length < min || positionals.length > max) {
      throw new KeyriteError('USAGE', `Wrong number of arguments for "keyrite ${command.name}". Usage: keyrite ${command.usage[0]}`);
    }
  }
  return new ParsedArgs(positionals, values);
}

export function commandHelp(command: Command): string {
  const lines = [`keyrite ${command.name} — ${command.summary}`, '', 'Usage:'];
  for (const u of command.usage) lines.push(`  keyrite ${u}`);
  const opts = [...command.options, ...COMMON_OPTIONS];
  lines.push('', 'Options:');
  const width = Math.max(...opts.map((o) => o.name.length + (o.takesValue ? (o.valueName ?? 'VALUE').length + 1 : 0))) + 4;
  for (const o of opts) {
    const left = `--${o.name}${o.takesValue ? ' ' + (o.valueName ?? 'VALUE') : ''}`;
    lines.push(`  ${left.padEnd(width)}${o.help}${o.repeatable ? ' (repeatable)' : ''}`);
  }
  if (command.details) lines.push('', command.details);
  lines.push('', command.exitCodes ?? 'Exit codes: 0 ok, 1 a check failed, 2 usage or I/O error.');
  return lines.join('\n') + '\n';
}

/** Writes a JSON document (for --json) followed by a newline. */
export function printJson(io: CliIO, value: unknown): void {
  io.stdout(displayJson(value) + '\n');
}
