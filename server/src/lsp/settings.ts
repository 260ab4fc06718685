/**
 * Editor settings -> typed options, in one place. Unknown or wrong values fall back to defaults.
 */
import type { AnalysisOptions, Builder, SeveritySetting } from '../core/types';
import type { HintParts } from '../core/present';
import { checkEngineVersion } from '../docker/version';

/** The settings the server uses, already validated. */
export interface ServerSettings {
  analysis: AnalysisOptions;
  inlayHints: { enabled: boolean; parts: HintParts };
  /** `dockerfileLayers.docker.path`: the docker CLI builds run with (a name is looked up on PATH). */
  docker: { path: string };
  /** `dockerfileLayers.buildContexts` (Dockerfile glob -> context folder) and `dockerfileLayers.context.maxFiles`. */
  context: { buildContexts: Record<string, string>; maxFiles: number };
  /** `dockerfileLayers.engineVersion`: the Docker Engine to model instead of the daemon's; null to ask the daemon. */
  engineVersion: string | null;
  /** `dockerfileLayers.baseImages.registry`: ask registries for the size of base images the daemon does not have. */
  registry: boolean;
}

export const DEFAULT_SETTINGS: ServerSettings = {
  analysis: { builder: 'buildkit', buildArgs: {} },
  inlayHints: { enabled: true, parts: { layer: true, size: true, cache: true } },
  docker: { path: 'docker' },
  context: { buildContexts: {}, maxFiles: 200_000 },
  engineVersion: null,
  registry: true,
};

/** Turns the raw `dockerfileLayers` configuration object into ServerSettings. */
export function toSettings(raw: unknown): ServerSettings {
  const r = isObject(raw) ? raw : {};
  const builder: Builder = r.builder === 'legacy' ? 'legacy' : 'buildkit';
  const hints = isObject(r.inlayHints) ? r.inlayHints : {};
  const target = typeof r.target === 'string' && r.target !== '' ? r.target : undefined;
  const buildArgs: Record<string, string> = {};
  if (isObject(r.buildArgs)) {
    for (const [k, v] of Object.entries(r.buildArgs)) if (typeof v === 'string') buildArgs[k] = v;
  }
  return {
    analysis: { ...(target === undefined ? { builder, buildArgs } : { builder, target, buildArgs }), ...severitiesOf(r.diagnostics) },
    inlayHints: {
      enabled: hints.enabled !== false,
      parts: { layer: hints.layer !== false, size: hints.size !== false, cache: hints.cache !== false },
    },
    docker: { path: isObject(r.docker) && typeof r.docker.path === 'string' && r.docker.path.trim() !== '' ? r.docker.path.trim() : 'docker' },
    context: contextOf(r),
    engineVersion: typeof r.engineVersion === 'string' && checkEngineVersion(r.engineVersion) === null ? r.engineVersion.trim() : null,
    registry: !(isObject(r.baseImages) && r.baseImages.registry === false),
  };
}

/** `dockerfileLayers.buildContexts` (string values only) and `dockerfileLayers.context.maxFiles` (a positive whole number). */
function contextOf(r: Record<string, unknown>): ServerSettings['context'] {
  const buildContexts: Record<string, string> = {};
  if (isObject(r.buildContexts)) for (const [glob, dir] of Object.entries(r.buildContexts)) if (typeof dir === 'string') buildContexts[glob] = dir;
  const max = isObject(r.context) ? r.context.maxFiles : undefined;
  const maxFiles = typeof max === 'number' && Number.isInteger(max) && max > 0 ? max : DEFAULT_SETTINGS.context.maxFiles;
  return { buildContexts, maxFiles };
}

/** `dockerfileLayers.diagnostics.severity`: finding code -> error, warning, info or off; other values ignored. */
function severitiesOf(raw: unknown): { severities?: Record<string, SeveritySetting> } {
  const map = isObject(raw) && isObject(raw.severity) ? raw.severity : {};
  const severities: Record<string, SeveritySetting> = {};
  for (const [code, v] of Object.entries(map)) if (v === 'error' || v === 'warning' || v === 'info' || v === 'off') severities[code] = v;
  return Object.keys(severities).length > 0 ? { severities } : {};
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
