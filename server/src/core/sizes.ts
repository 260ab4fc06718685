/**
 * Layer sizes of COPY and ADD steps: from the scanned build context, from heredocs, or from an earlier stage
 * whose files are all known (a stage built FROM scratch out of COPY/ADD steps). Sizes are uncompressed bytes,
 * as `docker history` reports them.
 */
import type { ContextIndex } from './context';
import type { Builder, Finding, SizeEstimate } from './types';
import type { ResolvedInstruction, ResolvedModel } from './stages';
import { stageRef } from './stages';
import { resolve as resolveImagePath } from './posixPath';
import { cleanPath, goMatch, hasWildcards } from './ignore';
import { sha256Hex } from './sha256';
import { prepareContext, resolveCopy, tallyItems, type CopiedItem, type CopyRequest, type PreparedContext, type ResolvedCopy } from './sources';
import { formatBytes } from './present';

/** The size of one COPY/ADD step, a digest of what it copies (null when unknown), and its problems. */
export interface CopySize {
  size: SizeEstimate;
  digest: string | null;
  findings: Finding[];
}

/**
 * A stage's files when every file in it is known, as the COPY/ADD results in order with the WORKDIR each ran
 * in; null when a step makes them unknowable. Turned into paths only when a `COPY --from` reads the stage:
 * doing that for every stage on every keystroke cost hundreds of ms with a 100,000-file context.
 */
type StageTree = Array<{ items: CopiedItem[]; workdir: string }> | null;

/** COPY/ADD sizes by instruction index, plus findings about the ignore file (they fail every build). */
export interface CopySizes {
  byInstruction: Map<number, CopySize>;
  findings: Finding[];
}

/** Sizes every COPY/ADD of the model for `builder`; `context` undefined means none was scanned. */
export function estimateCopySizes(model: ResolvedModel, builder: Builder, context?: ContextIndex): CopySizes {
  const ctx = context === undefined ? null : prepareContext(context, builder);
  const sizes = new Map<number, CopySize>();
  const trees: StageTree[] = [];
  for (const stage of model.stages) {
    let workdir = '/';
    let tree: StageTree = stage.base.toLowerCase() === 'scratch' ? [] : stage.baseStage === null ? null : copyTree(trees[stage.baseStage]);
    for (const i of stage.instructions) {
      const ins = model.instructions[i];
      if (ins.keyword === 'WORKDIR') workdir = resolveImagePath(workdir, ins.expanded[0] ?? '/');
      if (ins.keyword === 'RUN') tree = null;
      if (ins.keyword !== 'COPY' && ins.keyword !== 'ADD') continue;
      const from = ins.flags.find((f) => f.name === 'from')?.value ?? null;
      const { copy, size } = from === null ? fromContext(ins, ctx) : fromStage(ins, from, model, trees);
      sizes.set(i, size);
      tree = from === null ? record(tree, copy, workdir, size) : null;
    }
    trees.push(tree);
  }
  return { byInstruction: sizes, findings: ctx === null ? [] : ignoreFindings(ctx) };
}

function copyRequest(ins: ResolvedInstruction): CopyRequest {
  const words = ins.expanded;
  return { keyword: ins.keyword, sources: words.slice(0, -1), dest: words[words.length - 1] ?? '', flags: ins.flags, heredocs: ins.heredocs };
}

function fromContext(ins: ResolvedInstruction, ctx: PreparedContext | null): { copy: ResolvedCopy | null; size: CopySize } {
  const req = copyRequest(ins);
  const onlyHeredocs = req.sources.length > 0 && req.sources.every((s) => s.startsWith('<<'));
  if (ctx === null && !onlyHeredocs) {
    return { copy: null, size: unknown('No build context was scanned, so the copied files are not known.') };
  }
  const copy = resolveCopy(req, ctx ?? prepareContext(EMPTY_CONTEXT, 'buildkit'));
  return { copy, size: toCopySize(ins, copy, 'from the build context') };
}

const EMPTY_CONTEXT: ContextIndex = { root: '', entries: new Map(), ignoreFile: null, archives: new Map(), problems: [] };

/** `COPY --from=<stage>`: exact when that stage's files are all known, else unknown with the reason. */
function fromStage(ins: ResolvedInstruction, from: string, model: ResolvedModel, trees: StageTree[]): { copy: ResolvedCopy | null; size: CopySize } {
  const stage = stageRef(model.stages.slice(0, trees.length), from, true);
  if (stage === null) return { copy: null, size: unknown(`--from=${from} names an image, which is not inspected: its files are not known.`) };
  const tree = filesOf(trees[stage]);
  if (tree === null) return { copy: null, size: unknown(`Stage ${from} runs commands or starts from an image, so its files are not known before a build.`) };
  const req = copyRequest(ins);
  const copy: ResolvedCopy = { items: [], bytes: 0, note: null, approximate: false, digest: null, errors: [], warnings: [], fileCount: 0, hasArchive: false };
  for (const src of req.sources) {
    const path = resolveImagePath('/', src);
    const matches = hasWildcards(src)
      ? [...tree.keys()].filter((p) => goMatch(cleanPath(`/${src}`), p) === true)
      : [...tree.keys()].filter((p) => p === path || p.startsWith(path === '/' ? '/' : `${path}/`));
    if (matches.length === 0) copy.errors.push(`${src} does not exist in stage ${from}: the build fails.`);
    for (const p of matches) copy.items.push(tree.get(p)!);
  }
  tallyItems(copy);
  const hashed = copy.items.every((i) => i.content !== null);
  copy.digest = hashed && copy.bytes !== null ? `sha256:${sha256Hex(copy.items.map((i) => `${i.dest} ${i.mode} ${i.content}`).join('\n'))}` : null;
  return { copy, size: toCopySize(ins, copy, `from stage ${from}`) };
}

/** Adds a step's items to its stage's tree; the tree becomes unknown when they are. */
function record(tree: StageTree, copy: ResolvedCopy | null, workdir: string, size: CopySize): StageTree {
  if (tree === null || copy === null || size.size.bytes === null || copy.approximate) return null;
  if (copy.hasArchive) return null;
  tree.push({ items: copy.items, workdir });
  return tree;
}

/** A stage's files by absolute path (a later copy to the same path wins), or null when they are unknown. */
function filesOf(tree: StageTree | undefined): Map<string, CopiedItem> | null {
  if (tree === null || tree === undefined) return null;
  const files = new Map<string, CopiedItem>();
  for (const { items, workdir } of tree) {
    for (const item of items) {
      const path = resolveImagePath(workdir, item.dest);
      files.set(path, { ...item, dest: path });
    }
  }
  return files;
}

function copyTree(tree: StageTree | undefined): StageTree {
  return tree === null || tree === undefined ? null : [...tree];
}

function toCopySize(ins: ResolvedInstruction, copy: ResolvedCopy, where: string): CopySize {
  const at = { line: ins.line, endLine: ins.endLine };
  const findings: Finding[] = [
    ...copy.errors.map((message) => ({ code: 'copy-source', severity: 'error' as const, message, ...at })),
    ...copy.warnings.map((message) => ({ code: 'copy-source', severity: 'warning' as const, message, ...at })),
  ];
  if (copy.bytes === null) {
    const why = copy.errors[0] ?? copy.note ?? 'Some copied content is not known.';
    return { size: { bytes: null, source: 'unknown', detail: why }, digest: null, findings };
  }
  const files = copy.fileCount;
  const detail = `${files} ${files === 1 ? 'item' : 'items'}, ${formatBytes(copy.bytes)} ${where}${copy.note ? `. ${copy.note}` : '.'}`;
  return { size: { bytes: copy.bytes, source: copy.approximate ? 'heuristic' : 'exact', detail }, digest: copy.digest, findings };
}

function unknown(detail: string): CopySize {
  return { size: { bytes: null, source: 'unknown', detail }, digest: null, findings: [] };
}

/** Problems of the ignore file make every build fail; they are reported once, on line 0. */
function ignoreFindings(ctx: PreparedContext): Finding[] {
  const name = ctx.index.ignoreFile?.name ?? '.dockerignore';
  const problems = ctx.ignore?.problems ?? [];
  const first = problems[0];
  if (first === undefined) return [];
  return [{ code: 'dockerignore-invalid', severity: 'error', line: 0, endLine: 0, message: `${name} line ${first.line + 1}: ${first.message}` }];
}
