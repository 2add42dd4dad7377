/**
 * The commands a tested attachment carries, in the original driver's format (pure):
 * `<dir>/TestByPing ${ifname} <netns> ${ipv4}/<prefix> [<peer ip> <ping count> <peer name>]` as
 * spec.postCreateExec and `<dir>/RemoveNetNS <netns>` as spec.postDeleteExec; the agent expands
 * `${ifname}` and `${ipv4}`. The namespace is `<runid>-<create counter>`: unique across a run's
 * shards (the original numbered them per process), and found again from the attachment's name.
 */

export interface TestPeer {
  ipv4: string;
  name: string;
}

export interface TestCommandInput {
  /** --test-command-dir, e.g. /usr/local/kos/bin */
  dir: string;
  runId: string;
  /** The attachment's create counter. */
  attachment: number;
  /** The prefix length of the attachment's subnet. */
  prefixLength: number;
  /** A full test's peer; none: a setup-only test. */
  peer?: TestPeer | undefined;
  pingCount: number;
}

export interface TestCommands {
  postCreateExec: string[];
  postDeleteExec: string[];
}

export function testNetnsName(runId: string, attachment: number): string {
  return `${runId}-${attachment}`;
}

export function testCommands(t: TestCommandInput): TestCommands {
  const dir = t.dir.replace(/\/+$/, '');
  const netns = testNetnsName(t.runId, t.attachment);
  const peer = t.peer === undefined ? [] : [t.peer.ipv4, String(t.pingCount), t.peer.name];
  return {
    postCreateExec: [`${dir}/TestByPing`, '${ifname}', netns, `\${ipv4}/${t.prefixLength}`, ...peer],
    postDeleteExec: [`${dir}/RemoveNetNS`, netns],
  };
}
