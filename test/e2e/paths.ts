/** Where the e2e tests find the repository and put what they leave behind (screenshots, logs, figures). */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The repository root (the folder whose package.json is this extension's manifest). */
export const REPO_ROOT = findRepoRoot(__dirname);
/** Where screenshots, logs and measurements go; gitignored. */
export const RESULTS_DIR = path.join(REPO_ROOT, 'test-results', 'e2e');
/** The fixture workspaces, one folder each. */
export const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'e2e');

function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === 'dockerfile-layers') return dir;
    if (path.dirname(dir) === dir) throw new Error(`no dockerfile-layers package.json above ${start}`);
  }
}
