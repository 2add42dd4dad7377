import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NetMode } from '../../../../src/testbed/relay/delay-line.js';
import { FaultInjector, type NetFaultGate } from '../../../../src/testbed/supervisor/fault-actions.js';

/** Network faults go to the relay in front of the victim; no signal is sent, so PIDs are made up. */
describe('network faults of the fault injector', () => {
  const processes = [
    { name: 'napi0', purpose: 'napi', pid: 999_999_1, running: true },
    { name: 'netcd1', purpose: 'netcd', pid: 999_999_2, running: true },
    { name: 'netcd0', purpose: 'netcd', pid: 999_999_3, running: true },
    { name: 'nctrl0', purpose: 'nctrl', pid: 999_999_4, running: true },
  ];
  const setup = (): { injector: FaultInjector; modes: Map<string, NetMode[]> } => {
    const modes = new Map<string, NetMode[]>();
    const gate = (name: string): NetFaultGate | undefined =>
      name === 'nctrl0'
        ? undefined
        : {
            setMode: (m) => {
              modes.set(name, [...(modes.get(name) ?? []), m]);
            },
          };
    return { injector: new FaultInjector(() => processes, Date.now, gate), modes };
  };

  const cases: [string, Parameters<FaultInjector['inject']>[0], string, NetMode][] = [
    [
      'delays the index-th target’s relay, then heals it',
      { action: 'delay', target: 'napi', durationMs: 5, delayMs: 200 },
      'napi0',
      { kind: 'delay', delayMs: 200 },
    ],
    [
      'partitions an etcd member’s client port, then heals it',
      { action: 'partition', target: 'netcd', index: 1, durationMs: 5 },
      'netcd1',
      { kind: 'partition' },
    ],
  ];
  for (const [name, req, victim, mode] of cases)
    it(name, async () => {
      const { injector, modes } = setup();
      const f = injector.inject(req);
      assert.equal(f.process, victim);
      assert.deepEqual(modes.get(victim), [mode]);
      const ended = await f.ended;
      assert.ok(ended >= f.injectedMs);
      assert.deepEqual(modes.get(victim), [mode, { kind: 'pass' }]);
    });

  it('heals on releaseAll before its time, and refuses a second fault on the same target meanwhile', async () => {
    const { injector, modes } = setup();
    const f = injector.inject({ action: 'partition', target: 'napi', durationMs: 60_000 });
    assert.throws(
      () => injector.inject({ action: 'delay', target: 'napi', durationMs: 1, delayMs: 1 }),
      /in progress/,
    );
    injector.releaseAll();
    await f.ended;
    assert.deepEqual(modes.get('napi0'), [{ kind: 'partition' }, { kind: 'pass' }]);
  });

  const refused: [string, Parameters<FaultInjector['inject']>[0], RegExp][] = [
    [
      'a target that listens for no client',
      { action: 'partition', target: 'nctrl', durationMs: 5 },
      /target one of napi/,
    ],
    ['a delay without its latency', { action: 'delay', target: 'napi', durationMs: 5 }, /needs its latency/],
    ['a network fault without its duration', { action: 'partition', target: 'napi' }, /needs its duration/],
  ];
  for (const [name, req, msg] of refused)
    it(`refuses ${name}`, () => {
      const { injector, modes } = setup();
      assert.throws(() => injector.inject(req), msg);
      assert.equal(modes.size, 0);
    });

  it('says how to get relays when the testbed has none', () => {
    const injector = new FaultInjector(() => processes);
    assert.throws(
      () => injector.inject({ action: 'delay', target: 'napi', durationMs: 5, delayMs: 5 }),
      /no network-fault relay in front of napi0.*--net-faults/,
    );
  });
});
