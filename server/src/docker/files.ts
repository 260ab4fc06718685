/**
 * Reading the Dockerfile a build or a summary uses from disk, with limits and readable errors.
 */
import { readFileSync, statSync } from 'node:fs';

/** Dockerfiles are kilobytes; a file larger than this is not one (and is not read into memory). */
export const MAX_DOCKERFILE_BYTES = 1024 * 1024;

/** Reads a Dockerfile, refusing folders, huge and binary files; `error` is one sentence. */
export function readDockerfileFile(path: string): { text: string } | { error: string } {
  try {
    const st = statSync(path);
    if (st.isDirectory()) return { error: `${path} is a folder, not a Dockerfile.` };
    if (st.size > MAX_DOCKERFILE_BYTES) return { error: `${path} is ${st.size} bytes, too large for a Dockerfile (limit ${MAX_DOCKERFILE_BYTES}).` };
    const bytes = readFileSync(path);
    if (bytes.includes(0)) return { error: `${path} is a binary file (it contains NUL bytes), not a Dockerfile.` };
    return { text: bytes.toString('utf8') };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : e instanceof Error ? e.message : String(e);
    return { error: `Cannot read ${path}: ${why}.` };
  }
}
