#!/usr/bin/env node
/**
 * CLI entry point: `dockerfile-layers analyze` and `dockerfile-layers fix`. Reads the Dockerfile, runs the pure core, prints. Wiring only.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { analyzeDockerfile } from './core/analyze';
import { parseCliArgs, USAGE, type AnalyzeArgs, type FixArgs } from './cli/args';
import { runFix } from './cli/fix';
import { formatFinding, toJsonReport, toTable } from './cli/report';
import { analyzeImageCommand, runBuildCommand } from './cli/build';

declare const PACKAGE_VERSION: string;

/**
 * Runs any command, including those that talk to Docker (`build`, `analyze --image`); resolves to the exit code.
 * Build output goes to `io.log` as it comes; aborting `io.signal` cancels a build.
 */
export async function runCliAsync(argv: string[], out: (s: string) => void, err: (s: string) => void, io?: { log: (chunk: string) => void; signal?: AbortSignal }): Promise<number> {
  if (argv[0] === 'build') return runBuildCommand(argv.slice(1), process.env, { out, err, log: io?.log ?? err }, io?.signal);
  const args = parseCliArgs(argv, process.env);
  if ('command' in args && args.command === 'analyze' && args.image !== null && !args.noDocker) return analyzeImageCommand(args, process.env, { out, err });
  return runCli(argv, out, err);
}

/** Runs the commands that need no Docker daemon and returns the exit code; output goes to the given writers. */
export function runCli(argv: string[], out: (s: string) => void, err: (s: string) => void): number {
  const args = parseCliArgs(argv, process.env);
  if ('error' in args) {
    err(`dockerfile-layers: ${args.error}\n\n${USAGE}`);
    return 2;
  }
  if (args.command === 'help') return (out(USAGE), 0);
  if (args.command === 'version') return (out(typeof PACKAGE_VERSION === 'string' ? PACKAGE_VERSION : 'dev'), 0);
  if (args.command === 'fix') return fix(args, out, err);
  return analyze(args, out, err);
}

function fix(args: FixArgs, out: (s: string) => void, err: (s: string) => void): number {
  const path = resolve(args.dockerfile);
  const text = readText(path, err);
  return text === null ? 2 : runFix(args, path, text, out, err);
}

function analyze(args: AnalyzeArgs, out: (s: string) => void, err: (s: string) => void): number {
  const dockerfile = resolve(args.dockerfile);
  const context = resolve(args.context ?? dirname(dockerfile));
  const text = readText(dockerfile, err);
  if (text === null) return 2;
  if (!isDirectory(context)) {
    err(`dockerfile-layers: build context ${context} is not a folder`);
    return 2;
  }
  const analysis = analyzeDockerfile(text, { builder: args.builder, target: args.target, buildArgs: args.buildArgs });
  const unknownTarget = analysis.findings.find((f) => f.code === 'unknown-target');
  if (unknownTarget) {
    err(`dockerfile-layers: ${unknownTarget.message}`);
    return 2;
  }
  for (const f of analysis.findings) err(formatFinding(args.dockerfile, f));
  out(args.json ? JSON.stringify(toJsonReport(analysis, dockerfile, context), null, 2) : toTable(analysis));
  return analysis.findings.some((f) => f.severity === 'error') ? 1 : 0;
}

/** Size above which a file is not read as a Dockerfile: real ones are kilobytes, so this is a wrong file. */
const MAX_DOCKERFILE_BYTES = 16 * 1024 * 1024;

function readText(path: string, err: (s: string) => void): string | null {
  try {
    const st = statSync(path);
    if (st.isDirectory()) return (err(`dockerfile-layers: ${path} is a folder, not a Dockerfile`), null);
    if (st.size > MAX_DOCKERFILE_BYTES) return (err(`dockerfile-layers: ${path} is ${st.size} bytes, too large for a Dockerfile (limit ${MAX_DOCKERFILE_BYTES})`), null);
    const bytes = readFileSync(path);
    if (bytes.includes(0)) return (err(`dockerfile-layers: ${path} is a binary file (it contains NUL bytes), not a Dockerfile`), null);
    return bytes.toString('utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : e instanceof Error ? e.message : String(e);
    err(`dockerfile-layers: cannot read ${path}: ${why}`);
    return null;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

if (require.main === module) {
  // A build runs in its own process group, so Ctrl-C reaches only this process: turn it into a cancel.
  const interrupt = new AbortController();
  process.once('SIGINT', () => interrupt.abort());
  const io = { log: (chunk: string) => void process.stderr.write(chunk), signal: interrupt.signal };
  void runCliAsync(process.argv.slice(2), (s) => process.stdout.write(s + '\n'), (s) => process.stderr.write(s + '\n'), io)
    .then((code) => { process.exitCode = code; process.removeAllListeners('SIGINT'); });
}
