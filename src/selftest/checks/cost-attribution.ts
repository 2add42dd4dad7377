/**
 * Costs charged to the right node: a known CPU burn in one node process and a known number of
 * bytes sent through one node must show up in the cost table (from Prometheus, as the experiment
 * collects it) on that node, within 5%, with no other node picking up as much. An exporter or
 * relabelling that puts one node's series under another's name fails here.
 */
import type { CheckResult } from '../check-result.js';
import type { SelftestCheck } from '../selftest-check.js';

export const COST_TOLERANCE = 0.05;

/** A known load on `node`, and how much each node's figure grew over its idle baseline. */
export interface ChargedLoad {
  what: 'CPU burn' | 'bytes in';
  node: string;
  /** CPU-seconds or bytes. */
  known: number;
  unit: string;
  /** Growth per node over the same-length idle window, same unit; a missing node is absent. */
  extraByNode: Readonly<Record<string, number>>;
  /** Nodes that rightly carry the same load (a proxied request's next hop). */
  alsoCharged?: readonly string[];
}

export function judgeChargedLoad(load: ChargedLoad, tolerance = COST_TOLERANCE): CheckResult {
  const mine = load.extraByNode[load.node];
  const others = Object.entries(load.extraByNode).filter(
    ([n]) => n !== load.node && !(load.alsoCharged ?? []).includes(n),
  );
  const [topOther, topExtra] = others.reduce<[string, number]>(
    (best, [n, v]) => (v > best[1] ? [n, v] : best),
    ['', -Infinity],
  );
  const within = mine !== undefined && Math.abs(mine - load.known) <= tolerance * load.known;
  // A neighbour taking half of it looks like our load under its name (a mislabel), not like the
  // background churn of the other nodes of a live testbed.
  const alone = topExtra < 0.5 * load.known;
  const fmt = (v: number): string => `${load.unit === 'B' ? v.toFixed(0) : v.toFixed(3)} ${load.unit}`;
  return {
    check: `${load.what} charged to ${load.node}`,
    expected: `${fmt(load.known)} +- ${(tolerance * 100).toFixed(0)}% on ${load.node}, < 50% elsewhere`,
    measured: mine === undefined ? `${load.node} has no figure` : `${fmt(mine)} on ${load.node}`,
    pass: within && alone,
    ...(others.length === 0 ? {} : { note: `most on another node: ${topOther} ${fmt(topExtra)}` }),
  };
}

export function costAttributionCheck(deps: {
  /** Burns CPU in one node and measures. */
  burn: () => Promise<ChargedLoad>;
  /** Sends bytes through one node and measures. */
  transfer: () => Promise<ChargedLoad>;
}): SelftestCheck {
  return {
    name: 'cost attribution',
    run: async () => [judgeChargedLoad(await deps.burn()), judgeChargedLoad(await deps.transfer())],
  };
}
