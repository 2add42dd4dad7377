/**
 * Fault scenarios: when their faults happen in the cruise, `drive --fault` text, the spec's
 * faults section and factors.faults as one more factor of the grid.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { faultTimes, MAX_FAULTS_PER_RUN } from '../../../../src/experiment/faults/fault-schedule.js';
import { planExperiment } from '../../../../src/experiment/plan/plan.js';
import { parseFaultFlag, type FaultScenario } from '../../../../src/experiment/spec/fault-scenario.js';
import { parseSpecText } from '../../../../src/experiment/spec/spec-load.js';
import { faultVictim } from '../../../../src/testbed/supervisor/fault-actions.js';
import { KosTestError } from '../../../../src/util/errors.js';

const base: FaultScenario = { name: 'f', action: 'kill', target: 'napi', index: 0 };

describe('fault times in the cruise', () => {
  it('puts a fixed fault at its time, and none past the cruise', () => {
    assert.deepEqual(faultTimes({ ...base, atMs: 5000 }, 20_000), [5000]);
    assert.deepEqual(faultTimes({ ...base, atMs: 20_000 }, 20_000), []);
  });

  it('replays a Poisson schedule from its seed, inside the cruise, with gaps averaging the mean', () => {
    const s = { ...base, poisson: { meanMs: 1000, seed: 7 } };
    const a = faultTimes(s, 200_000);
    assert.deepEqual(a, faultTimes(s, 200_000));
    assert.notDeepEqual(a, faultTimes({ ...s, poisson: { meanMs: 1000, seed: 8 } }, 200_000));
    assert.ok(a.every((t, k) => t > (a[k - 1] ?? 0) && t < 200_000));
    assert.equal(a.length, MAX_FAULTS_PER_RUN, 'capped');
    const b = faultTimes(s, 60_000);
    const meanGap = (b.at(-1) ?? 0) / b.length;
    assert.ok(meanGap > 700 && meanGap < 1400, `mean gap ${meanGap}`);
  });

  it('starts the next stop only after the previous one ended', () => {
    const t = faultTimes(
      { ...base, action: 'stop', durationMs: 3000, poisson: { meanMs: 500, seed: 1 } },
      60_000,
    );
    assert.ok(t.length > 3);
    for (let k = 1; k < t.length; k++) assert.ok((t[k] ?? 0) - (t[k - 1] ?? 0) >= 3000);
  });
});

describe('drive --fault text', () => {
  const good: [string, Partial<FaultScenario>][] = [
    ['kill:napi@10s', { action: 'kill', target: 'napi', index: 0, atMs: 10_000 }],
    [
      'stop:agent-group#1@2.5s+3s',
      { action: 'stop', target: 'agent-group', index: 1, atMs: 2500, durationMs: 3000 },
    ],
    ['kill:netcd#2@poisson(30s,7)', { target: 'netcd', index: 2, poisson: { meanMs: 30_000, seed: 7 } }],
    ['kill:kube-front@500ms', { target: 'kube-front', atMs: 500 }],
    [
      'delay(200ms):napi#1@10s+5s',
      { action: 'delay', target: 'napi', index: 1, atMs: 10_000, durationMs: 5000, delayMs: 200 },
    ],
    [
      'partition:netcd#2@4s+3s',
      { action: 'partition', target: 'netcd', index: 2, atMs: 4000, durationMs: 3000, delayMs: undefined },
    ],
    ['partition:kube-front@poisson(20s,3)+1s', { poisson: { meanMs: 20_000, seed: 3 }, durationMs: 1000 }],
  ];
  for (const [text, want] of good)
    it(`reads ${text}`, () => {
      const s = parseFaultFlag(text);
      assert.equal(s.name, text);
      for (const [k, v] of Object.entries(want)) assert.deepEqual(s[k as keyof FaultScenario], v, k);
    });
  const bad: [string, RegExp][] = [
    ['kill:napi', /ACTION:TARGET/],
    ['explode:napi@1s', /action/],
    ['kill:router@1s', /target/],
    ['stop:nctrl@1s', /for/],
    ['kill:napi@10', /ACTION:TARGET/],
    ['delay:napi@1s+2s', /delay: a delay needs `delay`/],
    ['delay(200ms):napi@1s', /for/],
    ['partition(200ms):napi@1s+2s', /only a delay takes `delay`/],
    ['partition:nctrl@1s+2s', /target one of napi, kube-front, netcd, ketcd/],
    ['delay(2x):napi@1s+2s', /ACTION:TARGET/],
  ];
  for (const [text, msg] of bad)
    it(`refuses ${text} in one line naming it`, () => {
      assert.throws(
        () => parseFaultFlag(text),
        (e: unknown) => e instanceof KosTestError && e.message.includes(text) && msg.test(e.message),
      );
    });
});

const spec = (faults: string, levels: string, extra = ''): string => `
X: 20
factors: {OPS: [10], NCA: [20], POP: [1X], NNA: [1, 2], faults: ${levels}}
cruise: 30s
faults: ${faults}
${extra}`;

describe('faults as a factor of the grid', () => {
  it('varies like the other factors, innermost, and keeps the per-attachment rows of fault runs', () => {
    const r = parseSpecText(
      's',
      spec(
        '{napi-kill: {action: kill, target: napi, at: 10s}}',
        '[none, napi-kill]',
        'driver: {perAttachmentCsv: false}',
      ),
    );
    const plan = planExperiment(r);
    assert.deepEqual(
      plan.runs.map((x) => [x.factors.NNA, x.fault?.name ?? 'none', x.driver.perAttachmentCsv]),
      [
        [1, 'none', false],
        [1, 'napi-kill', true],
        [2, 'none', false],
        [2, 'napi-kill', true],
      ],
    );
    assert.equal(plan.runs[1]?.fault?.atMs, 10_000);
  });

  it('reads a network delay with its latency and duration', () => {
    const r = parseSpecText(
      's',
      spec('{slow-napi: {action: delay, target: napi, at: 5s, for: 3s, delay: 200ms}}', '[slow-napi]'),
    );
    assert.deepEqual(r.faultLevels[0], {
      name: 'slow-napi',
      action: 'delay',
      target: 'napi',
      index: 0,
      atMs: 5000,
      durationMs: 3000,
      delayMs: 200,
    });
  });

  it('is [none] when not given, so older specs plan the same runs', () => {
    const r = parseSpecText(
      's',
      `X: 20\nfactors: {OPS: [10], NCA: [20], POP: [1X], NNA: [1]}\ncruise: 30s\n`,
    );
    assert.deepEqual(r.faultLevels, [null]);
  });

  const refused: [string, string, string, RegExp][] = [
    ['an unknown level', '{}', '[none, typo]', /factors\.faults\[1\] names no fault scenario: typo/],
    [
      'a fault after the cruise',
      '{late: {action: kill, target: nctrl, at: 40s}}',
      '[late]',
      /not inside the cruise/,
    ],
    ['a stop without its duration', '{s: {action: stop, target: nctrl, at: 4s}}', '[s]', /for/],
    [
      'a partition without its duration',
      '{p: {action: partition, target: netcd, at: 4s}}',
      '[p]',
      /faults\.p\.for is missing/,
    ],
    [
      'a delay of an agent group',
      '{d: {action: delay, target: agent-group, at: 4s, for: 1s, delay: 50ms}}',
      '[d]',
      /a delay hits a listening address/,
    ],
    [
      'both at and poisson',
      '{s: {action: kill, target: nctrl, at: 4s, poisson: {mean: 5s, seed: 1}}}',
      '[s]',
      /exactly one/,
    ],
  ];
  for (const [name, faults, levels, msg] of refused)
    it(`refuses ${name} with one line`, () => {
      assert.throws(
        () => parseSpecText('s', spec(faults, levels)),
        (e: unknown) => e instanceof KosTestError && msg.test(e.message),
      );
    });

  it('refuses faults on a sharded driver', () => {
    assert.throws(
      () =>
        parseSpecText('s', spec('{k: {action: kill, target: nctrl, at: 4s}}', '[k]', 'driver: {shards: 2}')),
      /driver.shards: 1/,
    );
  });
});

describe('the process a fault hits', () => {
  const ps = [
    { name: 'napi1', purpose: 'napi', pid: 11, running: true },
    { name: 'napi0', purpose: 'napi', pid: 10, running: true },
    { name: 'comp-group0', purpose: 'comp', pid: 20, running: false },
    { name: 'kapi0', purpose: 'kapi', pid: 30, running: true },
  ];
  it('is the index-th of its kind in name order', () => {
    assert.equal(faultVictim(ps, 'napi', 0).pid, 10);
    assert.equal(faultVictim(ps, 'napi', 1).pid, 11);
    assert.equal(faultVictim(ps, 'kube-front', 0).pid, 30);
  });
  it('must exist and be running', () => {
    assert.throws(
      () => faultVictim(ps, 'napi', 2),
      /no napi #2 to fault: the testbed runs 2 \(napi0, napi1\)/,
    );
    assert.throws(() => faultVictim(ps, 'agent-group', 0), /comp-group0 is not running/);
    assert.throws(() => faultVictim(ps, 'nctrl', 0), /runs 0 \(none\)/);
  });
});
