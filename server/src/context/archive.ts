/**
 * Local archives that ADD extracts: detected by content (magic bytes), as the builder does, not by name;
 * measured by reading the tar headers with tar-stream after decompressing.
 * gzip uses node:zlib; bzip2 and xz use the system `bzip2`/`xz` in a child process with a timeout, because
 * no well-kept pure-JS decoder exists for them (the npm ones are unmaintained or native add-ons).
 */
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import type { ArchiveInfo } from '../core/context';

export type ArchiveKind = 'tar' | 'gzip' | 'bzip2' | 'xz';

const XZ_MAGIC = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);
const DECOMPRESSORS = { bzip2: 'bzip2', xz: 'xz' } as const;

/** The archive kind the first bytes of a file show, or undefined: a compressed file may still not hold a tar. */
export function sniffArchive(head: Uint8Array): ArchiveKind | undefined {
  const b = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) return 'gzip';
  if (b.length >= 3 && b.toString('latin1', 0, 3) === 'BZh') return 'bzip2';
  if (b.length >= 6 && b.subarray(0, 6).equals(XZ_MAGIC)) return 'xz';
  if (b.length >= 262 && b.toString('latin1', 257, 262) === 'ustar') return 'tar';
  return undefined;
}

/**
 * What ADD would extract from the file at `abs`: the uncompressed bytes of its files, of its link texts, and
 * the entry count; null when the content is not a tar (ADD then copies the file as it is).
 */
export async function inspectArchive(abs: string, kind: ArchiveKind, timeoutMs = 30_000): Promise<ArchiveInfo | null> {
  const signal = AbortSignal.timeout(timeoutMs);
  const { stream, failure, unavailable } = openDecompressed(abs, kind, signal);
  let bytes = 0;
  let linkBytes = 0;
  let entries = 0;
  const tar = extract();
  let readError: Error | undefined;
  stream.on('error', (e) => {
    readError = e;
    tar.destroy(e);
  });
  stream.pipe(tar);
  try {
    for await (const entry of tar) {
      entries++;
      if (entry.header.type === 'file' || entry.header.type === 'contiguous-file') bytes += entry.header.size ?? 0;
      else linkBytes += Buffer.byteLength(entry.header.linkname ?? '');
      entry.resume();
    }
    const failed = await failure;
    return failed ? { bytes: null, entries, error: failed } : { bytes, linkBytes, entries };
  } catch (e) {
    stream.destroy();
    if (unavailable()) return { bytes: null, entries, error: unavailable() };
    // Not even one header and nothing wrong with the file: the (decompressed) content is no tar, so ADD copies it unchanged.
    if (entries === 0 && !signal.aborted && readError === undefined) return null;
    const why = signal.aborted ? `took longer than ${timeoutMs / 1000} s to read` : e instanceof Error ? e.message : String(e);
    return { bytes: null, entries, error: `could not read the archive: ${why}` };
  }
}

interface Decompressed {
  stream: Readable;
  /** Why the decompressor failed, or undefined when it did not; settles when it ends. */
  failure: Promise<string | undefined>;
  /** Why the decompressor could not even start, once known. */
  unavailable: () => string | undefined;
}

/** The decompressed content as a stream, and how the decompressor ended. */
function openDecompressed(abs: string, kind: ArchiveKind, signal: AbortSignal): Decompressed {
  if (kind === 'tar' || kind === 'gzip') {
    const file = createReadStream(abs, { signal });
    const stream = kind === 'gzip' ? file.on('error', (e) => stream.destroy(e)).pipe(createGunzip()) : file;
    return { stream, failure: Promise.resolve(undefined), unavailable: () => undefined };
  }
  const child = spawn(DECOMPRESSORS[kind], ['-dc', '--', abs], { stdio: ['ignore', 'pipe', 'pipe'], signal });
  let stderr = '';
  let missing: string | undefined;
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const failure = new Promise<string | undefined>((done) => {
    child.on('error', (e) => {
      if (!signal.aborted) missing = `${DECOMPRESSORS[kind]} is not available to read it: ${e.message}`;
      done(missing ?? 'timed out');
    });
    child.on('close', (code) => done(code === 0 ? undefined : `${DECOMPRESSORS[kind]} failed: ${stderr.trim() || `exit code ${code}`}`));
  });
  return { stream: child.stdout, failure, unavailable: () => missing };
}
