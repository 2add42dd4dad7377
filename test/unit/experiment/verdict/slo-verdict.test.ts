/**
 * SLO expressions (parsed once for --slo and the spec), their judgement per run and cell, the
 * sweep's verdict, and the JUnit XML read back by a real JUnit consumer (junit2json).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse as parseJunit, type TestSuite, type TestSuites } from 'junit2json';
import { junitXml, xmlEscape } from '../../../../src/experiment/verdict/junit-xml.js';
import { resultsCsv } from '../../../../src/experiment/store/results-csv.js';
import { evaluateSlos, parseSlo, sloLabel } from '../../../../src/experiment/verdict/slo.js';
import { parseSpecText } from '../../../../src/experiment/spec/spec-load.js';
import { DEFAULT_VALIDITY } from '../../../../src/experiment/verdict/validity.js';
import { recordVerdict, sweepVerdict, type RunVerdict } from '../../../../src/experiment/verdict/verdict.js';
import { KosTestError } from '../../../../src/util/errors.js';
import { recordFixture } from '../../../fixtures/run-record-fixture.js';

describe('SLO expressions', () => {
  const good: [string, { metric: string; op: string; bound: number; unit: string }][] = [
    ['fulfilment.p99<=2s', { metric: 'fulfilment.p99', op: '<=', bound: 2000, unit: 'ms' }],
    [' fulfilment.p50 < 250ms ', { metric: 'fulfilment.p50', op: '<', bound: 250, unit: 'ms' }],
    ['fulfilment.max<=1500us', { metric: 'fulfilment.max', op: '<=', bound: 1.5, unit: 'ms' }],
    ['never-fulfilled<=0', { metric: 'never-fulfilled', op: '<=', bound: 0, unit: 'count' }],
    ['achieved-ratio>=0.98', { metric: 'achieved-ratio', op: '>=', bound: 0.98, unit: 'ratio' }],
    ['cpu-per-op.napi<=2ms', { metric: 'cpu-per-op.napi', op: '<=', bound: 2, unit: 'ms' }],
  ];
  for (const [text, want] of good)
    it(`reads ${JSON.stringify(text)}`, () => {
      const s = parseSlo(text);
      assert.deepEqual({ metric: s.metric, op: s.op, bound: s.bound, unit: s.unit }, want);
    });

  const bad: [string, RegExp][] = [
    ['fulfilment.p99 = 2s', /bad SLO expression: "fulfilment.p99 = 2s" \(write metric<=value/],
    ['latency.p99<=2s', /bad SLO metric "latency.p99".*metrics: fulfilment/],
    ['fulfilment.p99<=2', /bad SLO duration "2".*give a unit: us, ms or s/],
    ['never-fulfilled<=3s', /bad SLO unit "s".*never-fulfilled is a plain number/],
  ];
  for (const [text, message] of bad)
    it(`refuses ${JSON.stringify(text)} with one line naming the fix`, () => {
      assert.throws(
        () => parseSlo(text),
        (e: unknown) => e instanceof KosTestError && message.test(e.message) && !e.message.includes('\n'),
      );
    });

  it('reads the spec form, with a cell condition, into the same SLO', () => {
    const spec = parseSpecText(
      'slo.yaml',
      [
        'X: 100',
        'factors: {OPS: [10], NCA: [20, 40], POP: [1X, 2X], NNA: [1]}',
        'cruise: 20s',
        'slos:',
        '  - fulfilment.p99<=2s',
        '  - {check: never-fulfilled<=0, where: {NCA: 20, POP: [1X, 2X]}}',
        'validity: {rateTolerance: 0.05, clockUncertainty: 3ms, host: {cpuBusy: 0.8}}',
      ].join('\n'),
    );
    assert.deepEqual(spec.slos[0], parseSlo('fulfilment.p99<=2s'));
    assert.deepEqual(spec.slos[1]?.where, { NCA: [20], POP: [100, 200] });
    assert.equal(sloLabel(spec.slos[1]), 'never-fulfilled<=0 where NCA=20 POP=100|200');
    assert.equal(spec.validity.rateTolerance, 0.05);
    assert.equal(spec.validity.clockUncertaintyMs, 3);
    assert.deepEqual(spec.validity.host, {
      cpuBusy: 0.8,
      cpuPressure: 0.2,
      runQueuePerCpu: 2,
      cpuSteal: 0.05,
    });
    assert.equal(spec.validity.lateFraction, DEFAULT_VALIDITY.lateFraction);
  });

  it('refuses a bad SLO in a spec with its place in the spec', () => {
    assert.throws(
      () =>
        parseSpecText(
          's.yaml',
          'X: 1\nfactors: {OPS: [1], NCA: [1], POP: [1X], NNA: [1]}\ncruise: 1s\nslos: [foo<=1]',
        ),
      /s\.yaml: slos\[0\]: bad SLO metric "foo"/,
    );
  });
});

describe('SLO judgement', () => {
  const run = recordFixture(1); // fulfilment p99 36 ms, cruise ratio 1, napi 12.5 ms CPU per op, NCA 20
  const subject = { factors: run.factors, drive: run.drive, costs: run.costs };
  const cases: [string, 'pass' | 'fail' | 'no-data' | 'skipped'][] = [
    ['fulfilment.p99<=40ms', 'pass'],
    ['fulfilment.p99<36ms', 'fail'],
    ['never-fulfilled<=0', 'pass'],
    ['achieved-ratio>=0.98', 'pass'],
    ['achieved-ratio>1', 'fail'],
    ['cpu-per-op.napi<=10ms', 'fail'],
    ['cpu-per-op.napi<=13ms', 'pass'],
    ['cpu-per-op.comp<=1s', 'no-data'],
  ];
  for (const [text, want] of cases)
    it(`${text}: ${want}`, () => {
      const [r] = evaluateSlos([parseSlo(text)], subject);
      assert.equal(r?.status, want);
    });

  it('judges an SLO only in the cells its where matches', () => {
    const slos = [
      parseSlo('fulfilment.p99<=1ms', { NCA: [600] }),
      parseSlo('never-fulfilled<=0', { NCA: [20, 40] }),
    ];
    assert.deepEqual(
      evaluateSlos(slos, subject).map((r) => r.slo),
      ['never-fulfilled<=0 where NCA=20|40'],
    );
    assert.deepEqual(evaluateSlos(slos, { ...subject, factors: null }), []);
  });
});

function verdict(validity: RunVerdict['validity']['status'], slo: 'pass' | 'fail' | null): RunVerdict {
  return {
    runId: `r-${validity}-${slo ?? 'none'}`,
    label: 'OPS 10 NCA 20',
    validity: {
      status: validity,
      reasons:
        validity === 'valid'
          ? []
          : [
              {
                code: 'host-cpu-busy',
                measured: 0.97,
                threshold: 0.9,
                unit: 'fraction',
                message: 'host <busy> & "hot"',
              },
            ],
    },
    slos:
      slo === null
        ? []
        : [
            {
              slo: 'fulfilment.p99<=2s',
              status: slo,
              measured: 1,
              bound: 2000,
              unit: 'ms',
              message: `p99 ${slo}`,
            },
          ],
  };
}

describe('sweep verdict', () => {
  const cases: [string, RunVerdict[], string][] = [
    ['every run valid, every SLO met', [verdict('valid', 'pass'), verdict('valid', null)], 'pass'],
    ['no runs at all', [], 'pass'],
    ['an SLO broken', [verdict('valid', 'pass'), verdict('valid', 'fail')], 'slo-failed'],
    [
      'an invalid run outranks a broken SLO',
      [verdict('invalid', 'pass'), verdict('valid', 'fail')],
      'invalid',
    ],
    ['a failed run outranks the rest', [verdict('failed', null), verdict('invalid', 'fail')], 'failed'],
  ];
  for (const [name, runs, outcome] of cases)
    it(`${name}: ${outcome}`, () => {
      assert.equal(sweepVerdict(runs).outcome, outcome);
    });

  it('counts runs by status and SLO results, and a no-data SLO counts as failed', () => {
    const r = recordFixture(1);
    const v = recordVerdict(r, DEFAULT_VALIDITY, [
      parseSlo('cpu-per-op.comp<=1ms'),
      parseSlo('never-fulfilled<=0'),
    ]);
    assert.deepEqual(sweepVerdict([v, verdict('failed', null)]), {
      outcome: 'failed',
      runs: 2,
      valid: 1,
      invalid: 0,
      failed: 1,
      slosPassed: 1,
      slosFailed: 1,
    });
  });

  it('puts validity and SLO results in results.csv', () => {
    const r = recordFixture(0);
    r.validity = { status: 'invalid', reasons: verdict('invalid', null).validity.reasons };
    r.slos = verdict('valid', 'fail').slos;
    r.host = {
      fromMs: 0,
      toMs: 1,
      samples: 2,
      cpus: 2,
      busyFraction: 0.97,
      stealFraction: 0,
      runQueuePerCpu: 3,
      pressureSomeFraction: null,
    };
    const [head = '', row = ''] = resultsCsv([r]).split('\n');
    const header = head.split(',');
    const col = (name: string): string | undefined => row.split(',')[header.indexOf(name)];
    assert.equal(col('validity'), 'invalid');
    assert.equal(col('validity_reasons'), 'host-cpu-busy');
    assert.equal(col('slos_failed'), '1');
    assert.equal(col('slos_failing'), 'fulfilment.p99<=2s');
    assert.equal(col('host_busy_fraction'), '0.97');
    assert.equal(col('host_pressure_some_fraction'), '');
  });
});

describe('JUnit XML', () => {
  it('escapes the five XML specials and drops characters XML cannot carry', () => {
    assert.equal(xmlEscape(`a<b>&"c'\u0001d`), 'a&lt;b&gt;&amp;&quot;c&apos;d');
  });

  it('is read by junit2json as one testcase per run and per run and SLO, failures and errors where due', async () => {
    const runs = [verdict('valid', 'pass'), verdict('invalid', 'fail'), verdict('failed', null)];
    const parsed = (await parseJunit(junitXml('sweep <1> & "2"', runs))) as TestSuites | null;
    const suite: TestSuite | undefined = parsed?.testsuite?.[0];
    assert.equal(suite?.name, 'sweep <1> & "2"');
    assert.equal(suite.tests, 5);
    assert.equal(suite.failures, 2);
    assert.equal(suite.errors, 1);
    const cases = suite.testcase ?? [];
    assert.deepEqual(
      cases.map((c) => `${c.classname ?? ''} / ${c.name ?? ''}`),
      [
        'r-valid-pass (OPS 10 NCA 20) / validity',
        'r-valid-pass (OPS 10 NCA 20) / slo fulfilment.p99<=2s',
        'r-invalid-fail (OPS 10 NCA 20) / validity',
        'r-invalid-fail (OPS 10 NCA 20) / slo fulfilment.p99<=2s',
        'r-failed-none (OPS 10 NCA 20) / validity',
      ],
    );
    assert.equal(cases[0]?.failure, undefined);
    assert.equal(cases[2]?.failure?.[0]?.type, 'invalid');
    assert.equal(cases[2].failure[0].message, 'invalid: host-cpu-busy');
    assert.equal(cases[2].failure[0].inner, 'host-cpu-busy: host <busy> & "hot"');
    assert.equal(cases[3]?.failure?.[0]?.type, 'slo-fail');
    assert.equal(cases[4]?.error?.[0]?.type, 'failed');
  });
});
