/** Every CLI command, in the order `keyrite --help` lists them. */
import type { Command } from '../command.ts';
import { ceremonyRunCommand } from './ceremony-run.ts';
import { checkShareCommand } from './check-share.ts';
import { checkSignatureCommand } from './check-signature.ts';
import { demoRecoverCommand } from './demo-recover.ts';
import { demoCommand } from './demo.ts';
import { recoverCommand } from './recover.ts';
import { selftestCommand } from './selftest.ts';
import { tokensCommand } from './tokens.ts';
import { verifyCommand } from './verify.ts';

export const COMMANDS: Command[] = [demoCommand, demoRecoverCommand, ceremonyRunCommand, recoverCommand, checkShareCommand, checkSignatureCommand, selftestCommand, tokensCommand, verifyCommand];
