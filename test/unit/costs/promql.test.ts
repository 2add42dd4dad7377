import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  costSelector,
  promDuration,
  promString,
  rawSamplesQuery,
  sampleCountQuery,
  type CostMetric,
} from '../../../src/costs/cost-queries.js';
import { promTime } from '../../../src/prometheus/prom-time.js';

describe('cost PromQL selectors', () => {
  const cases: { metric: CostMetric; interfaceFilter?: string; want: string }[] = [
    { metric: 'cpu', want: 'container_cpu_usage_seconds_total{id="/"}' },
    { metric: 'cpu', interfaceFilter: 'eth[0-3]', want: 'container_cpu_usage_seconds_total{id="/"}' },
    { metric: 'workingSet', want: 'container_memory_working_set_bytes{id="/"}' },
    { metric: 'netIn', want: 'container_network_receive_bytes_total{id="/"}' },
    {
      metric: 'netIn',
      interfaceFilter: 'lo',
      want: 'container_network_receive_bytes_total{id="/",interface=~"lo"}',
    },
    {
      metric: 'netOut',
      interfaceFilter: 'eth[0-3]',
      want: 'container_network_transmit_bytes_total{id="/",interface=~"eth[0-3]"}',
    },
    { metric: 'netOut', interfaceFilter: '', want: 'container_network_transmit_bytes_total{id="/"}' },
    {
      metric: 'netOut',
      interfaceFilter: 'en\\d+|"x"',
      want: 'container_network_transmit_bytes_total{id="/",interface=~"en\\\\d+|\\"x\\""}',
    },
  ];
  for (const c of cases) {
    it(`${c.metric} with interface filter ${JSON.stringify(c.interfaceFilter)}`, () => {
      assert.equal(costSelector(c.metric, { interfaceFilter: c.interfaceFilter }), c.want);
    });
  }

  it('escapes string literals', () => {
    assert.equal(promString('a"b\\c\nd'), '"a\\"b\\\\c\\nd"');
  });
});

describe('PromQL durations and API times', () => {
  const durations: [number, string][] = [
    [1, '1ms'],
    [999, '999ms'],
    [1000, '1s'],
    [1500, '1500ms'],
    [90_000, '90s'],
    [120_000, '2m'],
    [3_600_000, '1h'],
    [5_400_000, '90m'],
    [7_200_001, '7200001ms'],
    [1.4, '1ms'],
  ];
  for (const [ms, want] of durations) {
    it(`${ms} ms is ${want}`, () => {
      assert.equal(promDuration(ms), want);
    });
  }
  for (const bad of [0, 0.4, -5, NaN, Infinity]) {
    it(`refuses ${bad} ms`, () => {
      assert.throws(() => promDuration(bad), RangeError);
    });
  }
  const times: [number, string][] = [
    [1_764_618_600_000, '1764618600.000'],
    [1_764_618_600_123, '1764618600.123'],
    [1_764_618_600_123.6, '1764618600.124'],
    [5, '0.005'],
  ];
  for (const [ms, want] of times) {
    it(`time ${ms} is ${want}`, () => {
      assert.equal(promTime(ms), want);
    });
  }

  it('builds the raw-sample and sample-count queries around a selector', () => {
    const sel = costSelector('cpu');
    assert.equal(rawSamplesQuery(sel, 125_000), 'container_cpu_usage_seconds_total{id="/"}[125s]');
    assert.equal(
      sampleCountQuery(sel, 61_500),
      'sum(count_over_time(container_cpu_usage_seconds_total{id="/"}[61500ms]))',
    );
  });
});
