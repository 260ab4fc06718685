/**
 * FROM line sizes (pure): the base image's bytes from what the adapters found (local daemon: exact; registry:
 * compressed), or a stage's own image when FROM names an earlier stage.
 */
import type { SizeEstimate, Step, StageModel } from '../types';
import type { BaseImageFacts } from '../baseImage';
import { formatBytes } from '../present';

/** Why a FROM size is unknown when the adapters looked nothing up (the CLI with --no-docker, an untrusted workspace). */
const NOT_LOOKED_UP = 'The base image is not looked up (no Docker daemon or registry was asked).';

/** The size of a FROM image by reference; `scratch` is empty. */
export function baseSize(ref: string, bases: Record<string, BaseImageFacts> | undefined): SizeEstimate {
  if (ref.toLowerCase() === 'scratch') return { bytes: 0, source: 'none', detail: 'scratch is the empty image.' };
  const facts = bases?.[ref];
  if (facts === undefined) return { bytes: null, source: 'unknown', detail: bases === undefined ? NOT_LOOKED_UP : `${ref} was not looked up.` };
  if (facts.bytes === null) return { bytes: null, source: 'unknown', detail: facts.why };
  if (facts.source === 'local') {
    return { bytes: facts.bytes, source: 'base', detail: `${ref} in the local image store: ${facts.layers.length} layers, ${formatBytes(facts.bytes)} uncompressed.` };
  }
  return {
    bytes: facts.bytes, source: 'base', compressed: true,
    detail: `${ref} from its registry${facts.arch ? ` (linux/${facts.arch})` : ''}: ${facts.layers.length} layers, ${formatBytes(facts.bytes)} compressed; pulled it takes more, typically 2-3 times as much.`,
  };
}

/** The bytes of a stage's image (its base plus its layers), for `FROM <stage>`; null when one of them is unknown. */
export function stageImageSize(stage: StageModel, steps: Step[], fromSize: SizeEstimate): SizeEstimate {
  let bytes = fromSize.bytes;
  let lowerBound = fromSize.lowerBound === true;
  let estimated = false;
  for (const i of stage.instructions) {
    const s = steps[i];
    if (s.keyword === 'FROM' || s.layer === 'no') continue;
    bytes = bytes === null || s.size.bytes === null ? null : bytes + s.size.bytes;
    lowerBound ||= s.size.lowerBound === true;
    estimated ||= isEstimate(s.size);
  }
  const name = stage.name ?? `#${stage.index}`;
  if (bytes === null) return { bytes: null, source: 'unknown', detail: `The image of stage ${name} has a layer (or base) of unknown size.` };
  return {
    bytes, source: 'base', ...(fromSize.compressed ? { compressed: true as const } : {}), ...(lowerBound ? { lowerBound: true as const } : {}),
    ...(estimated ? { confidence: 'medium' as const } : {}),
    detail: `The image of stage ${name}: its base and its layers${estimated ? ', some of them estimated' : ''}.`,
  };
}

/** Whether a size is an estimate rather than a known figure (catalog, heuristic, a last build's bytes, a compressed base). */
export function isEstimate(size: SizeEstimate): boolean {
  return size.source === 'catalog' || size.source === 'heuristic' || size.lastBuild === true || size.compressed === true || (size.source === 'base' && size.confidence !== undefined);
}

/** `size`, keeping what the analysis estimated before (when it had a figure or a reason) for the hover. */
export function withEstimate(size: SizeEstimate, before: SizeEstimate): SizeEstimate {
  if (before.source === 'pending' || before.source === 'none') return size;
  const { estimate: _nested, ...plain } = before;
  return { ...size, estimate: plain };
}
