/**
 * `dockerfile-layers build` (build, then print the analysis with measured sizes and cache results) and
 * `analyze --image TAG` (measure an existing image). Arguments parsed here; docker work in ../docker.
 */
import { parseArgs } from 'node:util';
import type { Analysis, Builder } from '../core/types';
import { withMeasurement } from '../core/history';
import { runBuild } from '../docker/build';
import type { CacheResults } from '../docker/buildLog';
import { Engine, engineAddress } from '../docker/engine';
import { MEASURE_TIMEOUT_MS, measureImage, toMeasurement } from '../docker/measure';
import { loadAnalysis, type Loaded } from './load';
import { inferCache } from '../core/cache/infer';
import { entryMtime } from '../core/context';
import { recordBuild } from '../state/recordBuild';
import { formatFinding, toJsonReport, toTable } from './report';
import { builderAndArgs, engineVersionArg, type AnalyzeArgs } from './args';

/** Options of `dockerfile-layers build`. */
export interface BuildArgs {
  dockerfile: string;
  context: string | null;
  target: string | undefined;
  buildArgs: Record<string, string>;
  builder: Builder;
  docker: string;
  tag: string | undefined;
  json: boolean;
  engineVersion: string | null;
  stateDir: string | null;
}

export const BUILD_USAGE = `Usage: dockerfile-layers build [DOCKERFILE] [options]

Builds the image with the docker CLI (log on stderr), then prints the analysis with measured layer sizes and
what the build took from its cache.

Options:
  --context DIR          build context (default: the Dockerfile's folder)
  --target STAGE         stage to build (default: the last stage)
  --build-arg K=V        build argument, repeatable (K alone takes the value from the environment)
  --builder B            buildkit (default) or legacy
  --engine-version V     model this Docker Engine version instead of the daemon's
  --docker PATH          the docker CLI to run (default: $DOCKER_CLI, else docker)
  --state-dir DIR        where the build is recorded for cache predictions (default:
                         $DOCKERFILE_LAYERS_STATE_DIR, else the per-user cache folder)
  --tag TAG              tag the image
  --json                 print JSON (the analyze shape) instead of a table

Exit codes: 0 built, 1 the build failed, 2 usage, IO or Docker daemon error.`;

/** Output channels: `out` and `err` print lines, `log` passes build output through as it comes. */
export interface CliIo {
  out: (s: string) => void;
  err: (s: string) => void;
  log: (chunk: string) => void;
}

/** Parses `build`'s arguments (after the command word); returns options or a usage error. */
export function parseBuildArgs(argv: string[], env: Record<string, string | undefined>): BuildArgs | { error: string } | { help: true } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv, allowPositionals: true,
      options: {
        context: { type: 'string' }, target: { type: 'string' }, 'build-arg': { type: 'string', multiple: true },
        builder: { type: 'string' }, docker: { type: 'string' }, tag: { type: 'string' }, json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' }, 'engine-version': { type: 'string' }, 'state-dir': { type: 'string' },
      },
    });
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
  const { values, positionals } = parsed;
  if (values.help) return { help: true };
  if (positionals.length > 1) return { error: `build takes one Dockerfile, got ${positionals.length}` };
  const common = builderAndArgs(values.builder, values['build-arg'], env);
  if ('error' in common) return common;
  const { builder, buildArgs } = common;
  if (values.docker === '') return { error: '--docker needs the path of a docker CLI' };
  const engineVersion = engineVersionArg(values['engine-version']);
  if (typeof engineVersion === 'object' && engineVersion !== null) return engineVersion;
  return {
    dockerfile: positionals[0] ?? 'Dockerfile', context: values.context ?? null, target: values.target, buildArgs, builder,
    docker: values.docker ?? (env.DOCKER_CLI || 'docker'), tag: values.tag, json: values.json ?? false, engineVersion,
    stateDir: values['state-dir'] ?? null,
  };
}

/** Runs `dockerfile-layers build ARGV`; resolves to the exit code. Aborting `signal` cancels the build. */
export async function runBuildCommand(argv: string[], env: NodeJS.ProcessEnv, io: CliIo, signal?: AbortSignal): Promise<number> {
  const args = parseBuildArgs(argv, env);
  if ('help' in args) return (io.out(BUILD_USAGE), 0);
  if ('error' in args) return (io.err(`dockerfile-layers: ${args.error}\n\n${BUILD_USAGE}`), 2);
  // The context is scanned and hashed first: the baseline records what each step's cache key depended on.
  const loaded = await loadAnalysis({ ...args, scan: true, hashForCache: true }, io.err);
  if (loaded === null) return 2;
  const { dockerfile, context, text } = loaded;
  const outcome = await runBuild({
    dockerPath: args.docker, builder: args.builder, dockerfile, context, target: args.target, buildArgs: args.buildArgs,
    tag: args.tag, env, onOutput: io.log, signal,
  });
  if (!outcome.ok || outcome.imageId === null) {
    io.err(`dockerfile-layers: ${outcome.message}`);
    return outcome.failure === 'step' || outcome.failure === 'cancelled' ? 1 : 2;
  }
  io.err(`dockerfile-layers: ${outcome.message}`);
  const recorded = await recordBuild(loaded, outcome, args.target ?? null, env, io.err);
  printReport({ dockerfile, context, text, analysis: recorded.analysis, json: args.json, label: args.dockerfile }, io, outcome.imageId);
  return recorded.code;
}

/** `analyze --image TAG`: the analysis with the sizes measured from an existing image (no cache results). */
export async function analyzeImageCommand(args: AnalyzeArgs, env: NodeJS.ProcessEnv, io: Pick<CliIo, 'out' | 'err'>): Promise<number> {
  const loaded = await loadAnalysis({ ...args, scan: true, hashForCache: true }, io.err);
  if (loaded === null) return 2;
  const { dockerfile, context, text } = loaded;
  // Without a build recorded through the tool, the image's history and the files' times tell what they can.
  const analysis = hasRecordedBuild(loaded) ? loaded.analysis : await withInferredCache(loaded, args.image ?? '', env, io.err);
  const report = { dockerfile, context, text, analysis, json: args.json, label: args.dockerfile };
  const code = await printMeasured(args.image ?? '', new Map(), report, io, env);
  return code !== 0 ? code : analysis.findings.some((f) => f.severity === 'error') ? 1 : 0;
}

/** Whether the analysis compared with a recorded build (then its prediction stands over any inference). */
function hasRecordedBuild(loaded: Loaded): boolean {
  return loaded.analysis.nextBuild !== null && loaded.analysis.nextBuild !== undefined;
}

/** The analysis with each step's cache status inferred from `image`; unchanged (with a message) when the daemon cannot tell. */
async function withInferredCache(loaded: Loaded, image: string, env: NodeJS.ProcessEnv, err: (s: string) => void): Promise<Analysis> {
  const address = engineAddress(env);
  try {
    if ('error' in address) throw new Error(address.error);
    const history = (await new Engine({ address }).history(image)).map((h) => ({ ...h, emptyLayer: false }));
    const cache = inferCache(loaded.analysis, loaded.keys, { image, history, mtimeOf: (p) => entryMtime(loaded.index?.entries.get(p)) });
    return { ...loaded.analysis, steps: loaded.analysis.steps.map((s, i) => ({ ...s, cache: cache[i] })) };
  } catch (e) {
    err(`dockerfile-layers: could not read the history of ${image} to infer the cache: ${e instanceof Error ? e.message : String(e)}`);
    return loaded.analysis;
  }
}


/** What `printMeasured` prints about. */
export interface Report {
  dockerfile: string;
  context: string;
  text: string;
  analysis: Analysis;
  json: boolean;
  /** The Dockerfile as the user named it, for finding lines. */
  label: string;
}

/**
 * Measures `image`, applies the sizes (and the build's cache results) to the analysis and prints it; for
 * `analyze --image` the cache results are empty. Resolves to 0, or 2 when the daemon cannot measure it.
 */
export async function printMeasured(image: string, cache: CacheResults, r: Report, io: Pick<CliIo, 'out' | 'err'>, env: NodeJS.ProcessEnv): Promise<number> {
  const address = engineAddress(env);
  const target = r.analysis.target === null ? null : (r.analysis.stages[r.analysis.target]?.name ?? String(r.analysis.target));
  const options = { text: r.text, analysis: r.analysis, target, cache };
  let analysis: Analysis;
  let code = 0;
  try {
    if ('error' in address) throw new Error(address.error);
    analysis = withMeasurement(r.analysis, r.text, (await measureImage(new Engine({ address, timeoutMs: MEASURE_TIMEOUT_MS }), image, options)).steps);
  } catch (e) {
    io.err(`dockerfile-layers: could not measure image ${image}: ${e instanceof Error ? e.message : String(e)}`);
    // The build's cache results still apply without sizes.
    analysis = withMeasurement(r.analysis, r.text, toMeasurement([], [], image, options).steps);
    code = 2;
  }
  printReport({ ...r, analysis }, io, image);
  return code;
}

/** Prints the findings to `err` and the report (table or JSON with the image) to `out`. */
function printReport(r: Report, io: Pick<CliIo, 'out' | 'err'>, image: string): void {
  for (const f of r.analysis.findings) io.err(formatFinding(r.label, f));
  io.out(r.json ? JSON.stringify({ ...toJsonReport(r.analysis, r.dockerfile, r.context), image }, null, 2) : toTable(r.analysis));
}
