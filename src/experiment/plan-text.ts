/** The run list as `kos-test experiment plan` prints it (pure). */
import { textTable } from '../cli/text-table.js';
import type { ExperimentPlan } from './plan.js';
import { formatSeconds } from './progress.js';

const secs = (s: number): string => (s < 100 ? s.toFixed(1) : s.toFixed(0));

export function planText(plan: ExperimentPlan, target: string): string {
  const rows = plan.runs.map((r) => [
    String(r.index),
    r.key,
    String(r.factors.OPS),
    String(r.factors.NCA),
    `${r.pop.text}=${r.factors.POP}`,
    String(r.slots),
    String(r.factors.NNA),
    String(r.factors.NKA),
    secs(r.phases.warmupS),
    secs(r.phases.cruiseS),
    secs(r.phases.cooldownS),
    String(r.driver.numAttachments),
    String(r.driver.topNetSize),
    r.reconfigure ? 'yes' : '',
    formatSeconds(r.estimatedS),
  ]);
  const header = [
    '#',
    'key',
    'OPS',
    'NCA',
    'POP',
    'slots',
    'NNA',
    'NKA',
    'warmup s',
    'cruise s',
    'cooldown s',
    'creates',
    'topNetSize',
    'reconfig',
    'est',
  ];
  const order = plan.seed === null ? 'listed order' : `random order, seed ${plan.seed}`;
  return [
    textTable(header, rows),
    '',
    `${plan.runs.length} runs (${plan.cells} cells x ${plan.runs.length / plan.cells} replicate${plan.runs.length === plan.cells ? '' : 's'}), ${order}, target ${target}`,
    `total estimated time: ${formatSeconds(plan.totalS)} (phases, grace wait and the spec's overheads)`,
  ].join('\n');
}
