/**
 * Whether this machine can give the testbed a real data plane: root (CAP_NET_ADMIN, to make
 * namespaces, bridges and veth pairs), `ip` from iproute2, `nsenter` to run commands in the fabric namespace, and `ping` for the
 * test scripts.
 */
import { findOnPath } from '../../process/find-binary.js';

export type DataPlaneSupport = { ok: true } | { ok: false; reason: string };

export function dataPlaneSupport(env: NodeJS.ProcessEnv = process.env): DataPlaneSupport {
  const uid = process.getuid?.();
  if (uid !== 0) return { ok: false, reason: `not root (uid ${uid ?? 'unknown'}): needs CAP_NET_ADMIN` };
  for (const [tool, pkg] of [
    ['ip', 'iproute2'],
    ['ping', 'iputils-ping'],
    ['nsenter', 'util-linux'],
  ] as const) {
    if (findOnPath(tool, env.PATH ?? '') === undefined)
      return { ok: false, reason: `no ${tool} on PATH (apt-get install -y ${pkg})` };
  }
  return { ok: true };
}
