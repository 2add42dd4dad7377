/**
 * A self-check of a running network-apiserver through the official Kubernetes client: write,
 * read, select, patch status and watch, then clean up. Used by `testbed apiserver --check`.
 */
import { join } from 'node:path';
import {
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  Watch,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { GROUP, NA_SECTION, VERSION } from '../api/kos-types.js';
import type { KosObject } from '../api/meta.js';
import { writeTime } from '../api/strategy.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { KosTestError } from '../util/errors.js';

export interface SmokeReport {
  ok: boolean;
  steps: { step: string; ms: number }[];
  summary: string;
  path: string;
}

export async function runApiserverSmokeCheck(kubeconfigPath: string, dir: string): Promise<SmokeReport> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const api = kc.makeApiClient(CustomObjectsApi);
  const namespace = `kos-test-check-${Date.now().toString(36)}`;
  const steps: { step: string; ms: number }[] = [];
  const timed = async <T>(step: string, f: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const value = await f();
    steps.push({ step, ms: Math.round((performance.now() - t0) * 1000) / 1000 });
    return value;
  };
  const base = { group: GROUP, version: VERSION, namespace };
  const subnet = (await timed('create subnet', () =>
    api.createNamespacedCustomObject({
      ...base,
      plural: 'subnets',
      body: {
        apiVersion: `${GROUP}/${VERSION}`,
        kind: 'Subnet',
        metadata: { name: 's1' },
        spec: { ipv4: '10.1.0.0/24', vni: 42 },
      },
    }),
  )) as KosObject;
  const seen: string[] = [];
  const watch = new Watch(kc);
  const watching = await watch.watch(
    `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/networkattachments`,
    { resourceVersion: subnet.metadata.resourceVersion, fieldSelector: 'spec.node=comp0' },
    (type: string) => seen.push(type),
    () => undefined,
  );
  const na = (await timed('create attachment', () =>
    api.createNamespacedCustomObject({
      ...base,
      plural: 'networkattachments',
      body: {
        apiVersion: `${GROUP}/${VERSION}`,
        kind: 'NetworkAttachment',
        metadata: { name: 'a1', labels: { app: 'check' } },
        spec: { node: 'comp0', subnet: 's1' },
      },
    }),
  )) as KosObject;
  const patched = (await timed('patch status', () =>
    api.patchNamespacedCustomObjectStatus(
      {
        ...base,
        plural: 'networkattachments',
        name: 'a1',
        body: {
          status: {
            ipv4: '10.1.0.2',
            addressVNI: 42,
            macAddress: '02:00:01:02:00:2a',
            ifcName: 'kos020001020021',
            hostIP: '127.10.0.1',
          },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    ),
  )) as KosObject;
  const listed = (await timed('list by label', () =>
    api.listNamespacedCustomObject({ ...base, plural: 'networkattachments', labelSelector: 'app=check' }),
  )) as { items: KosObject[] };
  await timed('delete', async () => {
    await api.deleteNamespacedCustomObject({ ...base, plural: 'networkattachments', name: 'a1' });
    await api.deleteNamespacedCustomObject({ ...base, plural: 'subnets', name: 's1' });
  });
  const deadline = Date.now() + 5000;
  while (seen.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  watching.abort();
  const problems: string[] = [];
  if (listed.items.length !== 1)
    problems.push(`list by label found ${listed.items.length} objects, expected 1`);
  if (writeTime(na, NA_SECTION.spec) === undefined) problems.push('no spec write stamp on create');
  if (writeTime(patched, NA_SECTION.impl) === undefined)
    problems.push('no status.impl write stamp after status patch');
  if (seen.join(',') !== 'ADDED,MODIFIED,DELETED')
    problems.push(`watch saw ${seen.join(',') || 'nothing'}, expected ADDED,MODIFIED,DELETED`);
  const ok = problems.length === 0;
  const path = join(dir, 'check.json');
  await writeFileAtomic(path, `${JSON.stringify({ ok, problems, steps }, null, 2)}\n`);
  if (!ok)
    throw new KosTestError({
      what: 'network-apiserver self-check failed',
      value: problems.join('; '),
      fix: `see ${path} and the logs in ${dir}`,
    });
  const total = steps.reduce((s, x) => s + x.ms, 0);
  return {
    ok,
    steps,
    path,
    summary: `self-check passed: ${steps.length} steps in ${total.toFixed(1)} ms; watch saw ${seen.join(', ')}`,
  };
}
