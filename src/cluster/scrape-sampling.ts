/**
 * Which nodes get `prometheus.io/scrape=true`: the seed's sampling rule, so Prometheus's load
 * stays bounded as the number of connection-agent nodes grows (pure).
 *
 * - fewer than 40 nodes in the cluster: every node;
 * - fewer than 400: every node whose name contains etcd, api, ctrl, mgmt, data, base or lbpip,
 *   and the comp nodes whose name ends in `comp<digits>0` (one comp node in ten);
 * - otherwise: the same non-comp nodes, and the comp nodes ending in `comp<digits>10`, `...40`
 *   or `...70` (three in a hundred).
 * Like the seed's `egrep`, the patterns match anywhere in the name; only the comp pattern is
 * tied to the end of the name.
 */
export const SCRAPE_ALL_BELOW = 40;
export const SCRAPE_ONE_IN_TEN_BELOW = 400;

const SPECIAL = /etcd|api|ctrl|mgmt|data|base|lbpip/;
const COMP_ONE_IN_TEN = /comp[0-9]*0$/;
const COMP_THREE_IN_A_HUNDRED = /comp[0-9]*[147]0$/;

export function isScrapeSampled(nodeName: string, clusterSize: number): boolean {
  if (clusterSize < SCRAPE_ALL_BELOW) return true;
  if (SPECIAL.test(nodeName)) return true;
  const comp = clusterSize < SCRAPE_ONE_IN_TEN_BELOW ? COMP_ONE_IN_TEN : COMP_THREE_IN_A_HUNDRED;
  return comp.test(nodeName);
}
