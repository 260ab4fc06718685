#!/usr/bin/env node
/**
 * CLI entry point: `dockerfile-layers analyze`. Reads the Dockerfile, runs the pure core, prints. Wiring only.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { analyzeDockerfile } from './core/analyze';
import { parseCliArgs, USAGE, type AnalyzeArgs } from './cli/args';
import { formatFinding, toJsonReport, toTable } from './cli/report';

declare const PACKAGE_VERSION: string;

/** Runs the CLI and returns its exit code; output goes to the given writers. */
export function runCli(argv: string[], out: (s: string) => void, err: (s: string) => void): number {
  const args = parseCliArgs(argv, process.env);
  if ('error' in args) {
    err(`dockerfile-layers: ${args.error}\n\n${USAGE}`);
    return 2;
  }
  if (args.command === 'help') return (out(USAGE), 0);
  if (args.command === 'version') return (out(typeof PACKAGE_VERSION === 'string' ? PACKAGE_VERSION : 'dev'), 0);
  return analyze(args, out, err);
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
  process.exitCode = runCli(process.argv.slice(2), (s) => process.stdout.write(s + '\n'), (s) => process.stderr.write(s + '\n'));
}
