/**
 * Cleanup and idleness through @kubernetes/client-node, shared by both targets: delete a run's
 * namespaces by label and wait until they are gone; wait until no driver namespace and no
 * NetworkAttachment is left.
 */
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { makeTimedApiClient, type TimedClientOptions } from '../../kube/timed-api-client.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { KosTestError } from '../../util/errors.js';
import { runSelector } from '../../driver/driver-labels.js';

const POLL_MS = 500;
/** The testbed's calls (the cluster target passes its own). */
const HOUSEKEEPING_CALLS: TimedClientOptions = {
  timeoutMs: 30_000,
  fix: 'check that the target is up (kubectl get --raw /readyz)',
  timeoutSetting: 'the housekeeping timeout (30 s)',
};

export interface Housekeeping {
  deleteRunNamespaces(runId: string | undefined, signal: AbortSignal, timeoutMs?: number): Promise<void>;
  waitIdle(signal: AbortSignal, timeoutMs?: number): Promise<void>;
}

async function until(
  what: string,
  check: () => Promise<string | undefined>,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = await check();
    if (left === undefined) return;
    if (Date.now() > deadline)
      throw new KosTestError({
        what: `timed out waiting until ${what}`,
        value: left,
        fix: 'check the target (kubectl get ns,networkattachments -A)',
      });
    await sleep(POLL_MS, undefined, { signal });
  }
}

/** Every call through `calls`: its deadline, and the fix named when the server does not answer. */
export function kubeHousekeeping(
  kc: KubeConfig,
  calls: TimedClientOptions = HOUSEKEEPING_CALLS,
): Housekeeping {
  const core = makeTimedApiClient(kc, CoreV1Api, calls);
  const custom = makeTimedApiClient(kc, CustomObjectsApi, calls);
  const namespaces = async (runId: string | undefined): Promise<string[]> =>
    (await core.listNamespace({ labelSelector: runSelector(runId) })).items.map(
      (n) => n.metadata?.name ?? '',
    );
  return {
    async deleteRunNamespaces(runId, signal, timeoutMs = 180_000) {
      for (const name of await namespaces(runId)) {
        await core.deleteNamespace({ name }).catch((e: unknown) => {
          if ((e as { code?: number }).code !== 404) throw e;
        });
      }
      await until(
        `the run's namespaces are gone`,
        async () => {
          const left = await namespaces(runId);
          return left.length === 0 ? undefined : `namespaces left: ${left.join(', ')}`;
        },
        signal,
        timeoutMs,
      );
    },
    async waitIdle(signal, timeoutMs = 180_000) {
      await until(
        'the target is idle',
        async () => {
          const ns = await namespaces(undefined);
          if (ns.length > 0) return `driver namespaces left: ${ns.join(', ')}`;
          const list = (await custom.listClusterCustomObject({
            group: 'network.example.com',
            version: 'v1alpha1',
            plural: 'networkattachments',
            limit: 1,
          })) as { items?: unknown[] };
          return (list.items?.length ?? 0) === 0 ? undefined : 'NetworkAttachments are left';
        },
        signal,
        timeoutMs,
      );
    },
  };
}
