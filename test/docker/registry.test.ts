/**
 * Registry lookups against tiny servers made here, for what a real registry does not do on demand: the Bearer
 * token flow (a stand-in token server and registry, not distribution's JWT tokens), a registry that never
 * answers, one that answers garbage or too much, nothing listening, and cancellation. Each ends in an
 * UnknownBase with its reason, within its bound.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { lookUpBases, type LookUpOptions } from '../../server/src/docker/baseFacts';
import type { BaseImageFacts } from '../../server/src/core/baseImage';
import { freePort } from '../conformance/registry';

const AMD64 = { os: 'linux', arch: 'amd64', variant: null };

function look(ref: string, o: Partial<LookUpOptions> = {}): Promise<BaseImageFacts> {
  return lookUpBases([ref], { engine: null, stateDir: null, platform: AMD64, ...o }).then((r) => r[ref]);
}

function why(f: BaseImageFacts): string {
  assert.equal(f.bytes, null, `expected an unknown size, got ${JSON.stringify(f)}`);
  return (f as { why: string }).why;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(server.address() as { port: number }).port}`;
}

function close(server: Server, sockets: Set<Socket> = new Set()): Promise<void> {
  for (const s of sockets) s.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A TCP server that keeps every connection open and says nothing, or writes `reply` and closes. */
async function tcpServer(reply: string | null): Promise<{ host: string; stop: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    if (reply !== null) s.end(reply);
  });
  const host = await listen(server);
  return { host, stop: () => close(server, sockets) };
}

type Handler = (req: IncomingMessage, res: ServerResponse, host: string) => void;

async function httpServer(handler: Handler): Promise<{ host: string; stop: () => Promise<void> }> {
  let host = '';
  const server = createHttpServer((req, res) => handler(req, res, host));
  host = await listen(server);
  return { host, stop: () => (server.closeAllConnections(), close(server)) };
}

const MANIFEST = JSON.stringify({
  schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
  config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: 'sha256:' + 'c'.repeat(64), size: 20 },
  layers: [{ digest: 'sha256:' + 'a'.repeat(64), size: 1000 }, { digest: 'sha256:' + 'b'.repeat(64), size: 234 }],
});

test('the Bearer flow: GET /v2/ is challenged, an anonymous token for the repository is fetched and sent', async (t) => {
  const seen: string[] = [];
  const server = await httpServer((req, res, host) => {
    const url = new URL(req.url ?? '/', `http://${host}`);
    seen.push(`${url.pathname} ${req.headers.authorization ?? '-'}`);
    if (url.pathname === '/token') {
      const ok = url.searchParams.get('service') === 'dl registry' && url.searchParams.get('scope') === 'repository:library/app:pull';
      return void res.writeHead(ok ? 200 : 400, { 'content-type': 'application/json' }).end(JSON.stringify(ok ? { token: 'T0K' } : {}));
    }
    if (req.headers.authorization !== 'Bearer T0K') {
      return void res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${host}/token",service="dl registry"` }).end();
    }
    if (url.pathname === '/v2/') return void res.writeHead(200).end('{}');
    if (url.pathname === '/v2/library/app/manifests/7') {
      return void res.writeHead(200, { 'content-type': 'application/vnd.docker.distribution.manifest.v2+json', 'docker-content-digest': 'sha256:' + 'd'.repeat(64) }).end(MANIFEST);
    }
    if (url.pathname.startsWith('/v2/library/app/blobs/')) return void res.writeHead(200).end(JSON.stringify({ architecture: 'amd64', os: 'linux' }));
    res.writeHead(404).end();
  });
  t.after(() => server.stop());
  // `library/` comes from the default registry's rules; the daemon's IndexServerAddress is what names it.
  const ref = `${server.host}/library/app:7`;
  const f = await look(ref);
  assert.deepEqual(f, {
    ref, bytes: 1234, source: 'registry', id: 'sha256:' + 'd'.repeat(64), arch: 'amd64',
    layers: [{ id: 'sha256:' + 'a'.repeat(64), bytes: 1000 }, { id: 'sha256:' + 'b'.repeat(64), bytes: 234 }],
  });
  assert.deepEqual(seen.slice(0, 3), ['/v2/ -', '/token -', '/v2/library/app/manifests/7 Bearer T0K']);
});

test('a registry that answers 200 to /v2/ needs no token; a refused token and a manifest that is not JSON say so', async (t) => {
  let mode: 'open' | 'no-token' | 'bad-json' = 'open';
  const server = await httpServer((req, res, host) => {
    if (mode === 'no-token' && req.url === '/v2/') return void res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${host}/token"` }).end();
    if (req.url?.startsWith('/token')) return void res.writeHead(403).end();
    if (req.url === '/v2/') return void res.writeHead(200).end();
    if (req.url?.includes('/manifests/')) return void res.writeHead(200).end(mode === 'bad-json' ? '<html>' : MANIFEST);
    res.writeHead(404).end();
  });
  t.after(() => server.stop());
  const ref = `${server.host}/x/app`;
  assert.equal((await look(ref)).bytes, 1234);
  mode = 'no-token';
  assert.equal(why(await look(ref)), `The token server of ${server.host} refused an anonymous token for x/app (HTTP 403).`);
  mode = 'bad-json';
  assert.equal(why(await look(ref)), `The registry ${server.host} answered a manifest of x/app:latest that is not JSON.`);
});

test('a registry that never answers gives an unknown size within the request deadline', async (t) => {
  const slow = await tcpServer(null);
  t.after(() => slow.stop());
  const started = Date.now();
  const f = await look(`${slow.host}/app:1`, { requestMs: 300 });
  assert.equal(why(f), `The registry ${slow.host} did not answer within 0.3 s.`);
  assert.ok(Date.now() - started < 2_000, `took ${Date.now() - started} ms`);
  // The whole lookup has a bound of its own, and the caller's signal cancels it.
  assert.equal(why(await look(`${slow.host}/app:1`, { requestMs: 5_000, registryMs: 200 })), `The registry ${slow.host} did not finish the lookup within 0.2 s.`);
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 100);
  assert.match(why(await look(`${slow.host}/app:1`, { signal: controller.signal })), /cancelled/);
});

test('garbage, nothing listening, and too large an answer give unknown sizes with the reason', async (t) => {
  const garbage = await tcpServer('SSH-2.0-OpenSSH_9.2\r\n\r\n');
  const port = await freePort();
  const big = await httpServer((_req, res) => void res.writeHead(200).end(Buffer.alloc(5 * 2 ** 20, 0x20)));
  t.after(async () => (await garbage.stop(), await big.stop()));
  assert.equal(why(await look(`${garbage.host}/app:1`)), `The registry ${garbage.host} answered something that is not HTTP.`);
  assert.equal(why(await look(`127.0.0.1:${port}/app:1`)), `Nothing answers at 127.0.0.1:${port}: the connection was refused.`);
  assert.equal(why(await look(`${big.host}/app:1`)), `The registry ${big.host} sent more than 4 MB for the API check.`);
});

test('references that are not valid, scratch, and the default registry without a daemon', async () => {
  assert.equal(why(await look('Bad Name')), 'Bad Name is not a valid image reference: the repository name must be lowercase letters, digits and separators.');
  assert.deepEqual(await lookUpBases(['scratch'], { engine: null, stateDir: null }), {});
  assert.equal(why(await look('debian:bookworm')), "The default registry's address is unknown (no Docker daemon told it), so debian:bookworm was not looked up.");
});
