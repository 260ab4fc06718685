/**
 * Which entries of the static model's layers can take part in wasted space, so that only those go through the
 * layer stack: a `COPY .` of 100,000 files took 400-550 ms per keystroke when every file did. An entry can take
 * part only when another entry is at its path, above or under it as a file over a folder, or when a removal or a
 * write reaches it; each of the others is the only entry at its path and nothing hides it, so it adds its bytes
 * to dive's two sums and nothing else (DiveTally's layers given in part). A COPY/ADD layer's index is made once
 * per items array (prepared contexts keep them while the context is unchanged) and destination folder.
 */
import type { CopiedItem } from './sources';
import * as posix from './posixPath';
import { summarizeLayer, type DiveEntry, type LayerSummary } from './wasted';

/** A layer's entries indexed by the paths the layer stack reads. */
export interface IndexedLayer {
  entries: DiveEntry[];
  summary: LayerSummary;
  /** By normalized path: the index of an entry there, of a file or link when there is one. */
  at: Map<string, number>;
  /** The folders above any normalized path (the summary's own set when every path is normalized). */
  above: Set<string>;
  /** Normalized paths, by entry. */
  keys: string[];
  /** Entries that take part whatever the other layers hold: paths the layer has twice, files with entries of the layer under them. */
  own: number[];
  /** The entries at or under a path, by path, found on first use. */
  under: Map<string, number[]>;
}

/** A COPY/ADD layer: its index and whether every item's size is known. */
export interface CopyLayer {
  layer: IndexedLayer;
  known: boolean;
}

/** What later RUN steps reach: the fixed parts of removal patterns, and paths written onto (a write replaces a file at the path only). */
export interface Targets {
  removed: string[];
  written: string[];
}

const copyLayers = new WeakMap<CopiedItem[], Map<string, CopyLayer>>();

/** The layer of `items` copied in `workdir`, made once per items array and workdir; `entryOf` turns an item into its entry. */
export function copyLayerOf(items: CopiedItem[], workdir: string, entryOf: (item: CopiedItem, workdir: string) => DiveEntry): CopyLayer {
  const byWorkdir = copyLayers.get(items) ?? copyLayers.set(items, new Map()).get(items)!;
  const known = byWorkdir.get(workdir);
  if (known !== undefined) return known;
  const made = { layer: indexLayer(items.map((it) => entryOf(it, workdir))), known: items.every((it) => it.bytes !== null) };
  byWorkdir.set(workdir, made);
  return made;
}

/** Indexes a layer's entries. */
export function indexLayer(entries: DiveEntry[]): IndexedLayer {
  // Most layers of a long Dockerfile add nothing known (metadata, a RUN of unknown output): one shared index, read only.
  if (entries.length === 0) return (emptyLayer ??= { entries: [], summary: summarizeLayer([]), at: new Map(), above: new Set(), keys: [], own: [], under: new Map() });
  const summary = summarizeLayer(entries);
  // Paths are normalized but for an archive's stand-in, whose name comes from the context path.
  const keys = entries.map((e) => (e.path.includes('/.') || e.path.includes('//') ? posix.resolve('/', e.path) : e.path));
  let above = summary.parents;
  if (keys.some((k, i) => k !== entries[i].path)) {
    above = new Set();
    for (const k of keys) for (let i = k.lastIndexOf('/'); i > 0; i = k.lastIndexOf('/', i - 1)) above.add(k.slice(0, i));
  }
  const at = new Map<string, number>();
  const twice = new Set<string>();
  keys.forEach((k, i) => {
    const j = at.get(k);
    if (j !== undefined) twice.add(k);
    if (j === undefined || (entries[j].kind === 'dir' && entries[i].kind !== 'dir')) at.set(k, i);
  });
  const layer: IndexedLayer = { entries, summary, at, above, keys, own: [], under: new Map() };
  keys.forEach((k, i) => {
    if (twice.has(k)) layer.own.push(i);
    else if (entries[i].kind !== 'dir' && above.has(k)) layer.own.push(...underOf(layer, k));
  });
  return layer;
}

let emptyLayer: IndexedLayer | undefined;

/** The indices of `layer`'s entries at or under `path`. */
function underOf(layer: IndexedLayer, path: string): number[] {
  if (!layer.at.has(path) && !layer.above.has(path)) return [];
  const known = layer.under.get(path);
  if (known !== undefined) return known;
  const prefix = path === '/' ? '/' : `${path}/`;
  const found: number[] = [];
  layer.keys.forEach((k, i) => { if (k === path || k.startsWith(prefix)) found.push(i); });
  // Typing a removal makes a new path on every keystroke: keep the lists of the last few.
  if (layer.under.size >= 32) layer.under.clear();
  layer.under.set(path, found);
  return found;
}

/**
 * The entries of each layer that go through the layer stack, in the layer's order: all of a layer that is not
 * `prunable`, else those that can take part in waste given the other layers and `targets`.
 */
export function keptEntries(layers: IndexedLayer[], prunable: boolean[], targets: Targets): DiveEntry[][] {
  const kept = layers.map((l, i) => (prunable[i] ? new Keep(l) : null));
  for (let a = 0; a < layers.length; a++) {
    for (let b = a + 1; b < layers.length; b++) relate(layers[a], kept[a], layers[b], kept[b]);
  }
  for (const keep of kept) if (keep !== null) reach(keep, targets);
  return layers.map((l, i) => kept[i]?.entries() ?? l.entries);
}

/** The entries of one layer kept so far. */
class Keep {
  private readonly marks: Uint8Array;
  private readonly list: number[] = [];

  constructor(readonly layer: IndexedLayer) {
    this.marks = new Uint8Array(layer.entries.length);
    this.add(layer.own);
  }

  add(indices: number[]): void {
    for (const i of indices) this.one(i);
  }

  one(i: number): void {
    if (this.marks[i] === 1) return;
    this.marks[i] = 1;
    this.list.push(i);
  }

  entries(): DiveEntry[] {
    const all = this.layer.entries;
    if (this.list.length === all.length) return all;
    const out: DiveEntry[] = [];
    for (const i of Int32Array.from(this.list).sort()) out.push(all[i]);
    return out;
  }
}

/** Keeps what two layers share (the same index may stand for both): entries at the same path, a file or link over or under the other's entries. */
function relate(x: IndexedLayer, keepX: Keep | null, y: IndexedLayer, keepY: Keep | null): void {
  if (keepX === null && keepY === null) return;
  const [small, keepSmall, large, keepLarge] = x.at.size <= y.at.size ? [x, keepX, y, keepY] : [y, keepY, x, keepX];
  for (const [k, i] of small.at) {
    const j = large.at.get(k);
    if (j === undefined) continue;
    keepSmall?.one(i);
    keepLarge?.one(j);
  }
  fileOver(x, keepX, y, keepY);
  fileOver(y, keepY, x, keepX);
}

/** Keeps `file`'s files and links that have entries of `other` under them, and those entries. */
function fileOver(file: IndexedLayer, keepFile: Keep | null, other: IndexedLayer, keepOther: Keep | null): void {
  const hit = (k: string, i: number): void => {
    if (file.entries[i].kind === 'dir' || !other.above.has(k)) return;
    keepFile?.one(i);
    keepOther?.add(underOf(other, k));
  };
  if (file.at.size <= other.above.size) file.at.forEach((i, k) => hit(k, i));
  else for (const k of other.above) { const i = file.at.get(k); if (i !== undefined) hit(k, i); }
}

/** Keeps the entries removals reach (at, under or above a pattern's fixed part) and those at paths written onto. */
function reach(keep: Keep, targets: Targets): void {
  const { layer } = keep;
  const at = (p: string): void => { const i = layer.at.get(p); if (i !== undefined) keep.one(i); };
  for (const base of targets.removed) {
    keep.add(underOf(layer, base));
    for (let p = posix.dirname(base); p !== '/'; p = posix.dirname(p)) at(p);
  }
  targets.written.forEach(at);
}
