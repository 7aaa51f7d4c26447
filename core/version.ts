/** The Keyrite version recorded in every transcript's ceremony.start; package.json's "version" (a test keeps them equal). */
export const KEYRITE_VERSION = '0.1.0';
