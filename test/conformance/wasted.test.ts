/**
 * Conformance: wasted space on images a real Docker Engine builds, both builders and both engines. One fixture
 * deletes and overwrites files in later layers (COPY then rm, the same path copied twice, a RUN's file rewritten
 * by a later RUN, a folder removed). The measure code's per-step wasted bytes and the image's efficiency and
 * wasted bytes must equal dive's definitions computed here independently from `tar -tvf` of the same image's
 * layer tars; the estimate before the build must equal the measured waste for the COPY steps exactly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { analyzeDockerfile } from '../../server/src/core/analyze';
import { parseDockerfile } from '../../server/src/core/dockerfile';
import { resolveStages } from '../../server/src/core/stages';
import { estimateCopySizes } from '../../server/src/core/sizes';
import { staticWaste } from '../../server/src/core/wastedStatic';
import { diveMeasures } from '../../server/src/core/wasted';
import { readSavedImage, toMeasurement } from '../../server/src/docker/measure';
import { scanContext } from '../../server/src/context/scan';
import { BASE_IMAGE, buildImage, docker, ensureBaseImage, readHistory, requireEngines, runProcess, type Builder, type TestEngine } from './docker';

const DOCKERFILE = [
  `FROM ${BASE_IMAGE}`,
  'COPY a.bin /data/a.bin',
  'COPY b.bin /data/b.bin',
  'RUN rm /data/a.bin',
  'COPY c.bin /data/b.bin',
  'RUN echo short > /w.txt',
  'RUN echo a-longer-line-that-overwrites > /w.txt',
  'COPY site /www',
  'RUN rm -rf /www',
  'CMD ["sh"]',
].join('\n');

/** Lines (1-based) whose waste the estimate before the build knows exactly: the COPY steps. */
const STATIC_LINES = [2, 3, 8];

function makeContext(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'dl-wasted-'));
  writeFileSync(path.join(dir, 'Dockerfile'), DOCKERFILE);
  writeFileSync(path.join(dir, 'a.bin'), Buffer.alloc(3000, 1));
  writeFileSync(path.join(dir, 'b.bin'), Buffer.alloc(1234, 2));
  writeFileSync(path.join(dir, 'c.bin'), Buffer.alloc(77, 3));
  mkdirSync(path.join(dir, 'site/css'), { recursive: true });
  writeFileSync(path.join(dir, 'site/index.html'), 'x'.repeat(500));
  writeFileSync(path.join(dir, 'site/css/s.css'), 'y'.repeat(250));
  return dir;
}

/** One entry of `tar -tvf`: its type letter, size and normalized absolute path. */
interface Listed {
  type: string;
  size: number;
  path: string;
}

/** Lists a layer tar with GNU tar (`-rw-r--r-- root/root 6 2024-01-01 00:00 name`), links without their targets. */
async function listLayer(tarball: string): Promise<Listed[]> {
  const r = await runProcess('tar', ['--numeric-owner', '-tvf', tarball]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.split('\n').filter((l) => l !== '').map((line) => {
    const m = /^(\S)\S*\s+\S+\s+([\d,]+)\s+\S+\s+\S+\s+(.*)$/.exec(line);
    assert.ok(m !== null, `unreadable tar listing line: ${line}`);
    let name = m[3];
    if (m[1] === 'l') name = name.slice(0, name.indexOf(' -> '));
    if (m[1] === 'h') name = name.slice(0, name.indexOf(' link to '));
    const clean = `/${name.split('/').filter((s) => s !== '' && s !== '.').join('/')}`;
    return { type: m[1], size: m[2].includes(',') ? 0 : Number(m[2]), path: clean };
  }).filter((e) => e.path !== '/');
}

/** The image's layer tars listed, oldest first, from `docker save` and its manifest. */
async function listedLayers(engine: TestEngine, tag: string): Promise<Listed[][]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dl-wasted-save-'));
  try {
    const tarball = path.join(dir, 'image.tar');
    await docker(engine, ['save', '-o', tarball, tag]);
    assert.equal((await runProcess('tar', ['-xf', tarball, '-C', dir])).code, 0);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Array<{ Layers: string[] }>;
    const out: Listed[][] = [];
    for (const layer of manifest[0].Layers) out.push(await listLayer(path.join(dir, layer)));
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const base = (p: string): string => p.slice(p.lastIndexOf('/') + 1);
const parent = (p: string): string => p.slice(0, p.lastIndexOf('/')) || '/';
const under = (p: string, dir: string): boolean => p.startsWith(dir === '/' ? '/' : `${dir}/`);

/**
 * dive's Efficiency (dive/filetree/efficiency.go) and Analyze (dive/image/analysis.go) restated over flat path
 * lists: leaves of each layer are visited; a whiteout counts the sizes below it when the stacked lower layers
 * have a folder there, else 0; opaque markers count for nothing.
 */
function diveByHand(layers: Listed[][]): { efficiency: number; wastedBytes: number; userWastedPercent: number } {
  const stacked = new Map<string, Listed>();
  const visits = new Map<string, number[]>();
  const record = (p: string, size: number): void => void visits.set(p, [...(visits.get(p) ?? []), size]);
  let userBytes = 0;
  layers.forEach((layer, i) => {
    if (i > 0) userBytes += layer.reduce((n, e) => n + e.size, 0);
    for (const e of layer) {
      const name = base(e.path);
      if (name.startsWith('.wh..wh.')) continue;
      if (name.startsWith('.wh.')) {
        const hidden = `${parent(e.path) === '/' ? '' : parent(e.path)}/${name.slice(4)}`;
        const lower = stacked.get(hidden);
        const size = lower?.type === 'd' ? [...stacked.values()].filter((s) => s.path === hidden || under(s.path, hidden)).reduce((n, s) => n + s.size, 0) : 0;
        record(hidden, size);
      } else if (!layer.some((o) => under(o.path, e.path) && !base(o.path).startsWith('.wh..wh.'))) {
        record(e.path, e.size);
      }
    }
    for (const e of layer) {
      const name = base(e.path);
      if (name.startsWith('.wh..wh.')) continue;
      if (!name.startsWith('.wh.')) { stacked.set(e.path, e); continue; }
      const hidden = `${parent(e.path) === '/' ? '' : parent(e.path)}/${name.slice(4)}`;
      for (const p of [...stacked.keys()]) if (p === hidden || under(p, hidden)) stacked.delete(p);
    }
  });
  let min = 0;
  let cumulative = 0;
  let wasted = 0;
  for (const sizes of visits.values()) {
    const sum = sizes.reduce((a, b) => a + b, 0);
    min += Math.min(...sizes);
    cumulative += sum;
    if (sizes.length >= 2) wasted += sum;
  }
  return { efficiency: cumulative === 0 ? 1 : min / cumulative, wastedBytes: wasted, userWastedPercent: wasted / userBytes };
}

/** Per layer: bytes of its entries that some later layer hides (same path, a whiteout at or above, an opaque folder above, a file above). */
function perLayerByHand(layers: Listed[][]): number[] {
  const hides = (later: Listed, e: Listed): boolean => {
    const name = base(later.path);
    if (name === '.wh..wh..opq') return under(e.path, parent(later.path));
    if (name.startsWith('.wh.')) {
      const hidden = `${parent(later.path) === '/' ? '' : parent(later.path)}/${name.slice(4)}`;
      return e.path === hidden || under(e.path, hidden);
    }
    if (later.path === e.path) return !(later.type === 'd' && e.type === 'd');
    return later.type !== 'd' && under(e.path, later.path);
  };
  return layers.map((layer, i) => layer.filter((e) => !base(e.path).startsWith('.wh.'))
    .filter((e) => layers.slice(i + 1).some((l) => l.some((later) => hides(later, e))))
    .reduce((n, e) => n + e.size, 0));
}

/** The measure code's reading of the same image: `docker save` streamed through readSavedImage, then toMeasurement. */
async function measured(engine: TestEngine, tag: string, text: string, builder: Builder): Promise<ReturnType<typeof toMeasurement>['steps']> {
  const child = spawn(engine.cli, ['save', tag], { env: engine.env, stdio: ['ignore', 'pipe', 'inherit'] });
  const saved = await readSavedImage(child.stdout, 60_000);
  const history = await readHistory(engine, tag);
  const entries = saved.history.map((h, i) => ({ ...h, bytes: history.entries[i]?.bytes ?? 0 }));
  assert.ok(saved.layerEntries !== null, 'the measure code kept no layer entries');
  const analysis = analyzeDockerfile(text, { builder, buildArgs: {} });
  return toMeasurement(entries, saved.layerFiles, tag, { text, analysis, target: null, cache: new Map() }, diveMeasures(saved.layerEntries)).steps;
}

test('wasted bytes and efficiency: measured equals dive by hand, estimated equals measured for COPY', async (t) => {
  const engines = await requireEngines();
  if ('skip' in engines) return void t.skip(engines.skip);
  const dir = makeContext();
  try {
    const context = await scanContext(dir, { limit: 10_000 });
    for (const engine of engines) {
      await ensureBaseImage(engine);
      for (const builder of ['buildkit', 'legacy'] as const) {
        await t.test(`${engine.label} ${builder}`, async () => {
          const tag = `dl-conformance/wasted:${builder}`;
          await buildImage(engine, { context: dir, builder, tag });
          const layers = await listedLayers(engine, tag);
          const m = await measured(engine, tag, DOCKERFILE, builder);
          const dive = diveByHand(layers);
          assert.ok(m.image !== undefined, 'no image measures');
          assert.equal(m.image.wastedBytes, dive.wastedBytes);
          assert.ok(Math.abs(m.image.efficiency - dive.efficiency) < 1e-12, `efficiency ${m.image.efficiency} vs ${dive.efficiency}`);
          assert.ok(Math.abs((m.image.userWastedPercent ?? NaN) - dive.userWastedPercent) < 1e-12);
          // The Dockerfile's layers are the image's last ones, in order; each step with a layer has its figure.
          const byHand = perLayerByHand(layers);
          const withLayer = m.steps.filter((s) => s.wasted !== undefined);
          assert.deepEqual(withLayer.map((s) => s.wasted), byHand.slice(byHand.length - withLayer.length));
          const lines = DOCKERFILE.split('\n');
          const wastedByLine = new Map(m.steps.map((s) => [lines.indexOf(s.text) + 1, s.wasted]));
          // What the fixture deletes and overwrites: a.bin, the first b.bin, the first /w.txt, the site folder.
          assert.deepEqual([2, 3, 6, 8].map((l) => wastedByLine.get(l)), [3000, 1234, 6, 750]);
          const model = resolveStages(parseDockerfile(DOCKERFILE), {});
          const analysis = analyzeDockerfile(DOCKERFILE, { builder, buildArgs: {} }, context);
          const final = new Set(analysis.stages.filter((s) => s.inFinalImage).map((s) => s.index));
          const estimate = staticWaste(model, analysis.steps, estimateCopySizes(model, builder, context).byInstruction, new Map(), final);
          const estimated = new Map([...estimate.perStep].map(([i, w]) => [model.instructions[i].line + 1, w.bytes]));
          assert.deepEqual(STATIC_LINES.map((l) => estimated.get(l)), STATIC_LINES.map((l) => wastedByLine.get(l)));
          t.diagnostic(`${engine.label} ${builder}: efficiency ${dive.efficiency.toFixed(4)}, wasted ${dive.wastedBytes} B, user wasted ${(dive.userWastedPercent * 100).toFixed(1)}%, per step ${JSON.stringify([...wastedByLine])}`);
        });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
