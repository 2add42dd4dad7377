/**
 * Kubeconfig files for the testbed's endpoints. Plain HTTP on loopback, so each cluster entry
 * sets insecure-skip-tls-verify: @kubernetes/client-node refuses an http server without it.
 */
import { stringify } from 'yaml';

export interface KubeconfigEndpoint {
  /** Context and cluster name, e.g. `kos-testbed-napi0`. */
  name: string;
  server: string;
  namespace?: string;
}

export function renderKubeconfig(endpoints: readonly KubeconfigEndpoint[], current?: string): string {
  const first = endpoints[0];
  if (first === undefined) throw new Error('a kubeconfig needs at least one endpoint');
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: endpoints.map((e) => ({
      name: e.name,
      cluster: { server: e.server, 'insecure-skip-tls-verify': true },
    })),
    users: [{ name: 'kos-test', user: {} }],
    contexts: endpoints.map((e) => ({
      name: e.name,
      context: {
        cluster: e.name,
        user: 'kos-test',
        ...(e.namespace === undefined ? {} : { namespace: e.namespace }),
      },
    })),
    'current-context': current ?? first.name,
    preferences: {},
  });
}
