/**
 * COPY/ADD sources resolved against a scanned build context: which paths the step copies (after
 * `.dockerignore`), the bytes its layer holds for each builder, a digest of what it copies, and the problems
 * that make the build fail. Rules were measured on Engine 20.10 (test/conformance/context.test.ts).
 */
import type { ContextEntry, ContextIndex } from './context';
import type { Builder, FlagModel, HeredocModel } from './types';
import { sha256Hex } from './sha256';
import { digestWithState, patchDigest, type DigestState } from './copyDigest';
import { cleanPath, goMatch, hasWildcards, isIgnored, parseIgnore, type IgnoreRules } from './ignore';
import { allIncluded, childrenOf, type PreparedContext } from './prepared';

export { prepareContext, type PreparedContext } from './prepared';

/** What a COPY or ADD copies, as written after variable expansion. */
export interface CopyRequest {
  keyword: string;
  /** Sources as expanded (heredoc sources as `<<NAME`), without the destination. */
  sources: string[];
  dest: string;
  flags: FlagModel[];
  heredocs: HeredocModel[];
}

/** One thing the layer will hold, keyed by its path under the destination. */
export interface CopiedItem {
  dest: string;
  kind: 'file' | 'dir' | 'symlink' | 'archive' | 'heredoc';
  /** Bytes it adds to the layer (uncompressed), or null when unknowable. */
  bytes: number | null;
  mode: number;
  /** What identifies its content: a file's sha256, a link's text, null when not hashed yet. */
  content: string | null;
  /** The build-context path it comes from, for messages (absent for heredocs and stage files). */
  source?: string;
}

/** The resolved sources of one step: items, total bytes (null when unknown and why), digest and problems. */
export interface ResolvedCopy {
  items: CopiedItem[];
  bytes: number | null;
  /** Why `bytes` is null, or why it is only approximate. */
  note: string | null;
  approximate: boolean;
  /** sha256 over paths, kinds, modes and contents (never mtimes); null when some content is not hashed. */
  digest: string | null;
  errors: string[];
  warnings: string[];
  /** Items that are not folders, and whether one is an archive ADD extracts: counted once, read on every analysis. */
  fileCount: number;
  hasArchive: boolean;
  /** The scan of the context stopped early, so `bytes` counts only what it found: a lower bound. */
  lowerBound: boolean;
  /** What patching the digest needs when files change (large copies only). */
  digestState?: DigestState | null;
}

/** Resolves the sources of a COPY/ADD from the build context, once per request and context; never throws. The result is shared: read it, never change it. */
export function resolveCopy(req: CopyRequest, ctx: PreparedContext): ResolvedCopy {
  const key = JSON.stringify([req.keyword, req.sources, req.dest, req.flags, req.heredocs]);
  const known = ctx.copies.get(key);
  if (known !== undefined) return known;
  const resolved = resolveNow(req, ctx);
  ctx.copies.set(key, resolved);
  return resolved;
}

function resolveNow(req: CopyRequest, ctx: PreparedContext): ResolvedCopy {
  const out: ResolvedCopy = { items: [], bytes: 0, note: null, approximate: false, digest: null, errors: [], warnings: [], fileCount: 0, hasArchive: false, lowerBound: false };
  // One source without wildcards cannot land on a path twice, so only the others need the check (a Map of
  // 100,000 paths is not free); `COPY */a.txt /d/` copies both x/a.txt and y/a.txt to /d/a.txt.
  const items = new Items(req.sources.length > 1 || req.sources.some(hasWildcards));
  // The legacy builder drops --exclude (Docker 28.5 and later parse it; older engines fail the build).
  const exclude = ctx.builder === 'legacy' ? [] : req.flags.filter((f) => f.name === 'exclude' && f.value !== null).map((f) => f.value!);
  const excludeRules = exclude.length > 0 ? parseIgnore(exclude.join('\n'), ctx.flavor) : null;
  const parents = req.flags.some((f) => f.name === 'parents' && f.value !== 'false');
  const intoDir = req.dest.endsWith('/') || req.sources.length > 1 || req.sources.some(hasWildcards);
  let readsContext = false;
  for (const src of req.sources) {
    const heredoc = heredocFor(src, req.heredocs);
    if (heredoc !== null) {
      items.add(heredocItem(heredoc, destFor(req.dest, heredoc.name, intoDir)));
      // Unquoted heredocs have their variables expanded at build time; the size counts the text as written.
      if (heredoc.body.includes('$')) out.approximate = true;
      continue;
    }
    if (isRemote(src)) {
      if (req.keyword === 'ADD') out.note ??= `ADD downloads ${src} at build time; nothing is fetched at analysis time.`;
      else out.errors.push(`COPY cannot copy a URL (${src}): use ADD or RUN with a download tool.`);
      if (req.keyword === 'ADD') items.add({ dest: `url:${src}`, kind: 'file', bytes: null, mode: 0o600, content: null });
      continue;
    }
    readsContext = true;
    const matches = matchSource(src, ctx, out);
    // Not found in a context that was not (fully) scanned: unknown, like a download, and no false error.
    if (matches === null) items.add({ dest: `unscanned:${src}`, kind: 'file', bytes: null, mode: 0o600, content: null });
    for (const match of matches ?? []) {
      const name = parents ? match : match.split('/').pop()!;
      copyEntry(match, { dir: parents ? joinDest(req.dest, match) : req.dest, file: destFor(req.dest, name, parents || intoDir) }, req, ctx, excludeRules, items, out);
    }
  }
  out.items = items.all();
  finish(out, ctx, readsContext);
  return out;
}

/** Whether a COPY/ADD source is a URL or a git address rather than a path of the build context. */
export function isRemote(src: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(src) || src.startsWith('git@');
}

/**
 * The context paths a source names: one path, or every included path a wildcard matches; null when the scan
 * cannot tell (it measured nothing, or stopped before finding the path or a match).
 */
function matchSource(src: string, ctx: PreparedContext, out: ResolvedCopy): string[] | null {
  const cleaned = cleanPath(src);
  if (cleaned === '..' || cleaned.startsWith('../')) {
    if (ctx.builder === 'legacy') {
      out.errors.push(`${src} is outside the build context: the legacy builder fails ("forbidden path outside the build context").`);
      return [];
    }
  }
  const { incomplete, partial } = ctx.index;
  if (incomplete !== undefined && !partial) return (out.note ??= `Not measured: ${incomplete}`, null);
  // BuildKit resolves sources inside the context root, so `../a` means `a`; `/a` means `a` for both builders.
  const rel = cleanPath(`/${cleaned}`).slice(1);
  if (!hasWildcards(src)) {
    if (rel === '') return [''];
    if (ctx.included.has(rel)) return [rel];
    if (partial && !ctx.index.entries.has(rel)) return (out.note ??= `${src} is not among the paths scanned before the scan stopped: ${incomplete}`, null);
    const why = ctx.index.entries.has(rel) ? 'it is excluded by .dockerignore' : 'it is not in the build context';
    out.errors.push(`${src} is not sent to the builder (${why}): the build fails.`);
    return [];
  }
  const matches = [...ctx.included].filter((p) => goMatch(rel, p) === true);
  if (partial && matches.length === 0) return (out.note ??= `${src} matches none of the paths scanned before the scan stopped: ${incomplete}`, null);
  if (goMatch(rel, '') === null) out.errors.push(`${src} is not a valid pattern (syntax error in pattern): the build fails.`);
  else if (matches.length === 0 && ctx.builder === 'legacy') out.errors.push(`${src} matches no file: the legacy builder fails ("no source files were specified").`);
  else if (matches.length === 0) out.warnings.push(`${src} matches no file: BuildKit copies nothing for it.`);
  return matches;
}

/** Copies one matched path: a folder's contents (into `dest.dir`), a file, an archive ADD extracts, a followed symlink. */
function copyEntry(
  path: string, dest: { dir: string; file: string }, req: CopyRequest, ctx: PreparedContext, exclude: IgnoreRules | null,
  items: Items, out: ResolvedCopy,
): void {
  const entry = path === '' ? null : followLinks(path, ctx, out);
  if (entry === undefined) return;
  if (entry === null || entry.type === 'dir') {
    for (const child of descendants(entry?.path ?? '', ctx)) {
      const rel = entry === null ? child.path : child.path.slice(entry.path.length + 1);
      if (exclude !== null && isExcluded(exclude, rel)) continue;
      items.add(contextItem(child, joinDest(dest.dir, rel), ctx.builder));
    }
    return;
  }
  if (exclude !== null && isExcluded(exclude, path)) return;
  const archive = req.keyword === 'ADD' ? ctx.index.archives.get(entry.path) : undefined;
  if (archive !== undefined) {
    if (archive.bytes === null) out.note ??= `ADD extracts ${path}, but the archive could not be read${archive.error ? ` (${archive.error})` : ''}.`;
    const bytes = archive.bytes === null ? null : archive.bytes + (ctx.builder === 'legacy' ? archive.linkBytes ?? 0 : 0);
    items.add({ dest: `${dest.dir}#extract:${entry.path}`, kind: 'archive', bytes, mode: entry.mode, content: entry.hash ?? null });
    return;
  }
  items.add(contextItem(entry, dest.file, ctx.builder));
}

/** A top-level symlink source is followed by both builders (measured); undefined when it cannot be. */
function followLinks(path: string, ctx: PreparedContext, out: ResolvedCopy): ContextEntry | undefined {
  let entry = ctx.index.entries.get(path);
  for (let hops = 0; entry?.type === 'symlink' && hops < 16; hops++) {
    const link: string = entry.linkTarget ?? '';
    const parent = entry.path.includes('/') ? entry.path.slice(0, entry.path.lastIndexOf('/')) : '';
    const target = cleanPath(link.startsWith('/') ? link : `${parent}/${link}`).replace(/^\//, '');
    entry = target.startsWith('..') ? undefined : ctx.index.entries.get(target);
  }
  if (entry === undefined || entry.type === 'symlink') {
    out.errors.push(`${path} is a symlink the builder cannot follow inside the build context: the build fails.`);
    return undefined;
  }
  return entry;
}

function descendants(dir: string, ctx: PreparedContext, found: ContextEntry[] = []): ContextEntry[] {
  if (dir === '') return allIncluded(ctx);
  for (const p of childrenOf(ctx, dir)) {
    const e = ctx.index.entries.get(p);
    if (e === undefined) continue;
    found.push(e);
    if (e.type === 'dir') descendants(p, ctx, found);
  }
  return found;
}

/** `--exclude` patterns use the `.dockerignore` language, relative to a copied folder or the context (BuildKit only). */
function isExcluded(rules: IgnoreRules, rel: string): boolean {
  return rel.split('/').some((_, i, parts) => isIgnored(rules, parts.slice(0, i + 1).join('/')));
}

/**
 * A context entry as a layer item. Symlinks count as their link text's length under the legacy builder and
 * as 0 B under BuildKit (measured: the legacy builder sums lstat sizes, BuildKit sums tar entry sizes).
 */
function contextItem(e: ContextEntry, dest: string, builder: Builder): CopiedItem {
  if (e.type === 'dir') return { dest, kind: 'dir', bytes: 0, mode: e.mode, content: '', source: e.path };
  if (e.type === 'symlink') {
    const text = e.linkTarget ?? '';
    return { dest, kind: 'symlink', bytes: builder === 'legacy' ? utf8Length(text) : 0, mode: e.mode, content: `link:${text}`, source: e.path };
  }
  return { dest, kind: 'file', bytes: e.size, mode: e.mode, content: e.hash ?? null, source: e.path };
}

function heredocFor(src: string, heredocs: HeredocModel[]): HeredocModel | null {
  const m = /^<<-?(["']?)([^"']+)\1$/.exec(src);
  return m === null ? null : heredocs.find((h) => h.name === m[2]) ?? null;
}

/** A heredoc file holds its body plus a final newline (nothing for an empty body). */
function heredocItem(h: HeredocModel, dest: string): CopiedItem {
  const text = h.body === '' ? '' : `${h.body}\n`;
  return { dest, kind: 'heredoc', bytes: utf8Length(text), mode: 0o644, content: `sha256:${sha256Hex(text)}` };
}

/** The items of one step; with `dedupe`, a later item that lands on the same path replaces the earlier one, as in the layer. */
class Items {
  private readonly byDest = new Map<string, CopiedItem>();
  private readonly list: CopiedItem[] = [];

  constructor(private readonly dedupe: boolean) {}

  add(item: CopiedItem): void {
    if (!this.dedupe) return void this.list.push(item);
    if (this.byDest.has(item.dest)) this.byDest.delete(item.dest);
    this.byDest.set(item.dest, item);
  }

  all(): CopiedItem[] {
    return this.dedupe ? [...this.byDest.values()] : this.list;
  }
}

/**
 * Sets `bytes` (uncompressed, null when the step fails or an item's size is unknown), `fileCount` and
 * `hasArchive` of a step from its items and errors, in one pass over them.
 */
export function tallyItems(out: ResolvedCopy): void {
  let bytes: number | null = 0;
  for (const item of out.items) {
    bytes = bytes === null || item.bytes === null ? null : bytes + item.bytes;
    if (item.kind !== 'dir') out.fileCount++;
    if (item.kind === 'archive') out.hasArchive = true;
  }
  out.bytes = out.errors.length > 0 ? null : bytes;
}

/** Totals the step; from a partial scan its bytes are a lower bound and it has no digest (files may be missing). */
function finish(out: ResolvedCopy, ctx: PreparedContext, readsContext: boolean): void {
  tallyItems(out);
  if (out.bytes !== null && readsContext && ctx.index.partial) {
    out.lowerBound = true;
    out.note ??= `At least this much: ${ctx.index.incomplete}`;
  }
  const hashed = out.items.every((i) => i.content !== null);
  if (!hashed || out.errors.length > 0 || out.lowerBound) return void (out.digest = null);
  const { digest, state } = digestWithState(out.items);
  out.digest = digest;
  out.digestState = state;
}

/**
 * A resolved copy after files it copies changed content or mode only (`changed`: their context paths, with
 * their new entries in `index`): the same items with those replaced, bytes and digest updated without
 * walking the context again. Returns `copy` itself when it copies none of them.
 */
export function patchCopy(copy: ResolvedCopy, changed: ReadonlySet<string>, index: ContextIndex, builder: Builder): ResolvedCopy {
  const at: number[] = [];
  copy.items.forEach((it, n) => { if (it.source !== undefined && changed.has(it.source)) at.push(n); });
  if (at.length === 0) return copy;
  const items = [...copy.items];
  for (const n of at) {
    const e = index.entries.get(items[n].source as string);
    items[n] = e === undefined ? { ...items[n], content: null } : contextItem(e, items[n].dest, builder);
  }
  const out: ResolvedCopy = { ...copy, items, fileCount: 0, hasArchive: false };
  tallyItems(out);
  const hashed = copy.digest !== null && at.every((n) => items[n].content !== null);
  if (!hashed || out.errors.length > 0 || out.lowerBound) return { ...out, digest: null, digestState: null };
  if (copy.digestState) {
    const patched = patchDigest(items, copy.digestState, at);
    return { ...out, digest: patched.digest, digestState: patched.state };
  }
  const { digest, state } = digestWithState(items);
  return { ...out, digest, digestState: state };
}

function destFor(dest: string, name: string, intoDir: boolean): string {
  return intoDir ? joinDest(dest, name) : dest;
}

function joinDest(dest: string, rel: string): string {
  if (rel === '') return dest;
  return `${dest.replace(/\/+$/, '')}/${rel}`;
}

/** Length of `text` in UTF-8 bytes. */
export function utf8Length(text: string): number {
  let n = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  }
  return n;
}
