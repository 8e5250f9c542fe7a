/** A camera id: stable, unique on its site, safe in topics' payloads and file names. The one copy. */
export const CAMERA_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export function isCameraId(value: unknown): value is string {
  return typeof value === 'string' && CAMERA_ID.test(value);
}
