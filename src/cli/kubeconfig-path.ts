/** Which kubeconfig a command uses: --kubeconfig, else $KUBECONFIG (first entry), else the testbed's, else ~/.kube/config. */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';

export const TESTBED_KUBECONFIG = '.kos-test/testbed/kubeconfig';

export function kubeconfigPath(flag: string | undefined, env = process.env): string {
  if (flag !== undefined) return resolve(flag);
  const fromEnv = env.KUBECONFIG?.split(delimiter).find((p) => p !== '');
  if (fromEnv !== undefined) return resolve(fromEnv);
  if (existsSync(TESTBED_KUBECONFIG)) return resolve(TESTBED_KUBECONFIG);
  return join(homedir(), '.kube', 'config');
}
