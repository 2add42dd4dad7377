/** The run list as `kos-test experiment plan` prints it (pure). */
import { textTable } from '../../util/text-table.js';
import { HEADROOM, topPurposes, type CapacityVerdict } from './capacity/predict.js';
import type { ExperimentPlan } from './plan.js';
import { formatSeconds } from '../run/progress.js';

/** The testbed's CPU prediction for each run (by run index), and what it was made with. */
export interface PlanCapacity {
  verdicts: CapacityVerdict[];
  cores: number;
  modelNote: string;
}

const secs = (s: number): string => (s < 100 ? s.toFixed(1) : s.toFixed(0));

/** ops/s as the driver gets it: whole numbers plain, others to 2 significant decimals. */
const rate = (r: number): string => (Number.isInteger(r) ? String(r) : r.toFixed(2));

export function planText(plan: ExperimentPlan, target: string, capacity?: PlanCapacity): string {
  // Only a spec that gives warmup/cooldown durations makes those phases' rates differ from OPS.
  const phaseRates = plan.runs.some(
    (r) => r.driver.warmupRate !== r.driver.rate || r.driver.cooldownRate !== r.driver.rate,
  );
  const faults = plan.runs.some((r) => r.fault !== null);
  const rows = plan.runs.map((r) => [
    String(r.index),
    r.key,
    String(r.factors.OPS),
    String(r.factors.NCA),
    `${r.pop.text}=${r.factors.POP}`,
    String(r.slots),
    String(r.factors.NNA),
    String(r.factors.NKA),
    ...(faults ? [r.fault?.name ?? 'none'] : []),
    secs(r.phases.warmupS),
    secs(r.phases.cruiseS),
    secs(r.phases.cooldownS),
    ...(phaseRates ? [rate(r.driver.warmupRate), rate(r.driver.cooldownRate)] : []),
    String(r.driver.numAttachments),
    String(r.driver.topNetSize),
    r.reconfigure ? 'yes' : '',
    formatSeconds(r.estimatedS),
    ...cpuCells(capacity?.verdicts[r.index]),
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
    ...(faults ? ['fault'] : []),
    'warmup s',
    'cruise s',
    'cooldown s',
    ...(phaseRates ? ['warmup /s', 'cooldown /s'] : []),
    'creates',
    'topNetSize',
    'reconfig',
    'est',
    ...(capacity === undefined ? [] : ['cores', 'fits', 'most cores']),
  ];
  const order = plan.seed === null ? 'listed order' : `random order, seed ${plan.seed}`;
  return [
    textTable(header, rows),
    '',
    `${plan.runs.length} runs (${plan.cells} cells x ${plan.runs.length / plan.cells} replicate${plan.runs.length === plan.cells ? '' : 's'}), ${order}, target ${target}`,
    `total estimated time: ${formatSeconds(plan.totalS)} (phases, grace wait and the spec's overheads)`,
    ...(capacity === undefined ? [] : capacityLines(capacity)),
  ].join('\n');
}

function cpuCells(v: CapacityVerdict | undefined): string[] {
  if (v === undefined) return [];
  return [v.prediction.totalCores.toFixed(2), v.fits ? 'yes' : 'NO', topPurposes(v.prediction.byPurpose)];
}

function capacityLines(c: PlanCapacity): string[] {
  const usable = c.cores * (1 - HEADROOM);
  const misfits = c.verdicts.flatMap((v, i) => (v.reason === undefined ? [] : [`  run ${i}: ${v.reason}`]));
  return [
    `cores: predicted CPU of the busiest phase, of ${usable.toFixed(2)} usable (${c.cores} cores less ${HEADROOM * 100}% headroom); ${c.modelNote}`,
    ...(misfits.length === 0
      ? []
      : [
          `${misfits.length} run(s) predicted not to fit (experiment run refuses them unless --force):`,
          ...misfits,
        ]),
  ];
}
