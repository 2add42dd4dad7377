/**
 * A node process's own traffic figures for the cost exporter: a tiny HTTP server (endpoint
 * name `nodeStats` in the node's ready file) whose `/metrics` gives the socket accounting's
 * bytes per local address. Its own connections are left out of the counts, so scraping a node
 * does not add to the node's traffic.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KosTestError } from '../../util/errors.js';
import { formatValue, PROM_CONTENT_TYPE, parseSamples, renderFamilies, renderLabels } from './prom-text.js';
import type { ByteCounts, SocketAccounting } from './socket-accounting.js';

export const NODE_STATS_ENDPOINT = 'nodeStats';
export const SOCKET_RECEIVE_METRIC = 'kos_testbed_socket_receive_bytes_total';
export const SOCKET_TRANSMIT_METRIC = 'kos_testbed_socket_transmit_bytes_total';

export interface NodeStatsServerOptions {
  /** The node's own address, e.g. `127.2.0.1`. */
  host: string;
  /** @default 0 (any free port) */
  port?: number;
  accounting: SocketAccounting;
}

export interface NodeStatsServer {
  /** e.g. `http://127.2.0.1:41234/metrics` */
  readonly url: string;
  stop(): Promise<void>;
}

export async function startNodeStatsServer(opts: NodeStatsServerOptions): Promise<NodeStatsServer> {
  const body = new SocketStatsText();
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/metrics') {
      res.writeHead(200, { 'content-type': PROM_CONTENT_TYPE }).end(body.render(opts.accounting.snapshot()));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  server.on('connection', (socket) => {
    opts.accounting.exclude(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      reject(
        new KosTestError({
          what: 'cannot serve node stats',
          value: `${opts.host}:${opts.port ?? 0} (${e.code ?? e.message})`,
          fix: "use the node's own loopback address and a free port",
        }),
      );
    });
    server.listen(opts.port ?? 0, opts.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  let stopping: Promise<void> | undefined;
  return {
    url: `http://${opts.host}:${port}/metrics`,
    stop: () =>
      (stopping ??= new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      })),
  };
}

/**
 * The stats server's body: one receive and one transmit counter per address, sorted. A process of
 * hollow agents has a thousand addresses and is scraped every second, so each address's label
 * text and the sorted order are kept between renders (the order is redone when an address is new).
 */
export class SocketStatsText {
  private readonly known = new Set<string>();
  /** Each address seen so far, sorted, with its label text. */
  private order: { address: string; labels: string }[] = [];

  render(byAddress: ReadonlyMap<string, ByteCounts>): string {
    const before = this.known.size;
    for (const address of byAddress.keys()) this.known.add(address);
    if (this.known.size > before) {
      this.order = [...this.known].sort().map((address) => ({ address, labels: renderLabels({ address }) }));
    }
    return (
      this.family(RECEIVE, byAddress, (c) => c.receivedBytes) +
      this.family(TRANSMIT, byAddress, (c) => c.sentBytes)
    );
  }

  private family(
    head: { name: string; text: string },
    byAddress: ReadonlyMap<string, ByteCounts>,
    pick: (c: ByteCounts) => number,
  ): string {
    let text = head.text;
    for (const { address, labels } of this.order) {
      const c = byAddress.get(address);
      if (c !== undefined) text += `${head.name}${labels} ${formatValue(pick(c))}\n`;
    }
    return text;
  }
}

const RECEIVE = familyHead(
  SOCKET_RECEIVE_METRIC,
  'TCP payload bytes received by this process, per local address.',
);
const TRANSMIT = familyHead(
  SOCKET_TRANSMIT_METRIC,
  'TCP payload bytes sent by this process, per local address.',
);

function familyHead(name: string, help: string): { name: string; text: string } {
  return { name, text: renderFamilies([{ name, help, type: 'counter', samples: [] }]) };
}

/** The body for one snapshot (what a fresh server renders first). */
export function renderSocketStats(byAddress: ReadonlyMap<string, ByteCounts>): string {
  return new SocketStatsText().render(byAddress);
}

/** Reads renderSocketStats' output back (what the exporter does with each node's stats). */
export function parseSocketStats(text: string): Map<string, ByteCounts> {
  const out = new Map<string, ByteCounts>();
  const wanted = (n: string): boolean => n === SOCKET_RECEIVE_METRIC || n === SOCKET_TRANSMIT_METRIC;
  for (const s of parseSamples(text, wanted)) {
    const address = s.labels.address;
    if (address === undefined) continue;
    let c = out.get(address);
    if (c === undefined) {
      c = { receivedBytes: 0, sentBytes: 0 };
      out.set(address, c);
    }
    if (s.name === SOCKET_RECEIVE_METRIC) c.receivedBytes += s.value;
    else c.sentBytes += s.value;
  }
  return out;
}
