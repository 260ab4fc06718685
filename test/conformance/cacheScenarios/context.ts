/** Cache scenarios that change the build context: copied files, their modes, globs, `.dockerignore`. */
import { BASE, NONCE_FILE, df, type CacheScenario } from './types';

/** A step after the copy under test, to show whether later steps hit; a COPY is cheaper than a RUN on the legacy builder. */
const LATER = 'COPY later.txt /later.txt';
const LATER_FILE = { 'later.txt': 'later\n' };

export const CONTEXT_SCENARIOS: CacheScenario[] = [
  {
    name: 'edit a copied file',
    files: { 'a.txt': 'a {{NONCE}}\n' },
    dockerfile: df(`FROM ${BASE}`, 'COPY a.txt /a.txt', 'RUN cat /a.txt > /b.txt'),
    mutate: [{ op: 'write', path: 'a.txt', content: 'a2 {{NONCE}}\n' }],
    misses: { legacy: ['COPY a.txt', 'RUN cat'], buildkit: ['COPY a.txt', 'RUN cat'] },
  },
  {
    name: 'touch a copied file without changing it',
    files: { ...LATER_FILE, 'a.txt': 'a {{NONCE}}\n' },
    dockerfile: df(`FROM ${BASE}`, 'COPY a.txt /a.txt', LATER),
    mutate: [{ op: 'touch', path: 'a.txt' }],
    misses: { legacy: [], buildkit: [] },
  },
  {
    name: 'chmod a copied file',
    files: { ...LATER_FILE, 'a.txt': 'a {{NONCE}}\n' },
    dockerfile: df(`FROM ${BASE}`, 'COPY a.txt /a.txt', LATER),
    mutate: [{ op: 'chmod', path: 'a.txt', mode: 0o755 }],
    misses: { legacy: ['COPY a.txt', 'COPY later.txt'], buildkit: ['COPY a.txt', 'COPY later.txt'] },
  },
  {
    name: 'change a .dockerignored file',
    files: { ...LATER_FILE, ...NONCE_FILE, 'debug.log': 'one\n', '.dockerignore': '*.log\n' },
    dockerfile: df(`FROM ${BASE}`, 'COPY . /ctx', LATER),
    mutate: [{ op: 'write', path: 'debug.log', content: 'two\n' }],
    misses: { legacy: [], buildkit: [] },
  },
  {
    name: 'edit a file a ! exception re-includes',
    files: { ...LATER_FILE, ...NONCE_FILE, 'README.md': 'one\n', 'notes.md': 'notes\n', '.dockerignore': '*.md\n!README.md\n' },
    dockerfile: df(`FROM ${BASE}`, 'COPY . /ctx', LATER),
    mutate: [{ op: 'write', path: 'README.md', content: 'two\n' }],
    misses: { legacy: ['COPY .', 'COPY later.txt'], buildkit: ['COPY .', 'COPY later.txt'] },
  },
  {
    name: 'edit a file a ! exception re-includes from an excluded folder',
    files: { ...LATER_FILE, ...NONCE_FILE, 'docs/keep.md': 'one\n', 'docs/other.md': 'other\n', '.dockerignore': 'docs/\n!docs/keep.md\n' },
    dockerfile: df(`FROM ${BASE}`, 'COPY . /ctx', LATER),
    mutate: [{ op: 'write', path: 'docs/keep.md', content: 'two\n' }],
    misses: { legacy: ['COPY .', 'COPY later.txt'], buildkit: ['COPY .', 'COPY later.txt'] },
  },
  {
    name: 'edit .dockerignore to exclude a file COPY . sends',
    files: { ...LATER_FILE, ...NONCE_FILE, 'b.txt': 'b\n', '.dockerignore': '*.log\n' },
    dockerfile: df(`FROM ${BASE}`, 'COPY . /ctx', LATER),
    mutate: [{ op: 'write', path: '.dockerignore', content: '*.log\nb.txt\n' }],
    misses: { legacy: ['COPY .', 'COPY later.txt'], buildkit: ['COPY .', 'COPY later.txt'] },
  },
  {
    name: 'add a file a COPY glob matches',
    files: { ...LATER_FILE, 'a.txt': 'a {{NONCE}}\n', 'b.txt': 'b\n' },
    dockerfile: df(`FROM ${BASE}`, 'COPY *.txt /t/', LATER),
    mutate: [{ op: 'write', path: 'c.txt', content: 'c\n' }],
    misses: { legacy: ['COPY *.txt', 'COPY later.txt'], buildkit: ['COPY *.txt', 'COPY later.txt'] },
  },
  {
    name: 'add a file no COPY glob matches',
    files: { ...LATER_FILE, 'a.txt': 'a {{NONCE}}\n', 'b.txt': 'b\n' },
    dockerfile: df(`FROM ${BASE}`, 'COPY *.txt /t/', LATER),
    mutate: [{ op: 'write', path: 'c.md', content: 'c\n' }],
    misses: { legacy: [], buildkit: [] },
  },
  {
    name: 'edit a file deep in a copied folder',
    files: { ...LATER_FILE, 'src/n.txt': 'nonce {{NONCE}}\n', 'src/sub/x.txt': 'x\n' },
    dockerfile: df(`FROM ${BASE}`, 'COPY src /src', LATER),
    mutate: [{ op: 'append', path: 'src/sub/x.txt', content: 'more\n' }],
    misses: { legacy: ['COPY src', 'COPY later.txt'], buildkit: ['COPY src', 'COPY later.txt'] },
  },
  {
    name: 'add an empty folder to a copied folder',
    files: { ...LATER_FILE, 'src/n.txt': 'nonce {{NONCE}}\n' },
    dockerfile: df(`FROM ${BASE}`, 'COPY src /src', LATER),
    mutate: [{ op: 'mkdir', path: 'src/empty' }],
    misses: { legacy: ['COPY src', 'COPY later.txt'], buildkit: ['COPY src', 'COPY later.txt'] },
  },
  {
    name: 'point a copied symlink elsewhere',
    files: { ...LATER_FILE, 'src/n.txt': 'nonce {{NONCE}}\n', 'src/m.txt': 'm\n' },
    links: { 'src/link': 'n.txt' },
    dockerfile: df(`FROM ${BASE}`, 'COPY src /src', LATER),
    mutate: [{ op: 'symlink', path: 'src/link', target: 'm.txt' }],
    misses: { legacy: ['COPY src', 'COPY later.txt'], buildkit: ['COPY src', 'COPY later.txt'] },
  },
];
