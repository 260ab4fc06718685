/**
 * Wasted space before the build: the final image's steps turned into the layer entries the analysis knows (COPY/ADD
 * items exactly, RUN estimates' paths, WORKDIR folders), RUN removals (`rm`, `apt-get clean`, ...) into whiteouts of
 * the known paths they match, writes onto known files into overwrites; then the same measures as for a built image
 * (core/wasted.ts), so the two compare. Base image files are not known: removing them counts nothing here.
 */
import type { ResolvedInstruction, ResolvedModel } from './stages';
import type { Step, WastedBytes } from './types';
import type { CopySize } from './sizes';
import type { CopiedItem } from './sources';
import type { RunEstimate } from './estimate/run';
import { runScript } from './layers';
import { commandsOf } from './fixes/runText';
import { CACHE_DIRS, pathCommands, patternBase, type PathCommand } from './rules/paths';
import { goMatch, hasWildcards } from './ignore';
import * as posix from './posixPath';
import { formatBytes } from './present';
import { DiveTally, type DiveEntry, type LayerStack, type LayerWaste } from './wasted';
import { copyLayerOf, indexLayer, keptEntries, type IndexedLayer, type Targets } from './wastedPrune';

/** The estimate of wasted space before a build. */
export interface StaticWaste {
  /** By instruction index: bytes the step adds that a later step of the final image deletes or overwrites (LayerWaste's definition). */
  perStep: Map<number, WastedBytes>;
  /** dive's wasted bytes over the known files (uncompressed bytes). */
  wastedBytes: number;
  /**
   * dive's efficiency over the known files, with the base image's `baseBytes` counted as files no step touches
   * ((sum of min + base) / (sum of cumulative + base)); null when no file and no base size is known.
   */
  efficiency: number | null;
  /** Some layer's contents, or some removal's amount, are not known: the figures count only what is known. */
  lowerBound: boolean;
  /** Set when the files whose waste needs the layer stack were too many to model while typing: nothing was counted. */
  skipped?: number;
}

/**
 * The most entries the layer stack models per analysis: about 50 ms on this project's 2-core machine (two copies
 * of 100,000 files over each other took 500 ms). Past it the figures are left unknown rather than make typing wait.
 */
export const MAX_STACKED_ENTRIES = 20_000;

/** What a layer of the static model adds and what stays unknown. */
interface StepLayer {
  entries: DiveEntry[];
  known: boolean;
}

/** A layer of the final image's steps as known before the stack is built: a RUN's removals and writes are read against it later. */
interface PlannedLayer {
  /** Its instruction's index. */
  at: number;
  /** What it adds: the COPY/ADD items, the WORKDIR folder, the RUN estimate's paths. */
  adds: IndexedLayer;
  known: boolean;
  /** A COPY/ADD layer: only some of its entries may need the stack. */
  copy: boolean;
  /** A RUN's commands as the path rules read them. */
  commands?: readonly PathCommand[];
}

/**
 * Wasted space of the final image's steps (`finalStages`: the stages whose layers it ships), from the COPY/ADD
 * results and RUN estimates by instruction index; `baseBytes` is the base image's uncompressed size when known.
 * `prune` false puts every entry through the layer stack: the same figures, slower (what the tests compare with).
 */
export function staticWaste(
  model: ResolvedModel, steps: Step[], copies: Map<number, CopySize>, runs: Map<number, RunEstimate>,
  finalStages: Set<number>, baseBytes?: number | null, prune = true,
): StaticWaste {
  const plans = planLayers(model, steps, copies, runs, finalStages);
  const kept = prune ? keptEntries(plans.map((p) => p.adds), plans.map((p) => p.copy), targetsOf(plans)) : plans.map((p) => p.adds.entries);
  // Past the cap (a copy of a whole large context overwritten or removed as a whole) typing would wait on it.
  const stacked = kept.reduce((n, k) => n + k.length, 0);
  if (prune && stacked > MAX_STACKED_ENTRIES) return { perStep: new Map(), wastedBytes: 0, efficiency: null, lowerBound: true, skipped: stacked };
  const tally = new DiveTally();
  const partial = new Map<number, number>();
  let lowerBound = false;
  plans.forEach((p, layer) => {
    const made = p.commands === undefined ? { entries: kept[layer], known: p.known } : runLayer(p, tally.stack, (owner) => partial.has(owner) || partial.set(owner, layer));
    lowerBound ||= !made.known;
    tally.add(made.entries, prune && p.copy ? p.adds.summary : undefined);
  });
  const m = tally.measures();
  const indexOf = plans.map((p) => p.at);
  const perStep = new Map<number, WastedBytes>();
  m.perLayer.forEach((w, layer) => {
    const wasted = describe(w, partial.get(layer), model, indexOf);
    if (wasted !== null) perStep.set(indexOf[layer], wasted);
  });
  const base = baseBytes ?? 0;
  const efficiency = m.cumulativeBytes === 0 && (baseBytes === undefined || baseBytes === null) ? null
    : m.cumulativeBytes + base === 0 ? 1 : (m.minBytes + base) / (m.cumulativeBytes + base);
  return { perStep, wastedBytes: m.wastedBytes, efficiency, lowerBound: lowerBound || partial.size > 0 };
}

/** The final image's layers in order, with what each adds. */
function planLayers(model: ResolvedModel, steps: Step[], copies: Map<number, CopySize>, runs: Map<number, RunEstimate>, finalStages: Set<number>): PlannedLayer[] {
  const plans: PlannedLayer[] = [];
  const workdirs: string[] = [];
  for (const stage of model.stages) {
    let workdir = stage.baseStage !== null ? workdirs[stage.baseStage] ?? '/' : '/';
    for (const i of stage.instructions) {
      const ins = model.instructions[i];
      if (ins.keyword === 'WORKDIR') workdir = posix.resolve(workdir, ins.expanded.join(' '));
      if (!finalStages.has(stage.index) || ins.keyword === 'FROM' || steps[i] === undefined || steps[i].layer === 'no') continue;
      plans.push(planLayer(i, ins, workdir, copies.get(i), runs.get(i)));
    }
    workdirs[stage.index] = workdir;
  }
  return plans;
}

function planLayer(at: number, ins: ResolvedInstruction, workdir: string, copy: CopySize | undefined, run: RunEstimate | undefined): PlannedLayer {
  const fixed = (entries: DiveEntry[], known: boolean): PlannedLayer => ({ at, adds: indexLayer(entries), known, copy: false });
  if (ins.keyword === 'WORKDIR') return fixed([{ path: workdir, kind: 'dir', bytes: 0 }], true);
  if (ins.keyword === 'COPY' || ins.keyword === 'ADD') {
    const items = copy?.placed ?? copy?.items;
    if (items === undefined) return fixed([], false);
    const { layer, known } = copyLayerOf(items, workdir, itemEntry);
    return { at, adds: layer, known, copy: true };
  }
  if (ins.keyword !== 'RUN') return fixed([], true);
  const known = run !== undefined && run.size.bytes !== null;
  const adds: DiveEntry[] = !known ? [] : run.adds.map((a) => ({ path: posix.resolve('/', a.path), kind: 'file', bytes: a.bytes }));
  return { ...fixed(adds, known), commands: pathCommands(commandsOf(runScript(ins)), workdir) };
}

/** The paths later RUN steps remove (the fixed parts of their patterns) or write onto. */
function targetsOf(plans: PlannedLayer[]): Targets {
  const targets: Targets = { removed: [], written: [] };
  for (const c of plans.flatMap((p) => p.commands ?? [])) {
    for (const raw of c.removed?.paths ?? []) {
      const base = patternBase(posix.resolve('/', raw));
      if (base !== '/') targets.removed.push(base);
    }
    targets.written.push(...c.created);
  }
  return targets;
}

/** A RUN's layer over the stack below it: whiteouts of the known paths it removes, overwrites of known files it writes onto, then what it adds. */
function runLayer(plan: PlannedLayer, stack: LayerStack, partly: (owner: number) => void): StepLayer {
  const whiteouts: DiveEntry[] = [];
  const overwrites: DiveEntry[] = [];
  for (const c of plan.commands ?? []) {
    for (const pattern of c.removed?.paths ?? []) whiteouts.push(...removedEntries(stack, pattern, partly));
    // A write onto a known file replaces it (its new size is not known). Package caches are left to the RUN estimate.
    for (const p of c.created) {
      const n = stack.node(p);
      if (n !== undefined && !n.dir && !n.hidden && !Object.values(CACHE_DIRS).some((d) => p === d || p.startsWith(`${d}/`))) overwrites.push({ path: p, kind: 'file', bytes: 0 });
    }
  }
  return { entries: [...whiteouts, ...overwrites, ...plan.adds.entries], known: plan.known && overwrites.length === 0 };
}

/** A copied item as a layer entry; an archive ADD extracts stands for its contents at a path of its own under the folder. */
function itemEntry(item: CopiedItem, workdir: string): DiveEntry {
  const extract = item.dest.indexOf('#extract:');
  if (extract >= 0) {
    const dir = posix.resolve(workdir, item.dest.slice(0, extract) || '.');
    return { path: `${dir === '/' ? '' : dir}/${item.dest.slice(extract + 1)}`, kind: 'file', bytes: item.bytes ?? 0 };
  }
  const kind = item.kind === 'dir' ? 'dir' : item.kind === 'symlink' ? 'link' : 'file';
  return { path: posix.resolve(workdir, item.dest), kind, bytes: item.bytes ?? 0 };
}

/**
 * Whiteouts for what a removal pattern matches among the known, visible paths: the topmost matches. A path that
 * stands for a folder's contents (a RUN estimate's) is removed whole by the folder or `folder/*`; a pattern inside
 * it removes an unknown part, which `partly` is told of (the owner layer).
 */
function removedEntries(stack: LayerStack, raw: string, partly: (owner: number) => void): DiveEntry[] {
  const pattern = posix.resolve('/', raw);
  const base = patternBase(pattern);
  if (base === '/') return [];
  for (let p = base; p !== '/'; p = posix.dirname(p)) {
    const n = stack.node(p);
    if (n === undefined || n.dir || n.hidden) continue;
    if (p === base && (!hasWildcards(pattern) || pattern === `${base}/*`)) return [whiteout(p)];
    partly(n.owner);
    return [];
  }
  if (!hasWildcards(pattern)) return stack.node(base)?.hidden === false ? [whiteout(base)] : [];
  const out: DiveEntry[] = [];
  for (const { path } of stack.visibleUnder(base)) {
    if (out.some((w) => path.startsWith(`${w.path}/`)) || goMatch(pattern, path) !== true) continue;
    out.push(whiteout(path));
  }
  return out;
}

function whiteout(path: string): DiveEntry {
  return { path, kind: 'whiteout', bytes: 0 };
}

/** A layer's waste as a step's WastedBytes, or null when it has none. */
function describe(w: LayerWaste, partlyBy: number | undefined, model: ResolvedModel, indexOf: number[]): WastedBytes | null {
  if (w.bytes === 0 && partlyBy === undefined) return null;
  const lineOf = (layer: number): string => {
    const ins = model.instructions[indexOf[layer]];
    return `the ${ins.keyword} on line ${ins.line + 1}`;
  };
  if (w.bytes === 0) return { bytes: 0, detail: `${lineOf(partlyBy!)} removes part of what this step adds; how much is not known.`, lowerBound: true };
  const paths = w.largest.map((l) => l.path).join(', ') + (w.count > w.largest.length ? ` and ${w.count - w.largest.length} more` : '');
  const by = w.by.map((b) => lineOf(b.layer)).join(', ');
  const detail = `${formatBytes(w.bytes)} this step adds (${paths}) is deleted or overwritten by ${by}: the bytes stay in the image, though nothing can read them.`;
  return partlyBy === undefined ? { bytes: w.bytes, detail } : { bytes: w.bytes, detail, lowerBound: true };
}
