/** Locates the etcd binary (KOS_TEST_ETCD, then PATH), or says how to install it. */
import { checkBinary, findBinary, type BinarySpec } from '../../process/find-binary.js';

export const ETCD_INSTALL_FIX =
  'install it with: apt-get install -y etcd-server etcd-client, or set KOS_TEST_ETCD to an etcd binary';

const ETCD: BinarySpec = { name: 'etcd', envVar: 'KOS_TEST_ETCD', fix: ETCD_INSTALL_FIX };

export function findEtcdBinary(env: NodeJS.ProcessEnv = process.env): string {
  return findBinary(ETCD, env);
}

/** Returns `path` if it is an executable file; `source` names where the path came from. */
export function checkEtcdBinary(path: string, source = 'the etcd binary'): string {
  return checkBinary(ETCD, path, source);
}
