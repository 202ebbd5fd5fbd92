import { randomUUID } from 'node:crypto';
import type { Stats } from 'node:fs';
import { link, mkdir, open, readdir, readFile, realpath, rename, rm, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DeltaError } from '../errors.ts';
import { checkKey, checkPrefix, checkRange, compareKeys, joinUri } from './keys.ts';
import { lstatOrUndefined, readNoFollow, realPathOrUndefined, statOrUndefined } from './local-fs.ts';
import type { ListOptions, ObjectInfo, Storage } from './storage.ts';

// Writes go to a temp file beside the target first; listings skip these names, so a
// half-written object is never visible under its key.
const TEMP_PREFIX = '.meridian-tmp-';
// Stats run this many at a time while listing: a _delta_log of thousands of commits
// lists several times faster than with one stat after another.
const STAT_BATCH = 64;

/**
 * Objects as files under a directory on the local disk (`/data/events`, `file:///data/events`).
 * Keys map to relative paths; `putIfAbsent` publishes a fully written temp file with link(2),
 * which fails atomically when the name exists, so concurrent committers never both win and no
 * reader sees a partial commit.
 */
export class LocalStorage implements Storage {
  readonly uri: string;
  /** Absolute path of the root directory. */
  readonly root: string;
  // The root with every symlink resolved, once it is first needed (the root need not exist when constructed).
  private realRoot: string | undefined;
  // Folder resolutions in flight, shared by the reads that ask while one runs (see realFolder).
  private readonly folders = new Map<string, Promise<string | undefined>>();

  /** `root` is a directory path, relative paths resolve against the working directory; it need not exist yet. */
  constructor(root: string) {
    this.root = resolve(root);
    this.uri = pathToFileURL(this.root).href;
  }

  async *list(prefix: string, options: ListOptions = {}): AsyncIterable<ObjectInfo> {
    checkPrefix(prefix, this.uri);
    // Walk only the directory the prefix names, e.g. `_delta_log/` for `_delta_log/0000`.
    yield* this.walk(
      prefix.slice(0, prefix.lastIndexOf('/') + 1),
      prefix,
      options.startAfter,
      options.includeTemporary === true,
    );
  }

  async get(key: string): Promise<Uint8Array> {
    const path = this.pathOf(key);
    try {
      const confined = await this.readConfined(path, key, 0, undefined);
      if (confined !== undefined) return confined;
      await this.checkReadable(path, key);
      const bytes = await readFile(path);
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (error) {
      throw this.fail(error, 'read', key);
    }
  }

  async getRange(key: string, start: number, end: number): Promise<Uint8Array> {
    const path = this.pathOf(key);
    checkRange(key, this.uri, start, end);
    let file: Awaited<ReturnType<typeof open>> | undefined;
    try {
      const confined = await this.readConfined(path, key, start, end);
      if (confined !== undefined) return confined;
      await this.checkReadable(path, key);
      file = await open(path, 'r');
      const size = (await file.stat()).size;
      const length = Math.max(0, Math.min(end, size) - start);
      const bytes = new Uint8Array(length);
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await file.read(bytes, filled, length - filled, start + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return filled === length ? bytes : bytes.subarray(0, filled);
    } catch (error) {
      throw this.fail(error, 'read', key);
    } finally {
      await file?.close();
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const path = this.pathOf(key);
    try {
      const info = await statOrUndefined(path);
      if (info === undefined || !info.isFile()) return undefined;
      return objectInfo(key, info);
    } catch (error) {
      throw this.fail(error, 'stat', key);
    }
  }

  async putIfAbsent(key: string, body: Uint8Array): Promise<boolean> {
    const path = this.pathOf(key);
    const temp = await this.writeTemp(path, key, body);
    try {
      await link(temp, path);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw this.fail(error, 'write', key);
    } finally {
      await discard(temp);
    }
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    const path = this.pathOf(key);
    const temp = await this.writeTemp(path, key, body);
    try {
      // rename(2) replaces the target in one step: readers see the old or the new object.
      await rename(temp, path);
    } catch (error) {
      await discard(temp);
      throw this.fail(error, 'write', key);
    }
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    try {
      // A key whose folder is a symlink to a directory outside the table names a file outside it: never
      // delete through it (vacuum lists every key under the root, links followed).
      await this.checkInsideRoot(dirname(path), key);
      await unlink(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (isMissing(error) || code === 'EISDIR') return;
      throw this.fail(error, 'delete', key);
    }
  }

  /**
   * The bytes [start, end) of the file at `path` when its folder resolves inside the root and its own name is not a
   * symlink, read on one descriptor opened with O_NOFOLLOW (so the name the check saw is the file read, and a FIFO
   * never blocks): the same confinement as checkReadable, in 4 system calls instead of 6-7. Undefined when the
   * name is a symlink or the folder cannot be resolved: checkReadable and the plain read decide those, as before.
   */
  private async readConfined(
    path: string,
    key: string,
    start: number,
    end: number | undefined,
  ): Promise<Uint8Array | undefined> {
    const realDir = await this.realFolder(dirname(path));
    if (realDir === undefined) return undefined;
    const real = join(realDir, basename(path));
    const root = await this.outsideRoot(real);
    if (root !== undefined) {
      throw new DeltaError('outside-table', `${key} is a symlink to ${real}, outside the table root ${root}`, {
        path: joinUri(this.uri, key),
        hint: 'a table may only read files under its own folder; copy the file into the table instead of linking it',
      });
    }
    const read = await readNoFollow(real, start, end);
    switch (read.kind) {
      case 'file':
        return read.bytes;
      case 'link':
        return undefined;
      case 'directory':
        // As reading a directory fails: not an object (fail() reports EISDIR on a read as not-found).
        throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read '${path}'`), { code: 'EISDIR' });
      case 'special':
        throw new DeltaError('storage', `${key} in ${this.uri} is not a regular file`, {
          path: joinUri(this.uri, key),
          hint: 'a FIFO, socket or device cannot be a table file',
        });
    }
  }

  /**
   * The real path of a folder, resolved once for all the reads that ask for it while it is being resolved (a
   * snapshot fetches its commits together): each read still sees a resolution made after it was asked for, as
   * `realpath` per file did, and the next read after it settles resolves again.
   */
  private realFolder(dir: string): Promise<string | undefined> {
    let pending = this.folders.get(dir);
    if (pending === undefined) {
      pending = realPathOrUndefined(dir).finally(() => this.folders.delete(dir));
      this.folders.set(dir, pending);
    }
    return pending;
  }

  /**
   * Keys cannot name anything outside the root (checkKey), but a symlink inside it can: a file read through a link
   * must still lie under the root once every link is resolved, as the reader already refuses `../` and absolute
   * paths in the log. A FIFO or device is refused too (opening a FIFO blocks until a writer comes).
   */
  private async checkReadable(path: string, key: string): Promise<void> {
    let real: string;
    try {
      real = await realpath(path);
    } catch {
      return; // a missing file is reported by the read itself, as not-found
    }
    const root = await this.outsideRoot(real);
    if (root !== undefined) {
      throw new DeltaError('outside-table', `${key} is a symlink to ${real}, outside the table root ${root}`, {
        path: joinUri(this.uri, key),
        hint: 'a table may only read files under its own folder; copy the file into the table instead of linking it',
      });
    }
    const info = await stat(real);
    if (!info.isFile() && !info.isDirectory()) {
      throw new DeltaError('storage', `${key} in ${this.uri} is not a regular file`, {
        path: joinUri(this.uri, key),
        hint: 'a FIFO, socket or device cannot be a table file',
      });
    }
  }

  /** The real root when the real path `real` lies outside it; undefined when inside. */
  private async outsideRoot(real: string): Promise<string | undefined> {
    this.realRoot ??= await realpath(this.root);
    const root = this.realRoot;
    return real === root || real.startsWith(root.endsWith(sep) ? root : root + sep) ? undefined : root;
  }

  /** Refuses with `outside-table` when `dir`, every link resolved, lies outside the root; a missing dir is fine. */
  private async checkInsideRoot(dir: string, key: string): Promise<void> {
    let real: string;
    try {
      real = await realpath(dir);
    } catch {
      return;
    }
    const root = await this.outsideRoot(real);
    if (root !== undefined) {
      throw new DeltaError(
        'outside-table',
        `${key} lies in ${real}, outside the table root ${root}, through a symlink`,
        {
          path: joinUri(this.uri, key),
          hint: 'files outside the table root are never deleted; remove the link to clean up',
        },
      );
    }
  }

  private pathOf(key: string): string {
    checkKey(key, this.uri);
    return join(this.root, ...key.split('/'));
  }

  /** Writes the whole body to a fresh temp file beside `path` and flushes it to disk. */
  private async writeTemp(path: string, key: string, body: Uint8Array): Promise<string> {
    const temp = join(dirname(path), `${TEMP_PREFIX}${randomUUID()}`);
    try {
      await mkdir(dirname(path), { recursive: true });
      const file = await open(temp, 'wx');
      try {
        await file.writeFile(body);
        // Without the flush a crash after link/rename could leave an empty commit file behind.
        await file.datasync();
      } finally {
        await file.close();
      }
      return temp;
    } catch (error) {
      await discard(temp);
      throw this.fail(error, 'write', key);
    }
  }

  /**
   * Yields the files under `dirKey` whose keys start with `prefix` and sort after `after`, in
   * key order. Siblings sort by name, directories as `name/`: every key inside a directory
   * starts with `name/`, so this depth-first order is the global UTF-8 key order.
   */
  private async *walk(
    dirKey: string,
    prefix: string,
    after: string | undefined,
    temporary: boolean,
  ): AsyncGenerator<ObjectInfo> {
    const dirPath = join(this.root, dirKey);
    // Names only: a name rules out most entries before anything else is known (below), and the few left are
    // lstat-ed for their type, size and time at once. Typed entries (withFileTypes) cost a Dirent per name
    // (10,002 in a long log: 1.4 ms of CPU more than names alone) for the types of names no one looks at.
    let names: string[];
    try {
      names = await readdir(dirPath);
    } catch (error) {
      if (isMissing(error)) return;
      throw this.fail(error, 'list', dirKey);
    }
    // `_delta_log/` listed from a checkpoint holds thousands of names before it and a few after: a name alone
    // rules most out (below, a key is this folder's key plus the name, so comparing the rest of `after` and of
    // `prefix` with the name decides as comparing whole keys does) before its type or key is looked at.
    const afterRest = after?.startsWith(dirKey) ? after.slice(dirKey.length) : undefined;
    const prefixRest = prefix.startsWith(dirKey) ? prefix.slice(dirKey.length) : undefined;
    // JavaScript's own string order is compareKeys' (UTF-8 byte order) except where, at the first unit that
    // differs, a surrogate meets a unit at or above U+E000: never when `afterRest` has no unit at or above U+D800.
    // The native comparison is 10 times quicker over the 10,000 names of a long log.
    const nativeOrder = afterRest !== undefined && !/[\uD800-\uFFFF]/.test(afterRest);
    const candidates: string[] = [];
    for (const name of names) {
      // A directory `name/` can sort after `after` while `name` does not only when `name` begins `afterRest`.
      if (
        afterRest !== undefined &&
        (nativeOrder ? name <= afterRest : compareKeys(name, afterRest) <= 0) &&
        !afterRest.startsWith(name)
      ) {
        continue;
      }
      if (prefixRest !== undefined && !name.startsWith(prefixRest) && !prefixRest.startsWith(name)) continue;
      if (name.startsWith(TEMP_PREFIX) && !temporary) continue;
      candidates.push(name);
    }
    const items: { key: string; info: ObjectInfo | undefined }[] = [];
    for (let i = 0; i < candidates.length; i += STAT_BATCH) {
      const batch = candidates.slice(i, i + STAT_BATCH);
      const found = await Promise.all(batch.map((name) => this.entry(dirKey, dirPath, name)));
      for (const item of found) {
        if (item === undefined) continue;
        const key = item.key;
        if (item.info === undefined) {
          if (!key.startsWith(prefix) && !prefix.startsWith(key)) continue;
          // Every key inside sorts after `key`; when `after` does not lie inside, all of them sort before it.
          if (after !== undefined && compareKeys(key, after) <= 0 && !after.startsWith(key)) continue;
        } else {
          if (!key.startsWith(prefix)) continue;
          if (after !== undefined && compareKeys(key, after) <= 0) continue;
        }
        items.push(item);
      }
    }
    items.sort((a, b) => compareKeys(a.key, b.key));
    for (const item of items) {
      if (item.info !== undefined) yield item.info;
      else yield* this.walk(item.key, prefix, after, temporary);
    }
  }

  /**
   * What the walk lists for one name of `dirPath`: a file with its size and time (`info`), a directory to walk
   * (`info` undefined, its key ending in `/`), or nothing (gone since readdir, a FIFO, socket or device, a dangling
   * link, a link to this directory or one above it, a key outside `prefix` or not after `after`). A link is
   * listed as what it points to, as before; a temp file only when it is a regular file.
   */
  private async entry(
    dirKey: string,
    dirPath: string,
    name: string,
  ): Promise<{ key: string; info: ObjectInfo | undefined } | undefined> {
    const path = join(dirPath, name);
    const fileKey = `${dirKey}${name}`;
    let info: Stats | undefined;
    try {
      info = await lstatOrUndefined(path);
    } catch (error) {
      throw this.fail(error, 'stat', fileKey);
    }
    if (info === undefined) return undefined;
    if (info.isSymbolicLink()) {
      if (name.startsWith(TEMP_PREFIX)) return undefined;
      const target = await stat(path).catch(() => undefined);
      if (target === undefined) return undefined;
      // A link to this directory or one above it would make the walk endless.
      if (target.isDirectory() && (await linksToAncestor(path, dirPath))) return undefined;
      info = target;
    }
    if (info.isDirectory()) return name.startsWith(TEMP_PREFIX) ? undefined : { key: `${fileKey}/`, info: undefined };
    if (!info.isFile()) return undefined;
    return { key: fileKey, info: objectInfo(fileKey, info) };
  }

  private fail(error: unknown, operation: 'read' | 'stat' | 'write' | 'delete' | 'list', key: string): DeltaError {
    if (error instanceof DeltaError) return error;
    const code = (error as NodeJS.ErrnoException).code;
    const path = joinUri(this.uri, key);
    if (operation === 'read' && (isMissing(error) || code === 'EISDIR')) {
      return new DeltaError('not-found', `no object ${key} in ${this.uri}`, {
        path,
        hint: 'check the path: the file does not exist under the table root',
        cause: error,
      });
    }
    const hints: Record<string, string> = {
      EACCES: `check the permissions of ${this.root} and the files under it`,
      EPERM: `check the permissions of ${this.root} and the files under it`,
      ENOSPC: 'the disk is full: free space and retry',
      EROFS: 'the file system is read-only: open a writable directory',
      EISDIR: 'a directory has this name: a key must name a file',
      ENOTDIR: 'a file stands where the key needs a directory',
    };
    const reason = error instanceof Error ? error.message : String(error);
    return new DeltaError('storage', `cannot ${operation} ${key} in ${this.uri}: ${reason}`, {
      path,
      hint:
        (code !== undefined ? hints[code] : undefined) ??
        'check that the directory exists and is readable and writable',
      cause: error,
    });
  }
}

async function linksToAncestor(link: string, dir: string): Promise<boolean> {
  const [target, here] = await Promise.all([realpath(link), realpath(dir)]);
  return here === target || here.startsWith(target.endsWith(sep) ? target : target + sep);
}

/** Removes a temp file; one that was never created (or whose directory is missing) is fine. */
async function discard(temp: string): Promise<void> {
  await rm(temp, { force: true }).catch(() => undefined);
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** What a listing and head() report of a regular file: its key, size and modification time in whole ms. */
function objectInfo(key: string, info: Stats): ObjectInfo {
  return { key, size: info.size, lastModified: Math.floor(info.mtimeMs) };
}
