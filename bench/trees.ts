/**
 * The synthetic build contexts the context benchmark runs on, made once and reused (nothing is deleted):
 * 100,000 files of 0..20 kB (about 1 GB), either 100 to a folder in 10 x 10 x 10 folders, or one to a folder
 * in 10 x 100 x 100 folders (101,010 folders in all, the shape of a deep monorepo).
 */
import { randomFillSync } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const FILES = 100_000;

/** A tree shape: the leaf folders (relative paths) and the files in each. */
export interface TreeShape {
  leaves: string[];
  filesPerLeaf: number;
}

function leaves(a: number, b: number, c: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) for (let k = 0; k < c; k++) out.push(join(`a${i}`, `b${j}`, `c${k}`));
  return out;
}

/** 100 files in each of 1,000 folders. */
export const NESTED: TreeShape = { leaves: leaves(10, 10, 10), filesPerLeaf: FILES / 1000 };
/** One file in each of 100,000 folders. */
export const FOLDER_PER_FILE: TreeShape = { leaves: leaves(10, 100, 100), filesPerLeaf: 1 };

/** Makes the tree at `root` unless a finished one is there; file n has (n * 7919) % 20,001 bytes of noise. */
export function ensureTree(root: string, shape: TreeShape): void {
  const done = join(root, '.complete');
  if (existsSync(done)) return;
  const noise = Buffer.alloc(1 << 16);
  randomFillSync(noise);
  let n = 0;
  for (const leaf of shape.leaves) {
    const dir = join(root, leaf);
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < shape.filesPerLeaf; i++, n++) {
      const size = (n * 7919) % 20_001;
      const start = (n * 104_729) % (noise.length - size);
      writeFileSync(join(dir, `f${i}.bin`), noise.subarray(start, start + size));
    }
  }
  writeFileSync(done, `${n}\n`);
}
