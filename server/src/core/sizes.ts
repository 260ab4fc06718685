/**
 * Layer sizes of COPY and ADD steps: from the scanned build context, from heredocs, or from an earlier stage
 * whose files are all known (a stage built FROM scratch out of COPY/ADD steps). Sizes are uncompressed bytes,
 * as `docker history` reports them.
 */
import type { ContextIndex } from './context';
import type { AnalysisOptions, Builder, Finding, SizeEstimate } from './types';
import type { ResolvedInstruction, ResolvedModel } from './stages';
import { resolveStages, stageRef } from './stages';
import { parseDockerfile } from './dockerfile';
import { resolve as resolveImagePath } from './posixPath';
import { cleanPath, goMatch, hasWildcards } from './ignore';
import { sha256Hex } from './sha256';
import { DEFAULT_ENGINE, ignoreFlavor, type EngineModel } from './engine';
import { isRemote, prepareContext, resolveCopy, tallyItems, type CopiedItem, type CopyRequest, type PreparedContext, type ResolvedCopy } from './sources';
import { formatBytes } from './present';

/** The size of one COPY/ADD step, a digest of what it copies (null when unknown), and its problems. */
export interface CopySize {
  size: SizeEstimate;
  digest: string | null;
  findings: Finding[];
  /** The copied items (shared with the resolved copy: read, never change), when the digest is known. */
  items?: CopiedItem[];
  /** The same items whenever the size is known, hashed or not (their paths and bytes), for the wasted-space estimate. */
  placed?: CopiedItem[];
}

/**
 * A stage's files when every file in it is known, as the COPY/ADD results in order with the WORKDIR each ran
 * in; else why they are not (a clause: `it runs commands`). Turned into paths only when a `COPY --from` reads
 * the stage: doing that for every stage on every keystroke cost hundreds of ms with a 100,000-file context.
 */
type StageTree = Array<{ items: CopiedItem[]; workdir: string }> | string;

/** COPY/ADD sizes by instruction index, plus findings about the ignore file (they fail every build). */
export interface CopySizes {
  byInstruction: Map<number, CopySize>;
  findings: Finding[];
}

/** Sizes every COPY/ADD of the model for `builder`; `context` undefined means none was scanned. */
export function estimateCopySizes(model: ResolvedModel, builder: Builder, context?: ContextIndex, engine: EngineModel = DEFAULT_ENGINE): CopySizes {
  const ctx = context === undefined ? null : prepareContext(context, builder, ignoreFlavor(engine));
  const sizes = new Map<number, CopySize>();
  const trees: StageTree[] = [];
  for (const stage of model.stages) {
    let workdir = '/';
    let tree: StageTree = stage.base.toLowerCase() === 'scratch' ? [] : stage.baseStage === null ? `it starts from an image (${stage.base})` : copyTree(trees[stage.baseStage]);
    for (const i of stage.instructions) {
      const ins = model.instructions[i];
      if (ins.keyword === 'WORKDIR') workdir = resolveImagePath(workdir, ins.expanded[0] ?? '/');
      if (ins.keyword === 'RUN') tree = 'it runs commands';
      if (ins.keyword !== 'COPY' && ins.keyword !== 'ADD') continue;
      const from = ins.flags.find((f) => f.name === 'from')?.value ?? null;
      const { copy, size } = from === null ? fromContext(ins, ctx) : fromStage(ins, from, model, trees);
      sizes.set(i, size);
      tree = from === null ? record(tree, copy, workdir, size) : `it copies from ${from}`;
    }
    trees.push(tree);
  }
  return { byInstruction: sizes, findings: ctx === null ? [] : ignoreFindings(ctx) };
}

/**
 * Whether sizing `text`'s steps needs the contents of build-context files and not only their list and sizes:
 * true when an ADD names a local path, since only reading a file tells whether ADD extracts it as an archive.
 */
export function needsFileContents(text: string, options: Pick<AnalysisOptions, 'buildArgs'>): boolean {
  const model = resolveStages(parseDockerfile(text), options.buildArgs);
  return model.instructions.some((ins) => ins.keyword === 'ADD' && copyRequest(ins).sources.some((src) => !src.startsWith('<<') && !isRemote(src)));
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
  if (typeof tree === 'string') return { copy: null, size: unknown(`Stage ${from}'s files are not known before a build: ${tree}.`) };
  const req = copyRequest(ins);
  const copy: ResolvedCopy = { items: [], bytes: 0, note: null, approximate: false, digest: null, errors: [], warnings: [], fileCount: 0, hasArchive: false, lowerBound: false };
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

/** Adds a step's items to its stage's tree; the tree becomes unknown when they are, with the reason. */
function record(tree: StageTree, copy: ResolvedCopy | null, workdir: string, size: CopySize): StageTree {
  if (typeof tree === 'string') return tree;
  if (copy === null || size.size.bytes === null) return 'a COPY or ADD in it has an unknown size';
  if (copy.approximate) return 'a heredoc in it expands variables at build time';
  if (copy.hasArchive) return 'it extracts an archive';
  if (copy.lowerBound) return 'the build context it copies from was only partly scanned';
  tree.push({ items: copy.items, workdir });
  return tree;
}

/** A stage's files by absolute path (a later copy to the same path wins), or why they are unknown. */
function filesOf(tree: StageTree | undefined): Map<string, CopiedItem> | string {
  if (tree === undefined) return 'it is not an earlier stage';
  if (typeof tree === 'string') return tree;
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
  return tree === undefined ? 'its base stage is not known' : typeof tree === 'string' ? tree : [...tree];
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
  const amount = `${copy.lowerBound ? 'at least ' : ''}${files} ${files === 1 ? 'item' : 'items'}, ${formatBytes(copy.bytes)}`;
  const detail = `${amount} ${where}${copy.note ? `. ${copy.note}` : '.'}`;
  const size: SizeEstimate = { bytes: copy.bytes, source: copy.approximate ? 'heuristic' : 'exact', detail };
  if (copy.lowerBound) size.lowerBound = true;
  return copy.digest === null ? { size, digest: null, findings, placed: copy.items } : { size, digest: copy.digest, findings, items: copy.items, placed: copy.items };
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
