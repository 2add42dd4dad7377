/** Locates the prometheus binary (KOS_TEST_PROMETHEUS, then PATH), or says how to install it. */
import { findBinary, type BinarySpec } from '../../process/find-binary.js';

export const PROMETHEUS_INSTALL_FIX =
  'install it with: apt-get install -y prometheus, or set KOS_TEST_PROMETHEUS to a prometheus binary, or turn it off (testbed up --no-prometheus)';

const PROMETHEUS: BinarySpec = {
  name: 'prometheus',
  envVar: 'KOS_TEST_PROMETHEUS',
  fix: PROMETHEUS_INSTALL_FIX,
};

export function findPrometheusBinary(env: NodeJS.ProcessEnv = process.env): string {
  return findBinary(PROMETHEUS, env);
}
