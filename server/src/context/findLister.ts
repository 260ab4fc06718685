/**
 * A fast lister for Linux: GNU find walks the context in C and prints every entry's lstat fields. Node's own
 * readdir+lstat walk was 2x `du` before any indexing work (a Stats object and a thread hop per entry); find is
 * about 1.3x and its output is parsed while it runs. The parsed rows go through the same `addListing` as the
 * JS walker, and whatever find cannot list cleanly is left to the JS walker, so the index comes out the same.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, readdirSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve, sep } from 'node:path';
import type { ContextIndex } from '../core/context';
import { addListing, describeLink, refuseRoot, STAT_WIDTH, stopPartial, walkInto, type DirListing, type WalkOptions } from './scan';

/**
 * One record per entry, NUL-terminated: type, permission bits, size and the path last (with `./` before it,
 * find runs in the root), since only NUL cannot occur in it. No fingerprint stamp: its fields (`%D:%i`,
 * `%T@:%C@`) were about a fifth of find's run time, and only hashing needs stamps, which it takes itself.
 */
const FORMAT = '%y\\t%m\\t%s\\t%p\\0';
/** Folders this user cannot list are printed with the type `U` and pruned: the JS walker lists them, so their error reads the same. */
const UNLISTABLE = `U${FORMAT.slice(2)}`;
/** Entries handed to addListing at once. */
const BATCH = 4096;
const TAB = 9;

let gnuFind: Promise<string | null> | undefined;

/** The absolute path of GNU find on Linux (it has -printf and -readable), or null; asked once per process. */
export function gnuFindPath(): Promise<string | null> {
  gnuFind ??= new Promise((resolve) => {
    const path = process.platform === 'linux' ? findOnPath() : null;
    if (path === null) return resolve(null);
    execFile(path, ['--version'], { env: findEnv(), timeout: 5000 }, (e, out) => resolve(!e && /GNU findutils/.test(String(out)) ? path : null));
  });
  return gnuFind;
}

/** Only absolute PATH folders: a relative one would resolve against the workspace, whose files are never run. */
function findOnPath(): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!isAbsolute(dir)) continue;
    try {
      accessSync(join(dir, 'find'), constants.X_OK);
      return join(dir, 'find');
    } catch {
      // Not in this folder: the next one.
    }
  }
  return null;
}

/** The C locale, and no POSIXLY_CORRECT, so that the output has one fixed form. */
function findEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C' };
  delete env.POSIXLY_CORRECT;
  return env;
}

/**
 * Scans `root` (absolute) with GNU find into a ContextIndex, the same one walkContext would make, with up to
 * `options.concurrency` find processes on disjoint parts of the tree; `list` lists the folders find pruned.
 * Resolves to null when find is missing, not GNU, or reported any error (a folder that vanished or cannot
 * be listed, a file system loop): the caller then walks with JS, which reports them itself.
 */
export async function scanWithFind(root: string, options: WalkOptions, list: (dir: string) => Promise<DirListing>): Promise<ContextIndex | null> {
  const find = await gnuFindPath();
  if (find === null || !isAbsolute(root)) return null;
  const index: ContextIndex = { root, entries: new Map(), ignoreFile: null, archives: new Map(), problems: [] };
  const refused = refuseRoot(root);
  if (refused) return { ...index, incomplete: refused };
  const base = resolve(root);
  const groups = startGroups(base, options.concurrency ?? 1);
  if (groups === null) return null;
  const run: FindRun = { index, pruned: [], options, prefix: 2, failed: false, children: [] };
  await Promise.all(groups.map((starts) => runFind(find, base, starts, run)));
  if (run.failed) return null;
  await walkInto(index, run.pruned, options, list);
  return index;
}

/** What the find processes of one scan share. */
interface FindRun {
  index: ContextIndex;
  /** Folders find pruned because this user cannot list them. */
  pruned: string[];
  options: WalkOptions;
  /** Bytes before each printed path: find runs in the root and prints `./` first. */
  prefix: number;
  failed: boolean;
  children: ChildProcess[];
}

/**
 * The root's entries dealt round-robin into `count` groups of start points, one find each: several processes
 * get more of two busy cores than one, and du gets one. One group of the root itself when that cannot help or
 * a name is not UTF-8 (it could not be passed back to find); null when the root cannot be listed.
 */
function startGroups(root: string, count: number): string[][] | null {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return null;
  }
  if (count <= 1 || names.length < 2 || names.some((n) => n.includes('\uFFFD'))) return [[]];
  const groups = Array.from({ length: Math.min(count, names.length) }, (): string[] => []);
  // `./` first: relative to the root, where find runs, and never taken for an option when a name starts with `-`.
  names.forEach((name, i) => groups[i % groups.length].push(`./${name}`));
  return groups;
}

/** Runs one find (on `starts`, or on the root's entries when empty) and adds its rows to the index as they arrive. */
function runFind(find: string, root: string, starts: string[], run: FindRun): Promise<void> {
  const from = starts.length > 0 ? [...starts, '-mindepth', '0'] : ['.', '-mindepth', '1'];
  const args = [...from, '(', '-type', 'd', '!', '(', '-readable', '-executable', ')', '-printf', UNLISTABLE, '-prune', ')', '-o', '-printf', FORMAT];
  return new Promise((done) => {
    const child = spawn(find, args, { cwd: root, env: findEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    run.children.push(child);
    const rows = new RowParser(root, run);
    const stopAll = (): void => run.children.forEach((c) => c.kill());
    child.stdout.on('data', (chunk: Buffer) => {
      if (run.failed || run.index.incomplete) return;
      if (run.options.signal?.aborted) stopPartial(run.index, 'The scan was cancelled.');
      else rows.push(chunk);
      if (run.index.incomplete || rows.malformed) stopAll();
      if (rows.malformed) run.failed = true;
    });
    child.stderr.on('data', () => {
      run.failed = true;
      stopAll();
    });
    child.on('error', () => {
      run.failed = true;
      done();
    });
    child.on('close', (code) => {
      if (!run.failed && !run.index.incomplete) {
        rows.flush();
        if (code !== 0) run.failed = true;
      }
      done();
    });
  });
}

/** Parses find's records into batches of rows for addListing; keeps an incomplete record for the next chunk. */
class RowParser {
  /** Set when a record does not have the printed form: the caller then trusts none of it. */
  malformed = false;
  private rest: Buffer | null = null;
  private names: string[] = [];
  private stats = new Float64Array(BATCH * STAT_WIDTH);
  private stamps: string[] = [];
  private links: DirListing['links'] = {};

  constructor(private readonly root: string, private readonly run: FindRun) {}

  push(chunk: Buffer): void {
    const joined = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    const last = joined.lastIndexOf(0);
    this.rest = last + 1 < joined.length ? joined.subarray(last + 1) : null;
    if (last < 0) return;
    // One UTF-8 decode per chunk, not one per path: the per-path calls into C++ were most of a row's cost.
    const text = joined.toString('utf8', 0, last + 1);
    if (text.includes('\uFFFD')) this.bytes(joined.subarray(0, last + 1));
    else this.text(text);
    this.flush();
  }

  /** Rows from decoded text (all of it valid UTF-8). */
  private text(text: string): void {
    for (let start = 0, end = text.indexOf('\0'); end >= 0 && !this.run.index.incomplete && !this.malformed; start = end + 1, end = text.indexOf('\0', start)) {
      const tab2 = text.indexOf('\t', start + 2);
      const tab3 = tab2 < 0 ? -1 : text.indexOf('\t', tab2 + 1);
      if (text.charCodeAt(start + 1) !== TAB || tab3 < 0 || tab3 > end) {
        this.malformed = true;
        return;
      }
      this.add(text.charCodeAt(start), digits(text, start + 2, tab2, 8), digits(text, tab2 + 1, tab3, 10), text.slice(tab3 + 1 + this.run.prefix, end));
    }
  }

  /** Rows from raw bytes, for chunks with names that are not UTF-8. */
  private bytes(buf: Buffer): void {
    for (let start = 0, end = buf.indexOf(0); end >= 0 && !this.run.index.incomplete && !this.malformed; start = end + 1, end = buf.indexOf(0, start)) {
      const tab2 = buf.indexOf(TAB, start + 2);
      const tab3 = tab2 < 0 ? -1 : buf.indexOf(TAB, tab2 + 1);
      if (buf[start + 1] !== TAB || tab3 < 0 || tab3 > end) {
        this.malformed = true;
        return;
      }
      const path = buf.toString('utf8', tab3 + 1 + this.run.prefix, end);
      // Names that are not UTF-8 cannot be lstat'ed by their decoded form, so the JS walker never lists them either.
      if (path.includes('\uFFFD') && Buffer.byteLength(path) !== end - tab3 - 1 - this.run.prefix) continue;
      const field = buf.toString('latin1', start + 2, tab3);
      this.add(buf[start], digits(field, 0, tab2 - start - 2, 8), digits(field, tab2 - start - 1, field.length, 10), path);
    }
  }

  /** Hands the rows parsed so far to addListing. */
  flush(): void {
    if (this.names.length === 0 || this.run.index.incomplete) return;
    const listing: DirListing = { dir: '', names: this.names, stats: this.stats, stamps: this.stamps, links: this.links };
    const queue: string[] = [];
    addListing(this.run.index, listing, queue, this.run.options.limit);
    this.names = [];
    this.stamps = [];
    this.links = {};
  }

  /** One entry: find's type letter (as a char code), permission bits, size and path. */
  private add(kind: number, mode: number, size: number, path: string): void {
    if (mode < 0 || size < 0) {
      this.malformed = true;
      return;
    }
    const o = this.names.length * STAT_WIDTH;
    const code = kind === 0x66 ? 0 : kind === 0x64 || kind === 0x55 ? 1 : kind === 0x6c ? 2 : 3; // f, d or U, l, else other.
    this.stats[o] = code;
    this.stats[o + 1] = size;
    this.stats[o + 2] = mode;
    this.names.push(path);
    this.stamps.push('');
    if (code === 2) this.links[path] = describeLink(this.root, `${this.root}${sep}${path}`);
    if (kind === 0x55) this.run.pruned.push(path);
    if (this.names.length === BATCH) this.flush();
  }
}

/** The number in `text[from, to)` in base 8 or 10, or -1 when that is not all digits. */
function digits(text: string, from: number, to: number, base: 8 | 10): number {
  if (to <= from) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d >= base) return -1;
    n = n * base + d;
  }
  // Past 2^53 the digits are rounded once, as Node rounds the 64-bit size it gets from stat.
  return to - from > 15 ? Number(text.slice(from, to)) : n;
}
