/**
 * The pod's own service account as a KubeConfig (what client-node's loadFromCluster does), with
 * the environment and the path prefix passed in so it can be tested against a real TLS server.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface InClusterEnv {
  KUBERNETES_SERVICE_HOST?: string;
  KUBERNETES_SERVICE_PORT?: string;
}

/** True inside a pod with a mounted service-account token. */
export function inCluster(env: InClusterEnv, prefix = ''): boolean {
  return (
    env.KUBERNETES_SERVICE_HOST !== undefined &&
    env.KUBERNETES_SERVICE_PORT !== undefined &&
    existsSync(`${prefix}${SA_DIR}/token`)
  );
}

export function inClusterKubeConfig(env: InClusterEnv, prefix = ''): KubeConfig {
  const host = env.KUBERNETES_SERVICE_HOST ?? '';
  const server = `https://${isIPv6(host) ? `[${host}]` : host}:${env.KUBERNETES_SERVICE_PORT ?? '443'}`;
  const kc = new KubeConfig();
  kc.loadFromClusterAndUser(
    { name: 'inCluster', server, caFile: `${prefix}${SA_DIR}/ca.crt`, skipTLSVerify: false },
    // The kubelet rotates the projected token in place; the driver's client re-reads it while it
    // runs (kubeconfig-client.ts), so a week-long sweep outlives any one token.
    {
      name: 'inClusterUser',
      authProvider: { name: 'tokenFile', config: { tokenFile: `${prefix}${SA_DIR}/token` } },
    },
  );
  const namespaceFile = `${prefix}${SA_DIR}/namespace`;
  const context = kc.getContextObject(kc.getCurrentContext());
  if (context !== null && existsSync(namespaceFile)) {
    kc.contexts = [{ ...context, namespace: readFileSync(namespaceFile, 'utf8').trim() }];
  }
  return kc;
}
