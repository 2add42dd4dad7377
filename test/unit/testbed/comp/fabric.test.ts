import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HollowFabric, type FabricOp } from '../../../../src/testbed/comp/fabric.js';
import { KosTestError } from '../../../../src/util/errors.js';

const local = { name: 'kos060000010001', vni: 1, guestIP: '10.0.0.1', guestMAC: '06:00:00:01:00:01' };
const remote = { vni: 1, guestIP: '10.0.0.2', guestMAC: '06:00:00:02:00:01', hostIP: '127.10.0.3' };

describe('HollowFabric', () => {
  it('waits a drawn delay on every call and records it', async () => {
    const slept: number[] = [];
    const seen: [FabricOp, number][] = [];
    const fabric = new HollowFabric({
      delay: 'uniform:1ms-5ms',
      seed: 1,
      sleep: (ms) => {
        slept.push(ms);
        return Promise.resolve();
      },
      onCall: (op, _ifc, ms) => seen.push([op, ms]),
    });
    await fabric.createLocalIfc(local);
    await fabric.createRemoteIfc(remote);
    await fabric.deleteRemoteIfc(remote);
    await fabric.deleteLocalIfc(local);
    assert.deepEqual(
      seen.map(([op]) => op),
      ['CreateLocalIfc', 'CreateRemoteIfc', 'DeleteRemoteIfc', 'DeleteLocalIfc'],
    );
    assert.deepEqual(
      slept,
      seen.map(([, ms]) => ms),
    );
    for (const ms of slept) assert.ok(ms >= 1 && ms <= 5, `${ms}`);
    assert.deepEqual(fabric.calls, {
      CreateLocalIfc: 1,
      DeleteLocalIfc: 1,
      CreateRemoteIfc: 1,
      DeleteRemoteIfc: 1,
    });
  });

  it('draws the same delays for the same seed', () => {
    const draws = (seed: number): number[] => {
      const out: number[] = [];
      const fabric = new HollowFabric({
        delay: 'exp:3ms',
        seed,
        sleep: () => Promise.resolve(),
        onCall: (_op, _ifc, ms) => out.push(ms),
      });
      for (let i = 0; i < 5; i++) void fabric.createLocalIfc(local);
      return out;
    };
    assert.deepEqual(draws(9), draws(9));
    assert.notDeepEqual(draws(9), draws(10));
  });

  it('delays on a real timer, no busy wait', async () => {
    const fabric = new HollowFabric({ delay: '250ms' });
    // A busy wait would block the event loop: no tick could run until the delay is over.
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    const t0 = performance.now();
    await fabric.createLocalIfc(local);
    const wall = performance.now() - t0;
    clearInterval(ticker);
    assert.ok(wall >= 249.5, `waited ${wall} ms`);
    assert.ok(ticks >= 5, `only ${ticks} event-loop ticks ran during a 250 ms delay`);
    fabric.stop();
  });

  it('fails at construction on a bad delay, naming it', () => {
    assert.throws(() => new HollowFabric({ delay: 'exp:fast' }), KosTestError);
    assert.throws(() => new HollowFabric({ delay: 'exp:fast' }), /"exp:fast"/);
  });
});
