import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startCpuSampler } from '../../../../../src/experiment/plan/capacity/cpu-sampler.js';

/** Keeps this process on a CPU for `ms`. */
function burn(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy
  }
}

describe('the CPU sampler of a measured sweep', () => {
  it('sums a name with several PIDs and leaves out a name with none', async () => {
    const sampler = startCpuSampler(
      () => ({ self: process.pid, twice: [process.pid, process.pid], none: [] }),
      60_000,
    );
    try {
      const fromMs = Date.now();
      await sampler.sample();
      burn(300);
      await sampler.sample();
      const toMs = Date.now();
      const self = sampler.cores('self', fromMs, toMs);
      const twice = sampler.cores('twice', fromMs, toMs);
      assert.ok(self !== undefined && self > 0.3, `self ${String(self)} cores`);
      assert.ok(twice !== undefined && Math.abs(twice - 2 * self) < 0.05 * self, `twice ${String(twice)}`);
      assert.equal(sampler.cores('none', fromMs, toMs), undefined);
    } finally {
      sampler.stop();
    }
  });
});
