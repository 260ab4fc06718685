/**
 * Worker thread entry (bundled as dist/contextWorker.js): lists folders, stats changed paths and hashes
 * files, so that the language server's main thread never waits on the disk. Stateless: every task carries
 * what it needs, so a task can go to any worker and a cancelled scan simply sends no more tasks.
 */
import { parentPort } from 'node:worker_threads';
import { join } from 'node:path';
import type { ArchiveInfo } from '../core/context';
import { inspectArchive } from './archive';
import { hashFile, type FileHash } from './hashIndex';
import { listDirectory, statPaths, type DirListing } from './scan';

/** A task for a worker; `id` matches the reply. */
export type WorkerTask =
  | { id: number; op: 'list'; root: string; dir: string }
  | { id: number; op: 'stat'; root: string; paths: string[] }
  /** Each file with the stamp the scan saw, or '' and its size when the scan took no stamp. */
  | { id: number; op: 'hash'; root: string; files: Array<[path: string, stamp: string, size: number]> };

/** What hashing one file found, with what ADD would extract when it is an archive (null: not a tar). */
export type HashResult = FileHash & { archiveInfo?: ArchiveInfo | null };

export type WorkerReply =
  | { id: number; listing: DirListing }
  | { id: number; hashes: HashResult[] }
  | { id: number; error: string };

async function run(task: WorkerTask): Promise<WorkerReply> {
  if (task.op === 'list') return { id: task.id, listing: listDirectory(task.root, task.dir) };
  if (task.op === 'stat') return { id: task.id, listing: statPaths(task.root, task.paths) };
  const hashes: HashResult[] = [];
  for (const [path, stamp, size] of task.files) {
    const abs = join(task.root, path);
    const result: HashResult = hashFile(abs, stamp === '' ? { size } : stamp);
    if (result.archive) result.archiveInfo = await inspectArchive(abs, result.archive);
    hashes.push(result);
  }
  return { id: task.id, hashes };
}

parentPort?.on('message', (task: WorkerTask) => {
  run(task).then(
    (reply) => parentPort!.postMessage(reply, 'listing' in reply ? [reply.listing.stats.buffer as ArrayBuffer] : []),
    (e: unknown) => parentPort!.postMessage({ id: task.id, error: e instanceof Error ? e.message : String(e) }),
  );
});
