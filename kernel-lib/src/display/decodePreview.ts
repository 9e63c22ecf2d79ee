import { ImagePreview } from './protocol';

/**
 * Decodes a validated preview into data values (Float32Array, row-major `rows × cols`).
 * Browser-safe: uses `atob` where `Buffer` is absent.
 */
export function decodePreview(preview: ImagePreview): Float32Array {
  const bytes = base64ToBytes(preview.data);
  const n = preview.rows * preview.cols;
  const out = new Float32Array(n);
  const step = (preview.valueMax - preview.valueMin) / 65535;
  for (let i = 0; i < n; i++) {
    const q = bytes[2 * i] | (bytes[2 * i + 1] << 8);
    out[i] = preview.valueMin + q * step;
  }
  return out;
}

/** Base64 → bytes without Node built-ins (the browser entry must not need `Buffer`). */
export function base64ToBytes(b64: string): Uint8Array {
  const nodeBuffer = (globalThis as { Buffer?: { from(s: string, enc: string): Uint8Array } }).Buffer;
  if (nodeBuffer) {
    return new Uint8Array(nodeBuffer.from(b64, 'base64'));
  }
  const binary = atob(b64);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) {
    out[i] = binary.charCodeAt(i);
  }
  return out;
}
