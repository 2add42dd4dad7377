/**
 * Fresh cost samples (cluster): every costed purpose has nodes whose cost series in Prometheus
 * were scraped within the last two scrape intervals. A purpose without samples, or with stale
 * ones, would give a cost table with gaps (or, integrated over a stale stretch, a wrong figure).
 */
import { costSelector, rawSamplesQuery } from '../../costs/cost-queries.js';
import { seriesNode } from '../../costs/node-identity.js';
import { COSTED_PURPOSES } from '../../measure/cost-table.js';
import type { PrometheusClient } from '../../prometheus/prometheus-api.js';
import type { CheckResult } from '../check-result.js';
import type { SelftestCheck } from '../selftest-check.js';

/** One node's CPU series: its last sample's age and its scrape interval (median gap), ms. */
export interface SeriesAge {
  node: string;
  ageMs: number;
  intervalMs: number;
}

/** Per costed purpose (pure): pass when it has nodes and each is younger than 2 intervals. */
export function judgeFreshness(
  ages: readonly SeriesAge[],
  nodePurposes: Readonly<Record<string, string>>,
): CheckResult[] {
  return COSTED_PURPOSES.map((purpose) => {
    const nodes = Object.entries(nodePurposes)
      .filter(([, p]) => p === purpose)
      .map(([n]) => n);
    const mine = ages.filter((a) => nodePurposes[a.node] === purpose);
    // A node with fewer than two samples in the look-back counts as missing: its interval is unknown.
    const missing = nodes.filter((n) => !mine.some((a) => a.node === n));
    const stale = mine.filter((a) => !(a.ageMs < 2 * a.intervalMs));
    const worst = mine.reduce((w, a) => Math.max(w, a.ageMs / a.intervalMs), 0);
    const problems = [
      ...(nodes.length === 0 ? ['no node has this purpose'] : []),
      ...(missing.length === 0
        ? []
        : [`no samples: ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', ...' : ''}`]),
      ...(stale.length === 0
        ? []
        : [
            `stale: ${stale
              .slice(0, 3)
              .map((a) => a.node)
              .join(', ')}`,
          ]),
    ];
    return {
      check: `fresh cost samples: ${purpose}`,
      expected: 'every node scraped < 2 intervals ago',
      measured:
        mine.length === 0
          ? 'no samples'
          : `${mine.length} of ${nodes.length} nodes, oldest ${worst.toFixed(2)} intervals`,
      pass: problems.length === 0,
      ...(problems.length === 0 ? {} : { note: problems.join('; ') }),
    };
  });
}

/** The last sample age and scrape interval of every node's whole-node CPU series (I/O). */
export async function seriesAges(
  prometheus: PrometheusClient,
  nowMs: number,
  lookbackMs = 120_000,
): Promise<SeriesAge[]> {
  const { series } = await prometheus.querySamples(rawSamplesQuery(costSelector('cpu'), lookbackMs), nowMs);
  return series.flatMap((s) => {
    const node = seriesNode(s.labels);
    const ts = s.samples.map((p) => p.t);
    const last = ts[ts.length - 1];
    if (node === undefined || last === undefined || ts.length < 2) return [];
    const gaps = ts
      .slice(1)
      .map((t, i) => t - (ts[i] ?? t))
      .sort((a, b) => a - b);
    return [{ node, ageMs: nowMs - last, intervalMs: gaps[Math.floor(gaps.length / 2)] ?? Infinity }];
  });
}

export function prometheusFreshnessCheck(deps: {
  ages: () => Promise<readonly SeriesAge[]>;
  nodePurposes: () => Promise<Readonly<Record<string, string>>>;
}): SelftestCheck {
  return {
    name: 'fresh cost samples',
    run: async () => judgeFreshness(await deps.ages(), await deps.nodePurposes()),
  };
}
