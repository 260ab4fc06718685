/**
 * Image references as `docker pull` reads them (distribution's reference grammar and docker's normalization):
 * an optional registry, the repository path, a tag (default `latest`) and an optional digest. Pure: the
 * default registry's names are given by the caller, who learns them from the daemon.
 */

/** A parsed reference; `registry` null means the default registry. */
export interface ImageRef {
  /** `host[:port]` as written, or null for the default registry. */
  registry: string | null;
  /** The repository path, with `library/` added for one-component names of the default registry. */
  repository: string;
  /** The tag; `latest` when neither a tag nor a digest is written, null when only a digest is. */
  tag: string | null;
  /** `sha256:<hex>` when written; it wins over the tag, as in `docker pull`. */
  digest: string | null;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::\d+)?$/;

/**
 * Parses `ref`; `defaultNames` are the registry names that mean the default registry (see defaultRegistryNames).
 * Returns `{ error }` with one sentence when the reference is not valid.
 */
export function parseImageRef(ref: string, defaultNames: readonly string[] = []): ImageRef | { error: string } {
  const bad = (why: string): { error: string } => ({ error: `${ref} is not a valid image reference: ${why}.` });
  let rest = ref.trim();
  let digest: string | null = null;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return bad(`the digest ${digest} is malformed`);
  }
  let tag: string | null = null;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return bad(`the tag ${tag} is malformed`);
  }
  const slash = rest.indexOf('/');
  const first = slash < 0 ? '' : rest.slice(0, slash);
  // docker's splitDockerDomain: the first component names a registry when it has a dot or a port, or is localhost.
  const hasDomain = slash >= 0 && (/[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase());
  let registry = hasDomain ? first : null;
  let path = hasDomain ? rest.slice(slash + 1) : rest;
  if (registry !== null && !DOMAIN.test(registry)) return bad(`the registry ${registry} is malformed`);
  if (registry !== null && defaultNames.includes(registry.toLowerCase())) registry = null;
  if (path === '' || !path.split('/').every((c) => COMPONENT.test(c))) return bad('the repository name must be lowercase letters, digits and separators');
  if (registry === null && !path.includes('/')) path = `library/${path}`;
  return { registry, repository: path, tag: tag ?? (digest === null ? 'latest' : null), digest };
}

/**
 * The names that mean the default registry, from the daemon's `IndexServerAddress` (a URL): its host, and the
 * host without a leading `index.` label, as docker's normalization maps its legacy index name to its domain.
 */
export function defaultRegistryNames(indexServerAddress: string | null): string[] {
  const host = registryHost(indexServerAddress);
  if (host === null) return [];
  return host.startsWith('index.') ? [host, host.slice('index.'.length)] : [host];
}

/** The `host[:port]` of a registry URL or bare address; null when there is none. */
export function registryHost(address: string | null): string | null {
  if (address === null || address.trim() === '') return null;
  try {
    return new URL(/^[a-z]+:\/\//i.test(address) ? address : `https://${address}`).host.toLowerCase() || null;
  } catch {
    return null;
  }
}

/** True for a registry on this machine (127.0.0.0/8, ::1, localhost), which docker speaks to over plain HTTP. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.replace(/:\d+$/, '').replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/** The reference as text for messages: `registry/repository:tag@digest`, the default registry left unnamed. */
export function formatImageRef(r: ImageRef): string {
  return `${r.registry === null ? '' : `${r.registry}/`}${r.repository}${r.tag === null ? '' : `:${r.tag}`}${r.digest === null ? '' : `@${r.digest}`}`;
}
