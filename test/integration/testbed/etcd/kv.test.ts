/**
 * The lean etcd KV client against a real etcd, cross-checked with the etcd3 client (an
 * independent gRPC implementation): what one writes the other reads at the same revisions.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Etcd3 } from 'etcd3';
import { findFreePort } from '../../../../src/net/free-port.js';
import { stopAllChildren } from '../../../../src/process/child-registry.js';
import { startEtcdCluster, type EtcdCluster } from '../../../../src/testbed/etcd/etcd-cluster.js';
import { EtcdKv } from '../../../../src/testbed/etcd/etcd-kv.js';
import { CompactedError, EtcdStore, prefixEnd } from '../../../../src/testbed/napi/etcd-store.js';

const key = (s: string): Buffer => Buffer.from(s);

describe('EtcdKv (unary gRPC on node:http2) on real etcd', () => {
  let dir = '';
  let cluster: EtcdCluster;
  let kv: EtcdKv;
  let etcd3: Etcd3;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kos-test-etcd-kv-'));
    cluster = await startEtcdCluster({ name: 'kv', members: 1, hosts: ['127.0.0.1'], dataDir: dir });
    kv = new EtcdKv({ endpoints: cluster.clientUrls });
    etcd3 = new Etcd3({ hosts: cluster.clientUrls });
  });

  after(async () => {
    kv.close();
    etcd3.close();
    await cluster.stop();
    await stopAllChildren({ graceMs: 1000 });
    await rm(dir, { recursive: true, force: true });
  });

  it('creates a key only when it does not exist, at the revision etcd3 then reads', async () => {
    const first = await kv.txn({
      key: key('/t/a'),
      target: 'create',
      revision: 0,
      then: { put: key('one') },
      elseGet: false,
    });
    assert.equal(first.succeeded, true);
    const again = await kv.txn({
      key: key('/t/a'),
      target: 'create',
      revision: 0,
      then: { put: key('two') },
      elseGet: true,
    });
    assert.equal(again.succeeded, false);
    assert.equal(again.current?.value.toString(), 'one', 'the failure branch reads what is there');
    const seen = (await etcd3.get('/t/a').exec()).kvs.at(0);
    assert.ok(seen !== undefined);
    assert.equal(seen.value.toString(), 'one');
    assert.equal(Number(seen.mod_revision), first.revision);
    assert.equal(again.current.modRevision, first.revision);
  });

  it('updates and deletes only at the guarded mod revision', async () => {
    await etcd3.put('/t/b').value('v1');
    const rev = Number((await etcd3.get('/t/b').exec()).kvs[0]?.mod_revision);
    const stale = await kv.txn({
      key: key('/t/b'),
      target: 'mod',
      revision: rev - 1,
      then: { put: key('x') },
      elseGet: true,
    });
    assert.equal(stale.succeeded, false);
    assert.equal(stale.current?.value.toString(), 'v1');
    const ok = await kv.txn({
      key: key('/t/b'),
      target: 'mod',
      revision: rev,
      then: { put: key('v2') },
      elseGet: true,
    });
    assert.equal(ok.succeeded, true);
    assert.ok(ok.revision > rev);
    assert.equal(await etcd3.get('/t/b').string(), 'v2');
    const staleDelete = await kv.txn({
      key: key('/t/b'),
      target: 'mod',
      revision: rev,
      then: { delete: true },
      elseGet: true,
    });
    assert.equal(staleDelete.succeeded, false);
    assert.equal(await etcd3.get('/t/b').string(), 'v2');
    const deleted = await kv.txn({
      key: key('/t/b'),
      target: 'mod',
      revision: ok.revision,
      then: { delete: true },
      elseGet: true,
    });
    assert.equal(deleted.succeeded, true);
    assert.equal(await etcd3.get('/t/b').string(), null);
    const missing = await kv.txn({
      key: key('/t/b'),
      target: 'mod',
      revision: ok.revision,
      then: { put: key('v3') },
      elseGet: true,
    });
    assert.deepEqual([missing.succeeded, missing.current], [false, undefined]);
  });

  it('pages a prefix with limit, more and count, and reads an older revision', async () => {
    for (let i = 0; i < 25; i++) await etcd3.put(`/t/page/${String(i).padStart(2, '0')}`).value(`v${i}`);
    const before = (await kv.range({ key: key('/t/page/00') })).kvs[0]?.modRevision ?? 0;
    await etcd3.put('/t/page/00').value('changed');
    const page = await kv.range({ key: key('/t/page/'), rangeEnd: prefixEnd('/t/page/'), limit: 10 });
    assert.equal(page.kvs.length, 10);
    assert.equal(page.more, true);
    assert.equal(page.count, 25);
    assert.equal(page.kvs[0]?.value.toString(), 'changed');
    assert.deepEqual(
      page.kvs.map((k) => k.key.toString()),
      Array.from({ length: 10 }, (_, i) => `/t/page/${String(i).padStart(2, '0')}`),
    );
    const all = await etcd3.getAll().prefix('/t/page/').exec();
    assert.equal(page.revision, Number(all.header.revision));
    const old = await kv.range({ key: key('/t/page/00'), revision: before });
    assert.equal(old.kvs[0]?.value.toString(), 'v0');
  });

  it('carries values far larger than one HTTP/2 frame both ways', async () => {
    const big = Buffer.alloc(200_000, 'x');
    big.write('start');
    const res = await kv.txn({
      key: key('/t/big'),
      target: 'create',
      revision: 0,
      then: { put: big },
      elseGet: false,
    });
    assert.equal(res.succeeded, true);
    const got = await kv.range({ key: key('/t/big') });
    assert.equal(got.kvs[0]?.value.equals(big), true);
  });

  it('answers a compacted revision with the error EtcdStore turns into CompactedError (410)', async () => {
    const store = new EtcdStore(new EtcdKv({ endpoints: cluster.clientUrls }), '/t/');
    try {
      const old = await store.currentRevision();
      await etcd3.put('/t/compact').value('1');
      const now = await store.currentRevision();
      await store.compact(now);
      await assert.rejects(
        store.range({ prefix: '/t/', revision: old }),
        (e: unknown) => e instanceof CompactedError,
      );
      await assert.rejects(store.compact(now), /compacted/);
    } finally {
      store.close();
    }
  });

  it('moves on to the next endpoint when one refuses connections, and a range still succeeds', async () => {
    const deadUrl = `http://127.0.0.1:${await findFreePort('127.0.0.1')}`;
    const client = new EtcdKv({ endpoints: [deadUrl, ...cluster.clientUrls] });
    try {
      for (let i = 0; i < 4; i++) {
        const res = await client.range({ key: key('/t/a') });
        assert.equal(res.kvs[0]?.value.toString(), 'one');
      }
    } finally {
      client.close();
    }
  });

  it('runs many calls at once on one connection, each answered with its own reply', async () => {
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        kv.txn({
          key: key(`/t/many/${i}`),
          target: 'create',
          revision: 0,
          then: { put: key(`v${i}`) },
          elseGet: false,
        }),
      ),
    );
    assert.equal(new Set(results.map((r) => r.revision)).size, 300, 'every create has its own revision');
    const all = await etcd3.getAll().prefix('/t/many/').strings();
    assert.equal(Object.keys(all).length, 300);
    for (let i = 0; i < 300; i++) assert.equal(all[`/t/many/${i}`], `v${i}`);
  });

  it('refuses calls once closed', async () => {
    const client = new EtcdKv({ endpoints: cluster.clientUrls });
    await client.range({ key: key('/t/a') });
    client.close();
    await assert.rejects(client.range({ key: key('/t/a') }), /closed/);
  });
});
