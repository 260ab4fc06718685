#!/usr/bin/env node
/**
 * CLI entry point: `dockerfile-layers analyze` and `dockerfile-layers fix`. Reads the Dockerfile, runs the pure core, prints. Wiring only.
 */
import { resolve } from 'node:path';
import { parseCliArgs, USAGE, type AnalyzeArgs, type FixArgs } from './cli/args';
import { runFix } from './cli/fix';
import { formatFinding, toJsonReport, toTable } from './cli/report';
import { analyzeImageCommand, runBuildCommand } from './cli/build';
import { loadAnalysis } from './cli/load';
import { readDockerfileFile } from './docker/files';
import { installNativeSha256 } from './nativeSha256';
import { loadCatalog } from './state/catalog';
import { versionText } from './cli/version';

declare const PACKAGE_VERSION: string;

/**
 * Runs any command and resolves to its exit code; output goes to the given writers. Build output goes to
 * `io.log` as it comes; aborting `io.signal` cancels a build.
 */
export async function runCli(argv: string[], out: (s: string) => void, err: (s: string) => void, io?: { log: (chunk: string) => void; signal?: AbortSignal }): Promise<number> {
  installNativeSha256();
  if (argv[0] === 'build') return runBuildCommand(argv.slice(1), process.env, { out, err, log: io?.log ?? err }, io?.signal);
  const args = parseCliArgs(argv, process.env);
  if ('error' in args) {
    err(`dockerfile-layers: ${args.error}\n\n${USAGE}`);
    return 2;
  }
  if (args.command === 'help') return (out(USAGE), 0);
  if (args.command === 'version') return (out(versionText(typeof PACKAGE_VERSION === 'string' ? PACKAGE_VERSION : 'dev', loadCatalog())), 0);
  if (args.command === 'fix') return fix(args, out, err);
  if (args.image !== null && !args.noDocker) return analyzeImageCommand(args, process.env, { out, err });
  return analyze(args, out, err);
}

function fix(args: FixArgs, out: (s: string) => void, err: (s: string) => void): number {
  const path = resolve(args.dockerfile);
  const read = readDockerfileFile(path);
  if ('error' in read) return (err(`dockerfile-layers: ${read.error}`), 2);
  return runFix(args, path, read.text, out, err);
}

async function analyze(args: AnalyzeArgs, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const loaded = await loadAnalysis({ ...args, scan: true }, err);
  if (loaded === null) return 2;
  const { analysis, dockerfile, context } = loaded;
  for (const f of analysis.findings) err(formatFinding(args.dockerfile, f));
  out(args.json ? JSON.stringify(toJsonReport(analysis, dockerfile, context), null, 2) : toTable(analysis));
  return analysis.findings.some((f) => f.severity === 'error') ? 1 : 0;
}

if (require.main === module) {
  // A build runs in its own process group, so Ctrl-C reaches only this process: turn it into a cancel.
  const interrupt = new AbortController();
  process.once('SIGINT', () => interrupt.abort());
  const io = { log: (chunk: string) => void process.stderr.write(chunk), signal: interrupt.signal };
  void runCli(process.argv.slice(2), (s) => process.stdout.write(s + '\n'), (s) => process.stderr.write(s + '\n'), io)
    .then((code) => { process.exitCode = code; process.removeAllListeners('SIGINT'); });
}
