/**
 * Content fingerprints for cache prediction: sha256 of each regular file, remembered by the file's stamp
 * (device, inode, size, mtime, ctime; see stampOf) so that an unchanged file is never read twice.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import type { ArchiveInfo, ContextEntry } from '../core/context';
import { sniffArchive, type ArchiveKind } from './archive';
import { describeError, stampOf } from './scan';

/** Files changed this recently may change again within the same timestamp tick: hash them, do not remember. */
const RACY_MS = 1000;
const CHUNK = 1 << 20;
let buffer: Buffer | undefined;

/** What hashing one file found: its sha256 (hex), an archive kind by magic bytes, or why it could not be read. */
export interface FileHash {
  hash?: string;
  archive?: ArchiveKind;
  error?: string;
  /** False when the file changed too recently to trust its stamp next time. */
  cacheable?: boolean;
  /** The stamp the file had while it was read (set with `hash`). */
  stamp?: string;
}

/**
 * Hashes the regular file at `abs` if it is still what the scan saw: the same `stamp`, or, for a scan that
 * took no stamps (find), the same size. A file that was replaced or changed since, or while being read,
 * comes back with an error instead of a wrong hash. Never opens FIFOs (O_NONBLOCK) and never follows a
 * symlink swapped in (O_NOFOLLOW).
 */
export function hashFile(abs: string, seen: string | { size: number }): FileHash {
  let fd: number;
  try {
    fd = openSync(abs, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (e) {
    return { error: (e as NodeJS.ErrnoException).code === 'ELOOP' ? 'replaced by a symlink during the scan' : describeError(e) };
  }
  try {
    const before = fstatSync(fd);
    const stamp = before.isFile() ? stampOf(before) : '';
    if (stamp === '' || (typeof seen === 'string' ? stamp !== seen : before.size !== seen.size)) return { error: 'changed during the scan' };
    buffer ??= Buffer.allocUnsafe(CHUNK);
    const hash = createHash('sha256');
    let archive: ArchiveKind | undefined;
    for (let n = readSync(fd, buffer, 0, CHUNK, null), first = true; n > 0; n = readSync(fd, buffer, 0, CHUNK, null), first = false) {
      if (first) archive = sniffArchive(buffer.subarray(0, n));
      hash.update(buffer.subarray(0, n));
    }
    if (stampOf(fstatSync(fd)) !== stamp) return { error: 'changed while being read' };
    const cacheable = Date.now() - before.mtimeMs > RACY_MS;
    const result: FileHash = { hash: hash.digest('hex'), cacheable, stamp };
    if (archive) result.archive = archive;
    return result;
  } catch (e) {
    return { error: describeError(e) };
  } finally {
    closeSync(fd);
  }
}

/** Remembered fingerprints by stamp; `fill` gives entries their hash when their stamp is known. */
export class HashIndex {
  // Hashes alone in one map (100,000s of files), archive details in another (a handful): bounded memory per file.
  private readonly byStamp = new Map<string, string>();
  private readonly archives = new Map<string, ArchiveInfo>();

  /** Sets `hash` (and archive info) on files whose stamp is remembered; returns the files that still need reading (those without a stamp too). */
  fill(entries: Iterable<ContextEntry>, archives: Map<string, ArchiveInfo>): ContextEntry[] {
    const missing: ContextEntry[] = [];
    for (const e of entries) {
      if (e.type !== 'file') continue;
      // No stamp: listed by find and not stamped since (nothing was remembered), so it needs reading.
      if (e.stamp === undefined) {
        if (e.error === undefined) missing.push(e);
        continue;
      }
      const hash = this.byStamp.get(e.stamp);
      if (hash === undefined) {
        missing.push(e);
        continue;
      }
      e.hash = hash;
      const archive = this.archives.get(e.stamp);
      if (archive) archives.set(e.path, archive);
    }
    return missing;
  }

  /** Records what hashing `entry` found (hash, error, archive); errors and racy files are not remembered. */
  record(entry: ContextEntry, result: FileHash & { archiveInfo?: ArchiveInfo | null }, archives: Map<string, ArchiveInfo>): void {
    entry.hash = result.hash;
    if (result.stamp) entry.stamp = result.stamp;
    // `delete` only when needed: deleting a property turns the object into a much larger dictionary.
    if (result.error) entry.error = result.error;
    else if (entry.error !== undefined) delete entry.error;
    if (result.archiveInfo) archives.set(entry.path, result.archiveInfo);
    else archives.delete(entry.path);
    if (!result.hash || !result.cacheable || !entry.stamp) return;
    this.byStamp.set(entry.stamp, result.hash);
    if (result.archiveInfo) this.archives.set(entry.stamp, result.archiveInfo);
  }

  /** Keeps only the stamps still in use, so that the index does not grow without bound. */
  retain(entries: Iterable<ContextEntry>): void {
    const live = new Set<string>();
    for (const e of entries) if (e.stamp) live.add(e.stamp);
    for (const stamp of this.byStamp.keys()) if (!live.has(stamp)) this.byStamp.delete(stamp);
    for (const stamp of this.archives.keys()) if (!live.has(stamp)) this.archives.delete(stamp);
  }

  clear(): void {
    this.byStamp.clear();
    this.archives.clear();
  }

  get size(): number {
    return this.byStamp.size;
  }
}
