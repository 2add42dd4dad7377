import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CustomObjectsApi, KubeConfig, makeInformer, type KubernetesObject } from '@kubernetes/client-node';
import { NetworkApiserver } from '../../../src/testbed/napi/network-apiserver.js';
import { attachment, call, GV, withStack } from '../../support/stack.js';

const ns = 'restart';
const coll = `${GV}/namespaces/${ns}/networkattachments`;

describe('a client-node informer across a restart of its apiserver', () => {
  let stack: Awaited<ReturnType<typeof withStack>>;
  let napi: NetworkApiserver;

  before(async () => {
    stack = await withStack();
    napi = stack.napis[0] as NetworkApiserver;
  });
  after(async () => {
    await napi.stop();
    await stack.cleanup();
  });

  it('re-lists after 410 and ends with exactly what etcd holds', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(stack.kubeconfigPath);
    const api = kc.makeApiClient(CustomObjectsApi);
    let lists = 0;
    const listed = (): number => lists;
    const informer = makeInformer<KubernetesObject>(kc, coll, () => {
      lists++;
      return api.listNamespacedCustomObject({
        group: 'network.example.com',
        version: 'v1alpha1',
        namespace: ns,
        plural: 'networkattachments',
      }) as never;
    });
    const deletedSeen = new Set<string>();
    informer.on('delete', (o) => deletedSeen.add(o.metadata?.name ?? ''));
    // client-node's informer stops on a connection error; restarting it is the documented pattern.
    let done = false;
    informer.on('error', () => {
      setTimeout(() => {
        if (!done) void informer.start().catch(() => undefined);
      }, 200).unref();
    });
    const names = () => new Set(informer.list().map((o) => o.metadata?.name ?? ''));

    const base = napi.url;
    for (const name of ['keep', 'gone'])
      assert.equal((await call(base, 'POST', coll, attachment(name, 'comp1'))).status, 201);
    await informer.start();
    await waitFor(() => names().has('keep') && names().has('gone'));
    assert.equal(listed(), 1);

    // While its apiserver is down, another one on the same etcd changes what the informer watches.
    const { host, port } = napi;
    await napi.stop();
    const other = await NetworkApiserver.start({
      etcdEndpoints: stack.etcd.clientUrls,
      host: '127.2.0.9',
      log: () => undefined,
    });
    try {
      assert.equal((await call(other.url, 'DELETE', `${coll}/gone`)).status, 200);
      assert.equal((await call(other.url, 'POST', coll, attachment('new', 'comp2'))).status, 201);
    } finally {
      await other.stop();
    }

    // The restarted apiserver's watch cache begins at the current revision, so the informer's
    // version is too old for it: 410, then a fresh list.
    napi = await NetworkApiserver.start({
      etcdEndpoints: stack.etcd.clientUrls,
      host,
      port,
      log: () => undefined,
    });
    await waitFor(() => names().has('new') && !names().has('gone'), 15_000);
    assert.ok(listed() >= 2, `listed ${listed()} times`);
    assert.ok(deletedSeen.has('gone'), 'the re-list reported the object deleted while away');
    const stored = await call(napi.url, 'GET', coll);
    const storedNames = (stored.json.items as { metadata: { name: string } }[])
      .map((o) => o.metadata.name)
      .sort();
    assert.deepEqual([...names()].sort(), storedNames);

    // And it is watching again: a later change arrives without another list.
    const listsBefore = listed();
    assert.equal((await call(napi.url, 'POST', coll, attachment('later', 'comp3'))).status, 201);
    await waitFor(() => names().has('later'));
    assert.equal(listed(), listsBefore);
    done = true;
    await informer.stop();
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
