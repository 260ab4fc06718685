/**
 * The build-context engine on the caller's thread: keeps one ContextIndex and one HashIndex per context
 * root and hands the disk work (listing folders, stat, hashing) to a small pool of worker threads.
 * Full scans list several folders at once; changes the editor reports re-read only the changed paths.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ContextEntry, ContextIndex } from '../core/context';
import { scanWithFind } from './findLister';
import { HashIndex } from './hashIndex';
import { addListing, STAT_WIDTH, stopPartial, walkContext, walkInto, type DirListing } from './scan';
import { deleteEntry } from './tally';
import type { HashResult, WorkerReply, WorkerTask } from './worker';

/** Files per hashing task, and bytes: small enough that cancelling is quick, large enough to keep workers busy. */
const BATCH_FILES = 64;
const BATCH_BYTES = 8 << 20;
/** Files per stat task of the fingerprint pass. */
const STAT_BATCH = 2048;
/** Workers with nothing to do for this long are ended: a language server is idle most of the time. */
const IDLE_MS = 5000;

type Task = WorkerTask extends infer T ? (T extends WorkerTask ? Omit<T, 'id'> : never) : never;

/** Worker threads with a task queue each; a task goes to the least busy worker. */
class WorkerPool {
  private readonly workers: Array<{ worker: Worker; busy: number }> = [];
  private readonly waiting = new Map<number, { resolve: (r: WorkerReply) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly size: number, private readonly script: string) {}

  run(task: Task): Promise<WorkerReply> {
    clearTimeout(this.idleTimer);
    const slot = this.pick();
    const id = this.nextId++;
    slot.busy++;
    return new Promise<WorkerReply>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      slot.worker.postMessage({ ...task, id });
    }).finally(() => {
      slot.busy--;
      if (this.waiting.size === 0) this.idleTimer = setTimeout(() => void this.close(), IDLE_MS).unref();
    });
  }

  private pick(): { worker: Worker; busy: number } {
    // An idle worker before a new one: starting one takes about 60 ms, and a scan keeps only one (see scan).
    const idle = this.workers.find((w) => w.busy === 0);
    if (idle) return idle;
    if (this.workers.length < this.size) {
      // A small young generation: the worker keeps little, and this measured about 7 MB less resident memory per worker.
      const worker = new Worker(this.script, { resourceLimits: { maxYoungGenerationSizeMb: 4 } });
      worker.unref();
      worker.on('message', (reply: WorkerReply) => {
        const w = this.waiting.get(reply.id);
        this.waiting.delete(reply.id);
        if (w) ('error' in reply ? w.reject(new Error(reply.error)) : w.resolve(reply));
      });
      worker.on('error', (e) => this.failAll(e));
      const slot = { worker, busy: 0 };
      this.workers.push(slot);
      return slot;
    }
    return this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
  }

  private failAll(e: Error): void {
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }

  /** Ends all but `keep` workers now unless a task is under way (the idle timer ends the rest later). */
  async shrinkTo(keep: number): Promise<void> {
    if (this.waiting.size > 0) return;
    await Promise.all(this.workers.splice(keep).map((w) => w.worker.terminate()));
  }

  /** Ends the workers (idle ones hold about 30 MB each); the next task starts new ones. */
  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    await Promise.all(this.workers.splice(0).map((w) => w.worker.terminate()));
  }

  get parallelism(): number {
    return this.size;
  }
}

export interface EngineScanOptions {
  /** At most this many files (entries other than folders) and as many folders; the index says so when there are more. */
  limit: number;
  /** Also fingerprint every file (reads only files whose stamp is new). */
  hash: boolean;
  signal?: AbortSignal;
  /** Called once the sizes are known, before hashing starts. */
  onSizes?: (index: ContextIndex) => void;
}

/** The worker script: bundled beside the server as contextWorker.js, or compiled beside this file as worker.js. */
function defaultScript(): string {
  const bundled = join(__dirname, 'contextWorker.js');
  return existsSync(bundled) ? bundled : join(__dirname, 'worker.js');
}

/** Scans and keeps build contexts up to date; one instance per server. */
export class ContextEngine {
  private readonly pool: WorkerPool;
  private readonly roots = new Map<string, { index: ContextIndex; hashes: HashIndex; limit: number }>();
  private readonly lister: 'find' | 'js';

  /** `lister`: 'find' (the default) uses GNU find where there is one and the JS walker elsewhere; 'js' always walks with JS. */
  constructor(options: { workers?: number; script?: string; lister?: 'find' | 'js' } = {}) {
    this.pool = new WorkerPool(options.workers ?? Math.min(2, availableParallelism()), options.script ?? defaultScript());
    this.lister = options.lister ?? 'find';
  }

  /** Scans `root` (absolute) from scratch, reusing remembered fingerprints; the result is also kept for `refresh`. */
  async scan(root: string, options: EngineScanOptions): Promise<ContextIndex> {
    const hashes = this.roots.get(root)?.hashes ?? new HashIndex();
    const list = (dir: string): Promise<DirListing> => this.pool.run({ op: 'list', root, dir }).then(listingOf);
    const walk = { limit: options.limit, signal: options.signal, concurrency: this.pool.parallelism * 2 };
    const index = (this.lister === 'find' ? await scanWithFind(root, walk, list) : null) ?? (await walkContext(root, walk, list));
    options.onSizes?.(index);
    if (options.hash) {
      // Remembered fingerprints are found by stamp; with none remembered, hashing takes each file's stamp itself.
      if (hashes.size > 0) await this.stampFiles(root, index, options.signal);
      await this.hashFiles(root, index, hashes.fill(index.entries.values(), index.archives), hashes, options.signal);
    }
    if (hashes.size > 0) hashes.retain(index.entries.values());
    if (options.signal?.aborted) return index;
    this.roots.set(root, { index, hashes, limit: options.limit });
    // Files that changed between the walk and the read are read once more, now that they have settled.
    const moved = [...index.entries.values()].filter((e) => e.error !== undefined && CHANGED.test(e.error)).map((e) => e.path);
    const result = moved.length > 0 ? await this.refresh(root, moved, options.signal) : index;
    // Each idle worker holds about 30 MB: after a full scan one stays for the changes that follow (a new one
    // takes about 60 ms to start), the others end, until IDLE_MS ends that one too.
    await this.pool.shrinkTo(1);
    return result;
  }

  /** Re-reads only `paths` (relative to `root`, `/`-separated) after the editor reported changes; updates the kept index in place. */
  async refresh(root: string, paths: string[], signal?: AbortSignal): Promise<ContextIndex> {
    const state = this.roots.get(root);
    if (!state) throw new Error(`No scan of ${root} to refresh.`);
    const { index, hashes, limit } = state;
    const listing = listingOf(await this.pool.run({ op: 'stat', root, paths }));
    const wasKnown = new Set(paths.filter((p) => index.entries.has(p)));
    paths.forEach((p, i) => forgetPath(index, p, listing, i));
    const queue: string[] = [];
    addListing(index, listing, queue, limit);
    const list = (dir: string): Promise<DirListing> => this.pool.run({ op: 'list', root, dir }).then(listingOf);
    await walkInto(index, queue.filter((dir) => !wasKnown.has(dir)), { limit, signal, concurrency: this.pool.parallelism }, list);
    const touched = paths.map((p) => index.entries.get(p)).filter((e): e is ContextEntry => e !== undefined);
    await this.hashFiles(root, index, hashes.fill(touched, index.archives), hashes, signal);
    return index;
  }

  /** The kept index of `root`, if it was scanned. */
  indexOf(root: string): ContextIndex | undefined {
    return this.roots.get(root)?.index;
  }

  /** Drops a root's index and fingerprints (no open Dockerfile uses it any more). */
  forget(root: string): void {
    this.roots.delete(root);
  }

  /** Forgets every remembered fingerprint, so that the next scan reads every file (for benchmarks). */
  forgetHashes(): void {
    for (const state of this.roots.values()) state.hashes.clear();
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  /**
   * Gives every regular file without a stamp (find lists none) its stamp from an lstat in the workers, before
   * the remembered fingerprints are looked up. A file whose type or size is no longer what the scan saw gets
   * an error that makes `scan` read it again.
   */
  private async stampFiles(root: string, index: ContextIndex, signal?: AbortSignal): Promise<void> {
    const files: ContextEntry[] = [];
    for (const e of index.entries.values()) if (e.type === 'file' && e.stamp === undefined) files.push(e);
    const batches = Array.from({ length: Math.ceil(files.length / STAT_BATCH) }, (_, k) => files.slice(k * STAT_BATCH, (k + 1) * STAT_BATCH));
    await eachBatch(batches, this.pool.parallelism, signal, async (part) => {
      const listing = listingOf(await this.pool.run({ op: 'stat', root, paths: part.map((e) => e.path) }));
      part.forEach((e, i) => {
        const o = i * STAT_WIDTH;
        if (listing.stats[o] !== 0 || listing.stats[o + 1] !== e.size) e.error = 'changed during the scan';
        else e.stamp = listing.stamps[i];
      });
    });
  }

  private async hashFiles(root: string, index: ContextIndex, files: ContextEntry[], hashes: HashIndex, signal?: AbortSignal): Promise<void> {
    await eachBatch(batch(files), this.pool.parallelism * 2, signal, async (b) => {
      const reply = await this.pool.run({ op: 'hash', root, files: b.map((e) => [e.path, e.stamp ?? '', e.size]) });
      const results: HashResult[] = 'hashes' in reply ? reply.hashes : [];
      b.forEach((e, i) => results[i] && recordHash(index, hashes, e, results[i]));
    });
    // The sizes are all there; `partial` only makes them read as lower bounds, which they still are.
    if (signal?.aborted && !index.incomplete) stopPartial(index, 'Fingerprinting was cancelled: cache predictions may miss changes.');
  }
}

/** Runs `work` on the batches, `lanes` at a time, until all are done or `signal` aborts. */
async function eachBatch<T>(batches: T[][], lanes: number, signal: AbortSignal | undefined, work: (batch: T[]) => Promise<void>): Promise<void> {
  const lane = async (): Promise<void> => {
    for (let b = batches.pop(); b && !signal?.aborted; b = batches.pop()) await work(b);
  };
  await Promise.all(Array.from({ length: lanes }, lane));
}

/** Errors of files that changed under the scan: read again rather than reported. */
const CHANGED = /^(changed|replaced|vanished)/;

function recordHash(index: ContextIndex, hashes: HashIndex, entry: ContextEntry, result: HashResult): void {
  hashes.record(entry, result, index.archives);
  if (result.error && !CHANGED.test(result.error)) {
    index.problems.push({ path: entry.path, message: `cannot read this file (${result.error}): the build fails if a COPY or ADD includes it` });
  }
}

function listingOf(reply: WorkerReply): DirListing {
  if (!('listing' in reply)) throw new Error('The context worker sent no listing.');
  return reply.listing;
}

/** Splits files into hashing tasks of at most BATCH_FILES files or BATCH_BYTES bytes. */
function batch(files: ContextEntry[]): ContextEntry[][] {
  const out: ContextEntry[][] = [];
  let current: ContextEntry[] = [];
  let bytes = 0;
  for (const f of files) {
    if (current.length >= BATCH_FILES || (bytes + f.size > BATCH_BYTES && current.length > 0)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(f);
    bytes += f.size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** Removes what the index says about a changed path; a path that is gone or no longer a folder loses its subtree too. */
function forgetPath(index: ContextIndex, path: string, listing: DirListing, i: number): void {
  const before = index.entries.get(path);
  const nowDir = listing.stats[i * STAT_WIDTH] === 1;
  deleteEntry(index, path);
  const prefix = `${path}/`;
  index.problems = index.problems.filter((p) => p.path !== path && !(before?.type === 'dir' && !nowDir && p.path.startsWith(prefix)));
  if (before?.type !== 'dir' || nowDir) return;
  for (const key of index.entries.keys()) if (key.startsWith(prefix)) deleteEntry(index, key);
  for (const key of index.archives.keys()) if (key.startsWith(prefix)) index.archives.delete(key);
}
