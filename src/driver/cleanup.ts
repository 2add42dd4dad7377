/**
 * `kos-test cleanup`: the driver leaves its objects for inspection; this deletes the runs'
 * namespaces (selected by label app=attachment-tput-driver[,runid=ID]), and the namespace
 * lifecycle deletes what they hold.
 */
import { isNotFound } from '../kube/kube-api-error.js';
import type { RestClient } from '../kube/rest-client.js';
import { runSelector } from './driver-labels.js';
import { setTimeout as sleep } from 'node:timers/promises';

const NAMESPACES = { group: '', version: 'v1', resource: 'namespaces' };

async function runNamespaces(client: RestClient, runId: string | undefined): Promise<string[]> {
  const list = await client.listAll<{ metadata: { name?: string } }>(NAMESPACES, {
    labelSelector: runSelector(runId),
  });
  return list.items.map((n) => n.metadata.name ?? '').filter((n) => n !== '');
}

/** Long enough for a run's namespaces to go on a busy testbed (their subnets with them). */
export const RUN_GONE_MS = 120_000;

/**
 * Deletes the runs' namespaces; with `untilGoneMs`, also waits up to that long until the
 * namespace lifecycle has removed them (a next run of the same seed would meet its subnets).
 */
export async function cleanupRuns(
  client: RestClient,
  which: { runId: string } | { all: true },
  opts: { untilGoneMs?: number } = {},
): Promise<string[]> {
  const runId = 'runId' in which ? which.runId : undefined;
  const names = await runNamespaces(client, runId);
  await Promise.all(
    names.map((name) =>
      client.delete({ ...NAMESPACES, name }).catch((e: unknown) => {
        if (!isNotFound(e)) throw e;
      }),
    ),
  );
  if (opts.untilGoneMs !== undefined) {
    const deadline = performance.now() + opts.untilGoneMs;
    for (let left = names; left.length > 0; left = await runNamespaces(client, runId)) {
      if (performance.now() > deadline)
        throw new Error(`namespaces not gone after ${opts.untilGoneMs} ms: ${left.join(', ')}`);
      await sleep(250);
    }
  }
  return names.sort();
}
