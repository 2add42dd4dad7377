/** Locates the etcd binary (KOS_TEST_ETCD, then PATH), or says how to install it. */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { KosTestError } from '../../util/errors.js';

export const ETCD_INSTALL_FIX =
  'install it with: apt-get install -y etcd-server etcd-client, or set KOS_TEST_ETCD to an etcd binary';

export function findEtcdBinary(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.KOS_TEST_ETCD;
  if (override !== undefined && override !== '') return checkEtcdBinary(override, 'KOS_TEST_ETCD');
  // Empty PATH entries would mean the current directory; never pick up a stray ./etcd.
  for (const dir of (env.PATH ?? '').split(delimiter).filter((d) => d !== '')) {
    const candidate = join(dir, 'etcd');
    if (isExecutableFile(candidate)) return candidate;
  }
  throw new KosTestError({
    what: 'etcd is missing',
    value: `no etcd on PATH (${env.PATH ?? 'unset'}) and KOS_TEST_ETCD is not set`,
    fix: ETCD_INSTALL_FIX,
  });
}

/** Returns `path` if it is an executable file; `source` names where the path came from. */
export function checkEtcdBinary(path: string, source = 'the etcd binary'): string {
  if (isExecutableFile(path)) return path;
  throw new KosTestError({
    what: `etcd is missing: ${source} is not an executable file`,
    value: path,
    fix: ETCD_INSTALL_FIX,
  });
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
