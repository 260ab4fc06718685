/**
 * Wasted space in an image's layers, with dive's definitions (wagoodman/dive: dive/filetree/efficiency.go,
 * dive/image/analysis.go), plus a per-layer figure dive does not give. Pure: the docker/ side lists each layer
 * tar's entries, core/wastedStatic.ts makes the same entries from what a Dockerfile is known to add and remove.
 *
 * dive, as its source reads (lines of efficiency.go at commit d6c6919):
 * - Every layer is a tree of its tar's entries; only its leaves are visited (a folder is visited only when
 *   nothing under it is in that layer), by path, a whiteout `.wh.x` as the path `x` (l.102-107, file_node.go Path).
 * - A visited entry's size is its tar header's size; a whiteout's is 0, unless the layers below have a folder
 *   at that path: then it is the sum of the sizes of that folder and everything under it below (l.58-88).
 *   Opaque markers (`.wh..wh..opq`) never enter dive's trees: they count nothing and hide nothing there.
 * - Per path: cumulative = sum of its visited sizes, min = the smallest (l.90-93).
 * - efficiency = sum of min / sum of cumulative over all paths, 1 when the sum is 0 (l.113-126).
 * - wasted bytes = sum of cumulative over the paths visited in two or more layers, the surviving copy included
 *   (l.96-98, analysis.go l.31-34); user wasted percent = wasted bytes / the tar sizes (sum of entry header
 *   sizes) of every layer but the first (analysis.go l.24-29, 44; image_archive.go l.210, 286).
 * So deleting a folder of files wastes nothing in dive's measure (its files are each visited once) and neither
 * does what an opaque folder hides; the per-layer figure below counts both.
 */

/** One entry of a layer tar: a file, folder or link with its header size (bytes), a whiteout of `path`, or `path` made opaque. */
export interface DiveEntry {
  /** Absolute, normalized (`/a/b`): for a whiteout the path it hides, for an opaque marker the folder. */
  path: string;
  bytes: number;
  kind: 'file' | 'dir' | 'link' | 'whiteout' | 'opaque';
}

/** Bytes one layer adds that later layers hide, which later layers hide them, and the largest hidden paths. */
export interface LayerWaste {
  bytes: number;
  /** How many of the layer's entries that hold bytes are hidden. */
  count: number;
  /** The later layers (indices, oldest first) that hide them, and how many bytes each hides. */
  by: Array<{ layer: number; bytes: number }>;
  /** Up to 3 hidden paths, largest first. */
  largest: Array<{ path: string; bytes: number }>;
}

/** dive's measures of a list of layers, their ingredients, and the per-layer waste. */
export interface DiveMeasures {
  /** Sum of min / sum of cumulative (1 when nothing has bytes). */
  efficiency: number;
  wastedBytes: number;
  /** wastedBytes / userBytes; null when the layers after the first hold no bytes (dive divides by zero). */
  userWastedPercent: number | null;
  minBytes: number;
  cumulativeBytes: number;
  /** Tar sizes of every layer but the first. */
  userBytes: number;
  /**
   * Per layer (same order): the bytes of its entries that a later layer deletes (a whiteout of the path or of a
   * folder above it, an opaque folder above it) or overwrites (a later entry at the same path; a folder written
   * again over a folder overwrites nothing). Each byte counts once, for the first later layer that hides it.
   */
  perLayer: LayerWaste[];
}

interface Node {
  bytes: number;
  dir: boolean;
  owner: number;
  /** Already counted as wasted for its owner (hidden by an opaque folder or by a file over its folder). */
  hidden: boolean;
  children: Map<string, Node> | null;
}

function segments(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

const SLASH = 47;

/** Where the segment of `path` starting at `start` ends. */
function segmentEnd(path: string, start: number): number {
  const end = path.indexOf('/', start);
  return end < 0 ? path.length : end;
}

/** Adds the folders above `path` to `set`, stopping at one already there (its own are then there too). */
function addAncestors(path: string, set: Set<string>): void {
  for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) {
    const folder = path.slice(0, i);
    if (set.has(folder)) return;
    set.add(folder);
  }
}

/**
 * The layers stacked so far, as one tree whose nodes remember the layer that wrote them; hiding a node counts its
 * bytes for that layer. Like dive's stacked tree, a node stays when an opaque folder or a file over a folder hides
 * it (dive sizes a later whiteout of the folder with it); only whiteouts remove nodes.
 */
export class LayerStack {
  private readonly root: Node = { bytes: 0, dir: true, owner: -1, hidden: false, children: new Map() };
  readonly waste: LayerWaste[] = [];

  /** The node at `path`, visible or not. */
  node(path: string): Node | undefined {
    let n: Node | undefined = this.root;
    // Segments read in place: splitting every path of a 100,000-file layer showed in profiles.
    for (let i = 0; i < path.length && n !== undefined; i++) {
      if (path.charCodeAt(i) === SLASH) continue;
      const end = segmentEnd(path, i);
      n = n.children?.get(path.slice(i, end));
      i = end;
    }
    return n;
  }

  /** The visible paths at or under `path` (folders before their contents), with their nodes. */
  visibleUnder(path: string): Array<{ path: string; node: Node }> {
    const out: Array<{ path: string; node: Node }> = [];
    const walk = (p: string, n: Node): void => {
      if (!n.hidden) out.push({ path: p, node: n });
      n.children?.forEach((c, name) => walk(p === '/' ? `/${name}` : `${p}/${name}`, c));
    };
    const start = this.node(path);
    if (start !== undefined) walk(path, start);
    return out;
  }

  /** dive's size of a whiteout of `path` over this stack: the sum under a folder there, else 0. */
  whiteoutSize(path: string): number {
    const n = this.node(path);
    if (n === undefined || !n.dir) return 0;
    let sum = 0;
    const walk = (x: Node): void => void (sum += x.bytes, x.children?.forEach(walk));
    walk(n);
    return sum;
  }

  /** Applies layer `index`: its whiteouts and opaque folders first (they hide what is below), then its entries. */
  apply(index: number, entries: DiveEntry[]): void {
    this.waste[index] ??= { bytes: 0, count: 0, by: [], largest: [] };
    for (const e of entries) {
      if (e.kind === 'whiteout') this.remove(e.path, index);
      else if (e.kind === 'opaque') this.node(e.path)?.children?.forEach((c, name) => this.hide(c, joinPath(e.path, name), index));
    }
    for (const e of entries) if (e.kind !== 'whiteout' && e.kind !== 'opaque') this.put(e, index);
  }

  private remove(path: string, by: number): void {
    const parent = this.node(path.slice(0, path.lastIndexOf('/')) || '/');
    const name = path.slice(path.lastIndexOf('/') + 1);
    const n = parent?.children?.get(name);
    if (n === undefined) return;
    this.hide(n, path, by);
    parent!.children!.delete(name);
  }

  /** Counts `n` and everything under it as hidden by layer `by`. */
  private hide(n: Node, path: string, by: number): void {
    this.count(n, path, by);
    n.children?.forEach((c, name) => this.hide(c, joinPath(path, name), by));
  }

  private count(n: Node, path: string, by: number): void {
    if (n.hidden || n.owner === by || n.owner < 0) return;
    n.hidden = true;
    const w = this.waste[n.owner];
    w.bytes += n.bytes;
    if (n.bytes > 0) w.count++;
    const last = w.by[w.by.length - 1];
    if (last?.layer === by) last.bytes += n.bytes;
    else w.by.push({ layer: by, bytes: n.bytes });
    if (n.bytes > 0 && (w.largest.length < 3 || n.bytes > w.largest[2].bytes)) {
      w.largest.push({ path, bytes: n.bytes });
      w.largest.sort((a, b) => b.bytes - a.bytes);
      w.largest.length = Math.min(w.largest.length, 3);
    }
  }

  private put(e: DiveEntry, index: number): void {
    const p = e.path;
    let n = this.root;
    // While every segment so far follows exactly one slash, the path up to a segment's end is `p` itself up to there.
    let clean = true;
    let slashes = 0;
    for (let i = 0; i < p.length;) {
      if (p.charCodeAt(i) === SLASH) { slashes++; i++; continue; }
      clean &&= slashes === 1;
      slashes = 0;
      const end = segmentEnd(p, i);
      const s = p.slice(i, end);
      i = end;
      n.children ??= new Map();
      let next = n.children.get(s);
      if (next === undefined) {
        next = { bytes: 0, dir: true, owner: index, hidden: false, children: null };
        n.children.set(s, next);
      } else if (!next.dir && !(clean && end === p.length)) {
        // A file below becomes a folder: the file is gone.
        const path = clean ? p.slice(0, end) : `/${segments(p.slice(0, end)).join('/')}`;
        if (path !== p) {
          this.count(next, path, index);
          set(next, 0, true, index);
        }
      }
      n = next;
    }
    if (n === this.root) return;
    const dir = e.kind === 'dir';
    if (n.owner !== index || n.hidden) {
      if (!(dir && n.dir)) this.count(n, p, index);
      if (!dir) n.children?.forEach((c, name) => this.hide(c, joinPath(p, name), index));
    }
    set(n, e.bytes, dir, index);
  }
}

/** Makes `n` a visible node of layer `owner`. */
function set(n: Node, bytes: number, dir: boolean, owner: number): void {
  n.bytes = bytes;
  n.dir = dir;
  n.owner = owner;
  n.hidden = false;
}

function joinPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

/** What dive's visits of a whole layer come to, for a layer given to DiveTally in part. */
export interface LayerSummary {
  /** The folders above any of the layer's entries: entries there are not leaves, dive does not visit them. */
  parents: Set<string>;
  /** Sum of the sizes dive visits among the layer's files, folders and links (bytes). */
  leafBytes: number;
  /** Sum of every entry's size: the layer's tar size (bytes). */
  tarBytes: number;
  /** No two entries are at the same path (a whiteout's apart from others'): no visit needs to check for an earlier one. */
  distinct: boolean;
}

/** The folders above any of `entries`. */
function ancestorsOf(entries: DiveEntry[]): Set<string> {
  const parents = new Set<string>();
  for (const e of entries) addAncestors(e.path, parents);
  return parents;
}

/**
 * Calls `visit` for each entry of a layer dive visits, in order: leaves (by path, once), whiteouts, opaque folders
 * without entries; `distinct` when no two entries share a path. True when no two did.
 */
function forEachVisited(entries: DiveEntry[], parents: Set<string>, distinct: boolean, visit: (e: DiveEntry) => void): boolean {
  // Only opaque markers need to know which folders have entries of their own.
  const regular = entries.some((e) => e.kind === 'opaque') ? new Set(entries.filter((e) => e.kind !== 'whiteout' && e.kind !== 'opaque').map((e) => e.path)) : null;
  const seen = distinct ? null : new Set<string>();
  let twice = false;
  for (const e of entries) {
    if (seen !== null) {
      // dive's tree node for `.wh.x` differs from the one for `x`; an opaque marker is no node, its folder is.
      const key = e.kind === 'whiteout' ? `\0${e.path}` : e.path;
      if (seen.has(key)) { twice = true; continue; }
      seen.add(key);
    }
    if (e.kind === 'whiteout') visit(e);
    else if (e.kind === 'opaque') { if (!regular!.has(e.path) && !parents.has(e.path)) visit(e); }
    else if (!parents.has(e.path)) visit(e);
  }
  return !twice;
}

/** A layer's LayerSummary (bytes as in its entries). */
export function summarizeLayer(entries: DiveEntry[]): LayerSummary {
  const parents = ancestorsOf(entries);
  let leafBytes = 0;
  const distinct = forEachVisited(entries, parents, false, (e) => { if (e.kind !== 'whiteout' && e.kind !== 'opaque') leafBytes += e.bytes; });
  let tarBytes = 0;
  for (const e of entries) tarBytes += e.bytes;
  return { parents, leafBytes, tarBytes, distinct };
}

/**
 * dive's measures taken layer by layer over one LayerStack, which callers may read between layers. A layer may
 * be given in part, with its whole layer's summary: the entries left out must each be a file, folder or link that
 * is the only entry at its path in every layer and that no layer hides (they add their size to both sums, nothing else).
 */
export class DiveTally {
  readonly stack = new LayerStack();
  private readonly paths = new Map<string, { n: number; cum: number; min: number }>();
  private layers = 0;
  private userBytes = 0;
  /** Visited bytes of the entries left out of layers given in part. */
  private aloneBytes = 0;

  /** Adds the next layer (oldest first): all its entries, or some of them and the whole layer's `summary`. */
  add(entries: DiveEntry[], summary?: LayerSummary): void {
    const index = this.layers++;
    let visitedBytes = 0;
    forEachVisited(entries, summary?.parents ?? ancestorsOf(entries), summary?.distinct ?? false, (e) => {
      if (e.kind === 'whiteout') return this.visit(e.path, this.stack.whiteoutSize(e.path));
      const size = e.kind === 'opaque' ? 0 : e.bytes;
      if (e.kind !== 'opaque') visitedBytes += size;
      this.visit(e.path, size);
    });
    if (summary !== undefined) this.aloneBytes += summary.leafBytes - visitedBytes;
    if (index > 0) {
      if (summary !== undefined) this.userBytes += summary.tarBytes;
      else for (const e of entries) this.userBytes += e.bytes;
    }
    this.stack.apply(index, entries);
  }

  /** The measures of the layers added so far. */
  measures(): DiveMeasures {
    let minBytes = this.aloneBytes;
    let cumulativeBytes = this.aloneBytes;
    let wastedBytes = 0;
    for (const d of this.paths.values()) {
      minBytes += d.min;
      cumulativeBytes += d.cum;
      if (d.n >= 2) wastedBytes += d.cum;
    }
    const { userBytes } = this;
    return {
      efficiency: cumulativeBytes === 0 ? 1 : minBytes / cumulativeBytes,
      wastedBytes, userWastedPercent: userBytes === 0 ? null : wastedBytes / userBytes,
      minBytes, cumulativeBytes, userBytes,
      perLayer: Array.from({ length: this.layers }, (_, i) => this.stack.waste[i]),
    };
  }

  private visit(path: string, size: number): void {
    const d = this.paths.get(path);
    if (d === undefined) return void this.paths.set(path, { n: 1, cum: size, min: size });
    d.n++;
    d.cum += size;
    d.min = Math.min(d.min, size);
  }
}

/** dive's efficiency, wasted bytes and user wasted percent of `layers` (oldest first), and each layer's waste; bytes are tar header sizes. */
export function diveMeasures(layers: DiveEntry[][]): DiveMeasures {
  const tally = new DiveTally();
  for (const entries of layers) tally.add(entries);
  return tally.measures();
}
