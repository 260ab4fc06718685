/**
 * A real Docker registry for the FROM-size tests: Debian's docker-registry (distribution 2.8, installed by
 * .ci/registry.sh) started as `docker-registry serve CONFIG` on 127.0.0.1 on a free port, with a config and a
 * storage folder of its own; plus raw Registry API calls for what the test checks independently of the product.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** A running registry: its `127.0.0.1:PORT` and how to stop it. */
export interface TestRegistry {
  host: string;
  stop(): Promise<void>;
}

/** The registry binary: $DOCKER_REGISTRY, else Debian's. */
export function registryBinary(): string | null {
  const found = [process.env.DOCKER_REGISTRY ?? '', '/usr/bin/docker-registry'].find((p) => p !== '' && existsSync(p));
  return found ?? null;
}

/** Skip message when no registry binary is installed (a failure in CI). */
export function registrySkip(): string | null {
  if (registryBinary() !== null) return null;
  if (process.env.CI) throw new Error('docker-registry is not installed: run .ci/registry.sh first.');
  return 'skipped: docker-registry is not installed (run .ci/registry.sh as root)';
}

/** A free TCP port on 127.0.0.1 (free when asked; the registry binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** distribution's `auth: token:` settings: who issues tokens, and the certificate that signs them (PEM file). */
export interface TokenAuth {
  realm: string;
  service: string;
  issuer: string;
  rootCertBundle: string;
}

/**
 * Starts a registry; `htpasswd` makes it demand Basic auth (anonymous requests get 401), `token` Bearer tokens
 * signed by the given certificate's key.
 */
export async function startRegistry(options: { htpasswd?: boolean; token?: TokenAuth } = {}): Promise<TestRegistry> {
  const bin = registryBinary();
  if (bin === null) throw new Error('docker-registry is not installed');
  const dir = mkdtempSync(path.join(tmpdir(), 'dl-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const token = options.token;
  const auth = options.htpasswd === true ? ['auth:', '  htpasswd:', '    realm: dl-test', `    path: ${path.join(dir, 'htpasswd')}`]
    : token !== undefined ? ['auth:', '  token:', `    realm: ${token.realm}`, `    service: ${token.service}`, `    issuer: ${token.issuer}`, `    rootcertbundle: ${token.rootCertBundle}`] : [];
  // A bcrypt line of a user nobody logs in as: anonymous requests are what the test makes.
  if (options.htpasswd === true) writeFileSync(path.join(dir, 'htpasswd'), 'dl:$2y$05$abcdefghijklmnopqrstuu5hcVGwB0Q8C2pLbJZ8XyS0jvTaTmVwK\n');
  const config = ['version: 0.1', 'log:', '  level: error', 'storage:', '  filesystem:', `    rootdirectory: ${path.join(dir, 'data')}`,
    '  delete:', '    enabled: true', 'http:', `  addr: ${host}`, ...auth, ''].join('\n');
  writeFileSync(path.join(dir, 'config.yml'), config);
  const child = spawn(bin, ['serve', path.join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr?.on('data', (d: Buffer) => (errors = (errors + d.toString()).slice(-4000)));
  const stop = async (): Promise<void> => {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) break;
    const r = await fetch(`http://${host}/v2/`).catch(() => null);
    if (r !== null) return { host, stop };
    await new Promise((res) => setTimeout(res, 100));
  }
  await stop();
  throw new Error(`docker-registry did not start on ${host}: ${errors}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** The manifest of `repo:reference` as the registry serves it, read with a plain GET. */
export async function rawManifest(host: string, repo: string, reference: string): Promise<{ layers?: Array<{ size: number }>; manifests?: unknown[] }> {
  const r = await fetch(`http://${host}/v2/${repo}/manifests/${reference}`, { headers: { accept: MANIFEST_TYPES } });
  if (r.status !== 200) throw new Error(`GET manifest ${repo}:${reference} answered ${r.status}`);
  return (await r.json()) as { layers?: Array<{ size: number }> };
}

export function digestOf(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Uploads a blob (monolithic: POST for an upload, then PUT with the digest); returns its descriptor. */
export async function pushBlob(host: string, repo: string, data: Buffer, mediaType: string, headers: Record<string, string> = {}): Promise<{ mediaType: string; digest: string; size: number }> {
  const start = await fetch(`http://${host}/v2/${repo}/blobs/uploads/`, { method: 'POST', headers });
  if (start.status !== 202) throw new Error(`blob upload start answered ${start.status}`);
  const location = new URL(start.headers.get('location') ?? '', `http://${host}`);
  const digest = digestOf(data);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, { method: 'PUT', body: data, headers: { ...headers, 'content-type': 'application/octet-stream' } });
  if (put.status !== 201) throw new Error(`blob upload answered ${put.status}: ${await put.text()}`);
  return { mediaType, digest, size: data.length };
}

/** PUTs a manifest or index under `reference` (a tag or its digest); returns its digest and size. */
export async function pushManifest(host: string, repo: string, reference: string, body: object, mediaType: string, headers: Record<string, string> = {}): Promise<{ digest: string; size: number }> {
  const data = Buffer.from(JSON.stringify(body));
  const put = await fetch(`http://${host}/v2/${repo}/manifests/${reference === '' ? digestOf(data) : reference}`, { method: 'PUT', body: data, headers: { ...headers, 'content-type': mediaType } });
  if (put.status !== 201) throw new Error(`manifest PUT answered ${put.status}: ${await put.text()}`);
  return { digest: digestOf(data), size: data.length };
}
