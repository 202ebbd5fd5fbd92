import { close, constants, fstat, lstat, open, read, realpath, type Stats, stat } from 'node:fs';

/**
 * The file system calls local storage makes for every commit it reads and every file it lists, on callbacks and
 * raw file descriptors: `fs/promises` costs several times the system calls' own time for the small files of a
 * Delta log (a FileHandle, a promise and an abort check per step). A commit read is 4 calls here (open without
 * following a symlink in the last component, fstat, read, close) where it was 6-7 there.
 */

/** What opening `path` without following a final symlink found. */
export type NoFollowRead =
  | { readonly kind: 'file'; readonly bytes: Uint8Array }
  /** The last component is a symlink (ELOOP; EMLINK on FreeBSD) or the platform has no O_NOFOLLOW: the caller resolves it. */
  | { readonly kind: 'link' }
  | { readonly kind: 'directory' }
  /** A FIFO, socket or device (opened without blocking, never read). */
  | { readonly kind: 'special' };

const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK } = constants;
// O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer; it changes nothing for regular files.
const FLAGS = O_NOFOLLOW === undefined ? undefined : O_RDONLY | O_NOFOLLOW | (O_NONBLOCK ?? 0);

/**
 * Bytes [start, end) of `path` (the whole file when `end` is undefined; a range past the end is cut at the end),
 * or what stands at `path` instead of a regular file. Rejects with the system error (ENOENT, EACCES, ...).
 */
export function readNoFollow(path: string, start = 0, end?: number): Promise<NoFollowRead> {
  const flags = FLAGS;
  if (flags === undefined) return Promise.resolve({ kind: 'link' });
  return new Promise((resolve, reject) => {
    open(path, flags, (openError, fd) => {
      if (openError) {
        if (openError.code === 'ELOOP' || openError.code === 'EMLINK') resolve({ kind: 'link' });
        else reject(openError);
        return;
      }
      const done = (error: Error | null, result?: NoFollowRead) =>
        close(fd, (closeError) => {
          if (error ?? closeError) reject(error ?? closeError);
          else resolve(result as NoFollowRead);
        });
      fstat(fd, (statError, info) => {
        if (statError) done(statError);
        else if (info.isDirectory()) done(null, { kind: 'directory' });
        else if (!info.isFile()) done(null, { kind: 'special' });
        else {
          const length = Math.max(0, Math.min(end ?? info.size, info.size) - start);
          const bytes = new Uint8Array(length);
          const fill = (filled: number): void => {
            if (filled === length) {
              done(null, { kind: 'file', bytes });
              return;
            }
            read(fd, bytes, filled, length - filled, start + filled, (readError, n) => {
              if (readError) done(readError);
              // A file cut short since fstat: what was there.
              else if (n === 0) done(null, { kind: 'file', bytes: bytes.subarray(0, filled) });
              else fill(filled + n);
            });
          };
          fill(0);
        }
      });
    });
  });
}

/** The path with every symlink resolved (realpath(3)), or undefined when it cannot be resolved (missing, a loop, ...). */
export function realPathOrUndefined(path: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    realpath.native(path, (error, resolved) => resolve(error ? undefined : resolved));
  });
}

/** stat(2), following links, or undefined when nothing is there (ENOENT, ENOTDIR); other errors reject. */
export function statOrUndefined(path: string): Promise<Stats | undefined> {
  return new Promise((resolve, reject) => {
    stat(path, (error, info) => {
      if (!error) resolve(info);
      else if (error.code === 'ENOENT' || error.code === 'ENOTDIR') resolve(undefined);
      else reject(error);
    });
  });
}

/** lstat(2), not following a final link, or undefined when nothing is there (ENOENT, ENOTDIR); other errors reject. */
export function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  return new Promise((resolve, reject) => {
    lstat(path, (error, info) => {
      if (!error) resolve(info);
      else if (error.code === 'ENOENT' || error.code === 'ENOTDIR') resolve(undefined);
      else reject(error);
    });
  });
}
