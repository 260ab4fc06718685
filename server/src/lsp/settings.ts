/**
 * Editor settings -> typed options, in one place. Unknown or wrong values fall back to defaults.
 */
import type { AnalysisOptions, Builder } from '../core/types';
import type { HintParts } from '../core/present';

/** The settings the server uses, already validated. */
export interface ServerSettings {
  analysis: AnalysisOptions;
  inlayHints: { enabled: boolean; parts: HintParts };
}

export const DEFAULT_SETTINGS: ServerSettings = {
  analysis: { builder: 'buildkit', buildArgs: {} },
  inlayHints: { enabled: true, parts: { layer: true, size: true, cache: true } },
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
    analysis: target === undefined ? { builder, buildArgs } : { builder, target, buildArgs },
    inlayHints: {
      enabled: hints.enabled !== false,
      parts: { layer: hints.layer !== false, size: hints.size !== false, cache: hints.cache !== false },
    },
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
