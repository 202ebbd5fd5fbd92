import { DeltaError } from '../errors.ts';

function decode(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
}

/**
 * The storage key of a file the log names. Log paths are URIs (RFC 2396): relative ones are
 * percent-decoded against the table root; absolute ones must point inside the table's storage.
 */
export function resolveTablePath(tableUri: string, path: string): string {
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(path)) {
    const root = tableUri.endsWith('/') ? tableUri : `${tableUri}/`;
    const candidates = [root, root.replace(/^file:\/\/\//, 'file:/'), root.replace(/^file:\//, 'file:///')];
    for (const c of candidates) {
      if (path.startsWith(c)) return decode(path.slice(c.length));
    }
    const decoded = decode(path);
    for (const c of candidates) if (decoded.startsWith(c)) return decoded.slice(c.length);
    throw new DeltaError('storage', `the log names a file outside the table: ${path}`, {
      path,
      hint: 'files stored outside the table root (shallow clones) are not supported by this reader',
    });
  }
  return decode(path);
}
