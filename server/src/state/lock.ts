/**
 * A lock file next to a baseline, so that two builds at once (in two processes) merge their known keys one
 * after the other. Created with O_EXCL; a lock older than `staleMs` was left by a crashed build and is taken
 * over. The baseline itself is always replaced by a rename, so even two holders could only lose a merge.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, linkSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { describeFsError } from './fsError';

/** How long to wait for a lock held by another build, and when a lock counts as left behind, in ms. */
export interface LockOptions {
  waitMs: number;
  staleMs: number;
}

export const DEFAULT_LOCK: LockOptions = { waitMs: 5_000, staleMs: 30_000 };

const pause = new Int32Array(new SharedArrayBuffer(4));

/** Blocks this thread for `ms` (the state API is synchronous, and its waits are short and bounded). */
export function sleep(ms: number): void {
  Atomics.wait(pause, 0, 0, ms);
}

/** Takes the lock at `path`: its token to release it with, or why it could not be had in time (a clause). */
export function acquireLock(path: string, options: LockOptions): { token: string } | { problem: string } {
  const token = `${process.pid}@${hostname()} ${randomUUID()}`;
  const deadline = Date.now() + options.waitMs;
  // Bounded too: with a file server's clock far behind, every fresh lock would look stale.
  for (let takeovers = 0; ; ) {
    const created = createLock(path, token);
    if (created === true) return { token };
    if (created !== 'busy') return { problem: `the lock ${path} cannot be created: ${created}` };
    if (takeovers < 100 && takeOverStale(path, options.staleMs)) {
      takeovers++;
      continue;
    }
    const left = deadline - Date.now();
    if (left <= 0) return { problem: `another build held the lock ${path} for over ${options.waitMs / 1000} s` };
    sleep(Math.min(left, 5 + Math.random() * 20));
  }
}

/** Removes the lock at `path` if it is still the one `token` took (a lock taken over as stale is left alone). */
export function releaseLock(path: string, token: string): void {
  try {
    if (readFileSync(path, 'utf8') === token) unlinkSync(path);
  } catch {
    // Gone already, or taken over: either way not ours to remove.
  }
}

/** True when the lock was created, 'busy' when another holds it, else why it cannot be created. */
function createLock(path: string, token: string): true | 'busy' | string {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // Windows refuses to open a file that another process is deleting with EPERM.
    return code === 'EEXIST' || (code === 'EPERM' && process.platform === 'win32') ? 'busy' : describeFsError(e);
  }
  try {
    writeSync(fd, token);
    return true;
  } catch (e) {
    unlinkQuietly(path);
    return describeFsError(e);
  } finally {
    closeSync(fd);
  }
}

/**
 * Moves a stale lock aside (a rename, so only one builder wins it) and deletes it; true when the lock is gone
 * or changed and creating it is worth another try at once.
 */
function takeOverStale(path: string, staleMs: number): boolean {
  if (!isStale(path, staleMs)) return false;
  const aside = `${path}.${randomUUID()}.stale`;
  try {
    renameSync(path, aside);
  } catch (e) {
    // ENOENT: another builder moved it first, so try again; anything else: wait for the holder as usual.
    return (e as NodeJS.ErrnoException).code === 'ENOENT';
  }
  // Between the check and the rename another builder may have taken over and locked afresh: put that back.
  if (!isStale(aside, staleMs)) {
    try {
      linkSync(aside, path);
    } catch {
      // A third builder holds the lock by now; the rename-based write still keeps the file whole.
    }
  }
  unlinkQuietly(aside);
  return true;
}

function isStale(path: string, staleMs: number): boolean {
  try {
    return statSync(path).mtimeMs < Date.now() - staleMs;
  } catch {
    return false;
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}
