// Types for the platform-free QR encoder inside the `qrcode` package (lib/core/qrcode.js:
// the symbol builder alone, without the PNG, canvas and terminal renderers that the
// package's main entry loads). The shapes are those of @types/qrcode.
declare module 'qrcode/lib/core/qrcode.js' {
  import type { QRCode, QRCodeOptions, QRCodeSegment } from 'qrcode';
  export function create(data: string | QRCodeSegment[], options?: QRCodeOptions): QRCode;
}
