/** Every CLI command, in the order `keyrite --help` lists them. */
import type { Command } from '../command.ts';
import { selftestCommand } from './selftest.ts';
import { tokensCommand } from './tokens.ts';

export const COMMANDS: Command[] = [selftestCommand, tokensCommand];
