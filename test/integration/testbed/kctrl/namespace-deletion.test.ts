import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  type V1Namespace,
} from '@kubernetes/client-node';
import { startKubeFrontStack, type KubeFrontStack } from '../../../../src/testbed/kapi/kube-front-stack.js';
import { startKctrl, type Kctrl } from '../../../../src/testbed/kctrl/namespace-controller.js';
import { renderKubeconfig } from '../../../../src/testbed/kubeconfig.js';
import { nodeAddress } from '../../../../src/testbed/node-addresses.js';
import { attachment, readWatch, withStack } from '../../../support/stack.js';

type Stack = Awaited<ReturnType<typeof withStack>>;

const KOS = { group: 'network.example.com', version: 'v1alpha1' };

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** client-node types its bodies as classes; a plain JSON object is what it sends anyway. */
function namespace(name: string): V1Namespace {
  const body: object = { metadata: { name } };
  return body;
}

async function exists(p: Promise<unknown>): Promise<boolean> {
  try {
    await p;
    return true;
  } catch (e: unknown) {
    if (e instanceof ApiException && e.code === 404) return false;
    throw e;
  }
}

describe('kctrl: terminating namespaces are emptied of KOS objects and finalized', () => {
  let stack: Stack;
  let kube: KubeFrontStack;
  let kctrl: Kctrl;
  let dir: string;
  let core: CoreV1Api;
  let kos: CustomObjectsApi;

  before(async () => {
    stack = await withStack({ napiCount: 2 });
    dir = await mkdtemp(join(tmpdir(), 'kos-test-kctrl-'));
    const napiServers = stack.napis.map((n) => n.url);
    kube = await startKubeFrontStack({ dir, napiServers, log: () => undefined });
    const front = kube.fronts[0]?.url ?? '';
    kctrl = await startKctrl({
      name: 'kctrl0',
      host: nodeAddress('kctrl', 0),
      kubeFront: front,
      napiServers,
      retryBaseMs: 50,
      retryMaxMs: 400,
      log: () => undefined,
    });
    await kctrl.synced();
    const kc = new KubeConfig();
    kc.loadFromString(renderKubeconfig([{ name: 'front', server: front }]));
    core = kc.makeApiClient(CoreV1Api);
    kos = kc.makeApiClient(CustomObjectsApi);
  });
  after(async () => {
    await kctrl.stop();
    await kube.stop();
    await rm(dir, { recursive: true, force: true });
    await stack.cleanup();
  });

  async function populate(namespace: string, count: number): Promise<void> {
    await kos.createNamespacedCustomObject({
      ...KOS,
      namespace,
      plural: 'subnets',
      body: { metadata: { name: 's1' }, spec: { ipv4: '10.1.0.0/24', vni: 77 } },
    });
    for (let i = 0; i < count; i++) {
      await kos.createNamespacedCustomObject({
        ...KOS,
        namespace,
        plural: 'networkattachments',
        body: attachment(`a${i}`, `comp${i % 3}`),
      });
      await kos.createNamespacedCustomObject({
        ...KOS,
        namespace,
        plural: 'iplocks',
        body: { metadata: { name: `v1-77-10-1-0-${i + 2}` }, spec: { subnetName: 's1' } },
      });
    }
  }

  async function kosCount(namespace: string): Promise<number> {
    let n = 0;
    for (const plural of ['subnets', 'networkattachments', 'iplocks']) {
      const list = (await kos.listNamespacedCustomObject({ ...KOS, namespace, plural })) as {
        items: unknown[];
      };
      n += list.items.length;
    }
    return n;
  }

  it('deletes every KOS object in a deleted namespace, then the namespace disappears', async () => {
    for (const name of ['doomed', 'kept']) await core.createNamespace({ body: namespace(name) });
    await populate('doomed', 12);
    await populate('kept', 2);
    assert.equal(await kosCount('doomed'), 25);
    const rv = (await core.readNamespace({ name: 'doomed' })).metadata?.resourceVersion ?? '';
    const watching = readWatch(
      `${kube.fronts[0]?.url ?? ''}/api/v1/namespaces?watch=true&resourceVersion=${rv}&fieldSelector=metadata.name%3Ddoomed`,
      (e) => e.some((x) => x.type === 'DELETED'),
      15_000,
    );
    const started = performance.now();
    await core.deleteNamespace({ name: 'doomed' });
    await waitFor(async () => ((await exists(core.readNamespace({ name: 'doomed' }))) ? undefined : true));
    const seconds = (performance.now() - started) / 1000;
    assert.ok(seconds < 10, `took ${seconds.toFixed(2)} s`);
    assert.equal(await kosCount('doomed'), 0);
    assert.equal(await kosCount('kept'), 5, 'other namespaces are untouched');
    assert.ok(await exists(core.readNamespace({ name: 'kept' })));
    assert.deepEqual(
      (await watching).map((e) => e.type),
      ['MODIFIED', 'DELETED'],
    );
    const metrics = await (await fetch(kctrl.endpoints.metrics)).text();
    assert.match(metrics, /kos_test_kctrl_namespaces_finalized_total\{component="kctrl0"\} 1/);
    assert.match(
      metrics,
      /kos_test_kctrl_kos_objects_deleted_total\{resource="networkattachments",component="kctrl0"\} 12/,
    );
    assert.equal((await fetch(kctrl.endpoints.metrics.replace('/metrics', '/healthz'))).status, 200);
  });

  it('retries with backoff while no network-apiserver answers, and finishes once one does', async () => {
    await core.createNamespace({ body: namespace('later') });
    await populate('later', 2);
    kctrl.setNapiServers(['http://127.2.0.250:9']);
    try {
      await core.deleteNamespace({ name: 'later' });
      await new Promise((r) => setTimeout(r, 600));
      const ns = await core.readNamespace({ name: 'later' });
      assert.equal(ns.status?.phase, 'Terminating', 'still held while its content cannot be deleted');
      assert.deepEqual(ns.spec?.finalizers, ['kubernetes']);
    } finally {
      kctrl.setNapiServers(stack.napis.map((n) => n.url));
    }
    await waitFor(async () => ((await exists(core.readNamespace({ name: 'later' }))) ? undefined : true));
    assert.equal(await kosCount('later'), 0);
    const metrics = await (await fetch(kctrl.endpoints.metrics)).text();
    const retries = /workqueue_retries_total\{name="namespace",component="kctrl0"\} (\d+)/.exec(metrics);
    assert.ok(Number(retries?.[1] ?? 0) >= 2, `retries: ${retries?.[1] ?? 'none'}`);
  });

  it('finalizes a namespace that was already terminating when kctrl started', async () => {
    await kctrl.stop();
    await core.createNamespace({ body: namespace('orphan') });
    await populate('orphan', 1);
    await core.deleteNamespace({ name: 'orphan' });
    kctrl = await startKctrl({
      name: 'kctrl0',
      host: nodeAddress('kctrl', 0),
      kubeFront: kube.fronts[0]?.url ?? '',
      napiServers: stack.napis.map((n) => n.url),
      log: () => undefined,
    });
    await waitFor(async () => ((await exists(core.readNamespace({ name: 'orphan' }))) ? undefined : true));
    assert.equal(await kosCount('orphan'), 0);
  });
});
