/** Keep-alive clients of the network-apiservers, used round-robin; the list can change at runtime. */
import { RestClient } from '../../kube/rest-client.js';

export class NapiClients {
  private clients: RestClient[] = [];
  private cursor = 0;

  constructor(
    private readonly clientOptions: { localAddress?: string; userAgent: string },
    servers: readonly string[],
  ) {
    this.set(servers);
  }

  get servers(): string[] {
    return this.clients.map((c) => c.server);
  }

  /** Keeps the clients of servers that stay, closes the others. */
  set(servers: readonly string[]): void {
    const keep = new Map(this.clients.map((c) => [c.server, c]));
    const next: RestClient[] = [];
    for (const server of new Set(servers)) {
      next.push(keep.get(server) ?? new RestClient({ ...this.clientOptions, server }));
      keep.delete(server);
    }
    for (const dropped of keep.values()) void dropped.close().catch(() => undefined);
    this.clients = next;
  }

  /** The next client in turn; throws when no network-apiserver is configured. */
  next(): RestClient {
    if (this.clients.length === 0) throw new Error('no network-apiserver is configured');
    const client = this.clients[this.cursor % this.clients.length];
    this.cursor = (this.cursor + 1) % this.clients.length;
    if (client === undefined) throw new Error('no network-apiserver is configured');
    return client;
  }

  async close(): Promise<void> {
    const all = this.clients;
    this.clients = [];
    await Promise.all(all.map((c) => c.close().catch(() => undefined)));
  }
}
