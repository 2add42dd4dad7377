import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { pidAlive } from '../../../../src/process/pid-alive.js';

const ETCD = resolve('dist/src/testbed/etcd/etcd-cluster.js');
const PROMETHEUS = resolve('dist/src/testbed/prometheus/testbed-prometheus.js');
const TARGETS = resolve('dist/src/testbed/prometheus/testbed-targets.js');

// A stand-in for the runner: starts a real etcd and the testbed's Prometheus as the testbed does,
// prints their PIDs, and waits to be SIGKILLed (it then stops no one itself).
const RUNNER = `
import { startEtcdCluster } from ${JSON.stringify(ETCD)};
import { startTestbedPrometheus } from ${JSON.stringify(PROMETHEUS)};
import { testbedTargets } from ${JSON.stringify(TARGETS)};
const dir = process.argv[2];
const etcd = await startEtcdCluster({ name: 'orphan-etcd', members: 1, hosts: ['127.0.0.1'], dataDir: dir + '/etcd' });
const prometheus = await startTestbedPrometheus({
  dir: dir + '/prometheus',
  host: '127.0.0.1',
  targets: testbedTargets({ processes: [], exporterMetrics: undefined, driverMetrics: [] }),
});
console.log(JSON.stringify([...etcd.members.map((m) => m.pid), prometheus.pid]));
setInterval(() => undefined, 1000);
`;

describe('etcd and Prometheus die with the runner that started them', () => {
  let dir = '';
  let pids: number[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kos-die-with-runner-'));
    await writeFile(join(dir, 'runner.mjs'), RUNNER);
  });
  after(async () => {
    // Only if the test failed: ours, by PID.
    for (const pid of pids) if (pidAlive(pid)) process.kill(pid, 'SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('leaves no etcd or Prometheus running within 5 s of a SIGKILL of the runner', async () => {
    const runner = spawn(process.execPath, [join(dir, 'runner.mjs'), dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    runner.stdout.setEncoding('utf8');
    for await (const chunk of runner.stdout as AsyncIterable<string>) {
      out += chunk;
      if (out.includes('\n')) break;
    }
    pids = JSON.parse(out) as number[];
    assert.equal(pids.length, 2, `etcd and Prometheus PIDs: ${out}`);
    for (const pid of pids) assert.ok(pidAlive(pid), `PID ${pid} runs before the kill`);
    const exited = new Promise((done) => runner.once('exit', done));
    runner.kill('SIGKILL');
    await exited;
    const deadline = Date.now() + 5000;
    let left = pids;
    while (left.length > 0 && Date.now() < deadline) {
      await sleep(100);
      left = pids.filter(pidAlive);
    }
    assert.deepEqual(left, [], 'etcd or Prometheus outlived the runner by 5 s');
  });
});
