import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ERROR_REASONS,
  renderCostMetrics,
  type ErrorReason,
} from '../../../../src/testbed/exporter/cost-metrics.js';
import type { NodeCost } from '../../../../src/testbed/exporter/node-costs.js';
import {
  parseSocketStats,
  renderSocketStats,
  SOCKET_RECEIVE_METRIC,
  SOCKET_TRANSMIT_METRIC,
  SocketStatsText,
} from '../../../../src/testbed/exporter/node-stats-server.js';
import { parseSamples, renderFamilies, sumOf } from '../../../../src/testbed/exporter/prom-text.js';

const noErrors = Object.fromEntries(ERROR_REASONS.map((r) => [r, 0])) as Record<ErrorReason, number>;

describe('Prometheus text', () => {
  it('renders families with escaped label values and special numbers', () => {
    const text = renderFamilies([
      {
        name: 'x_total',
        help: 'Line one\nline two \\ end.',
        type: 'counter',
        samples: [
          { labels: { a: 'q"uote', b: 'back\\slash\nnl' }, value: 1.5 },
          { labels: {}, value: Infinity },
          { labels: { c: '' }, value: NaN },
        ],
      },
    ]);
    assert.equal(
      text,
      [
        '# HELP x_total Line one\\nline two \\\\ end.',
        '# TYPE x_total counter',
        'x_total{a="q\\"uote",b="back\\\\slash\\nnl"} 1.5',
        'x_total +Inf',
        'x_total{c=""} NaN',
        '',
      ].join('\n'),
    );
  });

  it('parses back what it renders, label values unescaped', () => {
    const labels = { a: 'q"uote', b: 'back\\slash\nnl,}=' };
    const text = renderFamilies([
      { name: 'm', help: 'h', type: 'gauge', samples: [{ labels, value: -2e-7 }] },
    ]);
    assert.deepEqual(parseSamples(text), [{ name: 'm', labels, value: -2e-7 }]);
  });

  it('reads etcd-style text: timestamps, no labels, skipped comment and bad lines', () => {
    const text = [
      '# HELP etcd_network_client_grpc_received_bytes_total The total number...',
      '# TYPE etcd_network_client_grpc_received_bytes_total counter',
      'etcd_network_client_grpc_received_bytes_total 1060',
      'etcd_network_peer_received_bytes_total{From="8e9e05c52164694d"} 10 1700000000000',
      'etcd_network_peer_received_bytes_total{From="91bc3c398fb3c146"} 2.5e3',
      'broken{a="unterminated} 3',
      'nonumber{a="b"} x',
      'other_metric 5',
    ].join('\n');
    const samples = parseSamples(text, (n) => n.startsWith('etcd_network_'));
    assert.equal(samples.length, 3);
    assert.equal(sumOf(samples, 'etcd_network_peer_received_bytes_total'), 2510);
    assert.equal(sumOf(samples, 'etcd_network_client_grpc_received_bytes_total'), 1060);
    assert.equal(sumOf(samples, 'etcd_network_peer_sent_bytes_total'), undefined);
  });

  it('round-trips the node stats server body', () => {
    const byAddress = new Map([
      ['127.10.0.2', { receivedBytes: 10, sentBytes: 20 }],
      ['127.0.0.1', { receivedBytes: 3, sentBytes: 0 }],
    ]);
    const text = renderSocketStats(byAddress);
    assert.match(text, /^kos_testbed_socket_receive_bytes_total\{address="127\.0\.0\.1"\} 3$/m);
    assert.match(text, /^kos_testbed_socket_transmit_bytes_total\{address="127\.10\.0\.2"\} 20$/m);
    assert.deepEqual(parseSocketStats(text), byAddress);
  });

  it('renders the node stats body as the generic renderer does, scrape after scrape, as addresses come and go', () => {
    const generic = (byAddress: Map<string, { receivedBytes: number; sentBytes: number }>): string => {
      const addresses = [...byAddress.keys()].sort();
      const family = (name: string, help: string, pick: 'receivedBytes' | 'sentBytes') => ({
        name,
        help,
        type: 'counter' as const,
        samples: addresses.map((address) => ({
          labels: { address },
          value: byAddress.get(address)?.[pick] ?? 0,
        })),
      });
      return renderFamilies([
        family(
          SOCKET_RECEIVE_METRIC,
          'TCP payload bytes received by this process, per local address.',
          'receivedBytes',
        ),
        family(
          SOCKET_TRANSMIT_METRIC,
          'TCP payload bytes sent by this process, per local address.',
          'sentBytes',
        ),
      ]);
    };
    const body = new SocketStatsText();
    const scrapes = [
      new Map([['127.10.0.9', { receivedBytes: 1, sentBytes: 2 }]]),
      // A new address sorts before the known one; bytes grow.
      new Map([
        ['127.10.0.9', { receivedBytes: 5, sentBytes: 2 }],
        ['127.10.0.10', { receivedBytes: 7, sentBytes: 1e21 }],
      ]),
      // One that is gone is left out; `unknown` sorts after the numbers.
      new Map([
        ['unknown', { receivedBytes: 3, sentBytes: 0 }],
        ['127.10.0.10', { receivedBytes: 8, sentBytes: 4 }],
      ]),
      new Map<string, { receivedBytes: number; sentBytes: number }>(),
    ];
    for (const byAddress of scrapes) {
      const text = body.render(byAddress);
      assert.equal(text, generic(byAddress));
      assert.deepEqual(parseSocketStats(text), byAddress);
    }
  });
});

describe('cost exporter text', () => {
  const nodes: NodeCost[] = [
    {
      node: 'comp10',
      purpose: 'comp',
      hollow: true,
      cpuSeconds: 0.25,
      workingSetBytes: 1000,
      rssBytes: 800,
      network: { receivedBytes: 5, sentBytes: 6 },
    },
    {
      node: 'comp2',
      purpose: 'comp',
      hollow: true,
      cpuSeconds: 0.25,
      workingSetBytes: 1000,
      rssBytes: 800,
      network: { receivedBytes: 7, sentBytes: 8 },
    },
    {
      node: 'napi0',
      purpose: 'napi',
      hollow: false,
      cpuSeconds: 12.5,
      workingSetBytes: 50_000_000,
      rssBytes: 40_000_000,
      network: undefined,
    },
  ];

  it('renders cAdvisor names, id="/", node and purpose labels, in node order', () => {
    const text = renderCostMetrics(
      nodes,
      { cpuCores: 2, memoryBytes: 1024 },
      {
        mode: 'proc',
        errors: { ...noErrors, network: 3 },
        lastScrapeSeconds: 0.012,
        scrapeCpuSeconds: 1.5,
        processes: 2,
      },
    );
    const lines = text.split('\n').filter((l) => !l.startsWith('#') && l !== '');
    assert.deepEqual(lines, [
      'machine_cpu_cores 2',
      'machine_memory_bytes 1024',
      'container_cpu_usage_seconds_total{id="/",node="comp2",purpose="comp",hollow="true"} 0.25',
      'container_cpu_usage_seconds_total{id="/",node="comp10",purpose="comp",hollow="true"} 0.25',
      'container_cpu_usage_seconds_total{id="/",node="napi0",purpose="napi"} 12.5',
      'container_memory_working_set_bytes{id="/",node="comp2",purpose="comp",hollow="true"} 1000',
      'container_memory_working_set_bytes{id="/",node="comp10",purpose="comp",hollow="true"} 1000',
      'container_memory_working_set_bytes{id="/",node="napi0",purpose="napi"} 50000000',
      'container_memory_rss{id="/",node="comp2",purpose="comp",hollow="true"} 800',
      'container_memory_rss{id="/",node="comp10",purpose="comp",hollow="true"} 800',
      'container_memory_rss{id="/",node="napi0",purpose="napi"} 40000000',
      'container_network_receive_bytes_total{id="/",node="comp2",purpose="comp",hollow="true",interface="lo"} 7',
      'container_network_receive_bytes_total{id="/",node="comp10",purpose="comp",hollow="true",interface="lo"} 5',
      'container_network_transmit_bytes_total{id="/",node="comp2",purpose="comp",hollow="true",interface="lo"} 8',
      'container_network_transmit_bytes_total{id="/",node="comp10",purpose="comp",hollow="true",interface="lo"} 6',
      'kos_testbed_exporter_errors_total{reason="ready_file"} 0',
      'kos_testbed_exporter_errors_total{reason="duplicate_node"} 0',
      'kos_testbed_exporter_errors_total{reason="process"} 0',
      'kos_testbed_exporter_errors_total{reason="network"} 3',
      'kos_testbed_exporter_errors_total{reason="scrape"} 0',
      'kos_testbed_exporter_scrape_duration_seconds 0.012',
      'kos_testbed_exporter_scrape_cpu_seconds_total 1.5',
      'kos_testbed_exporter_processes 2',
      'kos_testbed_exporter_accounting_mode{mode="proc"} 1',
    ]);
    assert.match(text, /^# TYPE container_cpu_usage_seconds_total counter$/m);
    assert.match(text, /^# TYPE container_memory_working_set_bytes gauge$/m);
    assert.match(text, /^# TYPE container_network_transmit_bytes_total counter$/m);
  });

  it('takes another interface name for the network series', () => {
    const text = renderCostMetrics(
      nodes.slice(0, 1),
      { cpuCores: 2, memoryBytes: 1 },
      { mode: 'cgroup-v1', errors: noErrors, lastScrapeSeconds: 0, scrapeCpuSeconds: 0, processes: 1 },
      'eth0',
    );
    assert.match(text, /container_network_receive_bytes_total\{[^}]*interface="eth0"\} 5/);
  });
});
