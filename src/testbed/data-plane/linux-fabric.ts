/**
 * The testbed's real layer 2, with iproute2 in the testbed's own fabric network namespace: one
 * Linux bridge per VNI, and per tested attachment a veth pair whose agent-side end is named the
 * attachment's status.ifcName (a post-create command moves it into a namespace of its own) and
 * whose fabric-side end is a port of its VNI's bridge. Several agent-group processes share the
 * namespace, so creating a bridge that another one made first is not an error.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { bridgeName, hostEndName } from './names.js';

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
  constructor(readonly netns: string) {}

  /** Creates the fabric namespace (with lo up) unless it exists. */
  static async ensureNetns(netns: string): Promise<LinuxFabric> {
    if (!(await listNetns()).includes(netns)) {
      await ip(['netns', 'add', netns]);
      await ip(['-n', netns, 'link', 'set', 'dev', 'lo', 'up']);
    }
    return new LinuxFabric(netns);
  }

  /** A veth pair `ifcName` / its host end, the host end up on the VNI's bridge (made if missing). */
  async addIfc(ifcName: string, vni: number): Promise<void> {
    const bridge = bridgeName(vni);
    const host = hostEndName(ifcName);
    await this.ensureBridge(bridge);
    try {
      await this.ipn(['link', 'add', ifcName, 'type', 'veth', 'peer', 'name', host]);
    } catch (e: unknown) {
      // Left by an agent that was killed: the old pair goes, with whatever namespace holds its end.
      if (!String(e).includes('File exists')) throw e;
      await this.deleteIfc(ifcName);
      await this.ipn(['link', 'add', ifcName, 'type', 'veth', 'peer', 'name', host]);
    }
    await this.ipn(['link', 'set', 'dev', host, 'master', bridge, 'up']);
  }

  /** Deletes the pair through its host end (the other end may have moved to a test namespace). */
  async deleteIfc(ifcName: string): Promise<void> {
    for (const name of [hostEndName(ifcName), ifcName]) {
      try {
        await this.ipn(['link', 'del', 'dev', name]);
        return;
      } catch (e: unknown) {
        if (!/Cannot find device|does not exist/.test(String(e))) throw e;
      }
    }
  }

  private async ensureBridge(bridge: string): Promise<void> {
    try {
      await this.ipn(['link', 'add', bridge, 'type', 'bridge']);
    } catch (e: unknown) {
      if (!String(e).includes('File exists')) throw e;
    }
    await this.ipn(['link', 'set', 'dev', bridge, 'up']);
  }

  private ipn(args: readonly string[]): Promise<string> {
    return ip(['-n', this.netns, ...args]);
  }
}
