/**
 * The watch caches' etcd watch stream (node:http2, no grpc-js) against real etcd: catch-up from
 * a start revision, live events with previous values, resuming on another member after the one
 * it streamed from is SIGKILLed (no event lost or repeated), and compaction refusing a watch.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { stopAllChildren } from '../../../../src/process/child-registry.js';
import { startEtcdCluster, type EtcdCluster } from '../../../../src/testbed/etcd/etcd-cluster.js';
import { EtcdKv } from '../../../../src/testbed/etcd/etcd-kv.js';
import { EtcdWatch, type WatchResponse } from '../../../../src/testbed/etcd/etcd-watch.js';
import { prefixEnd } from '../../../../src/testbed/napi/etcd-store.js';

interface Seen {
  type: string;
  key: string;
  value: string;
  rev: number;
  prev: string | undefined;
}

function recorder(): {
  seen: Seen[];
  errors: Error[];
  onResponse: (r: WatchResponse) => void;
  onError: (e: Error) => void;
} {
  const seen: Seen[] = [];
  const errors: Error[] = [];
  return {
    seen,
    errors,
    onResponse: (r) => {
      for (const ev of r.events) {
        seen.push({
          type: ev.type,
          key: ev.kv.key.toString(),
          value: ev.kv.value.toString(),
          rev: ev.kv.modRevision,
          prev: ev.prevKv?.value.toString(),
        });
      }
    },
    onError: (e) => errors.push(e),
  };
}

async function until(what: string, ok: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** A create with retries, for the seconds a 3-member cluster may need to elect a new leader. */
async function put(kv: EtcdKv, key: string, value: string): Promise<number> {
  const started = Date.now();
  for (;;) {
    try {
      const cur = await kv.range({ key: Buffer.from(key) });
      const res = await kv.txn({
        key: Buffer.from(key),
        target: 'mod',
        revision: cur.kvs[0]?.modRevision ?? 0,
        then: { put: Buffer.from(value) },
        elseGet: false,
      });
      if (res.succeeded) return res.revision;
    } catch (e: unknown) {
      if (Date.now() - started > 20_000) throw e;
      await sleep(200);
    }
  }
}

describe('EtcdWatch (watch stream on node:http2) on real etcd', () => {
  let dir = '';
  let cluster: EtcdCluster;
  let kv: EtcdKv;
  const watches: EtcdWatch[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kos-test-etcd-watch-'));
    cluster = await startEtcdCluster({
      name: 'w',
      members: 3,
      hosts: ['127.0.3.1', '127.0.3.2', '127.0.3.3'],
      dataDir: dir,
    });
    kv = new EtcdKv({ endpoints: cluster.clientUrls });
  });

  after(async () => {
    for (const w of watches) w.cancel();
    kv.close();
    await cluster.stop();
    await stopAllChildren({ graceMs: 1000 });
    await rm(dir, { recursive: true, force: true });
  });

  it('replays history from its start revision, then streams live puts and deletes with previous values', async () => {
    const first = await put(kv, '/w/a/1', 'one');
    await put(kv, '/w/a/2', 'two');
    await put(kv, '/w/other', 'not watched');
    const r = recorder();
    const watch = await EtcdWatch.open({
      endpoints: cluster.clientUrls,
      key: Buffer.from('/w/a/'),
      rangeEnd: prefixEnd('/w/a/'),
      startRevision: first,
      prevKv: true,
      ...r,
    });
    watches.push(watch);
    await put(kv, '/w/a/1', 'uno');
    const cur = await kv.range({ key: Buffer.from('/w/a/2') });
    const del = await kv.txn({
      key: Buffer.from('/w/a/2'),
      target: 'mod',
      revision: cur.kvs[0]?.modRevision ?? 0,
      then: { delete: true },
      elseGet: false,
    });
    await until('4 events', () => r.seen.length >= 4);
    assert.deepEqual(
      r.seen.map((s) => [s.type, s.key, s.value, s.prev]),
      [
        ['put', '/w/a/1', 'one', undefined],
        ['put', '/w/a/2', 'two', undefined],
        ['put', '/w/a/1', 'uno', 'one'],
        ['delete', '/w/a/2', '', 'two'],
      ],
    );
    assert.equal(r.seen[3]?.rev, del.revision);
    assert.deepEqual(r.errors, []);
  });

  it('resumes on another member when its member is SIGKILLed, losing and repeating nothing', async () => {
    const r = recorder();
    const start = await put(kv, '/w/k/0', 'v0');
    const watch = await EtcdWatch.open({
      endpoints: cluster.clientUrls,
      key: Buffer.from('/w/k/'),
      rangeEnd: prefixEnd('/w/k/'),
      startRevision: start,
      prevKv: false,
      reconnectDelayMs: 100,
      ...r,
    });
    watches.push(watch);
    for (let i = 1; i <= 20; i++) await put(kv, `/w/k/${i}`, `v${i}`);
    await until('21 events', () => r.seen.length >= 21);
    const victim = cluster.clientUrls.indexOf(watch.endpointUrl);
    assert.ok(victim >= 0);
    await cluster.stopMember(victim, 'SIGKILL');
    const survivors = cluster.clientUrls.filter((_, i) => i !== victim);
    const writer = new EtcdKv({ endpoints: survivors });
    try {
      for (let i = 21; i <= 40; i++) await put(writer, `/w/k/${i}`, `v${i}`);
    } finally {
      writer.close();
    }
    await until('41 events', () => r.seen.length >= 41, 30_000);
    await sleep(300); // room for a duplicate to show up
    assert.deepEqual(
      r.seen.map((s) => s.key),
      Array.from({ length: 41 }, (_, i) => `/w/k/${i}`),
    );
    assert.ok(survivors.includes(watch.endpointUrl), 'the watch moved to a live member');
    assert.deepEqual(r.errors, []);
  });

  it('ends with a compaction error when its start revision has been compacted', async () => {
    const old = await put(kv, '/w/c', '1');
    const now = await put(kv, '/w/c', '2');
    await kv.compact(now);
    const r = recorder();
    const watch = await EtcdWatch.open({
      endpoints: cluster.clientUrls,
      key: Buffer.from('/w/c'),
      rangeEnd: Buffer.alloc(0),
      startRevision: old,
      prevKv: false,
      ...r,
    }).catch((e: unknown) => {
      // etcd may refuse at once instead of after creating the watch; both end the watch.
      r.errors.push(e instanceof Error ? e : new Error(String(e)));
      return undefined;
    });
    if (watch !== undefined) watches.push(watch);
    await until('the compaction error', () => r.errors.length > 0);
    assert.match(r.errors[0]?.message ?? '', /compacted/);
    assert.deepEqual(r.seen, [], 'no event from before the compaction');
  });
});
