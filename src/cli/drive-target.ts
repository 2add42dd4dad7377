/**
 * Which cluster `kos-test drive` drives: the kubeconfig the usual rules find (kubeconfig-path.ts),
 * or, when there is none and the driver runs in a pod (a shard of `--emit-job`), the pod's own
 * service account.
 */
import { existsSync } from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';
import { inCluster, inClusterKubeConfig } from '../kube/in-cluster.js';
import { kubeconfigPath } from './kubeconfig-path.js';

export function driveTarget(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  prefix = '',
): { kubeconfigPath: string } | { kubeConfig: KubeConfig } {
  const path = kubeconfigPath(flag, env);
  const chosen = flag !== undefined || (env.KUBECONFIG ?? '') !== '';
  if (!chosen && !existsSync(path) && inCluster(env, prefix))
    return { kubeConfig: inClusterKubeConfig(env, prefix) };
  return { kubeconfigPath: path };
}
