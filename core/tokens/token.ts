/**
 * The one token interface Keyrite uses for every key holder: a PKCS#11 token reached
 * through pkcs11js (core/node/pkcs11/) and the embedded software token
 * (core/tokens/software-token.ts) implement it alike, and one shared contract test suite
 * (test/integration/tokens/contract.ts) runs against both.
 *
 * Rules every implementation keeps (docs/TOKENS.md):
 *  - private keys are generated or imported non-extractable and sensitive;
 *  - only Keyrite objects are listed and only they may be destroyed (labelling scheme in
 *    core/tokens/labels.ts); a label that already exists is refused, never overwritten;
 *  - every signature made by the token is verified in software before it is returned;
 *  - PINs and passphrases never appear in errors, logs or files.
 * Platform-free: no pkcs11js, no Node built-ins here.
 */

/** Signature algorithms a token key can have: Ed25519, or ECDSA P-256 with SHA-256 where Ed25519 is missing. */
export type SigningAlg = 'Ed25519' | 'ES256';

/**
 * How data is sealed to a token:
 *  - `aes-256-gcm`: AES-256-GCM on the token with a token-resident, non-extractable key;
 *  - `ecdh-p256`: tokens without AES: ECDH P-256 between a token key and an ephemeral
 *    software key, then HKDF-SHA-256 and XChaCha20-Poly1305 in software;
 *  - `xchacha20poly1305`: the software token: a random key kept inside the encrypted token file.
 */
export type SealScheme = 'aes-256-gcm' | 'ecdh-p256' | 'xchacha20poly1305';

export type TokenSource = 'pkcs11' | 'software';

export interface TokenCapabilities {
  /** Ed25519 key generation and EdDSA signing (CKM_EC_EDWARDS_KEY_PAIR_GEN + CKM_EDDSA). */
  ed25519: boolean;
  /** P-256 key generation and ECDSA signing (CKM_EC_KEY_PAIR_GEN + CKM_ECDSA or CKM_ECDSA_SHA256). */
  p256: boolean;
  /** AES-256 key generation and AES-GCM (CKM_AES_KEY_GEN + CKM_AES_GCM). */
  aesGcm: boolean;
  /** ECDH on P-256 (CKM_EC_KEY_PAIR_GEN + CKM_ECDH1_DERIVE). */
  ecdh: boolean;
  /** The token has its own random number generator (CKF_RNG). */
  random: boolean;
  /** Sealing scheme used by default for this token, or null when it can seal nothing. */
  seal: SealScheme | null;
}

export interface PinStatus {
  /** The token needs a login before private objects can be used (CKF_LOGIN_REQUIRED). */
  loginRequired: boolean;
  /** The user PIN has been set (CKF_USER_PIN_INITIALIZED). */
  userPinInitialized: boolean;
  /** CKF_USER_PIN_COUNT_LOW: at least one wrong PIN since the last good one; the token says no more. */
  countLow: boolean;
  /** CKF_USER_PIN_FINAL_TRY: the next wrong PIN locks the token. */
  finalTry: boolean;
  /** CKF_USER_PIN_LOCKED. */
  locked: boolean;
  /** CKF_USER_PIN_TO_BE_CHANGED. */
  toBeChanged: boolean;
  /** CKF_PROTECTED_AUTHENTICATION_PATH: the PIN is entered on the token or its reader, not typed into Keyrite. */
  protectedAuthPath: boolean;
  /** PIN length bounds the token reports (characters). */
  minLength: number;
  maxLength: number;
  /**
   * Software token only: wrong passphrases recorded in the file since the last correct one.
   * A file cannot enforce a lockout against someone who copies it, so this is a report, not a limit.
   */
  wrongAttempts?: number;
}

export interface TokenIdentity {
  label: string;
  manufacturer: string;
  model: string;
  serial: string;
}

export interface LibraryIdentity {
  manufacturer: string;
  description: string;
  /** "major.minor" */
  version: string;
}

export interface TokenDescription extends TokenIdentity {
  source: TokenSource;
  /** RFC 7512 URI that selects this token (token, serial, manufacturer, model). */
  uri: string;
  /** The PKCS#11 library serving it (the software token reports Keyrite itself). */
  library: LibraryIdentity;
  /** Module path (PKCS#11) or token file path (software token); for display. */
  location: string;
  initialized: boolean;
  pin: PinStatus;
  capabilities: TokenCapabilities;
  /** True for the embedded software token: usable for rehearsals, never for a real ceremony. */
  rehearsalOnly: boolean;
}

export type KeyriteObjectKind = 'signing-key' | 'seal-key';

/** A Keyrite key on a token. JSON-safe, so it can be stored in keyrings and sent over IPC. */
export interface KeyRef {
  kind: KeyriteObjectKind;
  /** The Keyrite label (without the on-token "keyrite:" prefix). */
  label: string;
  /** Lowercase hex of the object's CKA_ID (the Keyrite id scheme, see labels.ts). */
  id: string;
  /** SigningAlg for signing keys, SealScheme for seal keys. */
  alg: SigningAlg | SealScheme;
}

/** Data sealed to a token key. JSON-safe; binary fields are base64url without padding. */
export interface SealedBox {
  v: 1;
  scheme: SealScheme;
  /** CKA_ID (hex) of the token key that can open it. */
  keyId: string;
  /** 12-byte GCM IV or 24-byte XChaCha20 nonce. */
  nonce: string;
  /** ecdh-p256 only: the ephemeral public key (65-byte uncompressed SEC1 point). */
  epk?: string;
  /** Ciphertext followed by the 16-byte tag. */
  ct: string;
}

export interface KeyriteToken {
  /** Fresh description (flags are re-read; PIN counters change). */
  describe(): Promise<TokenDescription>;
  /**
   * Logs the user in. `pin` may be omitted only on tokens with a protected authentication
   * path (PIN pad). Wrong PIN → KeyriteError PIN_INCORRECT / PIN_LOCKED with what the token says.
   */
  login(pin?: string): Promise<void>;
  logout(): Promise<void>;
  isLoggedIn(): boolean;
  /** Random bytes from the token's own generator (software token: the OS CSPRNG). 1..1024 bytes. */
  randomBytes(n: number): Promise<Uint8Array>;
  /** Generates a non-extractable, sensitive signing key pair on the token; runs a pairwise-consistency test. */
  generateSigningKey(label: string, alg: SigningAlg): Promise<KeyRef>;
  /** Imports a 32-byte Ed25519 seed as a non-extractable, sensitive private key (plus its public key). */
  importEd25519PrivateKey(label: string, seed: Uint8Array): Promise<KeyRef>;
  /** Ed25519: 32 bytes; ES256: 65-byte uncompressed SEC1 point. */
  getPublicKey(ref: KeyRef): Promise<Uint8Array>;
  /** Ed25519: 64-byte signature; ES256: 64-byte r‖s over SHA-256(msg). Always verified in software first. */
  sign(ref: KeyRef, msg: Uint8Array): Promise<Uint8Array>;
  /** Keyrite objects only. */
  listObjects(): Promise<KeyRef[]>;
  /** The Keyrite object with this label, if any. */
  findObject(label: string): Promise<KeyRef | undefined>;
  /** Creates a token-resident sealing key; scheme defaults to capabilities.seal. */
  createSealKey(label: string, scheme?: SealScheme): Promise<KeyRef>;
  /** `aad` is bound to the box together with the scheme and key id. */
  seal(ref: KeyRef, plaintext: Uint8Array, aad: Uint8Array): Promise<SealedBox>;
  unseal(ref: KeyRef, box: SealedBox, aad: Uint8Array): Promise<Uint8Array>;
  /** Destroys a Keyrite object (all its parts). Refuses anything Keyrite did not create. */
  destroyObject(ref: KeyRef): Promise<void>;
  /** Logs out, wipes what it holds, releases the session / file. */
  close(): Promise<void>;
}

export const SIGNING_ALGS: readonly SigningAlg[] = ['Ed25519', 'ES256'];
export const SEAL_SCHEMES: readonly SealScheme[] = ['aes-256-gcm', 'ecdh-p256', 'xchacha20poly1305'];

export function isSigningAlg(v: unknown): v is SigningAlg {
  return v === 'Ed25519' || v === 'ES256';
}

export function isSealScheme(v: unknown): v is SealScheme {
  return v === 'aes-256-gcm' || v === 'ecdh-p256' || v === 'xchacha20poly1305';
}

/** Human words for a description's PIN state, shared by the CLI and the app. */
export function describePinState(pin: PinStatus): string {
  if (pin.locked) return 'PIN locked';
  const parts: string[] = [];
  if (!pin.userPinInitialized) parts.push('user PIN not set');
  if (pin.finalTry) parts.push('one PIN try left');
  else if (pin.countLow) parts.push('token reports few PIN tries left');
  if (pin.toBeChanged) parts.push('PIN must be changed');
  if (pin.protectedAuthPath) parts.push('PIN entered on the device');
  if (pin.wrongAttempts !== undefined && pin.wrongAttempts > 0) parts.push(`${pin.wrongAttempts} wrong passphrase attempt${pin.wrongAttempts === 1 ? '' : 's'} recorded`);
  return parts.length === 0 ? 'PIN ok' : parts.join(', ');
}

/** Capability words ("Ed25519, P-256, AES-GCM, ECDH"), shared by the CLI and the app. */
export function describeCapabilities(c: TokenCapabilities): string[] {
  const out: string[] = [];
  if (c.ed25519) out.push('Ed25519');
  if (c.p256) out.push('P-256');
  if (c.aesGcm) out.push('AES-GCM');
  if (c.ecdh) out.push('ECDH');
  return out;
}
