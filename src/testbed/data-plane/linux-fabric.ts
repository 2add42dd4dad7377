/**
 * The testbed's real layer 2, with iproute2: in the testbed's fabric namespace one Linux bridge
 * per VNI; per comp node a namespace of its own (its "host"); per tested attachment a veth pair
 * whose node-side end is named the attachment's status.ifcName (a post-create command moves it
 * into a namespace of its own) and whose fabric-side end is a port of its VNI's bridge. Several
 * agent-group processes share the fabric, so a bridge or namespace made first by another one is
 * not an error.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
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

  constructor(
    readonly netns: string,
    private readonly prefix: string,
  ) {}

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

  /** A veth pair: `ifcName` in the node's namespace, its other end up on the VNI's bridge. */
  async addIfc(node: string, ifcName: string, vni: number): Promise<void> {
    const ns = await this.ensureNode(node);
    const bridge = bridgeName(vni);
    const host = hostEndName(node, ifcName);
    await this.ensureBridge(bridge);
    const add = ['-n', ns, 'link', 'add', ifcName, 'type', 'veth', 'peer', 'name', host, 'netns', this.netns];
    try {
      await ip(add);
    } catch (e: unknown) {
      // Left by an agent that was killed: the old pair goes, with whatever namespace holds its end.
      if (!String(e).includes('File exists')) throw e;
      await this.deleteIfc(node, ifcName);
      await ip(add);
    }
    await ip(['-n', this.netns, 'link', 'set', 'dev', host, 'master', bridge, 'up']);
  }

  /** Deletes the pair through its fabric end (the other end may have moved to a test namespace). */
  async deleteIfc(node: string, ifcName: string): Promise<void> {
    for (const [ns, name] of [
      [this.netns, hostEndName(node, ifcName)],
      [this.nodeNetns(node), ifcName],
    ] as const) {
      try {
        await ip(['-n', ns, 'link', 'del', 'dev', name]);
        return;
      } catch (e: unknown) {
        if (!/Cannot find device|does not exist|No such file/.test(String(e))) throw e;
      }
    }
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

  private async ensureBridge(bridge: string): Promise<void> {
    try {
      await ip(['-n', this.netns, 'link', 'add', bridge, 'type', 'bridge']);
    } catch (e: unknown) {
      if (!String(e).includes('File exists')) throw e;
    }
    await ip(['-n', this.netns, 'link', 'set', 'dev', bridge, 'up']);
  }
}
