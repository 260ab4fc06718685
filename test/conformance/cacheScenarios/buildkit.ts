/**
 * BuildKit-only cache scenarios: heredocs and `COPY --link` (Docker 26.1 and later, which accept them without a
 * `# syntax` line), `--chmod` and `RUN --mount` (every engine's BuildKit).
 */
import { BASE, COPY_NONCE, NONCE_FILE, df, type CacheScenario } from './types';

const A = { ...NONCE_FILE, 'a.txt': 'a\n' };
const MODERN = { builders: ['buildkit' as const], engines: 'buildkit-modern' as const };
const BUILDKIT = { builders: ['buildkit' as const] };

export const BUILDKIT_SCENARIOS: CacheScenario[] = [
  {
    name: 'edit a heredoc RUN body',
    ...MODERN,
    files: A,
    dockerfile: df(`FROM ${BASE}`, COPY_NONCE, 'RUN <<EOF', 'echo one > /h', 'echo body >> /h', 'EOF', 'COPY a.txt /a.txt'),
    mutate: [{ op: 'edit', from: 'echo body', to: 'echo edited body' }],
    misses: { buildkit: ['RUN <<EOF', 'COPY a.txt'] },
  },
  {
    name: 'edit a heredoc COPY body',
    ...MODERN,
    files: NONCE_FILE,
    dockerfile: df(`FROM ${BASE}`, COPY_NONCE, 'COPY <<EOF /f.txt', 'hello', 'EOF', 'RUN cat /f.txt > /g'),
    mutate: [{ op: 'edit', from: 'hello', to: 'goodbye' }],
    misses: { buildkit: ['COPY <<EOF', 'RUN cat'] },
  },
  {
    name: 'COPY --link after an earlier step changes',
    ...MODERN,
    files: { 'l.txt': 'linked {{NONCE}}\n' },
    dockerfile: df(`FROM ${BASE}`, 'RUN echo {{NONCE}}-1 > /one', 'COPY --link l.txt /l.txt', 'RUN cat /l.txt > /m'),
    mutate: [{ op: 'edit', from: '{{NONCE}}-1', to: '{{NONCE}}-2' }],
    // BuildKit's source copies a --link step onto an empty layer, independent of the steps below; Docker
    // 26.1's BuildKit with the engine's own image store still runs it again.
    misses: { buildkit: ['RUN echo', 'COPY', 'RUN cat'] },
  },
  {
    name: 'COPY --link --chmod after an earlier step changes',
    ...MODERN,
    files: { 'l.txt': 'linked {{NONCE}}\n' },
    dockerfile: df(`FROM ${BASE}`, 'RUN echo {{NONCE}}-1 > /one', 'COPY --link --chmod=755 l.txt /l.txt', 'RUN cat /l.txt > /m'),
    mutate: [{ op: 'edit', from: '{{NONCE}}-1', to: '{{NONCE}}-2' }],
    misses: { buildkit: ['RUN echo', 'COPY', 'RUN cat'] },
  },
  {
    name: 'change a COPY --chmod value',
    ...BUILDKIT,
    files: A,
    dockerfile: df(`FROM ${BASE}`, COPY_NONCE, 'COPY --chmod=644 a.txt /a.txt', 'RUN cat /a.txt > /b'),
    mutate: [{ op: 'edit', from: '--chmod=644', to: '--chmod=755' }],
    misses: { buildkit: ['--chmod', 'RUN cat'] },
  },
  {
    name: 'edit a file a RUN --mount=type=bind reads',
    ...BUILDKIT,
    files: { ...A, 'data/x.txt': 'x\n', 'data/y.txt': 'y\n' },
    dockerfile: df(`FROM ${BASE}`, COPY_NONCE, 'RUN --mount=type=bind,source=data,target=/d cat /d/x.txt > /out', 'COPY a.txt /a.txt'),
    mutate: [{ op: 'write', path: 'data/x.txt', content: 'x2\n' }],
    misses: { buildkit: ['--mount', 'COPY a.txt'] },
  },
  {
    name: 'edit a file outside a RUN --mount=type=bind source',
    ...BUILDKIT,
    files: { ...A, 'data/x.txt': 'x\n', 'other.txt': 'one\n' },
    dockerfile: df(`FROM ${BASE}`, COPY_NONCE, 'RUN --mount=type=bind,source=data,target=/d cat /d/x.txt > /out', 'COPY a.txt /a.txt'),
    mutate: [{ op: 'write', path: 'other.txt', content: 'two\n' }],
    misses: { buildkit: [] },
  },
  {
    name: 'the contents of a --mount=type=cache do not matter',
    ...BUILDKIT,
    files: A,
    dockerfile: df(
      `FROM ${BASE}`, COPY_NONCE,
      'RUN --mount=type=cache,id=c{{NONCE}},target=/cache echo run >> /cache/log && cp /cache/log /log', 'COPY a.txt /a.txt',
    ),
    // The first build appended to the cache mount, so the second finds other contents there.
    mutate: [{ op: 'write', path: 'a.txt', content: 'a2\n' }],
    misses: { buildkit: ['COPY a.txt'] },
  },
  {
    name: 'change the content of a --mount=type=secret',
    ...BUILDKIT,
    files: { ...A, 'token.txt': 'one\n' },
    secret: { id: 'token', file: 'token.txt' },
    dockerfile: df(`FROM ${BASE}`, COPY_NONCE, 'RUN --mount=type=secret,id=token cat /run/secrets/token > /dev/null', 'COPY a.txt /a.txt'),
    mutate: [{ op: 'write', path: 'token.txt', content: 'two\n' }],
    misses: { buildkit: [] },
  },
  {
    name: 'give a --mount=type=secret to the second build only',
    ...BUILDKIT,
    files: { ...A, 'token.txt': 'one\n' },
    secondSecret: { id: 'token', file: 'token.txt' },
    dockerfile: df(`FROM ${BASE}`, COPY_NONCE, 'RUN --mount=type=secret,id=token cat /run/secrets/token > /dev/null || true', 'COPY a.txt /a.txt'),
    mutate: [],
    misses: { buildkit: [] },
  },
];
