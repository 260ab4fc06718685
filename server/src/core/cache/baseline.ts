/**
 * A baseline: what one real build of a Dockerfile (for one target and builder) depended on, step by step, and
 * what the builder did. Plain data, written by server/src/state and read by the cache prediction.
 */
import type { Builder } from '../types';

/** The version of the baseline file format; files of another version are ignored with a message. */
export const BASELINE_FORMAT = 1;

/**
 * What a step's cache key depends on, in words the explanation can compare: each field is a normalized text,
 * or null where the step has no such input. `files` lists the copied paths with their content and mode hashes
 * (capped at MAX_KEY_FILES; `filesTruncated` says so), so a miss can name the files that changed.
 */
export interface KeyInputs {
  /** The instruction as the builder sees it: keyword, flags and arguments after variable expansion. */
  instruction: string;
  /** Build args and ENV values in scope that reach the step (BuildKit: every ENV and every ARG with a value). */
  env: Record<string, string>;
  workdir: string;
  user: string;
  shell: string;
  /** The image the step's stage starts from (through its parent stages), as referenced, with its image ID when known. */
  base: string | null;
  /** COPY/ADD (and bind mounts): the digest of the selected sources' contents and modes; null when unknown. */
  content: string | null;
  files?: Record<string, string>;
  filesTruncated?: boolean;
}

/** The most copied files a baseline lists per step; beyond that only the digest is compared. */
export const MAX_KEY_FILES = 2_000;

/** One step of a recorded build. */
export interface BaselineStep {
  /** 0-based line of the instruction when it was built. */
  line: number;
  stage: number;
  keyword: string;
  /** The step's cache key as this tool computes it (a hex digest of its inputs and its parent's key). */
  key: string;
  inputs: KeyInputs;
  /** What the builder did: hit (cache), miss (ran), or null when its output did not show the step. */
  cache: 'hit' | 'miss' | null;
  /** How long the step took, in seconds (null when the output did not tell). */
  seconds: number | null;
  /** Uncompressed bytes of its layer in the built image, or null when not measured. */
  bytes: number | null;
}

/** One recorded build. */
export interface Baseline {
  format: typeof BASELINE_FORMAT;
  /** Absolute path of the Dockerfile, its target (null: the last stage) and the builder. */
  dockerfile: string;
  target: string | null;
  builder: Builder;
  /** The Docker version of the engine that built it. */
  engineVersion: string | null;
  /** When the build finished, ms since the epoch, and the image it made. */
  builtAt: number;
  imageId: string | null;
  steps: BaselineStep[];
  /** The image IDs of the FROM images when it was built (by reference), where the daemon told them. */
  baseImages?: Record<string, string>;
  /**
   * Keys of steps the builder's cache holds from earlier recorded builds of this Dockerfile (newest first,
   * capped): BuildKit takes any of them from its cache, whatever build made it.
   */
  knownKeys: string[];
  /** Layer bytes the builds that left `knownKeys` measured, by key (where measured), so a step cached from any of them has its size. */
  knownBytes?: Record<string, number>;
}
