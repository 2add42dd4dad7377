import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { CheckResult } from '../../../src/selftest/check-result.js';
import { runChecks } from '../../../src/selftest/selftest-check.js';
import {
  runTestbedSelftest,
  SELFTEST_TESTBED_CONFIG,
  testbedChecks,
  type TestbedCheckOptions,
} from '../../../src/selftest/testbed-selftest.js';
import { Testbed } from '../../../src/testbed/supervisor/testbed.js';

const byName = (checks: readonly CheckResult[]): Record<string, boolean> =>
  Object.fromEntries(checks.map((c) => [c.check, c.pass]));

describe('kos-test selftest on a testbed: known answers, and a failure for each quantity broken on purpose', () => {
  let dir = '';
  let testbed: Testbed;
  const run = async (
    t: TestContext,
    opts: Omit<TestbedCheckOptions, 'outDir'>,
  ): Promise<Record<string, boolean>> => {
    const report = await runChecks(testbedChecks(testbed, { ...opts, outDir: join(dir, 'out') }), {
      target: 'testbed',
    });
    for (const c of report.checks)
      t.diagnostic(`${c.check}: expected ${c.expected}, measured ${c.measured} ${c.note ?? ''}`);
    return byName(report.checks);
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kos-test-selftest-'));
    testbed = await Testbed.up({ dir: join(dir, 'testbed'), config: SELFTEST_TESTBED_CONFIG });
  });

  after(async () => {
    await testbed.down();
    await rm(dir, { recursive: true, force: true });
  });

  // First, on a quiet testbed: no drive's namespace is being deleted meanwhile.
  it('charges a CPU burn and a byte transfer to the right node', async (t) => {
    assert.deepEqual(await run(t, { only: ['cost-attribution'] }), {
      'CPU burn charged to nctrl0': true,
      'bytes in charged to kapi0': true,
    });
  });

  it('recovers the napi clock skew, and fails with a driver clock 40 ms wrong', async (t) => {
    assert.deepEqual(await run(t, { only: ['clock-skew'] }), {
      'clock offset recovers the apiserver skew': true,
      'server-stamped fulfilment corrected for the skew': true,
    });
    const wrong = await run(t, {
      only: ['clock-skew'],
      driverClock: { now: () => performance.now(), wallMs: () => Date.now() + 40 },
    });
    assert.equal(wrong['clock offset recovers the apiserver skew'], false);
  });

  it('counts a 3 s stall of the agent group as the right number of late samples', async (t) => {
    assert.deepEqual(Object.values(await run(t, { only: ['stalled-agent'] })), [true]);
  });

  it('reads the achieved rate within 1% for steady and Poisson, and fails a driver pacing 3% fast', async (t) => {
    assert.deepEqual(await run(t, { only: ['achieved-rate'] }), {
      'achieved rate, steady (server stamps)': true,
      'achieved rate, poisson (server stamps)': true,
    });
    assert.deepEqual(await run(t, { only: ['achieved-rate'], driverRateFactor: 1.03 }), {
      'achieved rate, steady (server stamps)': false,
      'achieved rate, poisson (server stamps)': false,
    });
  });
});

describe('kos-test selftest with a cost exporter that mislabels a node', () => {
  it('fails the CPU burn line when the exporter labels nctrl0 as kctrl0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kos-test-selftest-mislabel-'));
    try {
      const report = await runTestbedSelftest({
        dir,
        only: ['cost-attribution'],
        exporterNodeLabel: (node) => (node === 'nctrl0' ? 'kctrl0' : node),
      });
      assert.equal(report.pass, false);
      assert.equal(byName(report.checks)['CPU burn charged to nctrl0'], false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
