/** Locates the prometheus binary (KOS_TEST_PROMETHEUS, then PATH), or says how to install it. */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { KosTestError } from '../../util/errors.js';

export const PROMETHEUS_INSTALL_FIX =
  'install it with: apt-get install -y prometheus, or set KOS_TEST_PROMETHEUS to a prometheus binary, or turn it off (testbed up --no-prometheus)';

export function findPrometheusBinary(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.KOS_TEST_PROMETHEUS;
  if (override !== undefined && override !== '') {
    if (isExecutableFile(override)) return override;
    throw new KosTestError({
      what: 'prometheus is missing: KOS_TEST_PROMETHEUS is not an executable file',
      value: override,
      fix: PROMETHEUS_INSTALL_FIX,
    });
  }
  for (const dir of (env.PATH ?? '').split(delimiter).filter((d) => d !== '')) {
    const candidate = join(dir, 'prometheus');
    if (isExecutableFile(candidate)) return candidate;
  }
  throw new KosTestError({
    what: 'prometheus is missing',
    value: `no prometheus on PATH (${env.PATH ?? 'unset'})`,
    fix: PROMETHEUS_INSTALL_FIX,
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
