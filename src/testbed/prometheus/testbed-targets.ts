/** What the testbed's Prometheus scrapes, from the testbed's processes (pure). */
import {
  nodeTarget,
  sampleCompGroups,
  type ScrapeTarget,
  type TestbedJob,
  type TestbedTargets,
} from './testbed-config.js';

export interface TargetSource {
  name: string;
  purpose: string;
  endpoints: Readonly<Record<string, string>>;
}

const NODE_JOBS: ReadonlySet<string> = new Set(['netcd', 'ketcd', 'napi', 'kapi', 'kctrl', 'nctrl']);

export function testbedTargets(opts: {
  processes: readonly TargetSource[];
  exporterMetrics: string | undefined;
  /** The driver's metrics URL, or none. */
  driverMetrics: string | undefined;
}): TestbedTargets {
  const jobs: Record<TestbedJob, ScrapeTarget[]> = {
    cadvisor: opts.exporterMetrics === undefined ? [] : [{ url: opts.exporterMetrics, labels: {} }],
    netcd: [],
    ketcd: [],
    napi: [],
    kapi: [],
    kctrl: [],
    nctrl: [],
    comp: [],
    driver: opts.driverMetrics === undefined ? [] : [nodeTarget(opts.driverMetrics, 'base0', 'base')],
  };
  const groups: TargetSource[] = [];
  for (const p of opts.processes) {
    const metrics = p.endpoints.metrics;
    if (metrics === undefined) continue;
    if (p.purpose === 'comp') groups.push(p);
    else if (NODE_JOBS.has(p.purpose))
      jobs[p.purpose as TestbedJob].push(nodeTarget(metrics, p.name, p.purpose));
  }
  for (const g of sampleCompGroups(groups)) {
    // Agents label their own per-node series `node`; the group is the target.
    jobs.comp.push({
      url: g.endpoints.metrics ?? '',
      labels: { group: g.name, purpose: 'comp', kos_role_comp: 'true' },
    });
  }
  return jobs;
}
