/**
 * Docker Engine API access through dockerode: where the daemon is, deadlines on every call, and errors that
 * say in one sentence what went wrong (daemon down, too slow, or an API error answer).
 */
import type Docker from 'dockerode';

/** Loads dockerode on first use: it is the largest dependency, and most sessions never talk to the daemon. */
function loadDockerode(): typeof Docker {
  return require('dockerode') as typeof Docker;
}

/** Why an Engine call failed: no daemon, no answer in time, the image is unknown, or another API error. */
export type EngineErrorKind = 'unreachable' | 'timeout' | 'not-found' | 'api';

/** An Engine call that failed; `message` is one readable sentence. */
export class EngineError extends Error {
  constructor(readonly kind: EngineErrorKind, message: string, readonly statusCode: number | null = null) {
    super(message);
    this.name = 'EngineError';
  }
}

/** Where the daemon listens: a unix socket path, or an http host and port (from a tcp:// DOCKER_HOST). */
export type EngineAddress = { socketPath: string } | { host: string; port: number };

export interface EngineOptions {
  address?: EngineAddress;
  /** Deadline of each call, and the longest silence allowed inside a stream, in milliseconds. */
  timeoutMs?: number;
}

/** The default deadline: the Engine answers inspects in milliseconds, so 10 s means it is stuck. */
export const DEFAULT_ENGINE_TIMEOUT_MS = 10_000;

const DEFAULT_SOCKET = '/var/run/docker.sock';

/** The daemon's address from DOCKER_HOST (unix:// or tcp://), else the default socket; null with a reason when unsupported. */
export function engineAddress(env: Record<string, string | undefined>): EngineAddress | { error: string } {
  const host = env.DOCKER_HOST;
  if (host === undefined || host === '') return { socketPath: DEFAULT_SOCKET };
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) || DEFAULT_SOCKET };
  const tcp = /^tcp:\/\/([^:/]+):(\d+)\/?$/.exec(host);
  if (tcp) return { host: tcp[1], port: Number(tcp[2]) };
  return { error: `DOCKER_HOST=${host} is not supported here: use unix:///path/to/docker.sock or tcp://HOST:PORT` };
}

/** An image as the Engine describes it: id, total uncompressed bytes and RootFS layer digests (oldest first). */
export interface ImageFacts {
  id: string;
  bytes: number;
  layers: string[];
  /** The image's CPU architecture (`amd64`, `arm64`), null when not said. */
  arch: string | null;
}

/** The daemon's own platform in Go's terms (`/version`'s `Os` and `Arch`: `linux`, `amd64`). */
export interface EnginePlatform {
  os: string;
  arch: string;
}

/** One `docker history` entry, oldest first: what made it, its uncompressed bytes and when (ms since the epoch, null when not said). */
export interface EngineHistoryItem {
  createdBy: string;
  bytes: number;
  createdMs: number | null;
}

/** A Docker Engine reached through one address; every call has a deadline. */
export class Engine {
  private readonly docker: Docker;
  readonly timeoutMs: number;
  readonly where: string;

  constructor(options: EngineOptions = {}) {
    const address = options.address ?? { socketPath: DEFAULT_SOCKET };
    this.timeoutMs = options.timeoutMs ?? DEFAULT_ENGINE_TIMEOUT_MS;
    // docker-modem's own timeout destroys an idle request, so a daemon that never answers leaves no open socket.
    const Dockerode = loadDockerode();
    this.docker = 'socketPath' in address
      ? new Dockerode({ socketPath: address.socketPath, timeout: this.timeoutMs })
      : new Dockerode({ host: address.host, port: address.port, protocol: 'http', timeout: this.timeoutMs });
    this.where = 'socketPath' in address ? address.socketPath : `tcp://${address.host}:${address.port}`;
  }

  /** Resolves when the daemon answers `/_ping`. */
  async ping(): Promise<void> {
    await this.call('ping the daemon', () => this.docker.ping());
  }

  /** The daemon's Docker version (`/version`'s `Version`, e.g. `26.1.5+dfsg1`). */
  async version(): Promise<string> {
    const v = (await this.call('read its version', () => this.docker.version())) as { Version?: unknown };
    if (typeof v.Version !== 'string' || v.Version === '') throw new EngineError('api', `The daemon at ${this.where} did not say its version.`);
    return v.Version;
  }

  /** The local images, newest first: id, tags and creation time (ms since the epoch). */
  async listImages(): Promise<Array<{ id: string; tags: string[]; createdMs: number }>> {
    const items = (await this.call('list images', () => this.docker.listImages())) as unknown;
    if (!Array.isArray(items)) throw new EngineError('api', 'The daemon\'s image list is not a list.');
    return items.map((i: { Id?: string; RepoTags?: string[] | null; Created?: number }) => ({ id: i.Id ?? '', tags: (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>'), createdMs: (i.Created ?? 0) * 1000 }))
      .filter((i) => i.id !== '').sort((a, b) => b.createdMs - a.createdMs);
  }

  /** The image's id, size (uncompressed bytes) and RootFS layer digests. */
  async inspectImage(name: string): Promise<ImageFacts> {
    const info = await this.call(`inspect image ${name}`, () => this.docker.getImage(name).inspect());
    return { id: info.Id, bytes: info.Size, layers: info.RootFS?.Layers ?? [], arch: typeof info.Architecture === 'string' && info.Architecture !== '' ? info.Architecture : null };
  }

  /** The platform the daemon pulls for (`/version`'s `Os` and `Arch`). */
  async platform(): Promise<EnginePlatform> {
    const v = (await this.call('read its version', () => this.docker.version())) as { Os?: unknown; Arch?: unknown };
    if (typeof v.Os !== 'string' || typeof v.Arch !== 'string') throw new EngineError('api', `The daemon at ${this.where} did not say its platform.`);
    return { os: v.Os, arch: v.Arch };
  }

  /** The default registry's address as the daemon knows it (`/info`'s `IndexServerAddress`), null when not said. */
  async indexServerAddress(): Promise<string | null> {
    const info = (await this.call('read its configuration', () => this.docker.info())) as { IndexServerAddress?: unknown };
    return typeof info.IndexServerAddress === 'string' && info.IndexServerAddress !== '' ? info.IndexServerAddress : null;
  }

  /** The image's history, oldest first, with `docker history` sizes (uncompressed bytes). */
  async history(name: string): Promise<EngineHistoryItem[]> {
    const items = (await this.call(`read the history of ${name}`, () => this.docker.getImage(name).history())) as unknown;
    if (!Array.isArray(items)) throw new EngineError('api', `The daemon's history of ${name} is not a list.`);
    return items.map((h: { CreatedBy?: string; Size?: number; Created?: number }) => ({
      createdBy: h.CreatedBy ?? '', bytes: h.Size ?? 0, createdMs: typeof h.Created === 'number' && h.Created > 0 ? h.Created * 1000 : null,
    })).reverse();
  }

  /** The image as a `docker save` tar stream; a silence longer than the deadline ends it with an error. */
  async save(name: string): Promise<NodeJS.ReadableStream> {
    return this.call(`save image ${name}`, () => this.docker.getImage(name).get());
  }

  /** Runs one API call with the deadline and turns its failure into an EngineError. */
  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new EngineError('timeout', this.timeoutMessage(what))), this.timeoutMs);
    });
    try {
      return await Promise.race([run(), deadline]);
    } catch (e) {
      throw this.explain(what, e);
    } finally {
      clearTimeout(timer);
    }
  }

  private timeoutMessage(what: string): string {
    return `The Docker daemon at ${this.where} did not answer within ${this.timeoutMs / 1000} s (trying to ${what}).`;
  }

  private explain(what: string, e: unknown): EngineError {
    if (e instanceof EngineError) return e;
    const err = e as { code?: string; statusCode?: number; json?: { message?: string }; message?: string };
    if (err.code === 'ENOENT') return new EngineError('unreachable', `The Docker daemon is not running: there is no socket at ${this.where}.`);
    if (err.code === 'ECONNREFUSED') return new EngineError('unreachable', `The Docker daemon is not running: ${this.where} refused the connection.`);
    if (err.code === 'EACCES') return new EngineError('unreachable', `Permission denied on ${this.where}: the user needs access to the Docker socket (for example the docker group).`);
    if (err.code === 'ECONNRESET' || err.code === 'ETIMEDOUT' || err.code === 'ABORT_ERR') return new EngineError('timeout', this.timeoutMessage(what));
    if (typeof err.statusCode === 'number') {
      const detail = (err.json && typeof err.json === 'object' ? err.json.message : undefined) ?? err.message ?? '';
      const kind = err.statusCode === 404 ? 'not-found' : 'api';
      return new EngineError(kind, `The Docker daemon could not ${what}: ${String(detail).trim()} (HTTP ${err.statusCode}).`, err.statusCode);
    }
    return new EngineError('unreachable', `Could not ${what} at ${this.where}: ${err.message ?? String(e)}.`);
  }
}

/** The daemon `env` points at (DOCKER_HOST, else the default socket), or null when that address is unusable. */
export function engineFromEnv(env: Record<string, string | undefined>, timeoutMs?: number): Engine | null {
  const address = engineAddress(env);
  return 'error' in address ? null : new Engine({ address, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
}
