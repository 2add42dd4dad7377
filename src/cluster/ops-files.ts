/**
 * The files kos-test ships under ops/ (profiles, playbooks), found from this module's place in
 * the package, and profile loading by name or path (the I/O around profile.ts).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { KosTestError } from '../util/errors.js';
import { opsDir } from '../util/ops-dir.js';
import { parseProfile, type Profile } from './profile.js';

export async function builtinProfileNames(): Promise<string[]> {
  const files = await readdir(join(opsDir(), 'profiles'));
  return files
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

/** A bare name is a profile shipped in ops/profiles; anything with a `/` or `.yaml` is a file. */
export async function loadProfile(nameOrPath: string): Promise<Profile> {
  const isPath = nameOrPath.includes('/') || nameOrPath.endsWith('.yaml') || nameOrPath.endsWith('.yml');
  const path = isPath ? resolve(nameOrPath) : join(opsDir(), 'profiles', `${nameOrPath}.yaml`);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e: unknown) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    if (isPath) {
      throw new KosTestError({
        what: 'cannot read profile file',
        value: `${path} (${code})`,
        fix: 'check the path',
      });
    }
    throw new KosTestError({
      what: 'unknown profile',
      value: nameOrPath,
      fix: `use one of ${(await builtinProfileNames()).join(', ')}, or the path of a profile file`,
    });
  }
  return parseProfile(text, isPath ? path : nameOrPath);
}
