/** The shipped dashboards (pure): node costs by purpose, the driver, and the KOS components. */
import { renderDashboard, type DashboardSpec, type PanelSpec, type Target } from './dashboard-model.js';
import {
  AGENT_HISTOGRAMS,
  DRIVER_COUNTERS,
  DRIVER_HISTOGRAMS,
  IPAM_HISTOGRAMS,
  SUBNET_VALIDATOR_HISTOGRAMS,
} from './kos-metric-names.js';
import { COST_METRICS } from '../../costs/cost-queries.js';
import {
  histogramMean,
  histogramQuantile,
  rate,
  selector,
  sumBy,
  WHOLE_NODE,
  WHOLE_NODE_NET,
} from './promql.js';

const PURPOSE_VARIABLE = {
  name: 'purpose',
  label: 'Purpose',
  kind: 'query',
  query: `label_values(${COST_METRICS.cpu}{id="/"}, purpose)`,
  includeAll: true,
} as const;

/** The node's interfaces: the seed's clusters use eth0..3; the testbed's traffic is loopback. */
const INTERFACE_VARIABLE = {
  name: 'interface',
  label: 'Interfaces',
  kind: 'custom',
  query: 'eth[0-3], lo, .+',
} as const;

/**
 * A row of cost panels: summed over each purpose's nodes, mean and max per node of each purpose
 * (the per-purpose figures of measurement.md), and per node.
 */
function costPanels(title: string, unit: PanelSpec['unit'], perNodeSeries: string): PanelSpec[] {
  const perNode = sumBy(['node', 'purpose'], perNodeSeries);
  return [
    {
      title: `${title} by purpose (sum over its nodes)`,
      unit,
      width: 8,
      targets: [{ expr: sumBy(['purpose'], perNodeSeries), legendFormat: '{{purpose}}' }],
    },
    {
      title: `${title} by purpose (mean and max of its nodes)`,
      unit,
      width: 8,
      targets: [
        { expr: `avg by (purpose) (${perNode})`, legendFormat: '{{purpose}} mean' },
        { expr: `max by (purpose) (${perNode})`, legendFormat: '{{purpose}} max' },
      ],
    },
    {
      title: `${title} per node`,
      unit,
      width: 8,
      targets: [{ expr: perNode, legendFormat: '{{node}} ({{purpose}})' }],
    },
  ];
}

export function nodeCostsDashboard(): DashboardSpec {
  return {
    uid: 'kos-node-costs',
    title: 'KOS node costs by purpose',
    description:
      'Whole-node CPU, working set and network rates (cAdvisor id="/"), grouped by the kos-role purpose.',
    variables: [PURPOSE_VARIABLE, INTERFACE_VARIABLE],
    rows: [
      { title: 'CPU', panels: costPanels('CPU cores', 'short', rate(COST_METRICS.cpu, WHOLE_NODE)) },
      {
        title: 'Memory',
        panels: costPanels('Working set', 'bytes', selector(COST_METRICS.workingSet, WHOLE_NODE)),
      },
      {
        title: 'Network in',
        panels: costPanels('Bytes received/s', 'Bps', rate(COST_METRICS.netIn, WHOLE_NODE_NET)),
      },
      {
        title: 'Network out',
        panels: costPanels('Bytes sent/s', 'Bps', rate(COST_METRICS.netOut, WHOLE_NODE_NET)),
      },
    ],
  };
}

/** p50, p99 and mean of one histogram family, merged over every instance. */
function latencyPanel(family: string, by: readonly string[] = []): PanelSpec {
  const suffix = by.map((l) => ` {{${l}}}`).join('');
  const targets: Target[] = [
    { expr: histogramQuantile(0.5, family, by), legendFormat: `p50${suffix}` },
    { expr: histogramQuantile(0.99, family, by), legendFormat: `p99${suffix}` },
    { expr: histogramMean(family, by), legendFormat: `mean${suffix}` },
  ];
  return { title: titleOf(family), unit: 's', targets };
}

function titleOf(family: string): string {
  return family
    .replace(/^kos_(driver_attachment_|agent_|ipam_|subnet_validator_)/, '')
    .replace(/_latency_seconds$/, '')
    .replace(/_/g, ' ');
}

export function driverDashboard(): DashboardSpec {
  return {
    uid: 'kos-driver',
    title: 'KOS driver: latencies and rates',
    description: "The attachment throughput driver's kos_driver_* metrics (port 9376 on base nodes).",
    variables: [],
    rows: [
      {
        title: 'Operation rates',
        panels: [
          {
            title: 'Creates and deletes per second',
            unit: 'ops',
            width: 24,
            targets: DRIVER_COUNTERS.map((c) => ({
              expr: sumBy([], rate(c)),
              legendFormat: c.replace(/^kos_driver_/, ''),
            })),
          },
        ],
      },
      { title: 'Latencies', panels: DRIVER_HISTOGRAMS.map((h) => latencyPanel(h)) },
    ],
  };
}

export function componentsDashboard(): DashboardSpec {
  return {
    uid: 'kos-components',
    title: 'KOS components: latencies',
    description: 'Connection agents (sampled comp nodes), IPAM and the subnet validator.',
    variables: [],
    rows: [
      {
        title: 'Connection agents',
        panels: [
          ...AGENT_HISTOGRAMS.map((h) => latencyPanel(h)),
          {
            title: 'Attachments per agent (mean over sampled agents)',
            unit: 'short',
            targets: [
              { expr: 'avg(kos_agent_local_attachments)', legendFormat: 'local' },
              { expr: 'avg(kos_agent_remote_attachments)', legendFormat: 'remote' },
            ],
          },
        ],
      },
      {
        title: 'IPAM',
        panels: [
          ...IPAM_HISTOGRAMS.map((h) => latencyPanel(h)),
          {
            title: 'Address contention per second',
            unit: 'ops',
            targets: [{ expr: sumBy([], rate('kos_ipam_address_contention')), legendFormat: 'contention' }],
          },
        ],
      },
      {
        title: 'Subnet validator',
        panels: SUBNET_VALIDATOR_HISTOGRAMS.map((h) => latencyPanel(h, ['statusErr'])),
      },
    ],
  };
}

export const DASHBOARDS = [nodeCostsDashboard, driverDashboard, componentsDashboard] as const;

export function renderDashboards(): { file: string; json: string }[] {
  return DASHBOARDS.map((make) => {
    const spec = make();
    return { file: `${spec.uid}.json`, json: `${JSON.stringify(renderDashboard(spec), null, 2)}\n` };
  });
}
