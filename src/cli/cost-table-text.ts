/** The cost table as text for a terminal (pure): per purpose, then per node, then what is missing. */
import type { CostFigures, CostTable, NodeCost } from '../measure/cost-table.js';
import { textTable } from '../util/text-table.js';

/** Per-node rows are shown up to this many nodes unless asked otherwise. */
export const NODE_ROWS_DEFAULT_LIMIT = 40;

export function formatCostTable(table: CostTable, opts: { nodeRows?: boolean } = {}): string {
  const w = table.window;
  const seconds = (w.toMs - w.fromMs) / 1000;
  const lines: string[] = [
    `costs over ${new Date(w.fromMs).toISOString()} .. ${new Date(w.toMs).toISOString()} (${seconds.toFixed(1)} s)` +
      ` from ${table.prometheus}${table.ops === null ? '' : `; ${table.ops} ops (${(table.ops / seconds).toFixed(1)}/s)`}` +
      (table.partial ? '  [PARTIAL]' : ''),
    '',
  ];
  const perOp = table.ops !== null && table.ops > 0;
  const head = [
    'PURPOSE',
    'NODES',
    'CORES mean/max',
    'WS avg MiB mean/max',
    'WS max MiB',
    'IN KB/s mean/max',
    'OUT KB/s mean/max',
    ...(perOp ? ['CPU ms/op', 'IN B/op', 'OUT B/op'] : []),
  ];
  lines.push(
    textTable(
      head,
      table.purposes.map((p) => [
        p.purpose,
        p.nodesWithData === p.nodes ? String(p.nodes) : `${p.nodesWithData}/${p.nodes}`,
        pair(p.mean.cpuCores, p.max.cpuCores, cores),
        pair(p.mean.workingSetAvgBytes, p.max.workingSetAvgBytes, mib),
        one(p.max.workingSetMaxBytes, mib),
        pair(p.mean.netInBytesPerSecond, p.max.netInBytesPerSecond, kb),
        pair(p.mean.netOutBytesPerSecond, p.max.netOutBytesPerSecond, kb),
        ...(perOp && p.perOp !== null
          ? [
              one(p.perOp.cpuSecondsPerOp, (x) => (x * 1000).toFixed(3)),
              one(p.perOp.netInBytesPerOp, (x) => x.toFixed(0)),
              one(p.perOp.netOutBytesPerOp, (x) => x.toFixed(0)),
            ]
          : []),
      ]),
    ),
  );
  const showNodes = opts.nodeRows ?? table.nodes.length <= NODE_ROWS_DEFAULT_LIMIT;
  if (showNodes && table.nodes.length > 0) {
    lines.push(
      '',
      textTable(
        ['NODE', 'PURPOSE', 'CORES', 'WS avg MiB', 'WS max MiB', 'IN bytes', 'OUT bytes', 'COVERAGE'],
        table.nodes.map((n) => nodeRow(n)),
      ),
    );
  }
  if (table.noData.length > 0) lines.push('', `no data: ${table.noData.join(', ')}`);
  if (table.warnings.length > 0) lines.push('', 'warnings:', ...table.warnings.map((x) => `  - ${x}`));
  return lines.join('\n');
}

function nodeRow(n: NodeCost): string[] {
  const f: CostFigures = n.figures;
  return [
    n.node,
    n.purpose,
    one(f.cpuCores, cores),
    one(f.workingSetAvgBytes, mib),
    one(f.workingSetMaxBytes, mib),
    one(f.netInBytes, (x) => x.toFixed(0)),
    one(f.netOutBytes, (x) => x.toFixed(0)),
    n.coverage === null || n.coverage === undefined ? '-' : `${(n.coverage * 100).toFixed(1)}%`,
  ];
}

/** No data prints as `-`, never as 0. */
function one(x: number | null, fmt: (x: number) => string): string {
  return x === null ? '-' : fmt(x);
}

function pair(a: number | null, b: number | null, fmt: (x: number) => string): string {
  return `${one(a, fmt)}/${one(b, fmt)}`;
}

function cores(x: number): string {
  return x.toFixed(3);
}

function mib(x: number): string {
  return (x / 2 ** 20).toFixed(1);
}

function kb(x: number): string {
  return (x / 1000).toFixed(2);
}
