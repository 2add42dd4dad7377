import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
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

describe('the testbed restarts what dies, as a kubelet would', () => {
  let dir: string;
  let testbed: Testbed;
  const processOf = (name: string): TestbedProcessStatus | undefined =>
    testbed.status().processes.find((p) => p.name === name);

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

  for (const name of ['napi1', 'nctrl0', 'comp-group0', 'netcd1', 'kapi0']) {
    it(`kill -9 of ${name}: restarted once, where it listened, and running`, async () => {
      const before = processOf(name);
      assert.ok(before?.state === 'running', JSON.stringify(before));
      process.kill(before.pid, 'SIGKILL');
      const after = await eventually(`${name} running again`, () => {
        const p = processOf(name);
        return p?.running === true && p.pid !== before.pid ? p : undefined;
      });
      assert.equal(after.restarts, 1);
      assert.equal(after.state, 'running');
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
      process.kill(p.pid, 'SIGKILL');
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
