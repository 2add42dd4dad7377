/** Node -> purpose from the Node objects' `kos-role/<purpose>=true` labels, through a kubeconfig. */
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { withTimeout } from '../kube/timed-api-client.js';
import { KosTestError, toError } from '../util/errors.js';
import { nodeLabelPurpose } from './node-identity.js';

/** `timeoutMs`: longest wait for one answer (0: none). */
export async function nodePurposesFromKube(
  kubeconfigPath: string,
  timeoutMs = 30_000,
): Promise<Record<string, string>> {
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(kubeconfigPath);
  } catch (e: unknown) {
    throw new KosTestError({
      what: 'cannot read the kubeconfig',
      value: `${kubeconfigPath}: ${toError(e).message}`,
      fix: 'give --kubeconfig with a readable kubeconfig file',
      cause: e,
    });
  }
  const core = kc.makeApiClient(CoreV1Api);
  const purposes: Record<string, string> = {};
  let next: string | undefined;
  try {
    do {
      const list = await core.listNode(
        { limit: 500, ...(next === undefined ? {} : { _continue: next }) },
        withTimeout(timeoutMs),
      );
      for (const node of list.items) {
        const name = node.metadata?.name;
        const purpose = nodeLabelPurpose(node.metadata?.labels ?? {});
        if (name !== undefined && purpose !== undefined) purposes[name] = purpose;
      }
      next = list.metadata?._continue || undefined;
    } while (next !== undefined);
  } catch (e: unknown) {
    throw new KosTestError({
      what: 'cannot list the Nodes for their kos-role labels',
      value: `${kc.getCurrentCluster()?.server ?? kubeconfigPath}: ${toError(e).message.split('\n')[0] ?? ''}`,
      fix: 'check the kubeconfig and that the cluster (or testbed) is up',
      cause: e,
    });
  }
  return purposes;
}
