import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isPortFree } from '../../../../src/net/free-port.js';
import { runningChildren, stopAllChildren } from '../../../../src/process/child-registry.js';
import { startEtcdCluster, type EtcdCluster } from '../../../../src/testbed/etcd/etcd-cluster.js';
import { findEtcdBinary } from '../../../../src/testbed/etcd/find-etcd.js';
import { KosTestError } from '../../../../src/util/errors.js';

const INSTALL_FIX = 'apt-get install -y etcd-server etcd-client';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

/** A put through etcd's gRPC-gateway; throws unless etcd accepted it. */
async function put(clientUrl: string, key: string, value: string, timeoutMs = 10_000): Promise<void> {
  const res = await fetch(`${clientUrl}/v3/kv/put`, {
    method: 'POST',
    body: JSON.stringify({ key: b64(key), value: b64(value) }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = (await res.json()) as { header?: { revision?: string } };
  assert.equal(res.status, 200, JSON.stringify(body));
  assert.ok(body.header?.revision !== undefined, JSON.stringify(body));
}

async function get(clientUrl: string, key: string): Promise<string | undefined> {
  const res = await fetch(`${clientUrl}/v3/kv/range`, {
    method: 'POST',
    body: JSON.stringify({ key: b64(key) }),
    signal: AbortSignal.timeout(10_000),
  });
  assert.equal(res.status, 200);
  const body = (await res.json()) as { kvs?: { value?: string }[] };
  const value = body.kvs?.[0]?.value;
  return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
}

function assertGone(pid: number): void {
  assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, `pid ${pid} still exists`);
}

async function assertPortsFree(cluster: EtcdCluster): Promise<void> {
  for (const m of cluster.members) {
    const metricsPort = Number(new URL(m.metricsUrl).port);
    for (const port of [m.clientPort, m.peerPort, metricsPort]) {
      assert.equal(await isPortFree(m.host, port), true, `${m.host}:${port} still in use`);
    }
  }
}

describe('startEtcdCluster', () => {
  let dir = '';
  const clusters: EtcdCluster[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kos-test-etcd-'));
  });

  after(async () => {
    await Promise.all(clusters.map((c) => c.stop()));
    await stopAllChildren({ graceMs: 1000 });
    await rm(dir, { recursive: true, force: true });
  });

  it('starts one healthy member that accepts puts, and stop() leaves no process or port behind', async (t) => {
    const started = Date.now();
    const cluster = await startEtcdCluster({ name: 'one', members: 1, dataDir: dir });
    clusters.push(cluster);
    t.diagnostic(`1 member healthy in ${Date.now() - started} ms`);
    const [m] = cluster.members;
    assert.ok(m !== undefined);
    assert.equal(m.name, 'one0');
    assert.deepEqual(cluster.clientUrls, [m.clientUrl]);
    assert.equal(m.dataDir, join(dir, 'one0'));
    assert.equal(m.logFile, join(dir, 'one0.log'));

    const health = await fetch(`${m.clientUrl}/health`);
    assert.equal(((await health.json()) as { health: string }).health, 'true');
    await put(m.clientUrl, '/kos-test/hello', 'world');
    assert.equal(await get(m.clientUrl, '/kos-test/hello'), 'world');
    const metrics = await (await fetch(m.metricsUrl)).text();
    assert.match(metrics, /^etcd_server_has_leader 1$/m);

    const stopStarted = Date.now();
    await cluster.stop();
    t.diagnostic(`1 member stopped in ${Date.now() - stopStarted} ms`);
    await cluster.stop(); // idempotent
    assertGone(m.pid);
    await assertPortsFree(cluster);
  });

  it('forms a 3-member cluster on three loopback addresses whose members agree', async (t) => {
    const started = Date.now();
    const cluster = await startEtcdCluster({
      name: 'three',
      members: 3,
      hosts: ['127.0.1.1', '127.0.1.2', '127.0.1.3'],
      dataDir: dir,
    });
    clusters.push(cluster);
    t.diagnostic(`3 members healthy in ${Date.now() - started} ms`);
    assert.deepEqual(
      cluster.members.map((m) => [m.name, m.host]),
      [
        ['three0', '127.0.1.1'],
        ['three1', '127.0.1.2'],
        ['three2', '127.0.1.3'],
      ],
    );
    const [first, , last] = cluster.clientUrls;
    assert.ok(first !== undefined && last !== undefined);
    await put(first, '/kos-test/agree', 'yes');
    assert.equal(await get(last, '/kos-test/agree'), 'yes');

    const stopStarted = Date.now();
    await cluster.stop();
    t.diagnostic(`3 members stopped in ${Date.now() - stopStarted} ms`);
    for (const m of cluster.members) assertGone(m.pid);
    await assertPortsFree(cluster);
  });

  it('still accepts writes after one member of three is SIGKILLed', async (t) => {
    const cluster = await startEtcdCluster({
      name: 'crash',
      members: 3,
      hosts: ['127.0.1.1', '127.0.1.2', '127.0.1.3'],
      dataDir: dir,
    });
    clusters.push(cluster);
    const victim = cluster.members[0];
    const survivor = cluster.clientUrls[1];
    assert.ok(victim !== undefined && survivor !== undefined);
    await cluster.stopMember(0, 'SIGKILL');
    assertGone(victim.pid);

    // If the victim led, the others need an election first (about a second), and a put sent
    // meanwhile can hang for etcd's request timeout (~7 s); so retry with short attempts.
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        await put(survivor, '/kos-test/after-crash', 'ok', 1500);
        break;
      } catch (e: unknown) {
        t.diagnostic(`put attempt ${attempt} failed: ${String(e)}`);
        if (Date.now() - started > 15_000) throw e;
        await sleep(200);
      }
    }
    t.diagnostic(`write accepted ${Date.now() - started} ms after the SIGKILL`);
    assert.equal(await get(cluster.clientUrls[2] ?? '', '/kos-test/after-crash'), 'ok');
    await cluster.stop();
    for (const m of cluster.members) assertGone(m.pid);
  });

  it('stopAllChildren (what ^C runs) stops a 3-member cluster well within the SIGKILL grace', async (t) => {
    const cluster = await startEtcdCluster({
      name: 'interrupt',
      members: 3,
      hosts: ['127.0.1.1', '127.0.1.2', '127.0.1.3'],
      dataDir: dir,
    });
    clusters.push(cluster);
    const started = Date.now();
    await stopAllChildren();
    const elapsed = Date.now() - started;
    t.diagnostic(`3 members stopped by stopAllChildren in ${elapsed} ms`);
    // Stopped all at once, the leader would wait ~7 s to hand over leadership and be SIGKILLed at 5 s.
    assert.ok(elapsed < 3000, `took ${elapsed} ms`);
    for (const m of cluster.members) assertGone(m.pid);
    assert.deepEqual(runningChildren(), []);
  });

  it('says how to install etcd when the binary is missing', async () => {
    await assert.rejects(
      startEtcdCluster({ name: 'nobin', members: 1, dataDir: dir, binary: '/nonexistent/etcd' }),
      (e: unknown) =>
        e instanceof KosTestError &&
        e.message.includes(INSTALL_FIX) &&
        e.message.includes('/nonexistent/etcd'),
    );
    assert.throws(
      () => findEtcdBinary({ PATH: '/nonexistent' }),
      (e: unknown) => e instanceof KosTestError && e.message.includes(INSTALL_FIX),
    );
    assert.throws(
      () => findEtcdBinary({ PATH: '/usr/bin', KOS_TEST_ETCD: '/nonexistent/etcd' }),
      (e: unknown) =>
        e instanceof KosTestError && e.message.includes('KOS_TEST_ETCD') && e.message.includes(INSTALL_FIX),
    );
  });

  it('finds etcd through KOS_TEST_ETCD, then PATH', () => {
    const onPath = findEtcdBinary({ PATH: '/nonexistent:/usr/bin' });
    assert.equal(onPath, '/usr/bin/etcd');
    assert.equal(findEtcdBinary({ PATH: '/nonexistent', KOS_TEST_ETCD: onPath }), onPath);
  });

  it('reports a data dir it cannot create', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, 'not a directory');
    await assert.rejects(
      startEtcdCluster({ name: 'nodir', members: 1, dataDir: join(file, 'etcd') }),
      (e: unknown) =>
        e instanceof KosTestError &&
        e.message.includes('cannot create the etcd data directory') &&
        e.message.includes(join(file, 'etcd')),
    );
  });

  it('quotes the log of a member that exits during startup, and leaves nothing running', async () => {
    await assert.rejects(
      startEtcdCluster({ name: 'bad', members: 1, dataDir: dir, progressNotifyInterval: 'bogus' }),
      (e: unknown) =>
        e instanceof KosTestError &&
        /etcd member bad0 exited before the cluster became healthy/.test(e.message) &&
        e.message.includes('bogus') &&
        e.message.includes(join(dir, 'bad0.log')),
    );
    assert.deepEqual(runningChildren(), []);
  });

  it('rejects non-loopback hosts and a wrong number of hosts', async () => {
    await assert.rejects(
      startEtcdCluster({ name: 'wide', members: 1, hosts: ['10.0.0.1'], dataDir: dir }),
      (e: unknown) => e instanceof KosTestError && /not loopback: 10\.0\.0\.1/.test(e.message),
    );
    await assert.rejects(
      startEtcdCluster({ name: 'few', members: 3, hosts: ['127.0.0.1'], dataDir: dir }),
      (e: unknown) => e instanceof KosTestError && /1 hosts for 3 members/.test(e.message),
    );
  });

  it('stops what it started when aborted while waiting for health', async () => {
    const controller = new AbortController();
    const starting = startEtcdCluster({
      name: 'aborted',
      members: 3,
      dataDir: dir,
      signal: controller.signal,
    });
    // Abort once the members are running but before a 3-member cluster can elect a leader.
    setTimeout(() => {
      controller.abort(new Error('test abort'));
    }, 150);
    await assert.rejects(starting, /test abort/);
    assert.deepEqual(runningChildren(), []);
  });
});
