/**
 * The testbed's real layer 2, with iproute2: in the testbed's fabric namespace one Linux bridge
 * per VNI; per comp node a namespace of its own (its "host"); per tested attachment a veth pair
 * whose node-side end is named the attachment's status.ifcName (a post-create command moves it
 * into a namespace of its own) and whose fabric-side end is a port of its VNI's bridge. Several
 * agent-group processes share the fabric, so a bridge or namespace made first by another one is
 * not an error. Changes in the fabric go through one long-lived `ip -batch` (ip-batch.ts).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { IpBatch } from './ip-batch.js';
import { bridgeName, hostEndName, nodeNetns } from './names.js';

const run = promisify(execFile);

/** Runs `ip args...`; rejects with ip's own message. */
export async function ip(args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await run('ip', [...args]);
    return stdout;
  } catch (e: unknown) {
    const stderr = (e as { stderr?: string }).stderr?.trim();
    throw new Error(`ip ${args.join(' ')}: ${stderr === undefined || stderr === '' ? String(e) : stderr}`);
  }
}

/** Named network namespaces on this host (`ip netns list`). */
export async function listNetns(): Promise<string[]> {
  const out = await ip(['netns', 'list']);
  return out
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((n) => n !== '');
}

export class LinuxFabric {
  /** Node namespaces this process has made sure of. */
  private readonly nodes = new Set<string>();
  /** Every fabric-side change goes through one ip process: no process per step. */
  private readonly batch: IpBatch;

  constructor(
    readonly netns: string,
    private readonly prefix: string,
  ) {
    this.batch = new IpBatch(netns);
  }

  /** Creates the fabric namespace (with lo up) unless it exists. */
  static async ensureNetns(netns: string): Promise<void> {
    if ((await listNetns()).includes(netns)) return;
    await ip(['netns', 'add', netns]);
    await ip(['-n', netns, 'link', 'set', 'dev', 'lo', 'up']);
  }

  /** The namespace where node `node`'s interfaces appear and its commands run. */
  nodeNetns(node: string): string {
    return nodeNetns(this.prefix, node);
  }

  /**
   * A veth pair: `ifcName` in the node's namespace, its other end up on the VNI's bridge. The
   * bridge is made (or found) every time: one deleted mid-run comes back, empty.
   */
  async addIfc(node: string, ifcName: string, vni: number): Promise<void> {
    const ns = await this.ensureNode(node);
    const bridge = bridgeName(vni);
    const host = hostEndName(node, ifcName);
    const add = [
      ['link', 'add', bridge, 'type', 'bridge'],
      ['link', 'set', 'dev', bridge, 'up'],
      ['link', 'add', host, 'master', bridge, 'up', 'type', 'veth', 'peer', 'name', ifcName, 'netns', ns],
    ];
    let errors = await this.batch.run(add);
    if (errors.get(2)?.includes('File exists') === true) {
      // Left by an agent that was killed: the old pair goes, with whatever namespace holds its end.
      await this.deleteIfc(node, ifcName);
      errors = await this.batch.run(add);
    }
    if (errors.get(0)?.includes('File exists') === true) errors.delete(0);
    const [line, message] = [...errors][0] ?? [];
    if (line !== undefined)
      throw new Error(`ip -n ${this.netns} ${(add[line] ?? []).join(' ')}: ${message ?? ''}`);
  }

  /** Deletes the pair through its fabric end (the other end may have moved to a test namespace). */
  async deleteIfc(node: string, ifcName: string): Promise<void> {
    const gone = (message: string): boolean => /Cannot find device|does not exist|No such file/.test(message);
    const host = hostEndName(node, ifcName);
    const viaFabric = (await this.batch.run([['link', 'del', 'dev', host]])).get(0);
    if (viaFabric === undefined) return;
    if (!gone(viaFabric)) throw new Error(`ip -n ${this.netns} link del dev ${host}: ${viaFabric}`);
    try {
      await ip(['-n', this.nodeNetns(node), 'link', 'del', 'dev', ifcName]);
    } catch (e: unknown) {
      if (!gone(String(e))) throw e;
    }
  }

  /** Ends the fabric's ip process (the interfaces stay for the testbed's sweep). */
  stop(): Promise<void> {
    return this.batch.stop();
  }

  private async ensureNode(node: string): Promise<string> {
    const ns = this.nodeNetns(node);
    if (this.nodes.has(ns)) return ns;
    try {
      await ip(['netns', 'add', ns]);
      await ip(['-n', ns, 'link', 'set', 'dev', 'lo', 'up']);
    } catch (e: unknown) {
      if (!String(e).includes('File exists')) throw e;
    }
    this.nodes.add(ns);
    return ns;
  }
}
