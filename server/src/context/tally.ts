/**
 * How many files (entries other than folders) and folders a context index holds, for the scan's limits.
 * Kept beside the index's entry map, which every copy of an index shares, so that each check is O(1).
 */
import type { ContextIndex } from '../core/context';

/** Counts of one entry map. */
export interface Tally {
  files: number;
  folders: number;
}

const tallies = new WeakMap<ContextIndex['entries'], Tally>();

/** The counts of `index`, counted once from its entries when no scan kept them yet. */
export function tallyOf(index: ContextIndex): Tally {
  const known = tallies.get(index.entries);
  if (known !== undefined) return known;
  const tally = { files: 0, folders: 0 };
  for (const e of index.entries.values()) {
    if (e.type === 'dir') tally.folders++;
    else tally.files++;
  }
  tallies.set(index.entries, tally);
  return tally;
}

/** Removes one path's entry and archive details from the index, keeping its counts right. */
export function deleteEntry(index: ContextIndex, path: string): void {
  const entry = index.entries.get(path);
  index.archives.delete(path);
  if (entry === undefined) return;
  index.entries.delete(path);
  const tally = tallies.get(index.entries);
  if (tally && entry.type === 'dir') tally.folders--;
  else if (tally) tally.files--;
}
