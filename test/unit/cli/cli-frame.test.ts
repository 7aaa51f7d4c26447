import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMANDS } from '../../../cli/commands/index.ts';
import type { Command } from '../../../cli/command.ts';
import { KeyriteError } from '../../../core/errors.ts';
import { runInProcess } from '../../helpers/cli.ts';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';

const throwing = (error: unknown): Command => ({
  name: 'boom',
  summary: 'throws',
  usage: ['boom'],
  options: [{ name: 'out', takesValue: true, valueName: 'DIR', help: 'where' }],
  positionals: { min: 0, max: 1 },
  run: async () => {
    throw error;
  },
});

test('keyrite --help lists every command and the exit codes', async () => {
  const r = await runInProcess(['--help']);
  assert.equal(r.code, 0);
  for (const c of COMMANDS) assert.match(r.stdout, new RegExp(`^  ${c.name}`, 'm'));
  assert.match(r.stdout, /Exit codes: 0 ok, 1 a check failed, 2 usage or I\/O error/);
});

test('no arguments prints help and exits 2', async () => {
  const r = await runInProcess([]);
  assert.equal(r.code, 2);
  assert.match(r.stdout, /Usage: keyrite <command>/);
});

test('every command has --help with usage, options and --json', async () => {
  for (const c of COMMANDS) {
    const r = await runInProcess([...c.name.split(' '), '--help']);
    assert.equal(r.code, 0, c.name);
    assert.match(r.stdout, new RegExp(`keyrite ${c.usage[0]!.split(' ')[0]}`));
    assert.match(r.stdout, /--json/);
  }
});

test('usage errors exit 2 with one sentence on stderr and nothing on stdout', async () => {
  for (const argv of [['nope'], ['selftest', '--nope'], ['selftest', 'extra'], ['selftest', '-x'], ['selftest', '--json=1']]) {
    const r = await runInProcess(argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.match(r.stderr, /^keyrite: .+\n$/);
    assert.equal(r.stdout, '');
  }
});

test('--json errors are also one JSON document on stdout', async () => {
  const r = await runInProcess(['nope', '--json']);
  assert.equal(r.code, 2);
  assert.deepEqual(JSON.parse(r.stdout), { ok: false, code: 'USAGE', message: 'Unknown command "nope". Run "keyrite --help" for the list of commands.' });
});

test('option values: missing, empty, repeated', async () => {
  const cmd = throwing(new Error('unused'));
  for (const argv of [['boom', '--out'], ['boom', '--out='], ['boom', '--out', 'a', '--out', 'b'], ['boom', '--out', '--json']]) {
    const r = await runInProcess(argv, [cmd]);
    assert.equal(r.code, 2, argv.join(' '));
  }
});

test('a check failure exits 1; an I/O error exits 2; no stack trace without --debug', async () => {
  const check = await runInProcess(['boom'], [throwing(new KeyriteError('VERIFY_FAILED', 'The bundle signature does not verify.'))]);
  assert.equal(check.code, 1);
  assert.equal(check.stderr, 'keyrite: The bundle signature does not verify.\n');
  const io = await runInProcess(['boom'], [throwing(new KeyriteError('IO_ERROR', 'Cannot read /x.'))]);
  assert.equal(io.code, 2);
  const internal = await runInProcess(['boom'], [throwing(new TypeError('x is undefined'))]);
  assert.equal(internal.code, 2);
  assert.doesNotMatch(internal.stderr, /TypeError|at .*\(/);
  assert.match(internal.stderr, /unexpected internal error/);
  const debug = await runInProcess(['boom', '--debug'], [throwing(new TypeError('x is undefined'))]);
  assert.match(debug.stderr, /TypeError: x is undefined\n\s+at /);
});

test('--help prints each command\'s exit codes once and "(repeatable)" at most once per option', async () => {
  for (const c of COMMANDS) {
    const r = await runInProcess([...c.name.split(' '), '--help']);
    assert.equal(r.stdout.match(/Exit codes/gi)?.length, 1, `${c.name}: ${r.stdout}`);
    assert.doesNotMatch(r.stdout, /\(repeatable\).*\(repeatable\)/);
  }
});

test('the first word of a two-word command: --help shows its commands, alone it names them (exit 2)', async () => {
  const help = await runInProcess(['ceremony', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^keyrite ceremony run — /);
  const bare = await runInProcess(['ceremony']);
  assert.equal(bare.code, 2);
  assert.equal(bare.stderr, 'keyrite: "keyrite ceremony" needs one of: "keyrite ceremony run". Usage: keyrite ceremony run SCRIPT --answers FILE --out DIR [--module PATH] [--json]\n');
});

test('a file-system error no command put in words still ends as one sentence with its path, exit 2', async () => {
  const missing = new Promise((_, reject) => readFile('/nonexistent-keyrite-folder/answers.yaml').catch(reject));
  const r = await runInProcess(['boom'], [{ ...throwing(undefined), run: () => missing as Promise<number> }]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, 'keyrite: Could not open /nonexistent-keyrite-folder/answers.yaml: it does not exist.\n');
  const folder = await runInProcess(['boom'], [{ ...throwing(undefined), run: () => readFile(tmpdir()).then(() => 0) }]);
  assert.equal(folder.code, 2);
  assert.equal(folder.stderr, "keyrite: Could not read what was given: it is a folder, not a file.\n");
});
