/**
 * FROM sizes from a real registry (Debian's docker-registry, distribution 2.8, on 127.0.0.1): images pushed by
 * each engine's `docker push` are sized as the sum of their manifest's layer sizes (read here with a plain
 * GET), a hand-pushed OCI index gives the asked platform's image, and a registry that wants a login or lacks
 * the tag gives an unknown size with a reason. Skipped without docker-registry or a daemon; failing in CI.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, sign } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { lookUpBases } from '../../server/src/docker/baseFacts';
import { Engine, engineAddress } from '../../server/src/docker/engine';
import type { BaseImageFacts, KnownBase } from '../../server/src/core/baseImage';
import { BASE_IMAGE, docker, ensureBaseImage, requireEngines, runProcess, type TestEngine } from './docker';
import { freePort, pushBlob, pushManifest, rawManifest, registrySkip, startRegistry, type TestRegistry } from './registry';

function known(f: BaseImageFacts | undefined): KnownBase {
  assert.ok(f !== undefined && f.bytes !== null, `expected a known size, got ${JSON.stringify(f)}`);
  return f as KnownBase;
}

function engineOf(e: TestEngine): Engine {
  const address = engineAddress(e.env);
  if ('error' in address) throw new Error(address.error);
  return new Engine({ address, timeoutMs: 10_000 });
}

const skip = registrySkip();

test('images pushed by docker are sized from their manifests; the local image wins while it exists (every engine)', { skip: skip ?? false }, async (t) => {
  const engines = await requireEngines();
  if ('skip' in engines) return t.skip(engines.skip);
  const registry = await startRegistry();
  const state = mkdtempSync(path.join(tmpdir(), 'dl-reg-state-'));
  t.after(async () => (await registry.stop(), rmSync(state, { recursive: true, force: true })));
  for (const engine of engines) {
    await ensureBaseImage(engine);
    const ref = `${registry.host}/dl-test/busybox:pushed-${engine.serverVersion.split('.')[0]}`;
    await docker(engine, ['tag', BASE_IMAGE, ref]);
    await docker(engine, ['push', ref]);
    const manifest = await rawManifest(registry.host, 'dl-test/busybox', ref.split(':').pop() as string);
    const expected = (manifest.layers ?? []).reduce((s, l) => s + l.size, 0);
    assert.ok(expected > 0);
    const local = known((await lookUpBases([ref], { engine: engineOf(engine), stateDir: null, files: false }))[ref]);
    assert.equal(local.source, 'local', `${engine.label}: the tagged image is local`);
    await docker(engine, ['rmi', ref]);
    const started = Date.now();
    const remote = known((await lookUpBases([ref], { engine: engineOf(engine), stateDir: state }))[ref]);
    t.diagnostic(`${engine.label}: registry lookup of ${ref} took ${Date.now() - started} ms`);
    assert.equal(remote.source, 'registry');
    assert.equal(remote.bytes, expected, `${engine.label}: the sum of the manifest's layer sizes`);
    assert.deepEqual(remote.layers.map((l) => l.bytes), (manifest.layers ?? []).map((l) => l.size));
    assert.equal(remote.arch, 'amd64', 'read from the image config');
    // Kept in the state folder: an offline lookup gets the same answer.
    const offline = known((await lookUpBases([ref], { engine: null, stateDir: state, offline: true }))[ref]);
    assert.deepEqual(offline, remote);
  }
});

/** Pushes an OCI image of one random layer of `bytes` for a platform; returns its manifest descriptor. */
async function pushPlatformImage(registry: TestRegistry, repo: string, arch: string, variant: string | null, bytes: number): Promise<object> {
  const layer = await pushBlob(registry.host, repo, randomBytes(bytes), 'application/vnd.oci.image.layer.v1.tar+gzip');
  const config = await pushBlob(registry.host, repo, Buffer.from(JSON.stringify({ architecture: arch, os: 'linux', rootfs: { type: 'layers', diff_ids: [layer.digest] } })), 'application/vnd.oci.image.config.v1+json');
  const type = 'application/vnd.oci.image.manifest.v1+json';
  const m = await pushManifest(registry.host, repo, '', { schemaVersion: 2, mediaType: type, config, layers: [layer] }, type);
  return { mediaType: type, ...m, platform: { os: 'linux', architecture: arch, ...(variant === null ? {} : { variant }) } };
}

test('an OCI index gives the image of the asked platform, by tag and by digest', { skip: skip ?? false }, async (t) => {
  const registry = await startRegistry();
  t.after(() => registry.stop());
  const repo = 'dl-test/multi';
  const amd64 = await pushPlatformImage(registry, repo, 'amd64', null, 3000);
  const arm64 = await pushPlatformImage(registry, repo, 'arm64', 'v8', 5000);
  // An attestation entry as BuildKit writes them: platform unknown/unknown, never picked.
  const attestation = { ...(await pushPlatformImage(registry, repo, 'unknown', null, 10)), platform: { os: 'unknown', architecture: 'unknown' } };
  const indexType = 'application/vnd.oci.image.index.v1+json';
  const index = await pushManifest(registry.host, repo, 'v1', { schemaVersion: 2, mediaType: indexType, manifests: [attestation, arm64, amd64] }, indexType);
  const ref = `${registry.host}/${repo}:v1`;
  const look = (platform: { os: string; arch: string; variant: string | null }, r = ref): Promise<Record<string, BaseImageFacts>> => lookUpBases([r], { engine: null, stateDir: null, platform });
  const a = known((await look({ os: 'linux', arch: 'amd64', variant: null }))[ref]);
  assert.deepEqual([a.bytes, a.arch, a.id], [3000, 'amd64', (amd64 as { digest: string }).digest]);
  const b = known((await look({ os: 'linux', arch: 'arm64', variant: null }))[ref]);
  assert.deepEqual([b.bytes, b.arch], [5000, 'arm64']);
  const byDigest = `${registry.host}/${repo}@${index.digest}`;
  assert.equal(known((await look({ os: 'linux', arch: 'arm64', variant: 'v8' }, byDigest))[byDigest]).bytes, 5000);
  const none = (await look({ os: 'linux', arch: 's390x', variant: null }))[ref];
  assert.equal(none.bytes, null);
  assert.match((none as { why: string }).why, /has no linux\/s390x image in 127\.0\.0\.1:\d+ \(it has linux\/arm64\/v8, linux\/amd64\)\./);
});

test('a tag the registry lacks, and a registry that wants a login, give unknown sizes with the reason', { skip: skip ?? false }, async (t) => {
  const open = await startRegistry();
  const locked = await startRegistry({ htpasswd: true });
  t.after(async () => (await open.stop(), await locked.stop()));
  const missing = `${open.host}/dl-test/none:1`;
  const login = `${locked.host}/dl-test/busybox:1`;
  const r = await lookUpBases([missing, login], { engine: null, stateDir: null });
  assert.deepEqual(r[missing], { ref: missing, bytes: null, why: `The registry ${open.host} has no image dl-test/none:1 (HTTP 404).` });
  assert.deepEqual(r[login], { ref: login, bytes: null, why: `The registry ${locked.host} needs a login (basic auth); images are looked up anonymously.` });
});

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

/** A JWT as distribution's token auth accepts it: ES256, the signing certificate in `x5c`, access as asked. */
function registryToken(key: string, certDer: string, claims: { iss: string; aud: string; scope: string | null; grant: boolean }): string {
  const now = Math.floor(Date.now() / 1000);
  const [type, name, actions] = (claims.scope ?? '::').split(':');
  const access = claims.grant && type === 'repository' ? [{ type, name, actions: actions.split(',') }] : [];
  const body = `${b64url(JSON.stringify({ alg: 'ES256', typ: 'JWT', x5c: [certDer] }))}.${b64url(JSON.stringify({ iss: claims.iss, aud: claims.aud, sub: '', iat: now, nbf: now - 60, exp: now + 300, jti: randomBytes(8).toString('hex'), access }))}`;
  return `${body}.${b64url(sign('sha256', Buffer.from(body), { key, dsaEncoding: 'ieee-p1363' }))}`;
}

test('Bearer tokens: a real registry with token auth, and a token server that hands out anonymous pull tokens', { skip: skip ?? false }, async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dl-token-'));
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  const made = await runProcess('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=dl-token']);
  assert.equal(made.code, 0, made.stderr);
  const key = readFileSync(keyFile, 'utf8');
  const certDer = readFileSync(certFile, 'utf8').replace(/-----[A-Z ]+-----|\s/g, '');
  const asked: string[] = [];
  let grant = true;
  const tokens = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://token');
    asked.push(`${url.searchParams.get('service')} ${url.searchParams.get('scope')}`);
    const token = registryToken(key, certDer, { iss: 'dl-issuer', aud: url.searchParams.get('service') ?? '', scope: url.searchParams.get('scope'), grant });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token }));
  });
  const tokenPort = await freePort();
  await new Promise<void>((resolve) => tokens.listen(tokenPort, '127.0.0.1', resolve));
  const registry = await startRegistry({ token: { realm: `http://127.0.0.1:${tokenPort}/token`, service: 'dl-registry', issuer: 'dl-issuer', rootCertBundle: certFile } });
  t.after(async () => {
    await registry.stop();
    tokens.closeAllConnections();
    await new Promise((resolve) => tokens.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });
  const repo = 'dl-test/tok';
  const push = { authorization: `Bearer ${registryToken(key, certDer, { iss: 'dl-issuer', aud: 'dl-registry', scope: `repository:${repo}:pull,push`, grant: true })}` };
  const layer = await pushBlob(registry.host, repo, randomBytes(4321), 'application/vnd.oci.image.layer.v1.tar+gzip', push);
  const config = await pushBlob(registry.host, repo, Buffer.from('{"architecture":"amd64","os":"linux"}'), 'application/vnd.oci.image.config.v1+json', push);
  const type = 'application/vnd.oci.image.manifest.v1+json';
  await pushManifest(registry.host, repo, '1', { schemaVersion: 2, mediaType: type, config, layers: [layer] }, type, push);
  const ref = `${registry.host}/${repo}:1`;
  const look = async (): Promise<BaseImageFacts | undefined> => (await lookUpBases([ref], { engine: null, stateDir: null }))[ref];
  const facts = known(await look());
  assert.deepEqual([facts.bytes, facts.arch], [4321, 'amd64']);
  assert.deepEqual(asked, [`dl-registry repository:${repo}:pull`]);
  // A token without the pull right: the registry refuses the manifest.
  grant = false;
  const refused = await look();
  assert.equal((refused as { why: string }).why, `The registry ${registry.host} refused an anonymous pull of ${repo} (HTTP 401): it needs a login, or the repository does not exist.`);
});
