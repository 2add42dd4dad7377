import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { attachment, call, GV, withStack } from '../../../support/stack.js';

type Stack = Awaited<ReturnType<typeof withStack>>;
type Obj = {
  metadata: Record<string, unknown> & { resourceVersion: string; uid: string };
  status?: Record<string, unknown>;
  extendedMetadata?: { writes: { section: string; serverTime: string }[] };
};

describe('network-apiserver through @kubernetes/client-node, on real etcd', () => {
  let stack: Stack;
  let api: CustomObjectsApi;
  const ns = 'crud';
  const base = {
    group: 'network.example.com',
    version: 'v1alpha1',
    namespace: ns,
    plural: 'networkattachments',
  };

  before(async () => {
    stack = await withStack({ napiCount: 2 });
    const kc = new KubeConfig();
    kc.loadFromFile(stack.kubeconfigPath);
    api = kc.makeApiClient(CustomObjectsApi);
  });
  after(async () => {
    await stack.cleanup();
  });

  it('creates with uid, timestamp, spec stamp and cleared status; gets it back at the same version', async () => {
    const body = { ...attachment('a1', 'comp1'), status: { ipv4: '10.0.0.9' } };
    const created = (await api.createNamespacedCustomObject({ ...base, body })) as Obj;
    assert.match(created.metadata.uid, /^[0-9a-f-]{36}$/);
    assert.ok(created.metadata.creationTimestamp);
    assert.equal(created.status?.ipv4, undefined, 'status is cleared on create');
    const writes = created.extendedMetadata?.writes ?? [];
    assert.deepEqual(
      writes.map((w) => w.section),
      ['spec'],
    );
    const specWrite = writes.at(0);
    assert.ok(specWrite);
    assert.match(specWrite.serverTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const got = (await api.getNamespacedCustomObject({ ...base, name: 'a1' })) as Obj;
    assert.equal(got.metadata.resourceVersion, created.metadata.resourceVersion);
  });

  it('serves the same object at the same resourceVersion from a second instance', async () => {
    const [napi0, napi1] = stack.napis;
    assert.ok(napi0 && napi1);
    const made = await call(
      napi0.url,
      'POST',
      `${GV}/namespaces/${ns}/networkattachments`,
      attachment('two', 'comp2'),
    );
    assert.equal(made.status, 201);
    const seen = await call(napi1.url, 'GET', `${GV}/namespaces/${ns}/networkattachments/two`);
    assert.equal(seen.status, 200);
    assert.deepEqual(seen.json, made.json);
  });

  it('refuses a stale resourceVersion with 409 and accepts the current one', async () => {
    const cur = (await api.getNamespacedCustomObject({ ...base, name: 'a1' })) as Obj;
    const stale = structuredClone(cur);
    const updated = (await api.replaceNamespacedCustomObject({
      ...base,
      name: 'a1',
      body: { ...cur, spec: { node: 'comp1', subnet: 's1', postDeleteExec: ['echo', 'bye'] } },
    })) as Obj;
    assert.notEqual(updated.metadata.resourceVersion, cur.metadata.resourceVersion);
    const r = await call(
      stack.napis[0]?.url ?? '',
      'PUT',
      `${GV}/namespaces/${ns}/networkattachments/a1`,
      stale,
    );
    assert.equal(r.status, 409);
    assert.equal(r.json.reason, 'Conflict');
  });

  it('requires a resourceVersion on a main-resource update (422)', async () => {
    const r = await call(
      stack.napis[0]?.url ?? '',
      'PUT',
      `${GV}/namespaces/${ns}/networkattachments/a1`,
      attachment('a1', 'comp1'),
    );
    assert.equal(r.status, 422);
  });

  it('rejects a change of an immutable field with 422 naming the field', async () => {
    const cur = (await api.getNamespacedCustomObject({ ...base, name: 'a1' })) as Obj;
    const r = await call(stack.napis[0]?.url ?? '', 'PUT', `${GV}/namespaces/${ns}/networkattachments/a1`, {
      ...cur,
      spec: { node: 'comp9', subnet: 's1' },
    });
    assert.equal(r.status, 422);
    assert.equal(r.json.reason, 'Invalid');
    const causes = (r.json.details as { causes: { field: string }[] }).causes;
    assert.deepEqual(
      causes.map((c) => c.field),
      ['spec.node'],
    );
  });

  it('writes status only through /status and stamps only the sections that changed', async () => {
    const before = (await api.getNamespacedCustomObject({ ...base, name: 'a1' })) as Obj;
    const viaMain = await call(
      stack.napis[0]?.url ?? '',
      'PATCH',
      `${GV}/namespaces/${ns}/networkattachments/a1`,
      { status: { ipv4: '10.9.9.9' } },
      'application/merge-patch+json',
    );
    assert.equal(viaMain.status, 200);
    assert.equal(
      (viaMain.json.status as Record<string, unknown> | undefined)?.ipv4,
      undefined,
      'main resource cannot change status',
    );
    const addressed = (await api.patchNamespacedCustomObjectStatus(
      { ...base, name: 'a1', body: { status: { ipv4: '10.0.0.2', addressVNI: 7, lockUID: 'u1' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as Obj;
    assert.deepEqual(
      addressed.extendedMetadata?.writes.map((w) => w.section),
      ['status.address', 'spec'],
    );
    await new Promise((r) => setTimeout(r, 3));
    const ready = (await api.patchNamespacedCustomObjectStatus(
      {
        ...base,
        name: 'a1',
        body: { status: { ifcName: 'kos02000000', macAddress: '02:00:00:00:00:07', hostIP: '127.10.0.2' } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as Obj;
    const writes = ready.extendedMetadata?.writes ?? [];
    assert.deepEqual(
      writes.map((w) => w.section),
      ['status.impl', 'status.address', 'spec'],
    );
    const impl = Date.parse(writes[0]?.serverTime ?? '');
    const address = Date.parse(writes[1]?.serverTime ?? '');
    assert.ok(impl >= address, 'impl stamped after address');
    assert.equal(ready.status?.ipv4, '10.0.0.2', 'earlier status kept');
    assert.ok(Number(ready.metadata.resourceVersion) > Number(before.metadata.resourceVersion));
    const spoof = await call(
      stack.napis[0]?.url ?? '',
      'PATCH',
      `${GV}/namespaces/${ns}/networkattachments/a1/status`,
      { extendedMetadata: { writes: [] } },
      'application/merge-patch+json',
    );
    assert.deepEqual(
      (spoof.json.extendedMetadata as { writes: unknown[] }).writes.length,
      3,
      'clients cannot set write stamps',
    );
  });

  it('applies JSON patches and answers 409 when a test operation fails', async () => {
    const url = stack.napis[0]?.url ?? '';
    const ok = await call(
      url,
      'PATCH',
      `${GV}/namespaces/${ns}/networkattachments/a1`,
      [{ op: 'add', path: '/metadata/labels/x', value: 'y' }],
      'application/json-patch+json',
    );
    assert.equal(ok.status, 200);
    assert.deepEqual((ok.json.metadata as { labels: unknown }).labels, { x: 'y' });
    const failed = await call(
      url,
      'PATCH',
      `${GV}/namespaces/${ns}/networkattachments/a1`,
      [{ op: 'test', path: '/metadata/labels/x', value: 'z' }],
      'application/json-patch+json',
    );
    assert.equal(failed.status, 409);
  });

  it('deletes with uid and resourceVersion preconditions', async () => {
    const url = stack.napis[0]?.url ?? '';
    const cur = (await api.getNamespacedCustomObject({ ...base, name: 'a1' })) as Obj;
    const wrongUid = await call(url, 'DELETE', `${GV}/namespaces/${ns}/networkattachments/a1`, {
      preconditions: { uid: 'nope' },
    });
    assert.equal(wrongUid.status, 409);
    const wrongRv = await call(url, 'DELETE', `${GV}/namespaces/${ns}/networkattachments/a1`, {
      preconditions: { resourceVersion: '1' },
    });
    assert.equal(wrongRv.status, 409);
    const ok = await call(url, 'DELETE', `${GV}/namespaces/${ns}/networkattachments/a1`, {
      preconditions: { uid: cur.metadata.uid, resourceVersion: cur.metadata.resourceVersion },
    });
    assert.equal(ok.status, 200);
    assert.equal(ok.json.status, 'Success');
    const gone = await call(url, 'GET', `${GV}/namespaces/${ns}/networkattachments/a1`);
    assert.equal(gone.status, 404);
    assert.equal(gone.json.reason, 'NotFound');
  });

  it('validates subnets: RFC 1918 CIDR and VNI range', async () => {
    const url = stack.napis[0]?.url ?? '';
    const sn = (ipv4: string, vni: number) => ({
      apiVersion: 'network.example.com/v1alpha1',
      kind: 'Subnet',
      metadata: { generateName: 's-' },
      spec: { ipv4, vni },
    });
    assert.equal(
      (await call(url, 'POST', `${GV}/namespaces/${ns}/subnets`, sn('10.1.0.0/16', 5))).status,
      201,
    );
    const publicNet = await call(url, 'POST', `${GV}/namespaces/${ns}/subnets`, sn('11.0.0.0/8', 5));
    assert.equal(publicNet.status, 422);
    assert.match(String(publicNet.json.message), /spec\.ipv4/);
    const badVni = await call(url, 'POST', `${GV}/namespaces/${ns}/subnets`, sn('10.2.0.0/16', 2097152));
    assert.equal(badVni.status, 422);
    assert.match(String(badVni.json.message), /spec\.vni/);
  });

  it('never loses an update under concurrent writers (retry on 409)', async () => {
    const url = stack.napis[0]?.url ?? '';
    await call(
      url,
      'POST',
      `${GV}/namespaces/${ns}/networkattachments`,
      attachment('counter', 'comp1', { n: '0' }),
    );
    const writers = 12;
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        const napi = stack.napis[w % 2]?.url ?? '';
        for (;;) {
          const cur = await call(napi, 'GET', `${GV}/namespaces/${ns}/networkattachments/counter`);
          const meta = cur.json.metadata as { labels: { n: string } };
          meta.labels.n = String(Number(meta.labels.n) + 1);
          const put = await call(napi, 'PUT', `${GV}/namespaces/${ns}/networkattachments/counter`, cur.json);
          if (put.status === 200) return;
          assert.equal(put.status, 409);
        }
      }),
    );
    const final = await call(url, 'GET', `${GV}/namespaces/${ns}/networkattachments/counter`);
    assert.equal((final.json.metadata as { labels: { n: string } }).labels.n, String(writers));
  });
});
