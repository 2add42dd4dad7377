/**
 * The lean etcd KV client's failover on a real 3-member etcd (ADR 0036): a steady stream of
 * guarded creates goes on while a member is SIGKILLed, the one the client uses or the leader.
 * Every create must succeed exactly once, at the revision etcd stored it at.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { stopAllChildren } from '../../../../src/process/child-registry.js';
import { startEtcdCluster, type EtcdCluster } from '../../../../src/testbed/etcd/etcd-cluster.js';
import { EtcdKv } from '../../../../src/testbed/etcd/etcd-kv.js';
import { prefixEnd } from '../../../../src/testbed/napi/etcd-store.js';

const WRITERS = 8;
const BEFORE_KILL = 150;
const AFTER_KILL = 300;

interface Created {
  key: string;
  value: string;
  revision: number;
}

interface DriveResult {
  created: Created[];
  failures: string[];
  attempted: number;
}

/**
 * Creates keys under `prefix` with WRITERS in flight; `kill` runs once BEFORE_KILL have
 * succeeded, and the drive stops AFTER_KILL creates after the kill has returned.
 */
async function driveCreates(kv: EtcdKv, prefix: string, kill: () => Promise<void>): Promise<DriveResult> {
  const out: DriveResult = { created: [], failures: [], attempted: 0 };
  let killed: Promise<void> | undefined;
  let stopAt = Number.POSITIVE_INFINITY;
  let next = 0;
  const writer = async (): Promise<void> => {
    while (out.attempted < stopAt) {
      const n = next++;
      out.attempted++;
      const key = `${prefix}${String(n).padStart(5, '0')}`;
      const value = JSON.stringify({ name: key, uid: `${process.pid}-${n}-${Math.random()}` });
      try {
        const res = await kv.txn({
          key: Buffer.from(key),
          target: 'create',
          revision: 0,
          then: { put: Buffer.from(value) },
          elseGet: false,
        });
        if (res.succeeded) out.created.push({ key, value, revision: res.revision });
        else out.failures.push(`${key}: reported as already existing`);
      } catch (e: unknown) {
        out.failures.push(`${key}: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (killed === undefined && out.created.length >= BEFORE_KILL) {
        killed = kill().then(() => {
          stopAt = out.attempted + AFTER_KILL;
        });
      }
    }
  };
  await Promise.all(Array.from({ length: WRITERS }, writer));
  await killed;
  return out;
}

/** What etcd holds under `prefix`, read through members that are up. */
async function stored(
  endpoints: string[],
  prefix: string,
): Promise<Map<string, { value: string; rev: number }>> {
  const reader = new EtcdKv({ endpoints });
  try {
    const res = await reader.range({ key: Buffer.from(prefix), rangeEnd: prefixEnd(prefix) });
    return new Map(
      res.kvs.map((kv) => [kv.key.toString(), { value: kv.value.toString(), rev: kv.modRevision }]),
    );
  } finally {
    reader.close();
  }
}

function assertEachCreatedOnce(r: DriveResult, inEtcd: Map<string, { value: string; rev: number }>): void {
  assert.deepEqual(r.failures, [], 'creates that failed');
  assert.equal(r.attempted, r.created.length + r.failures.length, 'outcomes add up');
  assert.ok(r.created.length >= BEFORE_KILL + AFTER_KILL - WRITERS, `only ${r.created.length} creates`);
  assert.equal(inEtcd.size, r.created.length, 'keys in etcd = creates reported');
  for (const c of r.created) {
    assert.deepEqual(inEtcd.get(c.key), { value: c.value, rev: c.revision }, `${c.key} as reported`);
  }
}

async function leaderIndex(cluster: EtcdCluster): Promise<number> {
  for (let i = 0; i < cluster.members.length; i++) {
    const text = await (await fetch(cluster.members[i]?.metricsUrl ?? '')).text();
    if (/^etcd_server_is_leader 1$/m.test(text)) return i;
  }
  throw new Error('no etcd member says it is the leader');
}

describe('EtcdKv fails over between the members of a real 3-member etcd', () => {
  let dir = '';
  let cluster: EtcdCluster;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kos-test-etcd-failover-'));
    cluster = await startEtcdCluster({
      name: 'f',
      members: 3,
      hosts: ['127.0.5.1', '127.0.5.2', '127.0.5.3'],
      dataDir: dir,
    });
  });

  after(async () => {
    await cluster.stop();
    await stopAllChildren({ graceMs: 1000 });
    await rm(dir, { recursive: true, force: true });
  });

  it('loses no create when the member it uses is SIGKILLed, and moves to a live one', async (t) => {
    const kv = new EtcdKv({ endpoints: cluster.clientUrls });
    let victim = -1;
    try {
      const r = await driveCreates(kv, '/f/own/', async () => {
        victim = cluster.clientUrls.indexOf(kv.endpointUrl);
        await cluster.stopMember(victim, 'SIGKILL');
      });
      const survivors = cluster.clientUrls.filter((_, i) => i !== victim);
      t.diagnostic(`${r.created.length} created of ${r.attempted}; now on ${kv.endpointUrl}`);
      assertEachCreatedOnce(r, await stored(survivors, '/f/own/'));
      assert.ok(survivors.includes(kv.endpointUrl), 'the client moved to a live member');
    } finally {
      kv.close();
    }
    await cluster.restartMember(victim);
  });

  it('loses no create when the leader is SIGKILLed while it uses a follower', async (t) => {
    const leader = await leaderIndex(cluster);
    let kv = new EtcdKv({ endpoints: cluster.clientUrls });
    // The start is random, as for the apiservers; take a client that starts on a follower.
    while (kv.endpointUrl === cluster.clientUrls[leader]) {
      kv.close();
      kv = new EtcdKv({ endpoints: cluster.clientUrls });
    }
    try {
      const r = await driveCreates(kv, '/f/leader/', () => cluster.stopMember(leader, 'SIGKILL'));
      t.diagnostic(`${r.created.length} created of ${r.attempted}; leader was ${cluster.clientUrls[leader]}`);
      assertEachCreatedOnce(
        r,
        await stored(
          cluster.clientUrls.filter((_, i) => i !== leader),
          '/f/leader/',
        ),
      );
    } finally {
      kv.close();
    }
    await cluster.restartMember(leader);
  });
});
