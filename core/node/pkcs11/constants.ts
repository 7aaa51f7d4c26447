/**
 * PKCS#11 numbers Keyrite uses, from the OASIS PKCS#11 base specification (v2.40 and
 * v3.0/3.1 for the Edwards-curve ones pkcs11js 2.1.7 does not export: CKK_EC_EDWARDS,
 * CKM_EC_EDWARDS_KEY_PAIR_GEN, CKM_EDDSA). A unit test checks every value pkcs11js does
 * export against this table.
 */
export const CKR = {
  OK: 0x0,
  CANCEL: 0x1,
  HOST_MEMORY: 0x2,
  SLOT_ID_INVALID: 0x3,
  GENERAL_ERROR: 0x5,
  FUNCTION_FAILED: 0x6,
  ARGUMENTS_BAD: 0x7,
  ATTRIBUTE_READ_ONLY: 0x10,
  ATTRIBUTE_SENSITIVE: 0x11,
  ATTRIBUTE_TYPE_INVALID: 0x12,
  ATTRIBUTE_VALUE_INVALID: 0x13,
  ACTION_PROHIBITED: 0x1b,
  DATA_INVALID: 0x20,
  DATA_LEN_RANGE: 0x21,
  DEVICE_ERROR: 0x30,
  DEVICE_MEMORY: 0x31,
  DEVICE_REMOVED: 0x32,
  ENCRYPTED_DATA_INVALID: 0x40,
  ENCRYPTED_DATA_LEN_RANGE: 0x41,
  FUNCTION_CANCELED: 0x50,
  FUNCTION_NOT_SUPPORTED: 0x54,
  KEY_HANDLE_INVALID: 0x60,
  KEY_SIZE_RANGE: 0x62,
  KEY_TYPE_INCONSISTENT: 0x63,
  KEY_FUNCTION_NOT_PERMITTED: 0x68,
  MECHANISM_INVALID: 0x70,
  MECHANISM_PARAM_INVALID: 0x71,
  OBJECT_HANDLE_INVALID: 0x82,
  OPERATION_ACTIVE: 0x90,
  OPERATION_NOT_INITIALIZED: 0x91,
  PIN_INCORRECT: 0xa0,
  PIN_INVALID: 0xa1,
  PIN_LEN_RANGE: 0xa2,
  PIN_EXPIRED: 0xa3,
  PIN_LOCKED: 0xa4,
  SESSION_CLOSED: 0xb0,
  SESSION_COUNT: 0xb1,
  SESSION_HANDLE_INVALID: 0xb3,
  SESSION_READ_ONLY: 0xb5,
  SIGNATURE_INVALID: 0xc0,
  TEMPLATE_INCOMPLETE: 0xd0,
  TEMPLATE_INCONSISTENT: 0xd1,
  TOKEN_NOT_PRESENT: 0xe0,
  TOKEN_NOT_RECOGNIZED: 0xe1,
  TOKEN_WRITE_PROTECTED: 0xe2,
  USER_ALREADY_LOGGED_IN: 0x100,
  USER_NOT_LOGGED_IN: 0x101,
  USER_PIN_NOT_INITIALIZED: 0x102,
  USER_TYPE_INVALID: 0x103,
  DOMAIN_PARAMS_INVALID: 0x130,
  CURVE_NOT_SUPPORTED: 0x140,
  BUFFER_TOO_SMALL: 0x150,
  CRYPTOKI_NOT_INITIALIZED: 0x190,
  CRYPTOKI_ALREADY_INITIALIZED: 0x191,
  PIN_TOO_WEAK: 0x1b8,
  FUNCTION_REJECTED: 0x200,
} as const;

/** CK_TOKEN_INFO.flags */
export const CKF_TOKEN = {
  RNG: 0x1,
  WRITE_PROTECTED: 0x2,
  LOGIN_REQUIRED: 0x4,
  USER_PIN_INITIALIZED: 0x8,
  PROTECTED_AUTHENTICATION_PATH: 0x100,
  TOKEN_INITIALIZED: 0x400,
  USER_PIN_COUNT_LOW: 0x10000,
  USER_PIN_FINAL_TRY: 0x20000,
  USER_PIN_LOCKED: 0x40000,
  USER_PIN_TO_BE_CHANGED: 0x80000,
} as const;

export const CKF_SERIAL_SESSION = 0x4;
export const CKF_RW_SESSION = 0x2;
export const CKF_OS_LOCKING_OK = 0x2;
export const CKU_USER = 1;
export const CKD_NULL = 1;

/** pkcs11js' own ids for mechanism parameter structures (pkcs11js src/common.h), not PKCS#11 values. */
export const PKCS11JS_PARAMS = { EC_DH: 6, AES_GCM_v240: 7 } as const;

export const CKO = { DATA: 0, PUBLIC_KEY: 2, PRIVATE_KEY: 3, SECRET_KEY: 4 } as const;
export const CKK = { EC: 0x3, GENERIC_SECRET: 0x10, AES: 0x1f, EC_EDWARDS: 0x40 } as const;

export const CKA = {
  CLASS: 0x0,
  TOKEN: 0x1,
  PRIVATE: 0x2,
  LABEL: 0x3,
  VALUE: 0x11,
  KEY_TYPE: 0x100,
  ID: 0x102,
  SENSITIVE: 0x103,
  ENCRYPT: 0x104,
  DECRYPT: 0x105,
  WRAP: 0x106,
  UNWRAP: 0x107,
  SIGN: 0x108,
  VERIFY: 0x10a,
  DERIVE: 0x10c,
  VALUE_LEN: 0x161,
  EXTRACTABLE: 0x162,
  LOCAL: 0x163,
  NEVER_EXTRACTABLE: 0x164,
  ALWAYS_SENSITIVE: 0x165,
  MODIFIABLE: 0x170,
  EC_PARAMS: 0x180,
  EC_POINT: 0x181,
} as const;

export const CKM = {
  SHA256: 0x250,
  EC_KEY_PAIR_GEN: 0x1040,
  ECDSA: 0x1041,
  ECDSA_SHA256: 0x1044,
  ECDH1_DERIVE: 0x1050,
  EC_EDWARDS_KEY_PAIR_GEN: 0x1055,
  EDDSA: 0x1057,
  AES_KEY_GEN: 0x1080,
  AES_GCM: 0x1087,
} as const;

/** Mechanism names for messages. */
export const MECHANISM_NAMES: Readonly<Record<number, string>> = {
  [CKM.SHA256]: 'CKM_SHA256',
  [CKM.EC_KEY_PAIR_GEN]: 'CKM_EC_KEY_PAIR_GEN (P-256 key generation)',
  [CKM.ECDSA]: 'CKM_ECDSA (ECDSA signing)',
  [CKM.ECDSA_SHA256]: 'CKM_ECDSA_SHA256 (ECDSA with SHA-256)',
  [CKM.ECDH1_DERIVE]: 'CKM_ECDH1_DERIVE (ECDH)',
  [CKM.EC_EDWARDS_KEY_PAIR_GEN]: 'CKM_EC_EDWARDS_KEY_PAIR_GEN (Ed25519 key generation)',
  [CKM.EDDSA]: 'CKM_EDDSA (Ed25519 signing)',
  [CKM.AES_KEY_GEN]: 'CKM_AES_KEY_GEN (AES key generation)',
  [CKM.AES_GCM]: 'CKM_AES_GCM (AES-GCM)',
};

export function mechanismName(m: number): string {
  return MECHANISM_NAMES[m] ?? `mechanism 0x${m.toString(16)}`;
}

/** DER of the curve OIDs / names used in CKA_EC_PARAMS. */
export const EC_PARAMS = {
  /** OID 1.2.840.10045.3.1.7 (prime256v1 / secp256r1) */
  P256: Uint8Array.of(0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07),
  /** OID 1.3.101.112 (id-Ed25519, RFC 8410) */
  ED25519_OID: Uint8Array.of(0x06, 0x03, 0x2b, 0x65, 0x70),
  /** PrintableString "edwards25519" (PKCS#11 3.0 curve name form) */
  ED25519_NAME: Uint8Array.of(0x13, 0x0c, ...new TextEncoder().encode('edwards25519')),
} as const;

/** Names of CKR values, for messages. */
export function ckrName(code: number): string {
  for (const [name, value] of Object.entries(CKR)) if (value === code) return `CKR_${name}`;
  return `CKR 0x${code.toString(16)}`;
}
