import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  ApiException,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  Watch,
  setHeaderOptions,
  type V1Namespace,
  type V1Node,
} from '@kubernetes/client-node';
import { startKubeFrontStack, type KubeFrontStack } from '../../../../src/testbed/kapi/kube-front-stack.js';
import { renderKubeconfig } from '../../../../src/testbed/kubeconfig.js';
import { call, readWatch, withStack } from '../../../support/stack.js';

type Stack = Awaited<ReturnType<typeof withStack>>;
type WatchEvent = { type: string; object: Record<string, unknown> };

function coreApi(server: string): CoreV1Api {
  const kc = new KubeConfig();
  kc.loadFromString(renderKubeconfig([{ name: 'front', server }]));
  return kc.makeApiClient(CoreV1Api);
}

/** client-node types its bodies as classes; plain JSON objects are what it sends anyway. */
function asNode(obj: object): V1Node {
  return obj;
}

function asNamespace(obj: object): V1Namespace {
  return obj;
}

function namespace(name: string, finalizers?: string[]): V1Namespace {
  return asNamespace({ metadata: { name, ...(finalizers === undefined ? {} : { finalizers }) } });
}

function node(name: string, labels: Record<string, string>, ip: string): V1Node {
  return asNode({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels },
    status: {
      addresses: [{ type: 'InternalIP', address: ip }],
      capacity: { cpu: '4', memory: '16Gi' },
      allocatable: { cpu: '4', memory: '16Gi' },
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  });
}

async function statusCode(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (e: unknown) {
    if (e instanceof ApiException) return e.code;
    throw e;
  }
}

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('kube front: nodes and namespaces on its own etcd, through @kubernetes/client-node', () => {
  let stack: Stack;
  let kube: KubeFrontStack;
  let dir: string;
  let api: CoreV1Api;
  let url: string;

  before(async () => {
    stack = await withStack({ napiCount: 1 });
    dir = await mkdtemp(join(tmpdir(), 'kos-test-kapi-'));
    kube = await startKubeFrontStack({
      dir,
      nka: 2,
      napiServers: stack.napis.map((n) => n.url),
      front: { bookmarkIntervalMs: 200, watchHistorySize: 40, coalesceMs: 2 },
      log: () => undefined,
    });
    url = kube.fronts[0]?.url ?? '';
    api = coreApi(url);
  });
  after(async () => {
    await kube.stop();
    await rm(dir, { recursive: true, force: true });
    await stack.cleanup();
  });

  it('serves discovery for the core group and lists the aggregated group, plus version and health', async () => {
    const apiDoc = await call(url, 'GET', '/api');
    assert.equal(apiDoc.json.kind, 'APIVersions');
    assert.deepEqual(apiDoc.json.versions, ['v1']);
    const v1 = await call(url, 'GET', '/api/v1');
    const names = (v1.json.resources as { name: string; namespaced: boolean }[]).map((r) => r.name);
    assert.deepEqual(names, [
      'nodes',
      'nodes/status',
      'namespaces',
      'namespaces/status',
      'namespaces/finalize',
      'endpoints',
      'pods',
      'pods/status',
      'events',
    ]);
    const namespaced = (v1.json.resources as { name: string; namespaced: boolean }[])
      .filter((r) => r.namespaced)
      .map((r) => r.name);
    assert.deepEqual(namespaced, ['endpoints', 'pods', 'pods/status', 'events']);
    const apis = await call(url, 'GET', '/apis');
    assert.deepEqual(
      (apis.json.groups as { name: string }[]).map((g) => g.name),
      ['apps', 'authorization.k8s.io', 'metrics.k8s.io', 'network.example.com'],
    );
    const group = await call(url, 'GET', '/apis/network.example.com');
    assert.equal(group.json.kind, 'APIGroup');
    const version = await call(url, 'GET', '/apis/network.example.com/v1alpha1');
    assert.equal(version.json.kind, 'APIResourceList', 'the version document comes from a napi');
    assert.equal((await call(url, 'GET', '/version')).json.major, '1');
    for (const path of ['/healthz', '/readyz', '/livez'])
      assert.equal((await fetch(`${url}${path}`)).status, 200);
    assert.equal((await call(url, 'GET', '/api/v2')).status, 404);
  });

  it('creates, lists by label and field selectors, label-patches and deletes nodes', async () => {
    const created = await api.createNode({ body: node('comp0', { 'kos-role/comp': 'true' }, '127.10.0.1') });
    assert.match(created.metadata?.uid ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(created.metadata?.namespace, undefined, 'cluster-scoped objects have no namespace');
    assert.equal(created.status?.addresses?.[0]?.address, '127.10.0.1', 'a node is created with its status');
    await api.createNode({ body: node('napi0', { 'kos-role/napi': 'true' }, '127.2.0.1') });
    const comps = await api.listNode({ labelSelector: 'kos-role/comp=true' });
    assert.deepEqual(
      comps.items.map((n) => n.metadata?.name),
      ['comp0'],
    );
    const byName = await api.listNode({ fieldSelector: 'metadata.name=napi0' });
    assert.deepEqual(
      byName.items.map((n) => n.metadata?.name),
      ['napi0'],
    );
    const patched = await api.patchNode(
      { name: 'napi0', body: { metadata: { labels: { 'kos-role/comp': 'true' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    assert.equal(patched.metadata?.labels?.['kos-role/comp'], 'true');
    assert.equal((await api.listNode({ labelSelector: 'kos-role/comp=true' })).items.length, 2);
    const capacity = await api.patchNode(
      { name: 'napi0', body: [{ op: 'replace', path: '/metadata/labels/kos-role~1comp', value: 'false' }] },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    assert.equal(capacity.metadata?.labels?.['kos-role/comp'], 'false');
    assert.equal(await statusCode(api.createNode({ body: node('comp0', {}, '127.10.0.1') })), 409);
    await api.deleteNode({ name: 'napi0' });
    assert.equal(await statusCode(api.readNode({ name: 'napi0' })), 404);
    const table = await fetch(`${url}/api/v1/nodes`, {
      headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' },
    });
    const rows = ((await table.json()) as { rows: { cells: unknown[] }[] }).rows;
    assert.deepEqual(rows[0]?.cells.slice(0, 3), ['comp0', 'Ready', '<none>']);
  });

  it('writes node status only through /status, and the rest only through the main resource', async () => {
    const before = await api.readNode({ name: 'comp0' });
    const viaMain = await api.patchNode(
      { name: 'comp0', body: { spec: { unschedulable: true }, status: { capacity: { cpu: '99' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    assert.equal(viaMain.spec?.unschedulable, true);
    assert.equal(viaMain.status?.capacity?.cpu, '4', 'status is kept by a main-resource write');
    const viaStatus = await api.patchNodeStatus(
      {
        name: 'comp0',
        body: {
          spec: { unschedulable: false },
          status: { conditions: [{ type: 'Ready', status: 'False', reason: 'Test' }] },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    assert.equal(viaStatus.spec?.unschedulable, true, 'spec is kept by a status write');
    assert.equal(viaStatus.status?.conditions?.[0]?.status, 'False');
    assert.ok(Number(viaStatus.metadata?.resourceVersion) > Number(before.metadata?.resourceVersion));
    const cordoned = await api.listNode({ fieldSelector: 'spec.unschedulable=true' });
    assert.equal(cordoned.items.length, 1);
  });

  it('watches nodes from a version through the client-node Watch, with bookmarks, and 410 when too old', async () => {
    const start = (await api.listNode()).metadata?.resourceVersion ?? '';
    const kc = new KubeConfig();
    kc.loadFromString(renderKubeconfig([{ name: 'front', server: url }]));
    const seen: { phase: string; name: string }[] = [];
    const controller = await new Watch(kc).watch(
      '/api/v1/nodes',
      { resourceVersion: start, allowWatchBookmarks: true },
      (phase, obj: V1Node) => {
        seen.push({ phase, name: obj.metadata?.name ?? '' });
      },
      () => undefined,
    );
    try {
      await api.createNode({ body: node('comp1', { 'kos-role/comp': 'true' }, '127.10.0.2') });
      await api.patchNode(
        { name: 'comp1', body: { metadata: { labels: { zone: 'a' } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      await api.deleteNode({ name: 'comp1' });
      await waitFor(() =>
        Promise.resolve(seen.some((e) => e.phase === 'BOOKMARK') && seen.length >= 4 ? true : undefined),
      );
      assert.deepEqual(
        seen.filter((e) => e.phase !== 'BOOKMARK'),
        [
          { phase: 'ADDED', name: 'comp1' },
          { phase: 'MODIFIED', name: 'comp1' },
          { phase: 'DELETED', name: 'comp1' },
        ],
      );
    } finally {
      controller.abort();
    }
    // More writes than the watch history holds (40) make `start` too old to watch from.
    for (let i = 0; i < 45; i++) {
      await api.patchNode(
        { name: 'comp0', body: { metadata: { annotations: { i: String(i) } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    }
    const events = await readWatch(
      `${url}/api/v1/nodes?watch=true&resourceVersion=${start}`,
      (e) => e.length >= 1,
    );
    const first: WatchEvent | undefined = events[0];
    assert.equal(first?.type, 'ERROR');
    assert.equal(first.object.code, 410);
  });

  it('creates namespaces Active with the kubernetes finalizer and the name label, listable by phase', async () => {
    const ns = await api.createNamespace({ body: namespace('team-a') });
    assert.deepEqual(ns.spec?.finalizers, ['kubernetes']);
    assert.equal(ns.status?.phase, 'Active');
    assert.equal(ns.metadata?.labels?.['kubernetes.io/metadata.name'], 'team-a');
    await api.createNamespace({ body: namespace('team-b') });
    const active = await api.listNamespace({ fieldSelector: 'status.phase=Active' });
    assert.deepEqual(active.items.map((n) => n.metadata?.name).sort(), ['team-a', 'team-b']);
    const bad = await call(url, 'POST', '/api/v1/namespaces', { metadata: { name: 'Not.A.Label' } });
    assert.equal(bad.status, 422);
    const relabeled = await api.patchNamespace(
      { name: 'team-b', body: { metadata: { labels: { owner: 'x' } }, spec: { finalizers: [] } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    assert.equal(relabeled.metadata?.labels?.owner, 'x');
    assert.deepEqual(relabeled.spec?.finalizers, ['kubernetes'], 'only finalize changes spec.finalizers');
  });

  it('deletes a namespace in two steps: Terminating while finalizers remain, gone once finalized', async () => {
    const before = (await api.readNamespace({ name: 'team-a' })).metadata?.resourceVersion ?? '';
    const watching = readWatch(
      `${url}/api/v1/namespaces?watch=true&resourceVersion=${before}&fieldSelector=metadata.name%3Dteam-a`,
      (e) => e.some((x) => x.type === 'DELETED'),
      10_000,
    );
    const marked = await call(url, 'DELETE', '/api/v1/namespaces/team-a');
    assert.equal(marked.status, 200);
    assert.equal(marked.json.kind, 'Namespace', 'answered with the object, not a Status');
    assert.equal((marked.json.status as { phase: string }).phase, 'Terminating');
    assert.ok((marked.json.metadata as { deletionTimestamp?: string }).deletionTimestamp);
    const again = await call(url, 'DELETE', '/api/v1/namespaces/team-a');
    assert.equal(again.status, 409);
    assert.match(String(again.json.message), /ensuring all content is removed/);
    const terminating = await api.listNamespace({ fieldSelector: 'status.phase=Terminating' });
    assert.deepEqual(
      terminating.items.map((n) => n.metadata?.name),
      ['team-a'],
    );
    const current: V1Namespace = await api.readNamespace({ name: 'team-a' });
    const finalized = await api.replaceNamespaceFinalize({
      name: 'team-a',
      body: asNamespace({ metadata: current.metadata, spec: { finalizers: [] } }),
    });
    assert.deepEqual(finalized.spec?.finalizers ?? [], []);
    assert.equal(await statusCode(api.readNamespace({ name: 'team-a' })), 404);
    const events = await watching;
    assert.deepEqual(
      events.map((e) => e.type),
      ['MODIFIED', 'DELETED'],
    );
  });

  it('keeps a namespace with metadata.finalizers until they are removed too', async () => {
    await api.createNamespace({ body: namespace('held', ['example.com/hold']) });
    await api.deleteNamespace({ name: 'held' });
    const ns = await api.readNamespace({ name: 'held' });
    await api.replaceNamespaceFinalize({
      name: 'held',
      body: asNamespace({ metadata: ns.metadata, spec: { finalizers: [] } }),
    });
    assert.equal((await api.readNamespace({ name: 'held' })).status?.phase, 'Terminating');
    await api.patchNamespace(
      { name: 'held', body: { metadata: { finalizers: null } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    assert.equal(await statusCode(api.readNamespace({ name: 'held' })), 404);
  });

  it('serves the same objects at the same versions from two fronts on one ketcd', async () => {
    const second = coreApi(kube.fronts[1]?.url ?? '');
    const made = await second.createNamespace({ body: namespace('shared') });
    const seen = await api.readNamespace({ name: 'shared' });
    assert.equal(seen.metadata?.resourceVersion, made.metadata?.resourceVersion);
    const listA = await api.listNode();
    const listB = await second.listNode();
    assert.deepEqual(
      listA.items.map((n) => [n.metadata?.name, n.metadata?.resourceVersion]),
      listB.items.map((n) => [n.metadata?.name, n.metadata?.resourceVersion]),
    );
    // A watch on one front sees a write made through the other.
    const events = readWatch(
      `${kube.fronts[0]?.url ?? ''}/api/v1/namespaces?watch=true&resourceVersion=${made.metadata?.resourceVersion ?? ''}`,
      (e) => e.length >= 1,
    );
    await second.deleteNamespace({ name: 'shared' });
    assert.equal((await events)[0]?.type, 'MODIFIED');
  });
});
