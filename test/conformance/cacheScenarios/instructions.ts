/** Cache scenarios that change the Dockerfile's instructions, their text, metadata and build arguments. */
import { BASE, COPY_NONCE, NONCE_FILE, df, type CacheScenario } from './types';

/** Three steps: the nonce's COPY, a RUN, a COPY. */
const THREE = df(`FROM ${BASE}`, COPY_NONCE, 'RUN echo two > /two', 'COPY a.txt /a.txt');
const A = { ...NONCE_FILE, 'a.txt': 'a\n' };

export const INSTRUCTION_SCENARIOS: CacheScenario[] = [
  {
    name: 'edit a RUN instruction',
    files: A,
    dockerfile: THREE,
    mutate: [{ op: 'edit', from: 'echo two', to: 'echo three' }],
    misses: { legacy: ['echo three', 'COPY a.txt'], buildkit: ['echo three', 'COPY a.txt'] },
  },
  {
    name: 'edit only a comment',
    files: A,
    dockerfile: df(`FROM ${BASE}`, '# first', COPY_NONCE, 'RUN echo two > /two', 'COPY a.txt /a.txt'),
    mutate: [{ op: 'edit', from: '# first', to: '# the first step, explained\n# in two lines' }],
    misses: { legacy: [], buildkit: [] },
  },
  {
    name: 'add blank lines and indentation',
    files: A,
    dockerfile: THREE,
    mutate: [{ op: 'edit', from: 'RUN echo two', to: '\n\n   RUN   echo two' }],
    misses: { legacy: [], buildkit: [] },
  },
  {
    name: 'split a RUN over two lines without indenting the continuation',
    files: A,
    dockerfile: df(`FROM ${BASE}`, COPY_NONCE, 'RUN echo two > /two && echo three > /three', 'COPY a.txt /a.txt'),
    mutate: [{ op: 'edit', from: '/two && echo', to: '/two \\\n&& echo' }],
    misses: { legacy: [], buildkit: [] },
  },
  {
    name: 'split a RUN over two lines with an indented continuation',
    files: A,
    dockerfile: df(`FROM ${BASE}`, COPY_NONCE, 'RUN echo two > /two && echo three > /three', 'COPY a.txt /a.txt'),
    mutate: [{ op: 'edit', from: '/two && echo', to: '/two \\\n    && echo' }],
    misses: { legacy: ['echo two', 'COPY a.txt'], buildkit: ['echo two', 'COPY a.txt'] },
  },
  {
    name: 'write a keyword in lower case',
    files: A,
    dockerfile: THREE,
    mutate: [{ op: 'edit', from: 'RUN echo two', to: 'run echo two' }],
    misses: { legacy: [], buildkit: [] },
  },
  {
    name: 'turn a shell-form RUN into the same command in exec form',
    files: A,
    dockerfile: THREE,
    mutate: [{ op: 'edit', from: 'RUN echo two > /two', to: 'RUN ["/bin/sh", "-c", "echo two > /two"]' }],
    misses: { legacy: [], buildkit: [] },
  },
  {
    name: 'change a LABEL',
    files: A,
    dockerfile: df(`FROM ${BASE}`, COPY_NONCE, 'LABEL version=1', 'COPY a.txt /a.txt', 'RUN echo two > /two'),
    mutate: [{ op: 'edit', from: 'version=1', to: 'version=2' }],
    misses: { legacy: ['LABEL', 'COPY a.txt', 'echo two'], buildkit: [] },
  },
  {
    name: 'insert an EXPOSE',
    files: A,
    dockerfile: df(`FROM ${BASE}`, COPY_NONCE, 'COPY a.txt /a.txt', 'RUN echo two > /two'),
    mutate: [{ op: 'edit', from: 'COPY a.txt', to: 'EXPOSE 8080\nCOPY a.txt' }],
    misses: { legacy: ['EXPOSE', 'COPY a.txt', 'echo two'], buildkit: [] },
  },
  {
    name: 'change an ENV',
    files: A,
    dockerfile: df(`FROM ${BASE}`, COPY_NONCE, 'ENV MODE=one', 'COPY a.txt /a.txt', 'RUN echo two > /two'),
    mutate: [{ op: 'edit', from: 'MODE=one', to: 'MODE=two' }],
    misses: { legacy: ['ENV', 'COPY a.txt', 'echo two'], buildkit: ['echo two'] },
  },
  {
    name: 'change an ENV a COPY destination uses',
    files: A,
    dockerfile: df(`FROM ${BASE}`, COPY_NONCE, 'ENV DEST=/d1', 'COPY a.txt $DEST/', 'RUN echo two > /two'),
    mutate: [{ op: 'edit', from: 'DEST=/d1', to: 'DEST=/d2' }],
    misses: { legacy: ['ENV', 'COPY a.txt', 'echo two'], buildkit: ['COPY a.txt', 'echo two'] },
  },
  {
    name: 'change a WORKDIR',
    files: A,
    dockerfile: df(`FROM ${BASE}`, COPY_NONCE, 'WORKDIR /w1', 'COPY a.txt a.txt', 'RUN echo two > two'),
    mutate: [{ op: 'edit', from: 'WORKDIR /w1', to: 'WORKDIR /w2' }],
    misses: { legacy: ['WORKDIR', 'COPY a.txt', 'echo two'], buildkit: ['WORKDIR', 'COPY a.txt', 'echo two'] },
  },
  {
    name: 'change the USER',
    files: A,
    dockerfile: df(`FROM ${BASE}`, COPY_NONCE, 'USER 1000:1000', 'COPY a.txt /a.txt', 'RUN echo two'),
    mutate: [{ op: 'edit', from: 'USER 1000:1000', to: 'USER 1001:1001' }],
    misses: { legacy: ['USER', 'COPY a.txt', 'echo two'], buildkit: ['echo two'] },
  },
  {
    name: 'reorder the sources of a COPY',
    files: { ...NONCE_FILE, 'a.txt': 'a\n', 'b.txt': 'b\n' },
    dockerfile: df(`FROM ${BASE}`, COPY_NONCE, 'COPY a.txt b.txt /d/', 'RUN echo two > /two'),
    mutate: [{ op: 'edit', from: 'a.txt b.txt', to: 'b.txt a.txt' }],
    misses: { legacy: ['b.txt a.txt', 'echo two'], buildkit: ['b.txt a.txt', 'echo two'] },
  },
  {
    name: 'add a step at the end',
    files: A,
    dockerfile: THREE,
    mutate: [{ op: 'edit', from: 'COPY a.txt /a.txt', to: 'COPY a.txt /a.txt\nRUN echo end > /end' }],
    misses: { legacy: ['echo end'], buildkit: ['echo end'] },
  },
  {
    name: 'add a step at the start',
    files: A,
    dockerfile: THREE,
    mutate: [{ op: 'edit', from: COPY_NONCE, to: `RUN echo start {{NONCE}} > /start\n${COPY_NONCE}` }],
    misses: { legacy: ['start', 'COPY n.txt', 'echo two', 'COPY a.txt'], buildkit: ['start', 'COPY n.txt', 'echo two', 'COPY a.txt'] },
  },
  {
    name: 'swap two steps',
    files: A,
    dockerfile: df(`FROM ${BASE}`, COPY_NONCE, 'RUN echo two > /two', 'RUN echo three > /three', 'COPY a.txt /a.txt'),
    mutate: [{ op: 'edit', from: 'RUN echo two > /two\nRUN echo three > /three', to: 'RUN echo three > /three\nRUN echo two > /two' }],
    misses: { legacy: ['echo three', 'echo two', 'COPY a.txt'], buildkit: ['echo three', 'echo two', 'COPY a.txt'] },
  },
  ...argScenarios(),
];

/** ARG defaults and `--build-arg`s: used, declared but unused, undeclared, global. */
function argScenarios(): CacheScenario[] {
  return [
    {
      name: 'change an ARG default a RUN uses',
      files: A,
      dockerfile: df(`FROM ${BASE}`, COPY_NONCE, 'ARG LEVEL=1', 'COPY a.txt /a.txt', 'RUN echo $LEVEL > /level'),
      mutate: [{ op: 'edit', from: 'LEVEL=1', to: 'LEVEL=2' }],
      misses: { legacy: ['ARG', 'COPY a.txt', 'echo $LEVEL'], buildkit: ['echo $LEVEL'] },
    },
    {
      name: 'change the default of an ARG no step uses',
      files: A,
      dockerfile: df(`FROM ${BASE}`, COPY_NONCE, 'ARG UNUSED=1', 'COPY a.txt /a.txt', 'RUN echo two > /two'),
      mutate: [{ op: 'edit', from: 'UNUSED=1', to: 'UNUSED=2' }],
      misses: { legacy: ['ARG', 'COPY a.txt', 'echo two'], buildkit: ['echo two'] },
    },
    {
      name: 'pass a different --build-arg a RUN uses',
      files: A,
      dockerfile: df(`FROM ${BASE}`, COPY_NONCE, 'ARG LEVEL', 'COPY a.txt /a.txt', 'RUN echo $LEVEL > /level'),
      buildArgs: { LEVEL: '1' },
      mutate: [{ op: 'buildArgs', args: { LEVEL: '2' } }],
      misses: { legacy: ['echo $LEVEL'], buildkit: ['echo $LEVEL'] },
    },
    {
      name: 'pass a different --build-arg for an ARG no step uses',
      files: A,
      dockerfile: df(`FROM ${BASE}`, COPY_NONCE, 'ARG UNUSED', 'COPY a.txt /a.txt', 'RUN echo two > /two'),
      buildArgs: { UNUSED: '1' },
      mutate: [{ op: 'buildArgs', args: { UNUSED: '2' } }],
      misses: { legacy: ['echo two'], buildkit: ['echo two'] },
    },
    {
      name: 'pass a --build-arg no ARG declares',
      files: A,
      dockerfile: THREE,
      mutate: [{ op: 'buildArgs', args: { NOBODY: '1' } }],
      misses: { legacy: [], buildkit: [] },
    },
    {
      name: 'pass a --build-arg for an ARG declared after the last RUN',
      files: A,
      dockerfile: df(`FROM ${BASE}`, COPY_NONCE, 'RUN echo two > /two', 'ARG LATE', 'COPY a.txt /a.txt'),
      buildArgs: { LATE: '1' },
      mutate: [{ op: 'buildArgs', args: { LATE: '2' } }],
      misses: { legacy: [], buildkit: [] },
    },
    {
      name: 'change a global ARG default the stage does not declare',
      files: A,
      dockerfile: df('ARG GLOBAL=1', `FROM ${BASE}`, COPY_NONCE, 'COPY a.txt /a.txt', 'RUN echo two > /two'),
      mutate: [{ op: 'edit', from: 'GLOBAL=1', to: 'GLOBAL=2' }],
      misses: { legacy: [], buildkit: [] },
    },
    {
      name: 'change a global ARG default the stage declares and uses',
      files: A,
      dockerfile: df('ARG GLOBAL=1', `FROM ${BASE}`, COPY_NONCE, 'ARG GLOBAL', 'COPY a.txt /a.txt', 'RUN echo $GLOBAL > /g'),
      mutate: [{ op: 'edit', from: 'GLOBAL=1', to: 'GLOBAL=2' }],
      misses: { legacy: ['echo $GLOBAL'], buildkit: ['echo $GLOBAL'] },
    },
  ];
}
