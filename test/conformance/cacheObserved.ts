/**
 * What a real build took from its cache, read from the builder's own output and mapped to Dockerfile lines.
 * Written for the cache conformance suite on its own, without the product's parsers (server/src/docker/buildLog.ts,
 * core/dockerfile.ts), so the check does not share their mistakes. It knows only the scenarios' simple
 * Dockerfiles: comments, blank lines, `\` continuations and heredocs; no `# escape=` directive.
 */
import type { Builder } from './docker';

/** One instruction of a Dockerfile: 1-based first and last line, keyword, its text with continuations joined. */
export interface Instruction {
  line: number;
  endLine: number;
  keyword: string;
  /** The instruction's text with `\` continuations joined as Docker joins them (heredoc bodies left out). */
  text: string;
  /** Its stage's index, or null for a global ARG before the first FROM. */
  stage: number | null;
}

/** A stage: its index, its `AS` name (lower case) and its base (an image, or an earlier stage's name or index). */
export interface Stage {
  index: number;
  name: string | null;
  base: string;
}

/** A Dockerfile split into instructions and stages. */
export interface ParsedDockerfile {
  instructions: Instruction[];
  stages: Stage[];
}

/** Splits a Dockerfile into instructions; lines are 1-based, as the CLI's JSON reports them. */
export function parseDockerfile(text: string): ParsedDockerfile {
  const lines = text.split(/\r\n|\r|\n/);
  const instructions: Instruction[] = [];
  const stages: Stage[] = [];
  let i = 0;
  while (i < lines.length) {
    const first = lines[i].trim();
    if (first === '' || first.startsWith('#')) { i++; continue; }
    const start = i;
    let joined = lines[i].trimStart();
    // Docker drops the escape and the line break and keeps the next line's indentation; it skips comment
    // lines and blank lines inside a continuation.
    while (/\\\s*$/.test(joined) && i + 1 < lines.length) {
      joined = joined.replace(/\\\s*$/, '');
      i++;
      while (i < lines.length - 1 && (lines[i].trim() === '' || lines[i].trim().startsWith('#'))) i++;
      joined += lines[i];
    }
    const keyword = (/^(\S+)/.exec(joined)?.[1] ?? '').toUpperCase();
    if (['RUN', 'COPY', 'ADD'].includes(keyword)) i = skipHeredocs(joined, lines, i);
    if (keyword === 'FROM') stages.push(stageOf(joined, stages.length));
    instructions.push({ line: start + 1, endLine: i + 1, keyword, text: joined, stage: stages.length === 0 ? null : stages.length - 1 });
    i++;
  }
  return { instructions, stages };
}

/** Skips the bodies of the heredocs (`<<EOF`, `<<-EOF`, `<<"EOF"`) an instruction opens; returns its last line. */
function skipHeredocs(joined: string, lines: string[], last: number): number {
  let i = last;
  for (const m of joined.matchAll(/<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_]*)\2/g)) {
    const strip = m[1] === '-';
    i++;
    while (i < lines.length && (strip ? lines[i].replace(/^\t+/, '') : lines[i]) !== m[3]) i++;
  }
  return i;
}

function stageOf(from: string, index: number): Stage {
  const words = from.split(/\s+/).slice(1).filter((w) => !w.startsWith('--'));
  const as = words.findIndex((w) => w.toLowerCase() === 'as');
  return { index, name: as >= 0 ? words[as + 1].toLowerCase() : null, base: words[0] ?? '' };
}

/** What a builder's output says one instruction did; `hit` means taken from the cache. */
export interface ObservedStep {
  line: number;
  keyword: string;
  status: 'hit' | 'miss';
  /** The builder's own line that names the step (`Step 3/5 : RUN ...`, `#7 [build 2/3] RUN ...`). */
  shownAs: string;
}

/** The steps a build log shows, mapped to the Dockerfile's lines; FROM steps are left out. */
export function observedSteps(log: string, dockerfile: ParsedDockerfile, builder: Builder): ObservedStep[] {
  return builder === 'legacy' ? legacySteps(log, dockerfile) : buildkitSteps(log, dockerfile);
}

/**
 * The legacy builder: `Step i/n : TEXT`, where i counts every instruction (global ARGs too) and n runs to
 * the end of the target stage; ` ---> Using cache` in the step's block is a hit, any other ` ---> ` a run.
 * A global ARG prints no ` ---> ` line at all and is not shown.
 */
function legacySteps(log: string, dockerfile: ParsedDockerfile): ObservedStep[] {
  const steps: ObservedStep[] = [];
  let current: { ins: Instruction; header: string; hit: boolean; ran: boolean } | null = null;
  const flush = (): void => {
    if (current === null || current.ins.keyword === 'FROM' || !(current.hit || current.ran)) return;
    steps.push({ line: current.ins.line, keyword: current.ins.keyword, status: current.hit ? 'hit' : 'miss', shownAs: current.header });
  };
  for (const raw of log.split(/\r?\n/)) {
    const step = /^Step (\d+)\/(\d+) : (.*)$/.exec(raw);
    if (step !== null) {
      flush();
      const ins = dockerfile.instructions[Number(step[1]) - 1];
      checkShown(ins, step[3], raw);
      current = { ins, header: raw, hit: false, ran: false };
    } else if (current !== null && raw.startsWith(' ---> ')) {
      if (raw.trim() === '---> Using cache') current.hit = true;
      else current.ran = true;
    }
  }
  flush();
  return steps;
}

/**
 * BuildKit (`--progress=plain`): `#N [label i/n] TEXT` names vertex N (no label in a one-stage file), and
 * `#N CACHED` marks it a hit. i counts the stage's FROM of an image and its RUN, COPY, ADD and WORKDIR steps
 * except `WORKDIR /`, which makes no vertex. A vertex may be printed more than once under the same number.
 */
function buildkitSteps(log: string, dockerfile: ParsedDockerfile): ObservedStep[] {
  const vertices = new Map<string, { ins: Instruction; header: string }>();
  const cached = new Set<string>();
  for (const raw of log.split(/\r?\n/)) {
    const vertex = /^#(\d+) \[([^\]]*?)\s*(\d+)\/(\d+)\] (.*)$/.exec(raw);
    // A FROM vertex is the same in every build of the base image, and while another build on the daemon
    // shares it, it may be printed under that build's stage label and step number: FROM steps are skipped
    // unread. Every other vertex carries the scenario's nonce (or follows one that does), so it is our own.
    if (vertex !== null && !/^FROM\s/i.test(vertex[5])) {
      const ins = vertices.get(vertex[1])?.ins ?? buildkitInstruction(dockerfile, vertex[2].trim(), Number(vertex[3]), raw);
      checkShown(ins, vertex[5], raw);
      if (!vertices.has(vertex[1])) vertices.set(vertex[1], { ins, header: raw });
      continue;
    }
    const status = /^#(\d+) CACHED\s*$/.exec(raw);
    if (status !== null) cached.add(status[1]);
  }
  return [...vertices.entries()]
    .map(([n, v]) => ({ line: v.ins.line, keyword: v.ins.keyword, status: cached.has(n) ? 'hit' as const : 'miss' as const, shownAs: v.header }))
    .sort((a, b) => a.line - b.line);
}

function buildkitInstruction(dockerfile: ParsedDockerfile, label: string, index: number, raw: string): Instruction {
  const stage = stageOfLabel(dockerfile, label, raw);
  const own = dockerfile.instructions.filter((ins) => ins.stage === stage.index && makesVertex(ins, dockerfile));
  const ins = own[index - 1];
  if (ins === undefined) throw new Error(`harness: BuildKit's "${raw}" is past the ${own.length} steps of stage ${stage.index}`);
  return ins;
}

function stageOfLabel(dockerfile: ParsedDockerfile, label: string, raw: string): Stage {
  const stage = label === ''
    ? (dockerfile.stages.length === 1 ? dockerfile.stages[0] : undefined)
    : dockerfile.stages.find((s) => s.name === label.toLowerCase() || (s.name === null && label === `stage-${s.index}`));
  if (stage === undefined) throw new Error(`harness: no stage of the Dockerfile matches the label of BuildKit's "${raw}"`);
  return stage;
}

function makesVertex(ins: Instruction, dockerfile: ParsedDockerfile): boolean {
  if (ins.keyword === 'FROM') {
    const base = dockerfile.stages[ins.stage ?? -1]?.base.toLowerCase() ?? '';
    return !dockerfile.stages.some((s) => s.index < (ins.stage ?? 0) && (s.name === base || String(s.index) === base));
  }
  if (ins.keyword === 'WORKDIR') return ins.text.replace(/^\S+\s+/, '').trim() !== '/';
  return ['RUN', 'COPY', 'ADD'].includes(ins.keyword);
}

/**
 * Checks that the builder's text for a step belongs to the instruction it was mapped to: same keyword, and,
 * where no variable could have been expanded, the same words (BuildKit shows a heredoc as `RUN <<EOF (...)`).
 */
function checkShown(ins: Instruction | undefined, shown: string, raw: string): void {
  if (ins === undefined) throw new Error(`harness: "${raw}" maps to no instruction`);
  const said = normalize(shown);
  const own = normalize(ins.text);
  const sameKeyword = said.split(' ')[0] === ins.keyword;
  const sameWords = ins.text.includes('$') || said.startsWith(own) || own.startsWith(said);
  if (!sameKeyword || !sameWords) throw new Error(`harness: "${raw}" was mapped to line ${ins.line} (${ins.text.trim()})`);
}

function normalize(text: string): string {
  const t = text.trim().replace(/\s+/g, ' ');
  const space = t.indexOf(' ');
  return space < 0 ? t.toUpperCase() : t.slice(0, space).toUpperCase() + t.slice(space);
}
