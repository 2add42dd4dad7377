/** The run list as `kos-test experiment plan` prints it (pure). */
import { textTable } from '../util/text-table.js';
import type { ExperimentPlan } from './plan.js';
import { formatSeconds } from './progress.js';

const secs = (s: number): string => (s < 100 ? s.toFixed(1) : s.toFixed(0));

/** ops/s as the driver gets it: whole numbers plain, others to 2 significant decimals. */
const rate = (r: number): string => (Number.isInteger(r) ? String(r) : r.toFixed(2));

export function planText(plan: ExperimentPlan, target: string): string {
  // Only a spec that gives warmup/cooldown durations makes those phases' rates differ from OPS.
  const phaseRates = plan.runs.some(
    (r) => r.driver.warmupRate !== r.driver.rate || r.driver.cooldownRate !== r.driver.rate,
  );
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
    ...(phaseRates ? [rate(r.driver.warmupRate), rate(r.driver.cooldownRate)] : []),
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
    ...(phaseRates ? ['warmup /s', 'cooldown /s'] : []),
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
