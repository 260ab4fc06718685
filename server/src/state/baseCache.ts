/**
 * Base image facts kept on disk in `<state>/bases/`, one small JSON per key: a local image's facts by image ID
 * (reading its files from `docker save` takes seconds, and an image ID never changes content), and a registry's
 * answer by reference and platform with an expiry (tags move; digests do not). Reads and writes never throw:
 * an unreadable, corrupt or expired entry reads as none, and a failed write only costs the next lookup time.
 */
import { createHash, randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KnownBase } from '../core/baseImage';

/** Bumped when the cached shape changes, so older entries read as none. */
const FORMAT = 1;
/** The largest entry read (a big image's dpkg list is tens of kilobytes). */
const MAX_ENTRY_BYTES = 4 * 2 ** 20;

interface Entry {
  format: number;
  key: string;
  /** ms since the epoch; null: never expires. */
  expiresAt: number | null;
  facts: KnownBase;
}

/** The file of one key: a readable kind and a sha256 of the key. */
export function baseCachePath(dir: string, kind: 'local' | 'registry', key: string): string {
  return join(dir, 'bases', `${kind}-${createHash('sha256').update(key).digest('hex').slice(0, 40)}.json`);
}

/** The facts kept under `key` (with `ref` set to the one asked), or null when none are usable at `now` (ms). */
export function readCachedBase(dir: string, kind: 'local' | 'registry', key: string, ref: string, now = Date.now()): KnownBase | null {
  try {
    const text = readFileSync(baseCachePath(dir, kind, key), 'utf8');
    if (text.length > MAX_ENTRY_BYTES) return null;
    const entry = JSON.parse(text) as Entry;
    if (entry?.format !== FORMAT || entry.key !== key || typeof entry.facts?.bytes !== 'number') return null;
    if (entry.expiresAt !== null && !(now < entry.expiresAt)) return null;
    return { ...entry.facts, ref };
  } catch {
    return null;
  }
}

/** Keeps `facts` under `key` until `expiresAt` (ms since the epoch; null: for good); false when it could not be written. */
export function writeCachedBase(dir: string, kind: 'local' | 'registry', key: string, facts: KnownBase, expiresAt: number | null): boolean {
  const file = baseCachePath(dir, kind, key);
  const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  try {
    mkdirSync(join(dir, 'bases'), { recursive: true });
    const fd = openSync(temp, 'wx', 0o644);
    try {
      writeFileSync(fd, JSON.stringify({ format: FORMAT, key, expiresAt, facts } satisfies Entry));
    } finally {
      closeSync(fd);
    }
    // A rename, so that a reader in another process never sees half an entry.
    renameSync(temp, file);
    return true;
  } catch {
    try {
      unlinkSync(temp);
    } catch {
      // Never created.
    }
    return false;
  }
}
