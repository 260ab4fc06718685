/**
 * The digest of what one COPY/ADD step copies, for cache prediction: one line per item (path, kind, mode,
 * content) in path order, never mtimes, as in Docker's cache keys.
 */
import { createSha256 } from './sha256';
import type { CopiedItem } from './sources';

/** Characters of digest lines handed to the hasher at once: one call per line cost more than the hashing. */
const DIGEST_CHUNK = 1 << 16;

/**
 * The digest over one line per item in path order (mtimes never enter, as in Docker's cache keys), fed to
 * the hasher in chunks so that a large COPY never builds one large string.
 */
export function canonicalDigest(items: CopiedItem[]): string {
  const inOrder = items.every((item, n) => n === 0 || items[n - 1].dest < item.dest);
  const sorted = inOrder ? items : [...items].sort((a, b) => (a.dest < b.dest ? -1 : a.dest > b.dest ? 1 : 0));
  const hash = createSha256();
  let chunk = '';
  sorted.forEach((i, n) => {
    chunk += `${n === 0 ? '' : '\n'}${quoted(i.dest)} ${i.kind} ${i.mode.toString(8)} ${i.content}`;
    if (chunk.length >= DIGEST_CHUNK) {
      hash.update(chunk);
      chunk = '';
    }
  });
  return `sha256:${hash.update(chunk).hex()}`;
}

/** JSON.stringify of a path, without its cost for the usual path that needs no escapes. */
function quoted(path: string): string {
  return /^[\x20-\x7e]*$/.test(path) && !path.includes('"') && !path.includes('\\') ? `"${path}"` : JSON.stringify(path);
}
