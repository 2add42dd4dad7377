/**
 * Locates a program the testbed runs (etcd, prometheus): an override variable first, then PATH.
 * A missing one fails in one line that says how to install it.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { KosTestError } from '../util/errors.js';

export interface BinarySpec {
  /** The program's file name, e.g. `etcd`. */
  name: string;
  /** The variable that names the binary instead, e.g. `KOS_TEST_ETCD`. */
  envVar: string;
  /** How to get it: the KosTestError's fix. */
  fix: string;
}

export function findBinary(spec: BinarySpec, env: NodeJS.ProcessEnv = process.env): string {
  const override = env[spec.envVar];
  if (override !== undefined && override !== '') return checkBinary(spec, override, spec.envVar);
  const found = findOnPath(spec.name, env.PATH ?? '');
  if (found !== undefined) return found;
  throw new KosTestError({
    what: `${spec.name} is missing`,
    value: `not on PATH, and ${spec.envVar} is not set`,
    fix: spec.fix,
  });
}

/** Returns `path` if it is an executable file; `source` names where the path came from. */
export function checkBinary(spec: BinarySpec, path: string, source: string): string {
  if (isExecutableFile(path)) return path;
  throw new KosTestError({
    what: `${spec.name} is missing: ${source} is not an executable file`,
    value: path,
    fix: spec.fix,
  });
}

/** The first executable file `name` on `pathList` (a PATH value), or undefined. */
export function findOnPath(name: string, pathList: string): string | undefined {
  // Empty PATH entries would mean the current directory; never pick up a stray ./<name>.
  for (const dir of pathList.split(delimiter).filter((d) => d !== '')) {
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

export function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
