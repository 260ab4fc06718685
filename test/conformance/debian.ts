/**
 * The Debian base image for conformance tests that need apt: made once per machine with debootstrap
 * (Debian's default mirror, about 1-2 minutes) and `docker import`; reused when it exists.
 * Processes run with argument arrays; the two-process pipe (tar | docker import) is wired in Node.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ensureImage, pipeProcesses, runProcess, type TestEngine } from './docker';

/** The Debian bookworm (minbase) image every apt fixture starts FROM. */
export const DEBIAN_IMAGE = 'dl-test/debian:bookworm';

/**
 * Makes the Debian image once per run unless it exists (on the first engine; other engines load it from
 * there); throws with the tool's output when that fails.
 */
export function ensureDebianImage(engine: TestEngine): Promise<void> {
  return ensureImage(engine, DEBIAN_IMAGE, makeIfMissing);
}

async function makeIfMissing(engine: TestEngine): Promise<void> {
  if ((await runProcess(engine.cli, ['image', 'inspect', DEBIAN_IMAGE], engine.env)).code === 0) return;
  const dir = mkdtempSync(path.join(tmpdir(), 'dl-debian-'));
  try {
    const root = path.join(dir, 'root');
    const boot = await runProcess('debootstrap', ['--variant=minbase', 'bookworm', root], process.env, 900_000);
    if (boot.code !== 0) throw new Error(`debootstrap failed (exit ${boot.code}):\n${(boot.stderr + boot.stdout).slice(-3000)}`);
    await importTree(engine, root);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `tar -C root -c . | docker import -c 'CMD ["bash"]' - IMAGE`, as two processes joined by a pipe. */
function importTree(engine: TestEngine, root: string): Promise<void> {
  return pipeProcesses({ file: 'tar', args: ['-C', root, '-c', '.'] }, { file: engine.cli, args: ['import', '-c', 'CMD ["bash"]', '-', DEBIAN_IMAGE], env: engine.env }, 'docker import');
}
