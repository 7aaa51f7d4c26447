// The token contract against the embedded software token, stored in a real file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSoftwareTokenFile, openSoftwareTokenFile, softwareTokenFileName } from '../../../core/node/software-token-file.ts';
import { tokenContract } from './contract.ts';

// Cheap scrypt for tests; the default parameters are covered in software-token.test.ts.
const TEST_SCRYPT = { N: 2 ** 12, r: 8, p: 1 };

tokenContract('embedded software token', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyrite-swtoken-'));
  const pin = 'rehearsal passphrase 1';
  const created = await createSoftwareTokenFile(dir, { label: 'Rehearsal A', passphrase: pin, scrypt: TEST_SCRYPT });
  await created.close();
  // Open it as a user would: header only, login needed.
  const token = await openSoftwareTokenFile(join(dir, softwareTokenFileName('Rehearsal A')));
  return {
    token,
    pin,
    label: 'Rehearsal A',
    rehearsalOnly: true,
    unsupportedSealScheme: 'aes-256-gcm',
    wrongPinMessage: /Wrong passphrase .*1 wrong attempt .*cannot lock itself/,
    countAllObjects: async () => (await token.listObjects()).length,
    async cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
