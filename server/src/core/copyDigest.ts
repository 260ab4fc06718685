/**
 * The digest of what one COPY/ADD step copies, for cache prediction: one line per item (path, kind, mode,
 * content) in path order, never mtimes, as in Docker's cache keys.
 */
import { createSha256 } from './sha256';
import type { CopiedItem } from './sources';

/** Characters of digest lines handed to the hasher at once: one call per line cost more than the hashing. */
const DIGEST_CHUNK = 1 << 16;

/** Items per block of a large copy's digest: a changed file rehashes its block and the block list only. */
export const DIGEST_BLOCK = 1024;

/**
 * A digest that can be patched: the items in path order, the hash of each block of DIGEST_BLOCK of them, and
 * each item's position in that order (by its index in the step's item list).
 */
export interface DigestState {
  /** Item indices in path order; null when the items are in path order already. */
  order: Int32Array | null;
  /** Each item's position in `order`, made on the first patch (most large copies are never patched). */
  positions?: Int32Array;
  blocks: string[];
}

/**
 * The digest over one line per item in path order (mtimes never enter, as in Docker's cache keys): for up to
 * DIGEST_BLOCK items the hash of those lines, fed to the hasher in chunks so that a large COPY never builds one
 * large string; for more, the hash of the blocks' hashes, with the state `patchDigest` updates.
 */
export function canonicalDigest(items: CopiedItem[]): string {
  return digestWithState(items).digest;
}

/** canonicalDigest with the state to patch it later (null for copies small enough to rehash whole). */
export function digestWithState(items: CopiedItem[]): { digest: string; state: DigestState | null } {
  const inOrder = items.every((item, n) => n === 0 || items[n - 1].dest < item.dest);
  // A typed array: half the memory of a number array for the 200,000 items of a large `COPY .`.
  const order = inOrder ? null : Int32Array.from(items.keys()).sort((a, b) => (items[a].dest < items[b].dest ? -1 : items[a].dest > items[b].dest ? 1 : 0));
  if (items.length <= DIGEST_BLOCK) return { digest: `sha256:${hashLines(items, order, 0, items.length)}`, state: null };
  const blocks: string[] = [];
  for (let start = 0; start < items.length; start += DIGEST_BLOCK) blocks.push(hashLines(items, order, start, Math.min(items.length, start + DIGEST_BLOCK)));
  return { digest: blocksDigest(blocks), state: { order, blocks } };
}

/**
 * The digest after the items at `changed` (indices into `items`, same paths as before) got new contents or
 * modes: only their blocks are hashed again. Returns the new digest and state; `state` is left as it was.
 */
export function patchDigest(items: CopiedItem[], state: DigestState, changed: number[]): { digest: string; state: DigestState } {
  const blocks = [...state.blocks];
  const positions = state.order === null ? undefined : state.positions ?? inverse(state.order);
  const positionOf = (i: number): number => (positions === undefined ? i : positions[i]);
  const dirty = new Set(changed.map((i) => Math.floor(positionOf(i) / DIGEST_BLOCK)));
  for (const b of dirty) blocks[b] = hashLines(items, state.order, b * DIGEST_BLOCK, Math.min(items.length, (b + 1) * DIGEST_BLOCK));
  return { digest: blocksDigest(blocks), state: { ...state, blocks, ...(positions ? { positions } : {}) } };
}

/** The position of each item in `order`. */
function inverse(order: Int32Array): Int32Array {
  const positions = new Int32Array(order.length);
  order.forEach((itemIndex, position) => (positions[itemIndex] = position));
  return positions;
}

function blocksDigest(blocks: string[]): string {
  return `sha256:${createSha256().update(`blocks ${DIGEST_BLOCK}\n${blocks.join('\n')}`).hex()}`;
}

/** The hex hash of the digest lines of the items at positions [start, end) of `order` (null: the items' own order). */
function hashLines(items: CopiedItem[], order: Int32Array | null, start: number, end: number): string {
  const hash = createSha256();
  let chunk = '';
  for (let n = start; n < end; n++) {
    const i = items[order === null ? n : order[n]];
    chunk += `${n === start ? '' : '\n'}${quoted(i.dest)} ${i.kind} ${i.mode.toString(8)} ${i.content}`;
    if (chunk.length >= DIGEST_CHUNK) {
      hash.update(chunk);
      chunk = '';
    }
  }
  return hash.update(chunk).hex();
}

/** JSON.stringify of a path, without its cost for the usual path that needs no escapes. */
function quoted(path: string): string {
  return /^[\x20-\x7e]*$/.test(path) && !path.includes('"') && !path.includes('\\') ? `"${path}"` : JSON.stringify(path);
}
