/**
 * Terminal prompts for the CLI: a PIN typed without echo (raw mode; nothing is printed, not
 * even asterisks, so the length is not shown), and a plain line for confirmations. Both are
 * refused when standard input is not a terminal: a PIN is never read from a pipe or a file.
 */
import { createInterface } from 'node:readline';
import { KeyriteError } from '../errors.ts';
import { displayOutput } from '../encoding/display.ts';

function requireTty(what: string): void {
  if (!process.stdin.isTTY) {
    throw new KeyriteError('USAGE', `${what} must be typed on a terminal, but standard input is not one. Name an environment variable in the answers file instead (pin: { env: NAME }).`);
  }
}

export function promptHidden(question: string): Promise<string> {
  requireTty('A PIN');
  const stdin = process.stdin;
  // Echo goes off BEFORE the question appears: a PIN typed the moment the prompt shows must
  // never reach the screen (the terminal echoes in its default mode).
  stdin.setRawMode(true);
  return new Promise((resolve, reject) => {
    let typed = '';
    const cleanup = () => {
      stdin.removeListener('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
    };
    const onData = (chunk: Buffer) => {
      for (const c of chunk.toString('utf8')) {
        if (c === '\r' || c === '\n') {
          cleanup();
          process.stderr.write('\n');
          resolve(typed);
          typed = '';
          return;
        }
        if (c === '\u0003' || c === '\u0004') {
          cleanup();
          process.stderr.write('\n');
          typed = '';
          reject(new KeyriteError('USAGE', 'PIN entry was cancelled.'));
          return;
        }
        if (c === '\u007f' || c === '\b') typed = typed.slice(0, -1);
        else typed += c;
      }
    };
    stdin.on('data', onData);
    stdin.resume();
    process.stderr.write(displayOutput(question));
  });
}

export function promptLine(question: string): Promise<string> {
  requireTty('A confirmation');
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  return new Promise((resolve) => {
    rl.question(displayOutput(question), (a) => {
      rl.close();
      resolve(a);
    });
  });
}
