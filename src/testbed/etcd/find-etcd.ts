/** Locates the etcd binary, or says how to install it. */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { KosTestError } from '../../util/errors.js';

export function findEtcdBinary(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.KOS_TEST_ETCD;
  if (override !== undefined && override !== '') return override;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'etcd');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  throw new KosTestError({
    what: 'etcd is not installed (no etcd on PATH)',
    fix: 'install it with: apt-get install -y etcd-server etcd-client, or set KOS_TEST_ETCD to its path',
  });
}
