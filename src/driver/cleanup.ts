/**
 * `kos-test cleanup`: the driver leaves its objects for inspection; this deletes the runs'
 * namespaces (selected by label app=attachment-tput-driver[,runid=ID]), and the namespace
 * lifecycle deletes what they hold.
 */
import { isNotFound } from '../kube/kube-api-error.js';
import type { RestClient } from '../kube/rest-client.js';
import { runSelector } from './driver-labels.js';

export async function cleanupRuns(
  client: RestClient,
  which: { runId: string } | { all: true },
): Promise<string[]> {
  const selector = runSelector('runId' in which ? which.runId : undefined);
  const ref = { group: '', version: 'v1', resource: 'namespaces' };
  const list = await client.listAll<{ metadata: { name?: string } }>(ref, { labelSelector: selector });
  const names = list.items.map((n) => n.metadata.name ?? '').filter((n) => n !== '');
  await Promise.all(
    names.map((name) =>
      client.delete({ ...ref, name }).catch((e: unknown) => {
        if (!isNotFound(e)) throw e;
      }),
    ),
  );
  return names.sort();
}
