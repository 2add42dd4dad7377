/** Where the package's ops/ directory is (profiles, playbooks, test scripts), found from here. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's ops/ directory: the nearest ancestor of this file that has one. */
export function opsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'ops');
    if (existsSync(join(candidate, 'profiles'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('kos-test is installed without its ops/ directory');
    dir = parent;
  }
}
