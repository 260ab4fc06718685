/** Every build-cache conformance scenario, in the order the suite runs them. */
import type { CacheScenario } from './types';
import { CONTEXT_SCENARIOS } from './context';
import { INSTRUCTION_SCENARIOS } from './instructions';
import { STAGE_SCENARIOS } from './stages';
import { BUILDKIT_SCENARIOS } from './buildkit';

export const CACHE_SCENARIOS: CacheScenario[] = [...CONTEXT_SCENARIOS, ...INSTRUCTION_SCENARIOS, ...STAGE_SCENARIOS, ...BUILDKIT_SCENARIOS];
