import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  Watch,
  setHeaderOptions,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { startKubeFrontStack, type KubeFrontStack } from '../../../../src/testbed/kapi/kube-front-stack.js';
import { renderKubeconfig } from '../../../../src/testbed/kubeconfig.js';
import { NetworkApiserver } from '../../../../src/testbed/napi/network-apiserver.js';
import { attachment, call, GV, readWatch, withStack } from '../../../support/stack.js';

type Stack = Awaited<ReturnType<typeof withStack>>;
type Obj = KubernetesObject & { status?: Record<string, unknown>; spec?: Record<string, unknown> };

const ns = 'agg';
const base = {
  group: 'network.example.com',
  version: 'v1alpha1',
  namespace: ns,
  plural: 'networkattachments',
};

function kubeConfig(server: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(renderKubeconfig([{ name: 'front', server }]));
  return kc;
}

/** Requests a network-apiserver has answered so far (its apiserver_request_total, summed). */
async function requestCount(napi: NetworkApiserver): Promise<number> {
  const metric = napi.metrics.registry.getSingleMetric('apiserver_request_total');
  if (metric === undefined) return 0;
  return (await metric.get()).values.reduce((sum, v) => sum + v.value, 0);
}

async function watchers(napi: NetworkApiserver): Promise<number> {
  return (await napi.metrics.registeredWatchers.get()).values.reduce((sum, v) => sum + v.value, 0);
}

async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('kube front aggregation: network.example.com proxied to the network-apiservers', () => {
  let stack: Stack;
  let kube: KubeFrontStack;
  let dir: string;
  let url: string;
  let api: CustomObjectsApi;
  let napis: NetworkApiserver[];

  before(async () => {
    stack = await withStack({ napiCount: 2, napi: { coalesceMs: 2 } });
    napis = stack.napis;
    dir = await mkdtemp(join(tmpdir(), 'kos-test-kapi-'));
    kube = await startKubeFrontStack({ dir, napiServers: napis.map((n) => n.url), log: () => undefined });
    url = kube.fronts[0]?.url ?? '';
    api = kubeConfig(url).makeApiClient(CustomObjectsApi);
  });
  after(async () => {
    await kube.stop();
    await rm(dir, { recursive: true, force: true });
    await stack.cleanup();
  });

  it('creates, gets, lists and deletes KOS objects through the front with CustomObjectsApi', async () => {
    const created = (await api.createNamespacedCustomObject({
      ...base,
      body: attachment('a1', 'comp1'),
    })) as Obj;
    assert.ok(created.metadata?.uid);
    const got = (await api.getNamespacedCustomObject({ ...base, name: 'a1' })) as Obj;
    assert.equal(got.metadata?.resourceVersion, created.metadata.resourceVersion);
    const list = (await api.listNamespacedCustomObject({ ...base, labelSelector: '' })) as { items: Obj[] };
    assert.deepEqual(
      list.items.map((o) => o.metadata?.name),
      ['a1'],
    );
    const bad = await call(url, 'POST', `${GV}/namespaces/${ns}/subnets`, {
      metadata: { name: 's' },
      spec: { ipv4: '8.8.8.0/24', vni: 1 },
    });
    assert.equal(bad.status, 422, 'the backend status code comes through');
    assert.equal(bad.json.reason, 'Invalid');
    const missing = await call(url, 'GET', `${GV}/namespaces/${ns}/networkattachments/nope`);
    assert.equal(missing.status, 404);
    assert.equal(missing.json.kind, 'Status');
  });

  it('writes status through the proxied status subresource', async () => {
    const addressed = (await api.patchNamespacedCustomObjectStatus(
      { ...base, name: 'a1', body: { status: { ipv4: '10.0.0.2', addressVNI: 7 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as Obj & { extendedMetadata?: { writes: { section: string }[] } };
    assert.equal(addressed.status?.ipv4, '10.0.0.2');
    assert.deepEqual(
      addressed.extendedMetadata?.writes.map((w) => w.section),
      ['status.address', 'spec'],
    );
  });

  it('spreads requests round-robin over both network-apiservers, which see the same objects', async () => {
    const [n0, n1] = napis;
    assert.ok(n0 && n1);
    const before0 = await requestCount(n0);
    const before1 = await requestCount(n1);
    const versions = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const o = (await api.getNamespacedCustomObject({ ...base, name: 'a1' })) as Obj;
      versions.add(o.metadata?.resourceVersion ?? '');
    }
    assert.equal(versions.size, 1, 'both backends serve the same version');
    assert.equal((await requestCount(n0)) - before0, 5);
    assert.equal((await requestCount(n1)) - before1, 5);
  });

  it('streams a watch through the proxy event by event, and closing it ends the backend watch', async () => {
    const total = async (): Promise<number> =>
      (await watchers(napis[0] as NetworkApiserver)) + (await watchers(napis[1] as NetworkApiserver));
    const idle = await total();
    const events: { phase: string; name: string; at: number }[] = [];
    const list = (await api.listNamespacedCustomObject(base)) as { metadata: { resourceVersion: string } };
    const controller = await new Watch(kubeConfig(url)).watch(
      `${GV}/namespaces/${ns}/networkattachments`,
      { resourceVersion: list.metadata.resourceVersion },
      (phase, obj: Obj) => {
        events.push({ phase, name: obj.metadata?.name ?? '', at: performance.now() });
      },
      () => undefined,
    );
    await waitFor(async () => ((await total()) === idle + 1 ? true : undefined));
    // One write at a time, straight to a backend: each event must arrive before the next write.
    const latencies: number[] = [];
    for (let i = 0; i < 5; i++) {
      const sent = performance.now();
      const made = await call(
        napis[i % 2]?.url ?? '',
        'POST',
        `${GV}/namespaces/${ns}/networkattachments`,
        attachment(`w${i}`, 'comp2'),
      );
      assert.equal(made.status, 201);
      const event = await waitFor(() => events.find((e) => e.name === `w${i}`), 2000);
      latencies.push(event.at - sent);
    }
    assert.deepEqual(
      events.map((e) => `${e.phase} ${e.name}`),
      ['ADDED w0', 'ADDED w1', 'ADDED w2', 'ADDED w3', 'ADDED w4'],
    );
    assert.ok(
      Math.max(...latencies) < 1000,
      `event latencies ${latencies.map((l) => l.toFixed(1)).join(', ')} ms`,
    );
    controller.abort();
    await waitFor(async () => ((await total()) === idle ? true : undefined));
  });

  it('ends the client watch when the backend ends it', async () => {
    const started = performance.now();
    const res = await fetch(`${url}${GV}/namespaces/${ns}/networkattachments?watch=true&timeoutSeconds=1`);
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.ok(performance.now() - started < 5000);
    assert.ok(text.includes('"ADDED"'), 'initial state arrived before the end');
  });

  it('answers 503 with a Status when no network-apiserver is configured', async () => {
    kube.setNapiServers([]);
    try {
      const r = await call(url, 'GET', `${GV}/namespaces/${ns}/networkattachments`);
      assert.equal(r.status, 503);
      assert.equal(r.json.reason, 'ServiceUnavailable');
    } finally {
      kube.setNapiServers(napis.map((n) => n.url));
    }
    assert.deepEqual(
      kube.fronts[0]?.napiServers,
      napis.map((n) => n.url),
    );
  });

  it('ends the client watch when its backend stops mid-stream', async () => {
    const doomed = await NetworkApiserver.start({
      name: 'napi8',
      etcdEndpoints: stack.etcd.clientUrls,
      host: '127.2.0.98',
      log: () => undefined,
    });
    kube.setNapiServers([doomed.url]);
    try {
      const events = readWatch(
        `${url}${GV}/namespaces/${ns}/networkattachments?watch=true`,
        () => false,
        10_000,
      );
      await waitFor(async () => ((await watchers(doomed)) === 1 ? true : undefined));
      const started = performance.now();
      await doomed.stop();
      const seen = await events;
      assert.ok(performance.now() - started < 5000, 'the stream ended with its backend, not on a timeout');
      assert.ok(seen.some((e) => e.type === 'ADDED'));
    } finally {
      kube.setNapiServers(napis.map((n) => n.url));
      await doomed.stop();
    }
  });

  it('keeps serving from the other backend when one is down, writes too (a refused connection sent nothing)', async () => {
    const doomed = await NetworkApiserver.start({
      name: 'napi9',
      etcdEndpoints: stack.etcd.clientUrls,
      host: '127.2.0.99',
      log: () => undefined,
    });
    const survivor = napis[0] as NetworkApiserver;
    kube.setNapiServers([doomed.url, survivor.url]);
    try {
      await doomed.stop();
      for (let i = 0; i < 6; i++) {
        const o = (await api.getNamespacedCustomObject({ ...base, name: 'a1' })) as Obj;
        assert.equal(o.metadata?.name, 'a1');
      }
      const lists = await call(url, 'GET', `${GV}/networkattachments`);
      assert.equal(lists.status, 200);
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) {
        const r = await call(
          url,
          'POST',
          `${GV}/namespaces/${ns}/networkattachments`,
          attachment(`d${i}`, 'comp3'),
        );
        codes.push(r.status);
      }
      assert.deepEqual(codes, [201, 201, 201, 201]);
    } finally {
      kube.setNapiServers(napis.map((n) => n.url));
      await doomed.stop();
    }
  });

  it('counts proxied requests in its own apiserver metrics', async () => {
    const text = await (await fetch(kube.fronts[0]?.endpoints.metrics ?? '')).text();
    assert.match(
      text,
      /apiserver_request_total\{verb="GET",group="network.example.com",version="v1alpha1",resource="networkattachments",subresource="",scope="resource",code="200",component="kapi0"\} \d+/,
    );
    assert.match(text, /apiserver_request_duration_seconds_bucket\{.*group="network.example.com"/);
  });
});
