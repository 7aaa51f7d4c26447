/** Names of the environment variables the Node adapter reads (light: the CLI's help names them without loading the adapters). */

/** The PKCS#11 module to load when none is given (pkcs11/module.ts). */
export const PKCS11_MODULE_ENV = 'KEYRITE_PKCS11_MODULE';
/** The folder of rehearsal software token files (software-token-file.ts). */
export const SOFTWARE_TOKENS_ENV = 'KEYRITE_SOFTWARE_TOKENS';
