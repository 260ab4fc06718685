/** Cache scenarios with several stages, targets and base images. */
import { BASE, COPY_NONCE, NONCE_FILE, OTHER_BASE, df, type CacheScenario } from './types';

/** Stage `other` (not needed by the last stage) copies other.txt; the last stage is `app`. */
const OUTSIDE = df(
  `FROM ${BASE} AS other`, 'COPY other.txt /other.txt', 'RUN echo other {{NONCE}} > /o',
  `FROM ${BASE} AS app`, COPY_NONCE, 'COPY a.txt /a.txt',
);

/** Stage `a`, stage `b` built FROM it, and stage `c` FROM the base. */
const CHAIN = df(
  `FROM ${BASE} AS a`, COPY_NONCE,
  'FROM a AS b', 'COPY b.txt /b.txt', 'RUN echo b > /b',
  `FROM ${BASE} AS c`, 'RUN echo c {{NONCE}} > /c',
);

export const STAGE_SCENARIOS: CacheScenario[] = [
  {
    name: 'edit a file only a stage outside the target uses',
    files: { ...NONCE_FILE, 'a.txt': 'a\n', 'other.txt': 'one {{NONCE}}\n' },
    dockerfile: OUTSIDE,
    mutate: [{ op: 'write', path: 'other.txt', content: 'two {{NONCE}}\n' }],
    misses: { legacy: ['COPY other.txt', 'echo other'], buildkit: [] },
  },
  {
    name: 'change the target to a later stage',
    files: { ...NONCE_FILE, 'b.txt': 'b\n' },
    dockerfile: CHAIN,
    target: 'a',
    mutate: [{ op: 'target', target: 'b' }],
    misses: { legacy: ['COPY b.txt', 'echo b'], buildkit: ['COPY b.txt', 'echo b'] },
  },
  {
    name: 'change the target to an earlier stage',
    files: { ...NONCE_FILE, 'b.txt': 'b\n' },
    dockerfile: CHAIN,
    target: 'b',
    mutate: [{ op: 'target', target: 'a' }],
    misses: { legacy: [], buildkit: [] },
  },
  {
    name: 'change the base image',
    files: { ...NONCE_FILE, 'a.txt': 'a\n' },
    dockerfile: df(`FROM ${BASE}`, COPY_NONCE, 'COPY a.txt /a.txt'),
    mutate: [{ op: 'edit', from: BASE, to: OTHER_BASE }],
    misses: { legacy: ['COPY n.txt', 'COPY a.txt'], buildkit: ['COPY n.txt', 'COPY a.txt'] },
  },
  // Every file of the first builder stage comes from the context, so the copied file's bytes are known before the build.
  keepFromBuilder('a builder stage whose input changes while its output stays byte-identical', 'COPY later.txt /src/later.txt', ['COPY src/', 'COPY later.txt /src/']),
  // A command ran in the builder stage after the COPY: whether the copied file is the same is known only after the build.
  { ...keepFromBuilder('a RUN in a builder stage leaves a copied file as it was', 'RUN ls /src > /list', ['COPY src/', 'RUN ls']), unpredictable: ['COPY --from=build /src/keep.txt', 'COPY later.txt'] },
  keepFromBuilder('a RUN in a builder stage rewrites a copied file from a changed input', 'RUN cat /src/other.txt >> /src/keep.txt', ['COPY src/', 'RUN cat', 'COPY --from', 'COPY later.txt']),
  {
    // The copied file is the output of a RUN that reruns: no prediction made before the build can know its bytes.
    name: 'a builder stage whose RUN makes byte-identical output from changed input',
    files: { 'src.txt': 'one {{NONCE}}\n' },
    dockerfile: df(
      `FROM ${BASE} AS build`, 'COPY src.txt /src.txt', 'RUN cat /src.txt > /dev/null && echo same {{NONCE}} > /out',
      `FROM ${BASE}`, 'COPY --from=build /out /out', 'RUN cat /out > /seen',
    ),
    mutate: [{ op: 'write', path: 'src.txt', content: 'two {{NONCE}}\n' }],
    misses: { legacy: ['COPY src.txt', 'RUN cat /src.txt'], buildkit: ['COPY src.txt', 'RUN cat /src.txt'] },
    unpredictable: ['COPY --from=build /out /out', 'RUN cat /out > /seen'],
  },
  {
    name: 'a COPY --from whose source stage rebuilds with new output',
    files: { ...NONCE_FILE, 'src.txt': 'one {{NONCE}}\n', 'later.txt': 'later\n' },
    dockerfile: df(
      `FROM ${BASE}`, 'COPY src.txt /src.txt', 'RUN cp /src.txt /out',
      `FROM ${BASE}`, COPY_NONCE, 'COPY --from=0 /out /out', 'COPY later.txt /later.txt',
    ),
    mutate: [{ op: 'write', path: 'src.txt', content: 'two {{NONCE}}\n' }],
    misses: { legacy: ['COPY src.txt', 'RUN cp', 'COPY --from', 'COPY later.txt'], buildkit: ['COPY src.txt', 'RUN cp', 'COPY --from', 'COPY later.txt'] },
  },
  {
    name: 'two stages that share their first step',
    files: { ...NONCE_FILE, 'a.txt': 'a\n', 'b.txt': 'b\n' },
    dockerfile: df(
      `FROM ${BASE} AS a`, COPY_NONCE, 'COPY a.txt /a.txt',
      `FROM ${BASE} AS b`, COPY_NONCE, 'COPY b.txt /b.txt', 'COPY --from=a /a.txt /a.txt',
    ),
    mutate: [{ op: 'write', path: 'b.txt', content: 'b2\n' }],
    misses: { legacy: ['COPY b.txt', 'COPY --from'], buildkit: ['COPY b.txt', 'COPY --from'] },
  },
];

/**
 * A builder stage copies src/ and runs `step`; the last stage copies src/keep.txt from it; then src/other.txt
 * changes. `misses` are both builders' misses.
 */
function keepFromBuilder(name: string, step: string, misses: string[]): CacheScenario {
  return {
    name,
    files: { ...NONCE_FILE, 'src/keep.txt': 'keep {{NONCE}}\n', 'src/other.txt': 'one\n', 'later.txt': 'later\n' },
    dockerfile: df(
      `FROM ${BASE} AS build`, 'COPY src/ /src/', step,
      `FROM ${BASE}`, COPY_NONCE, 'COPY --from=build /src/keep.txt /keep.txt', 'COPY later.txt /later.txt',
    ),
    mutate: [{ op: 'write', path: 'src/other.txt', content: 'two\n' }],
    misses: { legacy: misses, buildkit: misses },
  };
}
