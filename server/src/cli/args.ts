/**
 * Command-line arguments -> typed options, using node:util parseArgs. Usage errors come back as messages.
 */
import { parseArgs } from 'node:util';
import type { Builder } from '../core/types';
import { checkEngineVersion } from '../docker/version';

/** Options of `dockerfile-layers analyze`. */
export interface AnalyzeArgs {
  command: 'analyze';
  dockerfile: string;
  context: string | null;
  target: string | undefined;
  buildArgs: Record<string, string>;
  builder: Builder;
  image: string | null;
  stateDir: string | null;
  /** `--max-files N`: scan at most N files and N folders of the build context; absent for the default. */
  maxFiles?: number;
  noDocker: boolean;
  /** `--offline`: ask no registry for base image sizes. */
  offline: boolean;
  json: boolean;
  /** `--engine-version`: the Docker Engine to model instead of asking the daemon; null when not given. */
  engineVersion: string | null;
}

/** Options of `dockerfile-layers fix`. */
export interface FixArgs {
  command: 'fix';
  dockerfile: string;
  /** Finding codes to fix; empty means every code. */
  only: string[];
  write: boolean;
  target: string | undefined;
  buildArgs: Record<string, string>;
  builder: Builder;
  engineVersion: string | null;
}

export type CliArgs = AnalyzeArgs | FixArgs | { command: 'help' } | { command: 'version' };

export const USAGE = `Usage: dockerfile-layers analyze [DOCKERFILE] [options]
       dockerfile-layers fix [DOCKERFILE] [--only CODE]... [--write]
       dockerfile-layers build [DOCKERFILE] [options]   (build, then measure; see build --help)

analyze: shows, for every Dockerfile instruction, whether it adds an image layer, its size and its build-cache
status. fix: applies the quick fixes of the layer diagnostics (merge RUN steps, clean up in the same layer,
copy dependency manifests before installing) and prints them as a diff, or rewrites the file with --write.

Options:
  --context DIR          build context (default: the Dockerfile's folder)
  --max-files N          scan at most N files, and N folders, of the build context (default 200000);
                         past that, sizes are lower bounds (shown as >=)
  --target STAGE         stage to build (default: the last stage)
  --build-arg K=V        build argument, repeatable (K alone takes the value from the environment)
  --builder B            buildkit (default) or legacy
  --engine-version V     the Docker Engine whose rules to model, e.g. 20.10 or 26.1 (default: ask the
                         daemon; without one, a current engine)
  --image TAG            an image built from this Dockerfile, for measured sizes
  --state-dir DIR        where build state for cache predictions is kept
  --no-docker            never contact a Docker daemon
  --offline              ask no registry for base image sizes (local images and sizes kept from earlier
                         lookups only)
  --json                 print JSON instead of a table
  --only CODE            fix: only fixes for this diagnostic code, repeatable (e.g. merge-runs)
  --write                fix: rewrite the Dockerfile instead of printing a diff
  -h, --help             show this help
  -v, --version          show the version

Exit codes: 0 ok, 1 the Dockerfile has errors that would fail the build, 2 usage or IO error.`;

/** Parses argv (without node and script); returns options or a usage error message. */
export function parseCliArgs(argv: string[], env: Record<string, string | undefined>): CliArgs | { error: string } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        context: { type: 'string' }, target: { type: 'string' }, 'build-arg': { type: 'string', multiple: true },
        builder: { type: 'string' }, image: { type: 'string' }, 'state-dir': { type: 'string' },
        'no-docker': { type: 'boolean' }, offline: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
        only: { type: 'string', multiple: true }, write: { type: 'boolean' }, 'max-files': { type: 'string' },
        version: { type: 'boolean', short: 'v' }, 'engine-version': { type: 'string' },
      },
    });
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help' };
  if (values.version) return { command: 'version' };
  const [command, ...rest] = positionals;
  if (command === undefined) return { error: 'missing command: try `dockerfile-layers analyze`' };
  if (command !== 'analyze' && command !== 'fix') return { error: `unknown command "${command}": the commands are: analyze, fix` };
  if (rest.length > 1) return { error: `${command} takes one Dockerfile, got ${rest.length}` };
  const maxFiles = maxFilesArg(values['max-files']);
  if (typeof maxFiles === 'object') return maxFiles;
  const common = builderAndArgs(values.builder, values['build-arg'], env);
  if ('error' in common) return common;
  const { builder, buildArgs } = common;
  const engineVersion = engineVersionArg(values['engine-version']);
  if (typeof engineVersion === 'object' && engineVersion !== null) return engineVersion;
  if (command === 'fix') {
    return { command, dockerfile: rest[0] ?? 'Dockerfile', only: values.only ?? [], write: values.write ?? false, target: values.target, buildArgs, builder, engineVersion };
  }
  return {
    command: 'analyze', dockerfile: rest[0] ?? 'Dockerfile', context: values.context ?? null, target: values.target,
    buildArgs, builder, image: values.image ?? null, stateDir: values['state-dir'] ?? null, ...(maxFiles === undefined ? {} : { maxFiles }),
    noDocker: values['no-docker'] ?? false, offline: values.offline ?? false, json: values.json ?? false, engineVersion,
  };
}

/** `--engine-version V`: the version, null when absent, or a usage error for text that is no version. */
export function engineVersionArg(value: string | undefined): string | null | { error: string } {
  if (value === undefined) return null;
  const problem = checkEngineVersion(value);
  return problem === null ? value.trim() : { error: `--engine-version: ${problem}` };
}

/** `--max-files N`: a whole number of at least 1, undefined when absent, or a usage error. */
export function maxFilesArg(value: string | undefined): number | undefined | { error: string } {
  if (value === undefined) return undefined;
  const n = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(n) && n >= 1 ? n : { error: `--max-files needs a whole number of at least 1, not "${value}"` };
}

/** `--builder` and the `--build-arg` pairs shared by every command; a bare KEY takes its value from `env`. */
export function builderAndArgs(builderValue: string | undefined, pairs: string[] | undefined, env: Record<string, string | undefined>): { builder: Builder; buildArgs: Record<string, string> } | { error: string } {
  const builder = builderValue ?? 'buildkit';
  if (builder !== 'buildkit' && builder !== 'legacy') return { error: `--builder must be buildkit or legacy, not "${builder}"` };
  const buildArgs: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    if (key === '') return { error: `--build-arg needs KEY=VALUE, got "${pair}"` };
    // Like `docker build`, a bare KEY takes its value from the environment and is skipped when unset.
    const value = eq < 0 ? env[key] : pair.slice(eq + 1);
    if (value !== undefined) buildArgs[key] = value;
  }
  return { builder, buildArgs };
}
