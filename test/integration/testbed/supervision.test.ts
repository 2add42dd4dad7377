import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { FaultInjector, type FaultTarget } from '../../../src/testbed/supervisor/fault-actions.js';
import { Testbed, type TestbedProcessStatus } from '../../../src/testbed/supervisor/testbed.js';

/** Polls until `ok` holds, or fails naming `what` after `ms`. */
async function eventually<T>(what: string, probe: () => T | undefined, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) assert.fail(`not within ${ms} ms: ${what}`);
    await sleep(100);
  }
}

/**
 * Processes die here as a fault run kills them, by the fault injector (one way to kill in tests,
 * by the PID the testbed started); what is tested is the supervision that follows.
 */
describe('the testbed restarts what dies, as a kubelet would', () => {
  let dir: string;
  let testbed: Testbed;
  const processOf = (name: string): TestbedProcessStatus | undefined =>
    testbed.status().processes.find((p) => p.name === name);
  const injector = new FaultInjector(() => testbed.status().processes);
  const kill = (target: FaultTarget, index: number): { process: string; pid: number } =>
    injector.inject({ action: 'kill', target, index });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kos-test-supervision-'));
    testbed = await Testbed.up({
      dir: join(dir, 'tb'),
      config: { nca: 4, agentsPerGroup: 2, nna: 2, netcd: 3, dataPlane: false, prometheus: false },
    });
  });
  after(async () => {
    await testbed.down();
    await rm(dir, { recursive: true, force: true });
  });

  const victims: [FaultTarget, number, string][] = [
    ['napi', 1, 'napi1'],
    ['nctrl', 0, 'nctrl0'],
    ['agent-group', 0, 'comp-group0'],
    ['netcd', 1, 'netcd1'],
    ['kube-front', 0, 'kapi0'],
  ];
  for (const [target, index, name] of victims) {
    it(`kill -9 of ${name}: restarted once, where it listened, and running; the crash recorded`, async () => {
      const before = processOf(name);
      assert.ok(before?.state === 'running', JSON.stringify(before));
      const hit = kill(target, index);
      assert.deepEqual([hit.process, hit.pid], [name, before.pid]);
      const after = await eventually(`${name} running again`, () => {
        const p = processOf(name);
        return p?.running === true && p.pid !== before.pid ? p : undefined;
      });
      assert.equal(after.restarts, 1);
      assert.equal(after.state, 'running');
      assert.deepEqual(
        testbed
          .crashes()
          .filter((c) => c.process === name)
          .map((c) => [c.pid, c.exit]),
        [[before.pid, 'SIGKILL']],
      );
      // Its clients keep their URL: the restarted process serves on the same address and port.
      for (const k of ['api', 'client'])
        assert.equal(after.endpoints[k], before.endpoints[k], `${name} ${k}`);
    });
  }

  it('shows a process that keeps dying in CrashLoopBackOff between restarts', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2; i++) {
      const p = await eventually('napi0 running', () => {
        const s = processOf('napi0');
        return s?.running === true ? s : undefined;
      });
      assert.equal(kill('napi', 0).pid, p.pid);
      await eventually('napi0 seen down', () => {
        const s = processOf('napi0');
        if (s !== undefined && !s.running) seen.add(s.state);
        return s !== undefined && s.pid !== p.pid ? true : undefined;
      });
    }
    assert.ok(seen.has('CrashLoopBackOff'), [...seen].join());
    assert.equal(processOf('napi0')?.restarts, 2);
  });
});
