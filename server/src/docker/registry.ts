/**
 * A FROM image's size from its registry, as `docker pull` asks (Registry HTTP API v2): `GET /v2/`, an anonymous
 * Bearer token from the challenge's realm when asked for one, the manifest (an index picks the platform's),
 * and the sum of its layers' sizes (compressed). Every request has a deadline, the whole lookup another, answers
 * are capped in size, and every failure becomes an UnknownBase with one sentence.
 * Written on Node's fetch rather than an npm client: the ones published lack cancellation, size caps or
 * plain HTTP for loopback registries, and the protocol part needed is four requests.
 */
import { createHash } from 'node:crypto';
import type { BaseImageFacts, KnownBase, UnknownBase } from '../core/baseImage';
import { formatImageRef, isLoopbackRegistry, type ImageRef } from '../core/imageRef';
import { readCachedBase, writeCachedBase } from '../state/baseCache';
import { MANIFEST_ACCEPT, parseChallenge, pickPlatform, platformText, readManifest, tokenOf, type Platform } from './registryWire';

export interface RegistryOptions {
  /** `host[:port]` of the default registry (from the daemon's `IndexServerAddress`); null when unknown. */
  defaultRegistry: string | null;
  platform: Platform;
  /** Registries spoken to over plain HTTP besides loopback ones (`host:port`, as docker's `insecure-registries`). */
  insecure?: readonly string[];
  /** Deadline of each request, and of the whole lookup, in ms. */
  requestMs?: number;
  totalMs?: number;
  signal?: AbortSignal;
  /** Where answers are kept (24 h for a tag, for good for a digest); null keeps nothing. */
  stateDir: string | null;
  /** Use kept answers only (even expired ones); never touch the network. */
  offline?: boolean;
}

export const DEFAULT_REQUEST_MS = 3_000;
export const DEFAULT_LOOKUP_MS = 10_000;
/** How long a tag's answer is kept: tags move, but rarely within a day. */
export const TAG_TTL_MS = 24 * 3600_000;
/** The largest answer read: distribution refuses manifests over 4 MB. */
const MAX_ANSWER_BYTES = 4 * 2 ** 20;

/** A lookup step that failed, with the sentence that says why. */
class Failure extends Error {}

/** The registry's facts of `ref` (parsed as `image`); never throws. */
export async function registryBase(ref: string, image: ImageRef, o: RegistryOptions): Promise<BaseImageFacts> {
  const host = image.registry ?? o.defaultRegistry;
  const unknown = (why: string): UnknownBase => ({ ref, bytes: null, why });
  if (host === null) return unknown(`The default registry's address is unknown (no Docker daemon told it), so ${ref} was not looked up.`);
  const key = `${host}/${formatImageRef({ ...image, registry: null })} ${platformText(o.platform)}`;
  const cached = o.stateDir === null ? null : readCachedBase(o.stateDir, 'registry', key, ref, o.offline === true ? 0 : Date.now());
  if (cached !== null) return cached;
  if (o.offline === true) return unknown(`${ref} is not on this machine and registries are not asked (offline).`);
  try {
    const facts = await new Lookup(host, image, o).run(ref);
    if (o.stateDir !== null) writeCachedBase(o.stateDir, 'registry', key, facts, image.digest !== null ? null : Date.now() + TAG_TTL_MS);
    return facts;
  } catch (e) {
    return unknown(e instanceof Failure ? e.message : `The lookup of ${ref} in ${host} failed: ${(e as Error).message}.`);
  }
}

interface Answer {
  status: number;
  headers: Headers;
  body: Buffer;
}

/** One lookup: its base URL, deadline, and the token once had. */
class Lookup {
  private readonly base: string;
  private readonly total = new AbortController();
  private token: string | null = null;

  constructor(private readonly host: string, private readonly image: ImageRef, private readonly o: RegistryOptions) {
    const plain = isLoopbackRegistry(host) || (o.insecure ?? []).includes(host);
    this.base = `${plain ? 'http' : 'https'}://${host}`;
  }

  async run(ref: string): Promise<KnownBase> {
    const timer = setTimeout(() => this.total.abort(), this.o.totalMs ?? DEFAULT_LOOKUP_MS);
    try {
      await this.authenticate();
      const first = await this.manifest(this.image.digest ?? this.image.tag ?? 'latest');
      let read = first.manifest;
      let digest = first.digest;
      let arch: string | null = null;
      if (read.kind === 'index') {
        const picked = pickPlatform(read.entries, this.o.platform);
        if (picked === null) {
          const has = read.entries.map((e) => platformText(e.platform)).filter((p) => !p.startsWith('unknown/')).join(', ');
          throw new Failure(`${ref} has no ${platformText(this.o.platform)} image in ${this.host} (it has ${has || 'none'}).`);
        }
        ({ manifest: read, digest } = await this.manifest(picked.digest));
        arch = picked.platform.arch;
      }
      if (read.kind !== 'image') throw new Failure(`The manifest of ${ref} in ${this.host} ${read.kind === 'index' ? 'is an index inside an index' : read.why}.`);
      arch ??= await this.configArch(read.config);
      const bytes = read.layers.reduce((sum, l) => sum + l.bytes, 0);
      return { ref, bytes, source: 'registry', id: digest, arch, layers: read.layers };
    } finally {
      clearTimeout(timer);
    }
  }

  /** `GET /v2/`: 200 needs no token; a Bearer challenge gets an anonymous one for this repository. */
  private async authenticate(): Promise<void> {
    const ping = await this.get(`${this.base}/v2/`, {}, 'the API check');
    if (ping.status === 200) return;
    if (ping.status !== 401) throw new Failure(`The registry ${this.host} answered HTTP ${ping.status} to the API check (GET /v2/); it may not be a registry.`);
    const challenge = parseChallenge(ping.headers.get('www-authenticate'));
    if (challenge?.scheme !== 'bearer' || !challenge.params.realm) {
      throw new Failure(`The registry ${this.host} needs a login (${challenge?.scheme ?? 'no'} auth); images are looked up anonymously.`);
    }
    let url: URL;
    try {
      url = new URL(challenge.params.realm);
    } catch {
      throw new Failure(`The registry ${this.host} named a token server that is not a URL (${challenge.params.realm}).`);
    }
    if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
    url.searchParams.set('scope', `repository:${this.image.repository}:pull`);
    const answer = await this.get(url.toString(), {}, 'a token');
    if (answer.status !== 200) throw new Failure(`The token server of ${this.host} refused an anonymous token for ${this.image.repository} (HTTP ${answer.status}).`);
    this.token = tokenOf(parseJson(answer.body));
    if (this.token === null) throw new Failure(`The token server of ${this.host} answered without a token.`);
  }

  private async manifest(reference: string): Promise<{ manifest: ReturnType<typeof readManifest>; digest: string }> {
    const name = `${this.image.repository}:${reference}`.replace(/:(sha256:)/, '@$1');
    const answer = await this.get(`${this.base}/v2/${this.image.repository}/manifests/${reference}`, { accept: MANIFEST_ACCEPT }, `the manifest of ${name}`);
    if (answer.status === 404) throw new Failure(`The registry ${this.host} has no image ${name} (HTTP 404).`);
    if (answer.status === 401 || answer.status === 403) {
      throw new Failure(`The registry ${this.host} refused an anonymous pull of ${this.image.repository} (HTTP ${answer.status}): it needs a login, or the repository does not exist.`);
    }
    if (answer.status !== 200) throw new Failure(`The registry ${this.host} answered HTTP ${answer.status} for the manifest of ${name}.`);
    const body = parseJson(answer.body);
    if (body === undefined) throw new Failure(`The registry ${this.host} answered a manifest of ${name} that is not JSON.`);
    const digest = answer.headers.get('docker-content-digest') ?? `sha256:${createHash('sha256').update(answer.body).digest('hex')}`;
    return { manifest: readManifest(body, answer.headers.get('content-type')), digest };
  }

  /** The image config's `architecture`; null when the config cannot be had (the size is known without it). */
  private async configArch(digest: string | null): Promise<string | null> {
    if (digest === null) return null;
    try {
      const answer = await this.get(`${this.base}/v2/${this.image.repository}/blobs/${digest}`, {}, 'the image config');
      const arch = (parseJson(answer.body) as { architecture?: unknown } | undefined)?.architecture;
      return answer.status === 200 && typeof arch === 'string' && arch !== '' ? arch : null;
    } catch {
      return null;
    }
  }

  /** One GET with the request deadline, the lookup's deadline and the caller's signal; the body capped. */
  private async get(url: string, headers: Record<string, string>, what: string): Promise<Answer> {
    const request = new AbortController();
    const requestMs = this.o.requestMs ?? DEFAULT_REQUEST_MS;
    const timer = setTimeout(() => request.abort(), requestMs);
    const signal = AbortSignal.any([request.signal, this.total.signal, ...(this.o.signal ? [this.o.signal] : [])]);
    const auth: Record<string, string> = this.token !== null && url.startsWith(this.base) ? { authorization: `Bearer ${this.token}` } : {};
    try {
      const res = await fetch(url, { headers: { ...headers, ...auth }, signal, redirect: 'follow' });
      return { status: res.status, headers: res.headers, body: await readCapped(res, what, this.host) };
    } catch (e) {
      if (e instanceof Failure) throw e;
      if (this.o.signal?.aborted) throw new Failure(`The lookup of ${this.image.repository} in ${this.host} was cancelled.`);
      if (this.total.signal.aborted) throw new Failure(`The registry ${this.host} did not finish the lookup within ${(this.o.totalMs ?? DEFAULT_LOOKUP_MS) / 1000} s.`);
      if (request.signal.aborted) throw new Failure(`The registry ${new URL(url).host} did not answer within ${requestMs / 1000} s.`);
      throw new Failure(networkWhy(new URL(url).host, e));
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Reads a response body, refusing one over MAX_ANSWER_BYTES. */
async function readCapped(res: Response, what: string, host: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  if (res.body === null) return Buffer.alloc(0);
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > MAX_ANSWER_BYTES) {
      await res.body.cancel().catch(() => undefined);
      throw new Failure(`The registry ${host} sent more than ${MAX_ANSWER_BYTES / 2 ** 20} MB for ${what}.`);
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** A failed connection in one sentence, from fetch's `cause` (Node's error code, or llhttp's for a non-HTTP answer). */
function networkWhy(host: string, e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? '';
  if (code === 'ECONNREFUSED') return `Nothing answers at ${host}: the connection was refused.`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `The registry host ${host.replace(/:\d+$/, '')} is not known to this machine's DNS.`;
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return `The registry ${host} closed the connection without an answer.`;
  if (code.startsWith('HPE_')) return `The registry ${host} answered something that is not HTTP.`;
  if (/CERT|SSL|TLS/i.test(code) || /certificate|ssl|tls/i.test(cause?.message ?? '')) return `The TLS connection to ${host} failed: ${cause?.message ?? code}.`;
  return `The registry ${host} could not be reached: ${cause?.message ?? (e as Error).message}.`;
}
