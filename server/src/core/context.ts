/**
 * The build context as plain data, filled by the scanner in server/src/context/ and read by the pure core
 * to size COPY/ADD layers and fingerprint them for cache prediction.
 */

/** One path in the build context, as lstat saw it. */
export interface ContextEntry {
  /** Relative to the context root, `/`-separated, no leading `./` (the root itself is not listed). */
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'other';
  /** Bytes of a regular file; the target's length for a symlink; 0 otherwise. */
  size: number;
  /** Permission bits (mode & 0o7777). */
  mode: number;
  /** The link text of a symlink. */
  linkTarget?: string;
  /** sha256 (hex) of a regular file's content; undefined until hashed or when it could not be read. */
  hash?: string;
  /** Why the entry could not be read (permission denied, vanished during the scan, ...). */
  error?: string;
  /** A regular file's `dev:ino:size:mtime:ctime` when scanned (times to the nanosecond): the fingerprint cache key (scanner-internal). */
  stamp?: string;
}

/** What a local archive holds once ADD extracts it. */
export interface ArchiveInfo {
  /** Uncompressed bytes of the regular files it extracts, or null when unreadable. */
  bytes: number | null;
  /**
   * Bytes of the link texts of its symlinks and hard links: the legacy builder's layer counts them, BuildKit's
   * does not (measured, as for symlinks in the context). Absent: none.
   */
  linkBytes?: number;
  entries: number;
  error?: string;
}

/** A scanned build context. Maps are keyed by ContextEntry.path. */
export interface ContextIndex {
  /** Absolute path of the context root, for messages only. */
  root: string;
  entries: Map<string, ContextEntry>;
  /** The ignore file that applies (`<Dockerfile>.dockerignore` or `.dockerignore`) and its text, or null. */
  ignoreFile: { name: string; text: string } | null;
  /** Archives among the files (content detected as tar, plain or compressed), by path. */
  archives: Map<string, ArchiveInfo>;
  /** Why the scan stopped early or never ran (file limit, cancelled, refused root, failed), for a message. */
  incomplete?: string;
  /**
   * With `incomplete`: the entries are real but only part of the context (the limit, a cancelled walk), so
   * sizes are lower bounds. Without it an incomplete index measured nothing, and sizes are unknown.
   */
  partial?: true;
  /** Problems met while scanning (symlink loops, unreadable folders), for hovers and diagnostics. */
  problems: Array<{ path: string; message: string }>;
  /**
   * This index is `from` with only the contents or modes of the files at `paths` changed (no path added,
   * removed or of another type, the ignore file the same): what was derived from `from` can be patched.
   */
  delta?: { from: ContextIndex; paths: string[] };
}

/**
 * When a file last changed, in ms, from the stamp hashing left (`dev:ino:size:mtime:ctime`): the later of its
 * modification and status-change times (a chmod changes only the latter); null when not stamped.
 */
export function entryMtime(entry: ContextEntry | undefined): number | null {
  const parts = entry?.stamp?.split(':') ?? [];
  const times = [Number(parts[3]), Number(parts[4])].filter(Number.isFinite);
  return times.length === 0 ? null : Math.max(...times);
}
