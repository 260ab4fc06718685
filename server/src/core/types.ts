/**
 * Plain data shared by the pure analysis core and its adapters (LSP, CLI).
 * Lines are 0-based inside the core; adapters convert to what their users expect.
 */
import type { EngineModel } from './engine';
import type { Baseline } from './cache/baseline';
import type { NextBuild } from './cache/predict';
import type { InferInput } from './cache/infer';
import type { BaseImageFacts } from './baseImage';
import type { PackageCatalog } from './catalog';

/** Which image builder the analysis predicts for. */
export type Builder = 'buildkit' | 'legacy';

/** Whether a step adds a layer to its stage's image. */
export type LayerFlag = 'yes' | 'no' | 'maybe';

/** Where a size figure comes from; `pending` while the build context is still being scanned. */
export type SizeSource = 'exact' | 'measured' | 'catalog' | 'heuristic' | 'base' | 'none' | 'unknown' | 'pending';

/** An estimated layer size: `bytes` is uncompressed bytes, or null when not known. */
export interface SizeEstimate {
  bytes: number | null;
  source: SizeSource;
  /** Why the size is what it is (or why it is unknown), in one sentence. */
  detail?: string;
  /** Set when `bytes` counts only what a partial scan of the build context found: the layer holds at least this much. */
  lowerBound?: true;
  /** How sure an estimate is (sources `catalog`, `heuristic`, and `measured` figures carried over from the last build). */
  confidence?: 'high' | 'medium' | 'low';
  /** Set on a `measured` figure carried over from the last build to a step that reruns: an estimate, not this build's bytes. */
  lastBuild?: true;
  /** Set for base image sizes read from a registry: compressed bytes, not what the image takes once pulled. */
  compressed?: true;
  /** What the analysis estimated before a measurement replaced it, for hovers to show beside the measured size. */
  estimate?: SizeEstimate;
}

/** Bytes a step adds that a later step of the image deletes or overwrites: they ship although nothing can read them. */
export interface WastedBytes {
  bytes: number;
  /** What is wasted and which line removes or overwrites it, in one sentence. */
  detail: string;
  /** Set when only part of the waste is known. */
  lowerBound?: true;
}

export type CacheStatus = 'hit' | 'miss' | 'unknown';

/** A predicted build-cache outcome for one step, with the reason in one sentence. */
export interface CachePrediction {
  status: CacheStatus;
  reason: string;
  /**
   * predicted: from a recorded build (or unknown); measured: what a build just did; inferred: guessed from
   * an image built elsewhere. Absent means predicted.
   */
  source?: 'predicted' | 'measured' | 'inferred';
}

export type Severity = 'error' | 'warning' | 'info';

/** A problem or remark about the Dockerfile; `code` keys quick fixes and settings. */
export interface Finding {
  code: string;
  severity: Severity;
  message: string;
  line: number;
  endLine: number;
  /** 0-based columns on `line` and `endLine`; when absent the whole lines are meant. */
  startColumn?: number;
  endColumn?: number;
}

/** A heredoc attached to an instruction (`RUN <<EOF`, `COPY <<EOF /path`). */
export interface HeredocModel {
  name: string;
  /** The body text, lines joined with `\n`, without the closing delimiter. */
  body: string;
  /** Whether the closing delimiter was found. */
  terminated: boolean;
}

/** A `--name=value` flag of an instruction. */
export interface FlagModel {
  name: string;
  value: string | null;
}

/** One instruction of the Dockerfile as the core sees it. */
export interface InstructionModel {
  keyword: string;
  line: number;
  endLine: number;
  /** 0-based column just past the last character of the instruction on `endLine`. */
  endColumn: number;
  /** Argument text after the keyword and flags, continuations joined, comments removed. */
  args: string;
  /** Arguments split as the builder would (shell words or JSON strings). */
  words: string[];
  flags: FlagModel[];
  /** `exec` for a JSON array form, `shell` otherwise (only meaningful for RUN, CMD, ENTRYPOINT, SHELL). */
  form: 'exec' | 'shell';
  heredocs: HeredocModel[];
  /** Index of the stage this instruction belongs to; null for ARGs before the first FROM. */
  stage: number | null;
  /** For ONBUILD: the keyword of the trigger instruction. */
  trigger?: string;
}

/** One build stage (`FROM ... [AS name]`). */
export interface StageModel {
  index: number;
  name: string | null;
  /** The base as written after variable substitution (an image reference or a stage name). */
  base: string;
  /** Index of the earlier stage this one is built FROM, or null when the base is an image. */
  baseStage: number | null;
  line: number;
  /** Indices of earlier stages this stage reads from (`FROM`, `COPY --from`, `RUN --mount=from=`). */
  dependsOn: number[];
  /** Indices into DockerfileModel.instructions that belong to this stage, FROM included. */
  instructions: number[];
}

/** Parser directives at the top of the file. */
export interface Directives {
  escape: string;
  syntax: string | null;
  check: string | null;
}

/** The parsed Dockerfile: instructions in file order, stages, and problems found while parsing. */
export interface DockerfileModel {
  directives: Directives;
  instructions: InstructionModel[];
  stages: StageModel[];
  /** Global ARG defaults (declared before the first FROM); null means declared without a value. */
  globalArgs: Map<string, string | null>;
  findings: Finding[];
}

/** What the user asked the analysis for. */
export interface AnalysisOptions {
  builder: Builder;
  /** Stage name or index as a string; undefined means the last stage. */
  target?: string;
  buildArgs: Record<string, string>;
  /** Severity per finding code (`dockerfileLayers.diagnostics.severity`); `off` hides the code's findings. */
  severities?: Record<string, SeveritySetting>;
  /** The Docker Engine whose rules apply; undefined means DEFAULT_ENGINE (core/engine.ts). */
  engine?: EngineModel;
  /**
   * The recorded build to predict the cache from (loaded by the adapters from the state folder): baseline
   * null with `why` when there is none or it cannot be used; `baseImages` maps FROM references to image IDs;
   * `elsewhere`, without a baseline, an image built elsewhere to infer the status from.
   * Undefined: nothing was looked up, every step's cache status is unknown.
   */
  cache?: { baseline: Baseline | null; why?: string; baseImages?: Record<string, string>; elsewhere?: InferInput };
  /**
   * What sizes are estimated from (the adapters look these up off the typing path): FROM images by reference as
   * written after variable expansion, and Debian's package catalog. Undefined: FROM and RUN sizes stay unknown.
   */
  sizes?: { bases?: Record<string, BaseImageFacts>; catalog?: PackageCatalog | null };
}

/** A configured severity: one of the severities, or `off`. */
export type SeveritySetting = Severity | 'off';

/** The analysis of one instruction. */
export interface Step {
  line: number;
  endLine: number;
  endColumn: number;
  stage: number | null;
  keyword: string;
  /** The instruction as written, on one line and shortened, for tables and trees. */
  summary: string;
  layer: LayerFlag;
  /** One line saying why the step does or does not add a layer. */
  reason: string;
  /** True for steps that only change image metadata (ENV, LABEL, CMD, ...). */
  metadata: boolean;
  size: SizeEstimate;
  /** COPY/ADD: sha256 over the paths, modes and contents it copies (never mtimes); absent when not known. */
  digest?: string;
  cache: CachePrediction;
  /** Bytes of this step's layer that later layers delete or overwrite (dive's wasted space), when any are known. */
  wasted?: WastedBytes;
}

/** A stage as reported to users. */
export interface StageSummary {
  index: number;
  name: string | null;
  base: string;
  line: number;
  /** The target needs this stage: it is the target or something the target builds from or copies from. */
  inTarget: boolean;
  /** The stage's layers end up in the final image (the target and the stages it is built FROM). */
  inFinalImage: boolean;
  /** The chosen builder builds this stage (BuildKit: only what the target needs; legacy: every stage). */
  built: boolean;
  /** Why the stage is or is not built and shipped, in one sentence. */
  role: string;
}

/** The final image's figures: layers, own bytes, the base's bytes, and dive's measures of wasted space. */
export interface Totals {
  layers: number;
  maybeLayers: number;
  /** Bytes of the final image's own layers (base not counted); null while one of them is unknown. */
  bytes: number | null;
  lowerBound?: true;
  /** Set when some of `bytes` is estimated (a RUN from the catalog, a last build's figure for a step that reruns). */
  estimated?: true;
  /** The final image's base image (FROM of its first stage; absent for scratch): bytes null with why when unknown. */
  base?: { ref: string; bytes: number | null; compressed?: true; why?: string };
  /** Base plus own layers; null when either is unknown. */
  imageBytes?: number | null;
  /** dive's wasted bytes and efficiency over the files the analysis knows (estimated) or the built image's layers (measured). */
  wastedBytes?: number;
  /** Set when some layer's contents are not known: `wastedBytes` is a floor and `efficiency` null. */
  wastedLowerBound?: true;
  efficiency?: number | null;
  /** dive's user wasted percent (wasted bytes / the bytes of every layer but the first), from a built image only. */
  userWastedPercent?: number | null;
  wasteSource?: 'estimated' | 'measured';
}

/** The whole analysis of a Dockerfile for one builder and target. */
export interface Analysis {
  builder: Builder;
  /** The engine whose rules the answers model, and the words hovers, the explorer and the CLI show for it. */
  model: { engine: EngineModel; label: string };
  /** Index of the target stage, or null when the file has no stage. */
  target: number | null;
  stages: StageSummary[];
  steps: Step[];
  findings: Finding[];
  /** `bytes` is null while a layer's size is unknown; `lowerBound` is set when a layer's size is a lower bound. */
  totals: Totals;
  /** What the next build reruns, from the cache prediction and the recorded build's step times; null without a recorded build. */
  nextBuild?: NextBuild | null;
}
