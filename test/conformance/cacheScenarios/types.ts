/**
 * The build-cache conformance scenarios as data: a context, a first build, one mutation, and what the real
 * builder does in the second build (`misses`, checked so a scenario keeps exercising what its name says).
 * `{{NONCE}}` in any text becomes a value unique to the run, and the first step of every stage carries it,
 * so the engine's cache from earlier runs never matches. The scenarios themselves are in this folder's other files.
 */
import type { Builder } from '../docker';

/** One change between the first and the second build; paths are relative to the build context. */
export type Mutation =
  | { op: 'write'; path: string; content: string }
  | { op: 'append'; path: string; content: string }
  /** Sets the file's mtime an hour ahead; its bytes and mode stay. */
  | { op: 'touch'; path: string }
  | { op: 'chmod'; path: string; mode: number }
  | { op: 'rm'; path: string }
  | { op: 'mkdir'; path: string }
  /** Replaces a symlink (or makes one) pointing at `target`. */
  | { op: 'symlink'; path: string; target: string }
  /** Replaces `from` (which must occur exactly once) with `to` in the Dockerfile. */
  | { op: 'edit'; from: string; to: string }
  /** The second build's `--build-arg`s, replacing the first build's. */
  | { op: 'buildArgs'; args: Record<string, string> }
  /** The second build's `--target` (null: the last stage). */
  | { op: 'target'; target: string | null };

/**
 * Which steps the real second build runs instead of taking from its cache: for each builder (or
 * `builder@major.minor` where one engine differs), text that picks out exactly one instruction of the mutated
 * Dockerfile. Every other step the builder's output shows is a hit.
 */
export type ExpectedMisses = Partial<Record<Builder | `${Builder}@${string}`, string[]>>;

export interface CacheScenario {
  name: string;
  /** The build context's files (Dockerfile aside), written with mode 0644; folders are made as needed. */
  files: Record<string, string>;
  /** Symlinks in the context: path -> link text. */
  links?: Record<string, string>;
  dockerfile: string;
  mutate: Mutation[];
  misses: ExpectedMisses;
  /** Builders to run it with (default both). */
  builders?: Builder[];
  /** `buildkit-modern`: Docker 26.1 and later only, BuildKit only (heredocs, `COPY --link`). Default all. */
  engines?: 'all' | 'buildkit-modern';
  target?: string;
  buildArgs?: Record<string, string>;
  /** `--secret id=ID,src=FILE` for both builds (FILE in the context); the first build must pass it too. */
  secret?: { id: string; file: string };
  /** `--secret` for the second build only (FILE in the context). */
  secondSecret?: { id: string; file: string };
  /**
   * Steps whose outcome no prediction made before the build can know (a COPY --from of what a command makes,
   * in a stage that reruns, and the steps after it), picked out like `misses`: the tool's answer (it predicts a
   * rebuild, the usual outcome, and says why it may not be) and the builder's are recorded, not compared.
   */
  unpredictable?: string[];
}

/** The image the scenarios start FROM, and one that differs by a file (for the base-image change). */
export const BASE = 'dl-test/busybox:1';
export const OTHER_BASE = 'dl-test/busybox:2';

/** A file whose copy (`COPY n.txt /n.txt`) starts a stage with the run's nonce; cheaper than a RUN on the legacy builder. */
export const NONCE_FILE = { 'n.txt': 'nonce {{NONCE}}\n' };
export const COPY_NONCE = 'COPY n.txt /n.txt';

/** A Dockerfile from lines. */
export const df = (...lines: string[]): string => `${lines.join('\n')}\n`;
