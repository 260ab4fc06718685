/**
 * RUN layer size estimates before the build (pure). CONTRACT for the RUN-estimate work: package installs
 * (apt-get/apt from Debian's catalog; apk, pip, npm/yarn/pnpm by heuristics where an honest basis exists),
 * cleanups in the same step; anything else unknown with the reason.
 */
import type { SizeEstimate } from '../types';
import type { ResolvedInstruction, ResolvedModel } from '../stages';
import type { BaseImageFacts } from '../baseImage';
import type { PackageCatalog } from '../catalog';
import { runScript } from '../layers';
import { formatBytes } from '../present';
import type { Lookup } from '../variables';
import { readAptActions, type AptAction } from './aptCommands';
import { applyAptActions, type AptState, type LayerPart } from './aptStep';
import { debianBase } from './debianBase';

/** A RUN step's estimate and what it leaves where, for the wasted-space analysis. */
export interface RunEstimate {
  /** source `catalog`, `heuristic` or `unknown`, with `confidence` and a detail saying how it was estimated. */
  size: SizeEstimate;
  /**
   * Paths the step leaves with their estimated bytes (absolute; a folder stands for everything under it), e.g.
   * `/var/lib/apt/lists` after `apt-get update`, `/var/cache/apt/archives` for downloaded .debs.
   */
  adds: Array<{ path: string; bytes: number }>;
}

/** What a stage's RUNs start from: apt's state on a Debian base, or why the base is not one. */
type StageStart = AptState | { why: string };

/**
 * Estimates every RUN of the model (by instruction index; bytes uncompressed, as `docker history` shows them);
 * stages chain through `FROM <stage>`. Without a catalog or base facts apt steps are estimated from the
 * reference or stay unknown, with the reason in `detail`.
 */
export function estimateRuns(model: ResolvedModel, bases: Record<string, BaseImageFacts> | undefined, catalog: PackageCatalog | null | undefined): Map<number, RunEstimate> {
  const out = new Map<number, RunEstimate>();
  const ends: StageStart[] = [];
  for (const stage of model.stages) {
    let state = stage.baseStage !== null && ends[stage.baseStage] !== undefined ? ends[stage.baseStage] : startOf(stage.base, bases?.[stage.base], catalog);
    for (const index of stage.instructions) {
      const ins = model.instructions[index];
      if (ins.keyword !== 'RUN') continue;
      const result = estimateRun(ins, state);
      out.set(index, result.estimate);
      state = result.state;
    }
    ends[stage.index] = state;
  }
  return out;
}

function startOf(ref: string, facts: BaseImageFacts | undefined, catalog: PackageCatalog | null | undefined): StageStart {
  const base = debianBase(ref, facts, catalog);
  if ('why' in base) return base;
  const lists = base.lists === true ? 'base' : 'none';
  return { base, installed: base.installed, lists, pkgcache: false, srcpkgcache: false, stageInstalls: 0, recommends: true };
}

/** Package managers and tools whose downloads no shipped catalog describes, with the reason. */
const UNCATALOGUED: Array<[RegExp, string]> = [
  [/^apk$/, "Alpine's packages are not in the shipped catalog (only Debian's are)"],
  [/^(pip|pip3(\.\d+)?|pipx|poetry|uv|python3?(\.\d+)?)$/, "what pip installs (from PyPI, a wheel or a source folder) is not in the shipped catalog, and no index is read at analysis time"],
  [/^(npm|npx|yarn|pnpm|bun)$/, "what npm, yarn and pnpm install comes from the npm registry, which is not read at analysis time"],
  [/^(dpkg)$/, 'a .deb installed with dpkg is not in the catalog'],
];

/** Commands that add no bytes to a layer (folders, links and deletions of earlier files count 0 B in `docker history`). */
const ZERO_BYTE = new Set(['rm', 'rmdir', 'mkdir', 'ln', 'cd', 'true', ':', 'set', 'export']);

function estimateRun(ins: ResolvedInstruction, start: StageStart): { estimate: RunEstimate; state: StageStart } {
  const actions = readAptActions(runScript(ins), lookupOf(ins));
  const usesApt = actions.some((a) => a.kind !== 'other' && a.kind !== 'none' && a.kind !== 'rm' && a.kind !== 'config');
  // A config file a RUN writes is counted like any other write; its Install-Recommends holds for later RUNs.
  const others = actions.filter((a): a is Extract<AptAction, { kind: 'other' | 'config' }> => (a.kind === 'other' || a.kind === 'config') && !ZERO_BYTE.has(a.command));
  if (!usesApt) return { estimate: withoutApt(actions, others), state: configured(actions, start) };
  if ('why' in start) return { estimate: unknown(`apt-get cannot be estimated: ${start.why}.`), state: start };
  const upgrade = actions.find((a) => a.kind === 'upgrade');
  if (upgrade !== undefined && upgrade.kind === 'upgrade') return { estimate: unknown(`\`${upgrade.command}\` depends on how far the mirror moved past the base image, which is not known before the build.`), state: start };
  const outcome = applyAptActions(actions, start);
  if (outcome.unknown !== null) return { estimate: unknown(`This step's size is unknown: ${outcome.unknown}.`), state: outcome.state };
  return { estimate: aptEstimate(outcome.parts, outcome.added.length, outcome.missing, outcome.caveats, others, start), state: outcome.state };
}

/** The state after a RUN without apt commands: only an Install-Recommends setting it writes changes it. */
function configured(actions: readonly AptAction[], start: StageStart): StageStart {
  if ('why' in start) return start;
  const last = actions.filter((a) => a.kind === 'config').pop();
  return last === undefined || last.kind !== 'config' ? start : { ...start, recommends: last.recommends };
}

function lookupOf(ins: ResolvedInstruction): Lookup {
  return (name) => ins.scope?.env.get(name) ?? ins.scope?.args.get(name) ?? undefined;
}

function aptEstimate(parts: LayerPart[], added: number, missing: string[], caveats: readonly string[], others: Array<{ command: string }>, start: AptState): RunEstimate {
  const bytes = parts.reduce((n, p) => n + p.bytes, 0);
  // Docker's official images keep lists gzip-compressed and fetch no translations (docker-gzip-indexes,
  // docker-no-languages); the catalog's figure is the uncompressed lists of a plain apt configuration.
  const listsGuess = start.base.confidence === 'medium' && parts.some((p) => p.path === '/var/lib/apt/lists');
  const notes = listsGuess ? [...caveats, 'the lists are counted uncompressed; images built on the official ones may keep them gzip-compressed and smaller'] : caveats;
  const lowered = missing.length > 0 || others.length > 0 || notes.length > 0;
  const confidence = lowered ? 'low' : start.base.confidence;
  const listed = parts.map((p) => `${formatBytes(p.bytes)} ${p.what}`).join(', ');
  const suite = start.base.suite;
  let detail = `apt adds ${added} package${added === 1 ? '' : 's'} not installed before (Debian ${suite.suite} catalog of ${suite.date.slice(0, 10)}, installed set from ${start.base.basis}): ${listed || 'nothing'}.`;
  if (missing.length > 0) detail += ` Not in the catalog (left out): ${missing.join(', ')}.`;
  if (others.length > 0) detail += ` Not counted: what ${[...new Set(others.map((o) => `\`${o.command}\``))].join(', ')} write${others.length === 1 ? 's' : ''}.`;
  if (notes.length > 0) detail += ` ${notes.map((c) => c[0].toUpperCase() + c.slice(1)).join('; ')}.`;
  const size: SizeEstimate = { bytes, source: 'catalog', confidence, detail };
  if (others.length > 0) size.lowerBound = true;
  return { size, adds: parts.filter((p) => p.path !== '/usr').map((p) => ({ path: p.path, bytes: p.bytes })) };
}

/** A RUN without apt: 0 B when it only makes folders and links or deletes, else unknown with the reason. */
function withoutApt(actions: readonly AptAction[], others: Array<{ command: string }>): RunEstimate {
  if (others.length === 0) {
    const deletes = actions.some((a) => a.kind === 'rm');
    const detail = deletes
      ? 'Deleting files of earlier layers frees nothing: the layer holds only whiteouts, 0 B in `docker history`.'
      : 'The commands write no file contents (folders and links count 0 B in `docker history`).';
    return { size: { bytes: 0, source: 'heuristic', confidence: 'high', detail }, adds: [] };
  }
  for (const [pattern, why] of UNCATALOGUED) {
    const hit = others.find((o) => pattern.test(o.command));
    if (hit !== undefined) return unknown(`This step's size is unknown: ${why}.`);
  }
  return unknown(`This step's size is unknown before the build: \`${others[0].command}\` writes files no catalog describes.`);
}

function unknown(detail: string): RunEstimate {
  return { size: { bytes: null, source: 'unknown', detail }, adds: [] };
}
