/**
 * Walks a build context with lstat, as the builder's file sender does: symlinks are recorded as links and
 * never followed, FIFOs and sockets are `other`, unreadable folders carry an error. The walk is split into
 * one task per folder so that several worker threads can list folders at once (see engine.ts); the same
 * walk runs in-process for the CLI and tests.
 */
import { lstatSync, readdirSync, readlinkSync, readFileSync, statSync, type Stats } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { ContextEntry, ContextIndex } from '../core/context';
import { tallyOf } from './tally';
import type { Builder } from '../core/types';

/** Type codes in DirListing.stats. */
const TYPE_CODES = ['file', 'dir', 'symlink', 'other'] as const;
/** Numbers per entry in DirListing.stats: type, size, mode, dev, ino, mtimeMs, ctimeMs. */
export const STAT_WIDTH = 7;

/** One folder's entries in a compact form that crosses thread boundaries cheaply. */
export interface DirListing {
  /** The folder, relative to the root ('' for the root). */
  dir: string;
  names: string[];
  /** STAT_WIDTH numbers per name; a type code of -1 means the entry vanished before lstat. */
  stats: Float64Array;
  /** The fingerprint stamp per name (regular files only, else ''), made here so that the caller's thread does not. */
  stamps: string[];
  /** Link text per symlink name, and what following it finds (loops, dangling, outside the context). */
  links: Record<string, { target: string; problem?: string }>;
  /** Set when the folder itself could not be listed. */
  error?: string;
}

/** Lists one folder of the context with lstat (sync: it runs in a worker thread or a short CLI run). */
export function listDirectory(root: string, dir: string): DirListing {
  let names: string[];
  try {
    names = readdirSync(dir === '' ? root : join(root, dir));
  } catch (e) {
    return { dir, names: [], stats: new Float64Array(0), stamps: [], links: {}, error: describeError(e) };
  }
  return statNames(root, dir, names);
}

/** lstat of single paths (relative to the root), for changes the editor reported. */
export function statPaths(root: string, paths: string[]): DirListing {
  return statNames(root, '', paths);
}

function statNames(root: string, dir: string, names: string[]): DirListing {
  const abs = dir === '' ? root : join(root, dir);
  const stats = new Float64Array(names.length * STAT_WIDTH);
  const stamps = new Array<string>(names.length).fill('');
  const links: DirListing['links'] = {};
  names.forEach((name, i) => {
    // Plain concatenation: names from readdir need no normalizing, and path.join showed in profiles.
    const path = `${abs}${sep}${name}`;
    const st = lstatSync(path, { throwIfNoEntry: false });
    if (st === undefined) {
      stats[i * STAT_WIDTH] = -1;
      return;
    }
    const o = i * STAT_WIDTH;
    stats[o] = typeCode(st);
    stats[o + 1] = st.size;
    stats[o + 2] = st.mode & 0o7777;
    stats[o + 3] = st.dev;
    stats[o + 4] = st.ino;
    stats[o + 5] = st.mtimeMs;
    stats[o + 6] = st.ctimeMs;
    if (stats[o] === 0) stamps[i] = stampOf(st);
    if (st.isSymbolicLink()) links[name] = describeLink(root, path);
  });
  return { dir, names, stats, stamps, links };
}

/**
 * A regular file's fingerprint stamp, `dev:ino:size:mtimeMs:ctimeMs`. Plain numbers, not BigInt stats: lstat
 * with BigInts and their text took about a quarter longer per file, and the times keep well under a
 * microsecond (a change within the same tick is caught by the racy-file rule in hashIndex.ts, and by ctime
 * and size).
 */
export function stampOf(st: Stats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
}

function typeCode(st: Stats): number {
  if (st.isFile()) return 0;
  if (st.isDirectory()) return 1;
  return st.isSymbolicLink() ? 2 : 3;
}

/** The link text, plus why following it would fail or leave the context (the builder copies the link itself). */
export function describeLink(root: string, path: string): { target: string; problem?: string } {
  let target: string;
  try {
    target = readlinkSync(path);
  } catch (e) {
    return { target: '', problem: `could not read the link: ${describeError(e)}` };
  }
  try {
    statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return { target, problem: `symlink loop (-> ${target}): the builder copies the link itself, but nothing can follow it` };
    if (code === 'ENOENT') return { target, problem: `dangling symlink (-> ${target}): the builder copies the link, its target does not exist` };
    return { target, problem: `cannot follow the symlink (-> ${target}): ${describeError(e)}` };
  }
  const resolved = resolve(dirname(path), target);
  if (resolved !== root && !resolved.startsWith(root + sep)) {
    return { target, problem: `symlink to ${target}, outside the build context: the builder copies the link, not the file it points to` };
  }
  return { target };
}

/** A short message for an fs error: `permission denied`, `no such file`, or the error text. */
export function describeError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOENT') return 'vanished during the scan';
  return e instanceof Error ? e.message : String(e);
}

export interface WalkOptions {
  /** Stop after this many files (entries other than folders), or this many folders, and mark the index partial. */
  limit: number;
  signal?: AbortSignal;
  /** Folders listed at once (worker threads); 1 in-process. */
  concurrency?: number;
}

/** Why a folder must not be scanned as a build context, or null when it may be. */
export function refuseRoot(root: string): string | null {
  const abs = resolve(root);
  if (abs === resolve('/')) return `The build context is ${abs}, the whole file system: not scanned. Set dockerfileLayers.buildContexts or pass --context.`;
  if (abs === resolve(homedir())) return `The build context is your home folder (${abs}): not scanned, the build would send all of it. Set dockerfileLayers.buildContexts or pass --context.`;
  return null;
}

/** Walks `root` folder by folder with `list` (which may run in another thread) into a ContextIndex; never throws for fs errors. */
export async function walkContext(root: string, options: WalkOptions, list: (dir: string) => Promise<DirListing>): Promise<ContextIndex> {
  const index: ContextIndex = { root, entries: new Map(), ignoreFile: null, archives: new Map(), problems: [] };
  const refused = refuseRoot(root);
  if (refused) return { ...index, incomplete: refused };
  await walkInto(index, [''], options, list);
  return index;
}

/** Lists the queued folders and everything below them into `index`, `options.concurrency` folders at once. */
export function walkInto(index: ContextIndex, queue: string[], options: WalkOptions, list: (dir: string) => Promise<DirListing>): Promise<void> {
  let running = 0;
  return new Promise<void>((done, fail) => {
    const pump = (): void => {
      if (options.signal?.aborted) stopPartial(index, 'The scan was cancelled.');
      while (!index.incomplete && queue.length > 0 && running < (options.concurrency ?? 1)) {
        running++;
        list(queue.pop()!).then((listing) => {
          running--;
          addListing(index, listing, queue, options.limit);
          pump();
        }, fail);
      }
      if (running === 0 && (queue.length === 0 || index.incomplete)) done();
    };
    pump();
  });
}

/** Marks the index as stopped part way: what it lists is real, so sizes from it are lower bounds. */
export function stopPartial(index: ContextIndex, message: string): void {
  index.incomplete = message;
  index.partial = true;
}

/**
 * Adds one folder's entries to the index and queues its subfolders; stops with a message once `limit` files
 * (entries other than folders) or `limit` folders are listed. Folders are counted apart so that a tree with a
 * folder per file fits as well as a flat one, and bounded too, since each costs memory like a file.
 */
export function addListing(index: ContextIndex, listing: DirListing, queue: string[], limit: number): void {
  if (listing.error) {
    index.problems.push({ path: listing.dir || '.', message: `cannot list this folder: ${listing.error}; the build would fail here` });
    const entry = index.entries.get(listing.dir);
    if (entry) entry.error = listing.error;
    // Nothing of an unlistable root is known: its sizes are unknown, not 0 B.
    if (listing.dir === '') index.incomplete ??= `The build context ${index.root} cannot be listed (${listing.error}): nothing in it was measured.`;
  }
  const { names, stats } = listing;
  const tally = tallyOf(index);
  for (let i = 0; i < names.length; i++) {
    // An integer, not the double from the array: indexing TYPE_CODES with a double took a slow path in profiles.
    const code = stats[i * STAT_WIDTH] | 0;
    if (code < 0) continue;
    if ((code === 1 ? tally.folders : tally.files) >= limit) {
      const what = code === 1 ? 'folders' : 'files';
      stopPartial(index, `The build context has more than ${limit.toLocaleString('en-US')} ${what}; the scan stopped there, so sizes are lower bounds. Add a .dockerignore or raise dockerfileLayers.context.maxFiles (--max-files; it bounds files and folders each).`);
      return;
    }
    const path = listing.dir === '' ? names[i] : `${listing.dir}/${names[i]}`;
    const entry = toEntry(path, code, stats, i, listing.stamps[i]);
    // Only symlinks have link details; looking every name up in `links` cost a third of this loop.
    const link = code === 2 ? listing.links[names[i]] : undefined;
    if (link) {
      entry.linkTarget = link.target;
      if (link.problem) index.problems.push({ path, message: link.problem });
    }
    if (code === 3) index.problems.push({ path, message: 'a FIFO, socket or device: the builder cannot send it, the build would fail if a COPY includes it' });
    const before = index.entries.size;
    index.entries.set(path, entry);
    if (index.entries.size > before && code === 1) tally.folders++;
    else if (index.entries.size > before) tally.files++;
    if (code === 1) queue.push(path);
  }
}

/**
 * A whole number read from a Float64Array as a small integer where it fits: V8 keeps a double in an object
 * field in a heap box of its own, and sizes and modes took 13 MB of boxes for 100,000 files in as many folders.
 */
function smallInteger(n: number): number {
  return n < 0x40000000 ? n | 0 : n;
}

function toEntry(path: string, code: number, stats: Float64Array, i: number, stamp: string): ContextEntry {
  const o = i * STAT_WIDTH;
  const type = TYPE_CODES[code];
  const entry: ContextEntry = { path, type, size: code === 1 || code === 3 ? 0 : smallInteger(stats[o + 1]), mode: stats[o + 2] | 0 };
  if (code === 0 && stamp !== '') entry.stamp = stamp;
  return entry;
}

/** Scans `root` in this thread, for the CLI and tests; the language server uses ContextEngine instead. */
export function scanContext(root: string, options: WalkOptions): Promise<ContextIndex> {
  const abs = resolve(root);
  return walkContext(abs, { ...options, concurrency: 1 }, async (dir) => {
    // Yield between folders so that an abort signal can be seen.
    await new Promise((r) => setImmediate(r));
    return listDirectory(abs, dir);
  });
}

/**
 * The ignore file the builder applies: BuildKit prefers `<Dockerfile>.dockerignore` beside the Dockerfile,
 * then the context's `.dockerignore`; the legacy builder reads only the context's `.dockerignore`.
 */
export function readIgnoreFile(root: string, dockerfile: string, builder: Builder): ContextIndex['ignoreFile'] {
  const candidates = builder === 'buildkit' ? [`${resolve(dockerfile)}.dockerignore`, join(root, '.dockerignore')] : [join(root, '.dockerignore')];
  for (const path of candidates) {
    try {
      return { name: basename(path), text: readFileSync(path, 'utf8') };
    } catch {
      // Not there or unreadable: the next candidate, then none.
    }
  }
  return null;
}
