/**
 * An image's filesystem as data, for comparing two images file by file: `docker create` a container,
 * stream `docker export` through tar-stream, and keep per path its type, mode, owner, and content hash
 * (or link target). Modification times are left out on purpose.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as tar from 'tar-stream';
import { runProcess, type TestEngine } from './docker';

/** One path of an exported filesystem. */
export interface FsEntry {
  type: string;
  mode: number;
  uid: number;
  gid: number;
  /** sha256 of a regular file's content, the target of a link, or '' for anything else. */
  content: string;
  size: number;
}

/** Reads the filesystem of `image`, path (absolute, no trailing slash) -> entry. */
export async function exportFilesystem(engine: TestEngine, image: string): Promise<Map<string, FsEntry>> {
  const created = await runProcess(engine.cli, ['create', image, '/bin/sh'], engine.env);
  if (created.code !== 0) throw new Error(`docker create ${image} failed: ${created.stderr}`);
  const id = created.stdout.trim();
  try {
    return await readExport(engine, id);
  } finally {
    await runProcess(engine.cli, ['rm', '-f', id], engine.env);
  }
}

function readExport(engine: TestEngine, container: string): Promise<Map<string, FsEntry>> {
  return new Promise((resolve, reject) => {
    const entries = new Map<string, FsEntry>();
    const child = spawn(engine.cli, ['export', container], { env: engine.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const extract = tar.extract();
    extract.on('entry', (header, stream, next) => {
      const hash = createHash('sha256');
      stream.on('data', (chunk: unknown) => { hash.update(chunk as Buffer); });
      stream.on('end', () => {
        const name = '/' + header.name.replace(/^\.?\/+/, '').replace(/\/+$/, '');
        const content = header.type === 'file' ? hash.digest('hex') : header.linkname ?? '';
        entries.set(name === '/' ? '/' : name, { type: header.type ?? 'file', mode: header.mode ?? 0, uid: header.uid ?? 0, gid: header.gid ?? 0, content, size: header.size ?? 0 });
        next();
      });
      stream.resume();
    });
    extract.on('finish', () => resolve(entries));
    extract.on('error', reject);
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`docker export ${container} failed (exit ${code}): ${stderr}`));
    });
    child.stdout.pipe(extract);
  });
}

/** Paths whose entries differ between two filesystems (present in one only, or different type/mode/owner/content). */
export function differingPaths(a: Map<string, FsEntry>, b: Map<string, FsEntry>): string[] {
  const out: string[] = [];
  for (const [p, e] of a) {
    const f = b.get(p);
    if (f === undefined || !sameEntry(e, f)) out.push(p);
  }
  for (const p of b.keys()) if (!a.has(p)) out.push(p);
  return out.sort();
}

function sameEntry(e: FsEntry, f: FsEntry): boolean {
  return e.type === f.type && e.mode === f.mode && e.uid === f.uid && e.gid === f.gid && e.content === f.content;
}

/** Describes how an entry differs, for assertion messages. */
export function describeDifference(p: string, a: Map<string, FsEntry>, b: Map<string, FsEntry>): string {
  const show = (e: FsEntry | undefined): string => (e === undefined ? 'absent' : `${e.type} ${e.mode.toString(8)} ${e.uid}:${e.gid} ${e.content.slice(0, 16)}`);
  return `${p}: ${show(a.get(p))} -> ${show(b.get(p))}`;
}
