/**
 * A build context made ready for one builder: its ignore file applied once per index object, and its
 * included paths by parent folder, built only when a COPY of a subfolder needs them (a `COPY .` of 100,000
 * files in 100,000 folders spent 150 ms building that map and about 10 MB keeping it).
 */
import type { ContextEntry, ContextIndex } from './context';
import type { Builder } from './types';
import { includedPaths, parseIgnore, type IgnoreFlavor, type IgnoreRules } from './ignore';
import { DEFAULT_ENGINE, ignoreFlavor } from './engine';
import { patchCopy, type ResolvedCopy } from './sources';

/** Paths the builder receives: a set of its own when an ignore file applies, else the index's own keys. */
export interface PathSet extends Iterable<string> {
  has(path: string): boolean;
}

/** A context made ready for one builder: the ignore rules applied, the copies resolved so far. */
export interface PreparedContext {
  index: ContextIndex;
  builder: Builder;
  /** Which `.dockerignore` implementation applied (by engine version). */
  flavor: IgnoreFlavor;
  /** Paths the builder receives (after `.dockerignore`). */
  included: PathSet;
  ignore: IgnoreRules | null;
  /** Resolved COPY/ADD requests by their JSON: typing elsewhere in the Dockerfile must not walk 100,000 files again. */
  copies: Map<string, ResolvedCopy>;
  /** Included paths by parent folder ('' for the root), made on first use by childrenOf. */
  children?: Map<string, string[]>;
}

/**
 * Prepared contexts by index object and builder. The server hands analyses a new index object whenever the
 * scan or a file change alters it, so an index object's preparation stays valid for as long as it is used.
 */
const preparedByIndex = new WeakMap<ContextIndex, Map<string, PreparedContext>>();

/**
 * Applies the context's ignore file for `builder` and the engine's ignore `flavor`, once per index object; the
 * result is reused for every COPY and ADD.
 */
export function prepareContext(index: ContextIndex, builder: Builder, flavor: IgnoreFlavor = ignoreFlavor(DEFAULT_ENGINE)): PreparedContext {
  const byBuilder = preparedByIndex.get(index) ?? preparedByIndex.set(index, new Map()).get(index)!;
  const key = `${builder} ${flavor}`;
  const known = byBuilder.get(key);
  if (known !== undefined) return known;
  const patched = patchedContext(index, builder, key);
  if (patched !== null) {
    byBuilder.set(key, patched);
    return patched;
  }
  const ignore = index.ignoreFile === null ? null : parseIgnore(index.ignoreFile.text, flavor);
  // Without an ignore file every path is sent: the index's own map answers, no copy of 100,000 paths.
  const included: PathSet = ignore === null ? { has: (p) => index.entries.has(p), [Symbol.iterator]: () => index.entries.keys() } : new Set(sentPaths(index, ignore, builder));
  const prepared: PreparedContext = { index, builder, flavor, included, ignore, copies: new Map() };
  byBuilder.set(key, prepared);
  return prepared;
}

/**
 * The preparation of `index.delta.from` carried over to `index` when only file contents changed: the same
 * paths are sent, and each resolved copy is patched for the changed files instead of walking the context again
 * (a `COPY .` of 100,000 files took 250-500 ms anew). Null when there is no delta or nothing to carry over.
 */
function patchedContext(index: ContextIndex, builder: Builder, key: string): PreparedContext | null {
  const delta = index.delta;
  const before = delta === undefined ? undefined : preparedByIndex.get(delta.from)?.get(key);
  if (delta === undefined || before === undefined) return null;
  const changed = new Set(delta.paths);
  const copies = new Map<string, ResolvedCopy>();
  for (const [k, copy] of before.copies) copies.set(k, patchCopy(copy, changed, index, builder));
  const included: PathSet = before.ignore === null ? { has: (p) => index.entries.has(p), [Symbol.iterator]: () => index.entries.keys() } : before.included;
  return { ...before, index, included, copies };
}

function sentPaths(index: ContextIndex, ignore: IgnoreRules, builder: Builder): string[] {
  const walk = [...index.entries.values()].map((e) => ({ path: e.path, isDir: e.type === 'dir' }));
  return includedPaths(ignore, walk, builder);
}

/** The included paths right inside folder `dir` ('' for the root). */
export function childrenOf(ctx: PreparedContext, dir: string): string[] {
  if (ctx.children === undefined) {
    ctx.children = new Map();
    for (const p of ctx.included) {
      const parent = p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '';
      const list = ctx.children.get(parent) ?? ctx.children.set(parent, []).get(parent)!;
      list.push(p);
    }
  }
  return ctx.children.get(dir) ?? [];
}

/** Every included entry, for a copy of the whole context. */
export function allIncluded(ctx: PreparedContext): ContextEntry[] {
  if (ctx.ignore === null) return [...ctx.index.entries.values()];
  const found: ContextEntry[] = [];
  for (const p of ctx.included) {
    const e = ctx.index.entries.get(p);
    if (e !== undefined) found.push(e);
  }
  return found;
}
