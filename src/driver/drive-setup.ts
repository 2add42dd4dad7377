/**
 * The run's setup on the target, before the first op: reach the apiserver, find the nodes,
 * create the run's namespace and subnets (labelled app=attachment-tput-driver, runid=<id>), wait
 * until every subnet is validated, and measure the clock offset with probe objects.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Subnet } from '../api/kos-types.js';
import { parseMicroTime } from '../api/micro-time.js';
import { isAlreadyExists, isNotFound, KubeApiError } from '../kube/kube-api-error.js';
import type { RestClient } from '../kube/rest-client.js';
import type { ResourceRef } from '../kube/api-path.js';
import { KosTestError, toError } from '../util/errors.js';
import { measureClockOffset, type ClockOffset } from './clock-offset.js';
import { DRIVER_APP } from './driver-labels.js';
import type { SubnetPlan } from './plan/networks.js';
import { seedAvoidingVnis } from './plan/drive-plan.js';
import { DATA_PLANE_ANNOTATION, TESTBED_ANNOTATION } from '../api/core/node-annotations.js';

const kos = (resource: string, namespace?: string, name?: string): ResourceRef => ({
  group: 'network.example.com',
  version: 'v1alpha1',
  resource,
  namespace,
  name,
});

/** Fails with one clear line when the apiserver cannot be reached or refuses us. */
export async function checkReachable(client: RestClient, server: string): Promise<void> {
  try {
    await client.list({ group: '', version: 'v1', resource: 'namespaces' }, { limit: 1 });
  } catch (e: unknown) {
    const why = e instanceof KubeApiError ? `${e.code} ${e.reason}` : toError(e).message;
    throw new KosTestError({
      what: 'cannot reach the apiserver of the kubeconfig',
      value: `${server} (${why})`,
      fix: 'check the kubeconfig and that the cluster or testbed is up',
    });
  }
}

/**
 * A seed for a run given none: random, on VNIs that no subnet on the target uses. The driver keeps
 * its subnets for inspection, and one random seed in 32 would otherwise meet a kept run's in the
 * subnet validator. Without the right to list subnets cluster-wide, the random seed as it is.
 */
export async function seedForFreeVnis(client: RestClient, from: number): Promise<number> {
  try {
    const live = await client.listAll<Subnet>(kos('subnets'));
    return seedAvoidingVnis(
      from,
      live.items.map((s) => s.spec.vni),
    );
  } catch (e: unknown) {
    if (e instanceof KubeApiError) return from;
    throw e;
  }
}

export async function findNodes(client: RestClient, selector: string): Promise<string[]> {
  const list = await client.listAll<{ metadata: { name?: string } }>(
    { group: '', version: 'v1', resource: 'nodes' },
    { labelSelector: selector },
  );
  const names = list.items.map((n) => n.metadata.name ?? '').filter((n) => n !== '');
  if (names.length === 0) {
    throw new KosTestError({
      what: 'no nodes match --node-label-selector',
      value: selector,
      fix: 'label the nodes, or give --only-node',
    });
  }
  return names.sort();
}

/**
 * Tests need agents that run their commands: a testbed Node says whether its data plane is on
 * (node-objects.ts). Refuses, in one line, tests on a testbed without one; a cluster's Nodes
 * carry no such annotation, and its agents are trusted to have the scripts (ops/plays).
 */
export async function checkDataPlane(
  client: RestClient,
  nodes: readonly string[],
  testFraction: number,
): Promise<void> {
  const list = await client.listAll<{
    metadata: { name?: string; annotations?: Record<string, string> | null };
  }>({
    group: '',
    version: 'v1',
    resource: 'nodes',
  });
  const wanted = new Set(nodes);
  const off = list.items.find(
    (n) =>
      wanted.has(n.metadata.name ?? '') &&
      n.metadata.annotations?.[TESTBED_ANNOTATION] === 'true' &&
      n.metadata.annotations[DATA_PLANE_ANNOTATION] !== 'linux',
  );
  if (off === undefined) return;
  throw new KosTestError({
    what: 'data-plane tests need a testbed with a data plane, and this one has none (it is not run as root)',
    value: `--test-fraction ${testFraction} (node ${off.metadata.name ?? ''}: ${DATA_PLANE_ANNOTATION}=${off.metadata.annotations?.[DATA_PLANE_ANNOTATION] ?? 'unset'})`,
    fix: 'give --test-fraction 0, or bring the testbed up as root',
  });
}

export async function createNamespace(
  client: RestClient,
  name: string,
  labels: Record<string, string>,
  shared: boolean,
): Promise<void> {
  try {
    await client.create(
      { group: '', version: 'v1', resource: 'namespaces' },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } },
    );
  } catch (e: unknown) {
    if (isAlreadyExists(e) && shared) return;
    if (isAlreadyExists(e)) {
      throw new KosTestError({
        what: 'the run id is already used (its namespace exists)',
        value: name,
        fix: `give another --runid, or run kos-test cleanup --runid ${name}`,
      });
    }
    throw e;
  }
}

export async function createSubnets(
  client: RestClient,
  namespace: string,
  subnets: readonly SubnetPlan[],
  labels: Record<string, string>,
  shared: boolean,
): Promise<void> {
  await Promise.all(
    subnets.map(async (s) => {
      try {
        await client.create(kos('subnets', namespace), {
          apiVersion: 'network.example.com/v1alpha1',
          kind: 'Subnet',
          metadata: { name: s.name, namespace, labels },
          spec: { ipv4: s.cidr, vni: s.vni },
        });
      } catch (e: unknown) {
        if (!(shared && isAlreadyExists(e))) throw e;
      }
    }),
  );
}

/** Polls the run's subnets until all are validated (the driver waits for all, as the original). */
export async function waitSubnetsValidated(
  client: RestClient,
  namespace: string,
  selector: string,
  expected: number,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 0;
  let erringSince: number | undefined;
  for (;;) {
    const list = await client.listAll<Subnet>(kos('subnets', namespace), { labelSelector: selector });
    last = list.items.filter((s) => s.status?.validated === true).length;
    if (last >= expected) return;
    // A conflict does not heal while the other subnet exists: fail soon, not at the timeout.
    const conflict = list.items.find(
      (s) => s.status?.validated !== true && (s.status?.errors?.length ?? 0) > 0,
    );
    erringSince = conflict === undefined ? undefined : (erringSince ?? Date.now());
    if (conflict !== undefined && erringSince !== undefined && Date.now() - erringSince > 2000) {
      throw new KosTestError({
        what: 'a subnet of the run was refused by the subnet validator',
        value: `${conflict.metadata.name ?? ''}: ${conflict.status?.errors?.[0] ?? ''}`,
        fix: 'a kept run may use the same VNIs (same --seed): run kos-test cleanup, or use another --seed or --base-address',
      });
    }
    if (signal.aborted)
      throw new KosTestError({
        what: 'interrupted while waiting for the subnets to be validated',
        value: `${last}/${expected}`,
      });
    if (Date.now() > deadline) {
      const bad = list.items.find((s) => (s.status?.errors?.length ?? 0) > 0);
      throw new KosTestError({
        what: 'the subnets were not all validated in time',
        value: `${last}/${expected}${bad === undefined ? '' : `; ${bad.metadata.name ?? ''}: ${bad.status?.errors?.[0] ?? ''}`}`,
        fix: 'check the subnet validator (nctrl), or pick another --base-address',
      });
    }
    await sleep(100);
  }
}

/**
 * Probe objects are IPLocks whose names no IPAM can mistake for an address lock; each is
 * deleted right after its create is answered, outside the bracket. Their `spec` write stamp is
 * the apiserver's clock at the write.
 */
export async function probeClockOffset(
  client: RestClient,
  namespace: string,
  tag: string,
  samples: number,
  wallMs: () => number,
): Promise<ClockOffset> {
  const name = (k: number): string => `clock-probe-${tag}-${k}`;
  return measureClockOffset(
    {
      wallMs,
      probe: async (k) => {
        const created = await client.create<{
          extendedMetadata?: { writes?: { section: string; serverTime: string }[] };
        }>(kos('iplocks', namespace), {
          apiVersion: 'network.example.com/v1alpha1',
          kind: 'IPLock',
          metadata: { name: name(k), namespace, labels: { app: DRIVER_APP } },
          spec: { subnetName: 'clock-probe' },
        });
        const stamp = created.extendedMetadata?.writes?.find((w) => w.section === 'spec')?.serverTime;
        const micros = stamp === undefined ? undefined : parseMicroTime(stamp);
        if (micros === undefined) throw new Error(`probe ${name(k)} came back without a spec write stamp`);
        return micros;
      },
      afterProbe: async (k) => {
        await client.delete(kos('iplocks', namespace, name(k))).catch((e: unknown) => {
          if (!isNotFound(e)) throw e;
        });
      },
    },
    samples,
  );
}
