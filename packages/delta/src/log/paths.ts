import { resolveTablePath } from './table-paths.ts';

function decode(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
}

/**
 * The key two log paths of one data file share, whatever their spelling: relative or absolute,
 * `file:/a`, `file:///a` or `/a`, percent-encoded or not. Reference implementations compare paths
 * after making them absolute and canonical (Delta Spark's `canonicalizePath`, delta-kernel's URL
 * resolution against the table root), so an add and a remove naming one file in two spellings
 * must meet in replay.
 */
export function canonicalPath(tableUri: string, path: string): string {
  // A relative path with nothing to decode (no '%', no scheme) is its own key: the common case, thousands per checkpoint.
  if (!path.includes('%') && !path.includes(':') && !path.startsWith('/')) return path;
  // An absolute path without a scheme is a local file (Hadoop's default file system).
  const uri = path.startsWith('/') ? `file://${path}` : path;
  try {
    return resolveTablePath(tableUri, uri);
  } catch {
    // Outside the table root (a shallow clone): the decoded absolute URI, file URIs in one form.
    return decode(uri).replace(/^file:\/+/, 'file:///');
  }
}
