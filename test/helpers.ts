/**
 * Shared test helpers: run a check for both line endings; build contexts from compact specs.
 */
import type { ContextEntry } from '../server/src/core/context';

/** The two line endings every Dockerfile test runs with. */
export const EOLS = [
  { name: 'LF', eol: '\n' },
  { name: 'CRLF', eol: '\r\n' },
] as const;

/** Joins lines with `eol`. */
export function dockerfile(lines: string[], eol: string): string {
  return lines.join(eol);
}

/** The entries of a context from a compact spec: `name: bytes` files (hash `h-name`), `dir/` folders, `link: 'target'` symlinks. */
export function contextEntries(spec: Record<string, number | string | null>): Map<string, ContextEntry> {
  const entries = new Map<string, ContextEntry>();
  for (const [key, value] of Object.entries(spec)) {
    const path = key.replace(/\/$/, '');
    if (key.endsWith('/')) entries.set(path, { path, type: 'dir', size: 0, mode: 0o755 });
    else if (typeof value === 'string') entries.set(path, { path, type: 'symlink', size: value.length, mode: 0o777, linkTarget: value });
    else entries.set(path, { path, type: 'file', size: value ?? 0, mode: 0o644, hash: `h-${path}` });
  }
  return entries;
}

