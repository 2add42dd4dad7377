/** The cost model as `kos-test testbed calibrate` prints it (pure). */
import { MODEL_PURPOSES, type CostModel, type ModelPurpose } from '../experiment/plan/capacity/cost-model.js';
import { textTable } from '../util/text-table.js';

const UNIT_NAME: Record<ModelPurpose, string> = {
  comp: 'agent',
  napi: 'napi',
  kapi: 'kube front',
  netcd: 'member',
  ketcd: 'member',
  nctrl: '-',
  kctrl: '-',
  runner: 'testbed node',
  prometheus: 'testbed node',
};

export function costModelText(model: CostModel): string {
  const rows = MODEL_PURPOSES.map((p) => {
    const c = model.purposes[p];
    const fit = model.fit?.[p];
    return [
      p,
      c.baseCores.toFixed(4),
      c.baseCoresPerUnit === 0 ? '0' : `${c.baseCoresPerUnit.toExponential(2)}/${UNIT_NAME[p]}`,
      (c.cpuSecondsPerOp * 1000).toFixed(3),
      c.cpuSecondsPerOpPerUnit === 0
        ? '0'
        : `${(c.cpuSecondsPerOpPerUnit * 1000).toFixed(3)}/${UNIT_NAME[p]}`,
      (c.cpuSecondsPerEvent * 1e6).toFixed(2),
      fit === undefined ? 'default' : `${fit.observations} runs, ${(fit.rmsRelativeError * 100).toFixed(0)}%`,
    ];
  });
  const e = model.events;
  return [
    textTable(
      [
        'purpose',
        'base cores',
        'base per unit',
        'ms/op',
        'ms/op per unit',
        'us/event',
        'fit (RMS rel. error)',
      ],
      rows,
    ),
    `watch events per op = ${e.fixedPerOp.toFixed(2)} + ${e.perPeerAgentPerOp.toFixed(2)} x peer agents per op`,
    `measured on ${model.machine.cores} x ${model.machine.modelName} at ${model.machine.measuredAt} (${model.source})`,
  ].join('\n');
}
