/** Writes the inventory file atomically, explaining in one line why a directory will not do. */
import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import { KosTestError } from '../util/errors.js';
import { inventoryGroup } from './inventory.js';

async function whyNot(dir: string, e: unknown): Promise<string> {
  const code = (e as NodeJS.ErrnoException).code ?? String(e);
  // mkdir reports a file in the way as EEXIST or ENOTDIR; name the file instead.
  for (let d = dir; ; d = dirname(d)) {
    const s = await stat(d).catch(() => undefined);
    if (s !== undefined && !s.isDirectory()) return `${d} is a file, not a directory`;
    if (s !== undefined || dirname(d) === d) break;
  }
  return code;
}

export async function writeInventory(dir: string, clusterName: string, text: string): Promise<string> {
  const path = join(dir, inventoryGroup(clusterName));
  try {
    await writeFileAtomic(path, text);
  } catch (e: unknown) {
    throw new KosTestError({
      what: 'cannot write the inventory',
      value: `${path} (${await whyNot(dir, e)})`,
      fix: '--dir must be a directory you can write (the seed makes /etc/ansible/hosts one)',
      cause: e,
    });
  }
  return path;
}
