/** The PKCS#11 adapter: load a module, list and select tokens, use them as KeyriteTokens. */
export { Pkcs11Module, pkcs11ModulePath, PKCS11_MODULE_ENV, loadPkcs11js, capabilitiesFrom, pinStatusFrom, type SlotToken } from './module.ts';
export { Pkcs11Token, decodeEcPoint } from './token.ts';
export { mapPkcs11Error, pkcs11ErrorCode, triesLeftSentence, pinLockedMessage, type Pkcs11ErrorContext } from './errors.ts';
