/**
 * Runs `docker build` with the docker CLI: argument arrays only, output streamed, cancellable (the whole
 * process group is killed), and failures explained in one sentence (no CLI, no daemon, a failed step).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Builder } from '../core/types';
import { isCacheLine } from './buildLog';

export interface BuildOptions {
  /** The docker CLI (setting `dockerfileLayers.docker.path`); a name is looked up on PATH. */
  dockerPath: string;
  builder: Builder;
  /** Absolute path of the Dockerfile. */
  dockerfile: string;
  /** Absolute path of the build context folder. */
  context: string;
  target?: string;
  buildArgs: Record<string, string>;
  tag?: string;
  /** The environment of the CLI (DOCKER_HOST and so on); DOCKER_BUILDKIT is set from `builder`. */
  env?: NodeJS.ProcessEnv;
  /** Receives the build's output as it comes (stdout and stderr interleaved). */
  onOutput?: (chunk: string) => void;
  /** Aborting it kills the build. */
  signal?: AbortSignal;
}

/** How a build ended; `message` is one readable sentence, `log` the lines the cache parsing needs plus a tail. */
export interface BuildOutcome {
  ok: boolean;
  imageId: string | null;
  message: string;
  durationMs: number;
  cancelled: boolean;
  /** Why it failed: a step (the Dockerfile), the daemon, the CLI, or a cancel; null when it succeeded. */
  failure: 'step' | 'daemon' | 'cli' | 'cancelled' | null;
  log: string;
  /** The legacy builder's `Step i/n` lines with the time each arrived (ms since the epoch), for step durations. */
  stepStarts: Array<{ text: string; at: number }>;
  /** When the CLI exited, ms since the epoch. */
  endedAt: number;
}

/** The argv of `docker build` for these options (without the CLI itself); `iidfile` receives the image id. */
export function buildArgv(o: Pick<BuildOptions, 'builder' | 'dockerfile' | 'context' | 'target' | 'buildArgs' | 'tag'>, iidfile: string): string[] {
  const argv = ['build', '-f', o.dockerfile, '--iidfile', iidfile];
  if (o.builder === 'buildkit') argv.push('--progress=plain');
  if (o.target !== undefined) argv.push('--target', o.target);
  for (const [k, v] of Object.entries(o.buildArgs)) argv.push('--build-arg', `${k}=${v}`);
  if (o.tag !== undefined) argv.push('--tag', o.tag);
  argv.push(o.context);
  return argv;
}

/** How long a cancelled build may take to stop after SIGTERM before it gets SIGKILL, in milliseconds. */
const KILL_GRACE_MS = 3000;
/** Lines of output kept for the failure message. */
const TAIL_LINES = 60;

/** Runs the build; never throws: a missing CLI, a down daemon or a failed step come back as `ok: false`. */
export function runBuild(o: BuildOptions): Promise<BuildOutcome> {
  const started = Date.now();
  const dir = mkdtempSync(path.join(tmpdir(), 'dockerfile-layers-'));
  const iidfile = path.join(dir, 'iid');
  const env = { ...(o.env ?? process.env), DOCKER_BUILDKIT: o.builder === 'buildkit' ? '1' : '0' };
  const log = new LogKeeper();
  return new Promise<BuildOutcome>((resolve) => {
    // A process group of its own, so cancelling kills the CLI and anything it started.
    const child = spawn(o.dockerPath, buildArgv(o, iidfile), { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let cancelled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const cancel = (): void => {
      cancelled = true;
      killGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS);
    };
    if (o.signal?.aborted) cancel();
    o.signal?.addEventListener('abort', cancel, { once: true });
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      log.add(text);
      o.onOutput?.(text);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const finish = (outcome: Omit<BuildOutcome, 'durationMs' | 'cancelled' | 'log' | 'failure' | 'stepStarts' | 'endedAt'>, failure: BuildOutcome['failure'] = null): void => {
      clearTimeout(killTimer);
      o.signal?.removeEventListener('abort', cancel);
      rmSync(dir, { recursive: true, force: true });
      resolve({ ...outcome, durationMs: Date.now() - started, cancelled, failure, log: log.text(), stepStarts: log.stepStarts, endedAt: Date.now() });
    };
    child.on('error', (e: NodeJS.ErrnoException) => finish({ ok: false, imageId: null, message: spawnError(o.dockerPath, e) }, 'cli'));
    child.on('close', (code) => {
      if (cancelled) return finish({ ok: false, imageId: null, message: 'The build was cancelled.' }, 'cancelled');
      const imageId = readImageId(iidfile, log.text());
      if (code === 0 && imageId !== null) return finish({ ok: true, imageId, message: `Built image ${imageId.slice(0, 19)}.` });
      const failure = explainFailure(o, code, log.tail());
      finish({ ok: false, imageId: null, message: failure.message }, failure.kind);
    });
  });
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone: nothing to stop.
  }
}

function spawnError(dockerPath: string, e: NodeJS.ErrnoException): string {
  if (e.code === 'ENOENT') return `The docker CLI was not found at "${dockerPath}": install Docker or set dockerfileLayers.docker.path to the docker executable.`;
  if (e.code === 'EACCES') return `The docker CLI at "${dockerPath}" is not executable: check dockerfileLayers.docker.path.`;
  return `Could not start the docker CLI at "${dockerPath}": ${e.message}.`;
}

function readImageId(iidfile: string, log: string): string | null {
  try {
    const id = readFileSync(iidfile, 'utf8').trim();
    if (id !== '') return id;
  } catch {
    // Older legacy CLIs may not write the file; the log says the id too.
  }
  return /^Successfully built ([0-9a-f]{12,64})\s*$/m.exec(log)?.[1] ?? null;
}

/** One sentence for a failed build: a down daemon, a CLI without BuildKit, or the builder's last error. */
function explainFailure(o: BuildOptions, code: number | null, tail: string): { kind: 'step' | 'daemon' | 'cli'; message: string } {
  if (/Cannot connect to the Docker daemon|Is the docker daemon running|docker\.sock.*(no such file|connection refused)/i.test(tail)) {
    return { kind: 'daemon', message: `The Docker daemon is not running or not reachable (the docker CLI at "${o.dockerPath}" could not connect to it).` };
  }
  if (/buildx component is missing|BuildKit is enabled but/i.test(tail)) {
    return { kind: 'cli', message: `The docker CLI at "${o.dockerPath}" cannot run BuildKit builds (its buildx component is missing): set dockerfileLayers.docker.path to a docker CLI with BuildKit, or use the legacy builder.` };
  }
  const lines = tail.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const error = [...lines].reverse().find((l) => /^(ERROR|error|failed to|The command|executor failed)/.test(l)) ?? lines[lines.length - 1] ?? '';
  return { kind: 'step', message: `The build failed (exit ${code ?? 'signal'}): ${error.slice(0, 500)}` };
}

/** Keeps the lines the cache parsing needs and the last lines of output, so memory stays bounded. */
class LogKeeper {
  readonly stepStarts: Array<{ text: string; at: number }> = [];
  private readonly kept: string[] = [];
  private last: string[] = [];
  private partial = '';

  add(chunk: string): void {
    const lines = (this.partial + chunk).split(/\r?\n/);
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.keep(line);
  }

  private keep(line: string): void {
    if (isCacheLine(line) || /^Successfully built /.test(line)) this.kept.push(line);
    if (/^Step \d+\/\d+ : /.test(line)) this.stepStarts.push({ text: line, at: Date.now() });
    this.last.push(line);
    if (this.last.length > TAIL_LINES * 2) this.last = this.last.slice(-TAIL_LINES);
  }

  text(): string {
    return [...this.kept, this.partial].join('\n');
  }

  tail(): string {
    return [...this.last.slice(-TAIL_LINES), this.partial].join('\n');
  }
}
