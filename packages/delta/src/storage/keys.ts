import { DeltaError } from '../errors.ts';

/**
 * Orders keys the way S3 lists them: UTF-8 byte order, which is Unicode code point order.
 * JavaScript's `<` compares UTF-16 code units and disagrees for characters above U+FFFF
 * against U+E000..U+FFFF, so every backend sorts with this instead.
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate (D800..DFFF) encodes a code point above U+FFFF, so it sorts after every BMP unit.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/**
 * Rejects keys that could escape the storage root or that no backend can store:
 * keys are relative '/'-separated paths with no empty, '.' or '..' segment.
 */
export function checkKey(key: string, uri: string): void {
  const bad =
    key.length === 0 ||
    key.includes('\0') ||
    key.split('/').some((segment) => segment === '' || segment === '.' || segment === '..');
  if (bad) {
    throw new DeltaError('storage', `invalid object key ${JSON.stringify(key)} in ${uri}`, {
      path: uri,
      hint: "keys are relative '/'-separated paths without empty, '.' or '..' segments, e.g. _delta_log/00000000000000000000.json",
    });
  }
}

/**
 * A list prefix is any string, but its directory part (up to the last '/') follows the key rules,
 * so a listing never walks outside the root.
 */
export function checkPrefix(prefix: string, uri: string): void {
  const dirs = prefix.split('/').slice(0, -1);
  if (prefix.includes('\0') || dirs.some((segment) => segment === '' || segment === '.' || segment === '..')) {
    throw new DeltaError('storage', `invalid list prefix ${JSON.stringify(prefix)} in ${uri}`, {
      path: uri,
      hint: "a prefix is a key or the start of one, e.g. '_delta_log/' or '_delta_log/0000000000000000001'",
    });
  }
}

/** Checks a byte range [start, end) before any backend reads it. */
export function checkRange(key: string, uri: string, start: number, end: number): void {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new DeltaError('storage', `invalid byte range [${start}, ${end}) for ${key} in ${uri}`, {
      path: joinUri(uri, key),
      hint: 'a range is two integers with 0 <= start <= end',
    });
  }
}

/** `s3://b/p` + `k` -> `s3://b/p/k`: the full address of one object, for messages. */
export function joinUri(uri: string, key: string): string {
  return uri.endsWith('/') ? uri + key : `${uri}/${key}`;
}
