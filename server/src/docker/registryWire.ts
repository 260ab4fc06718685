/**
 * The Registry HTTP API v2's wire formats as `docker pull` reads them: the `WWW-Authenticate` challenge, the
 * manifest media types, picking a platform's manifest from an OCI index or Docker manifest list, and a
 * manifest's layers (compressed sizes). Pure functions over parsed JSON and header text.
 */
import type { BaseLayer } from '../core/baseImage';

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
/** The `Accept` header of a manifest request: every type this reader understands. */
export const MANIFEST_ACCEPT = [OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_MANIFEST].join(', ');

/** The platform to pick from an index, in Go's terms (`linux`, `amd64`, variant `v8` or null). */
export interface Platform {
  os: string;
  arch: string;
  variant: string | null;
}

/** Node's `process.arch` in Go's terms, as image platforms name it; null for one no image names. */
export function goArch(nodeArch: string): string | null {
  const names: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', loong64: 'loong64', mips64el: 'mips64le' };
  return names[nodeArch] ?? null;
}

/** An auth challenge: its scheme (lowercase: `bearer`, `basic`) and parameters (`realm`, `service`, `scope`). */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses a `WWW-Authenticate` header's first challenge; null when there is none. */
export function parseChallenge(header: string | null): Challenge | null {
  const m = header === null ? null : /^\s*([A-Za-z][\w-]*)\s*(.*)$/s.exec(header);
  if (m === null) return null;
  const params: Record<string, string> = {};
  for (const p of m[2].matchAll(/([A-Za-z][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g)) {
    params[p[1].toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3];
  }
  return { scheme: m[1].toLowerCase(), params };
}

/** The token of a token endpoint's JSON answer (`token`, or OAuth's `access_token`); null when it has neither. */
export function tokenOf(body: unknown): string | null {
  const b = body as { token?: unknown; access_token?: unknown } | null;
  const t = typeof b?.token === 'string' && b.token !== '' ? b.token : b?.access_token;
  return typeof t === 'string' && t !== '' ? t : null;
}

interface Descriptor {
  mediaType?: string;
  digest?: string;
  size?: number;
  platform?: { os?: string; architecture?: string; variant?: string };
}

/** What a manifest answer is: an index to pick from, an image manifest, or a reason it cannot be read. */
export type ManifestKind =
  | { kind: 'index'; entries: Array<{ digest: string; platform: Platform }> }
  | { kind: 'image'; layers: BaseLayer[]; config: string | null }
  | { kind: 'unreadable'; why: string };

/** Reads a manifest body (parsed JSON) with the answer's Content-Type. */
export function readManifest(body: unknown, contentType: string | null): ManifestKind {
  const m = body as { schemaVersion?: unknown; mediaType?: unknown; manifests?: unknown; layers?: unknown; config?: Descriptor } | null;
  if (m === null || typeof m !== 'object') return { kind: 'unreadable', why: 'is not a JSON object' };
  const type = (typeof m.mediaType === 'string' ? m.mediaType : '') || (contentType ?? '').split(';')[0].trim();
  if (m.schemaVersion === 1) return { kind: 'unreadable', why: 'is an old schema 1 manifest, which has no layer sizes' };
  if (Array.isArray(m.manifests) || type === OCI_INDEX || type === DOCKER_LIST) {
    if (!Array.isArray(m.manifests)) return { kind: 'unreadable', why: 'is an index without a manifests list' };
    const entries = (m.manifests as Descriptor[]).filter((d) => typeof d?.digest === 'string' && d.platform !== undefined).map((d) => ({
      digest: d.digest as string,
      platform: { os: d.platform?.os ?? '', arch: d.platform?.architecture ?? '', variant: d.platform?.variant ?? null },
    }));
    return { kind: 'index', entries };
  }
  if (!Array.isArray(m.layers)) return { kind: 'unreadable', why: 'has no layers list' };
  const layers = (m.layers as Descriptor[]).map((l) => ({ id: typeof l?.digest === 'string' ? l.digest : '', bytes: l?.size }));
  if (layers.some((l) => typeof l.bytes !== 'number' || !Number.isFinite(l.bytes) || l.bytes < 0 || l.id === '')) {
    return { kind: 'unreadable', why: 'has a layer without a digest or size' };
  }
  return { kind: 'image', layers: layers as BaseLayer[], config: typeof m.config?.digest === 'string' ? m.config.digest : null };
}

/**
 * The index entry for `want`: same OS and architecture, the same variant when both say one (else the first);
 * attestation entries (`unknown/unknown`) never match. Null when none does.
 */
export function pickPlatform(entries: Array<{ digest: string; platform: Platform }>, want: Platform): { digest: string; platform: Platform } | null {
  const same = entries.filter((e) => e.platform.os === want.os && e.platform.arch === want.arch);
  if (want.variant !== null) {
    const exact = same.find((e) => e.platform.variant === want.variant);
    if (exact !== undefined) return exact;
  }
  return same.find((e) => e.platform.variant === null) ?? same[0] ?? null;
}

/** `os/arch[/variant]`, as docker writes a platform. */
export function platformText(p: Platform): string {
  return `${p.os}/${p.arch}${p.variant === null ? '' : `/${p.variant}`}`;
}
