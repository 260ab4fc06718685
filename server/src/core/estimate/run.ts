/**
 * RUN layer size estimates before the build (pure). CONTRACT for the RUN-estimate work: package installs
 * (apt-get/apt from Debian's catalog; apk, pip, npm/yarn/pnpm by heuristics where an honest basis exists),
 * cleanups in the same step; anything else unknown with the reason.
 */
import type { SizeEstimate } from '../types';
import type { ResolvedModel } from '../stages';
import type { BaseImageFacts } from '../baseImage';
import type { PackageCatalog } from '../catalog';

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

/** Estimates every RUN of the model (by instruction index); stages chain through `FROM <stage>`. */
export function estimateRuns(model: ResolvedModel, bases: Record<string, BaseImageFacts> | undefined, catalog: PackageCatalog | null | undefined): Map<number, RunEstimate> {
  void model; void bases; void catalog;
  return new Map();
}
