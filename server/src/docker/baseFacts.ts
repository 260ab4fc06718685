/**
 * The one entry point for FROM image facts: the local daemon's image when it has one (exact, with the image's
 * own files), else the image's registry (compressed sizes), else an UnknownBase saying why. Never throws; every
 * part has a deadline and `signal` cancels the lot, so the language server can run it off the typing path.
 */
import type { BaseImageFacts } from '../core/baseImage';
import { defaultRegistryNames, parseImageRef, registryHost } from '../core/imageRef';
import type { Engine } from './engine';
import { localBase } from './localBase';
import { DEFAULT_LOOKUP_MS, DEFAULT_REQUEST_MS, registryBase } from './registry';
import { goArch, type Platform } from './registryWire';

export interface LookUpOptions {
  /** The daemon to ask first; null when there is none to ask. */
  engine: Engine | null;
  /** The state folder, where facts are kept (by image ID; registry answers for 24 h); null keeps nothing. */
  stateDir: string | null;
  /** The platform to pick from an index; default: the daemon's, else this machine's (linux). */
  platform?: Platform;
  signal?: AbortSignal;
  /** Ask no registry: local images and kept answers only. */
  offline?: boolean;
  /** Read local images' files (os-release, dpkg, apk, apt); default true. */
  files?: boolean;
  /** Registries spoken to over plain HTTP besides loopback ones. */
  insecureRegistries?: readonly string[];
  /** Per registry request, and per registry lookup, in ms. */
  requestMs?: number;
  registryMs?: number;
  /** The longest the whole call takes, in ms (reading a 200 MB image's files the first time takes seconds). */
  deadlineMs?: number;
}

/** The default bound of a whole call. */
export const DEFAULT_DEADLINE_MS = 60_000;

/** What the daemon says that registry lookups need: its platform and the default registry; nulls without a daemon. */
interface DaemonView {
  platform: Platform | null;
  indexServer: string | null;
}

/**
 * Facts per reference (as written, after variable expansion) for `refs`, the FROM images (no stage names;
 * `scratch` is left out). Local first when the daemon answers, the registry otherwise. Never rejects.
 */
export async function lookUpBases(refs: readonly string[], o: LookUpOptions): Promise<Record<string, BaseImageFacts>> {
  const wanted = [...new Set(refs)].filter((r) => r.trim() !== '' && r.toLowerCase() !== 'scratch');
  const stop = new AbortController();
  const deadlineMs = o.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const timer = setTimeout(() => stop.abort(), deadlineMs);
  const signal = o.signal ? AbortSignal.any([o.signal, stop.signal]) : stop.signal;
  try {
    const daemon = await bounded(askDaemon(o.engine), signal, { platform: null, indexServer: null });
    const results = await Promise.all(wanted.map((ref) => {
      const why = (): string => (o.signal?.aborted ? `The lookup of ${ref} was cancelled.` : `The lookup of ${ref} took longer than ${deadlineMs / 1000} s.`);
      return bounded(lookUpOne(ref, daemon, { ...o, signal }), signal, { ref, bytes: null, why: '' }).then((f) => (f.bytes === null && f.why === '' ? { ...f, why: why() } : f));
    }));
    return Object.fromEntries(results.map((f) => [f.ref, f]));
  } finally {
    clearTimeout(timer);
  }
}

async function lookUpOne(ref: string, daemon: DaemonView, o: LookUpOptions & { signal: AbortSignal }): Promise<BaseImageFacts> {
  try {
    if (o.engine !== null && daemon.platform !== null) {
      const local = await localBase(o.engine, ref, { stateDir: o.stateDir, signal: o.signal, files: o.files });
      if (local !== null) return local;
    }
  } catch {
    // The daemon stopped answering: the registry may still tell.
  }
  const image = parseImageRef(ref, defaultRegistryNames(daemon.indexServer));
  if ('error' in image) return { ref, bytes: null, why: image.error };
  return registryBase(ref, image, {
    defaultRegistry: registryHost(daemon.indexServer),
    platform: o.platform ?? daemon.platform ?? hostPlatform(),
    insecure: o.insecureRegistries, stateDir: o.stateDir, offline: o.offline, signal: o.signal,
    requestMs: o.requestMs ?? DEFAULT_REQUEST_MS, totalMs: o.registryMs ?? DEFAULT_LOOKUP_MS,
  });
}

async function askDaemon(engine: Engine | null): Promise<DaemonView> {
  if (engine === null) return { platform: null, indexServer: null };
  try {
    const [p, indexServer] = await Promise.all([engine.platform(), engine.indexServerAddress()]);
    return { platform: { os: p.os, arch: p.arch, variant: null }, indexServer };
  } catch {
    return { platform: null, indexServer: null };
  }
}

/** This machine's platform for Linux images, when no daemon says its own. */
export function hostPlatform(): Platform {
  return { os: 'linux', arch: goArch(process.arch) ?? 'amd64', variant: null };
}

/** `work`, or `fallback` as soon as `signal` aborts (the work is left to end on its own deadlines). */
function bounded<T>(work: Promise<T>, signal: AbortSignal, fallback: T): Promise<T> {
  if (signal.aborted) return Promise.resolve(fallback);
  return new Promise((resolve) => {
    const onAbort = (): void => resolve(fallback);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, () => resolve(fallback)).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
