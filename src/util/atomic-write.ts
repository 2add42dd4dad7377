/** Writes a file so that readers see the old content or the new, never a part (temp + rename). */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export async function writeFileAtomic(
  path: string,
  content: string | Uint8Array,
  mode?: number,
): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, content, mode === undefined ? {} : { mode });
    await rename(temp, path);
  } catch (e: unknown) {
    await rm(temp, { force: true });
    throw e;
  }
}
