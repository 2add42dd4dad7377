/**
 * A post-create or post-delete command as KOS's agent treats it (pure): only programs from the
 * allowed directories run, and `${ifname}`, `${ipv4}` and `${mac}` are the only variables an
 * argument may use (upstream's restricted expansion); anything else is refused with a reason,
 * which the agent reports as a negative exit status.
 */
import { basename, dirname, isAbsolute, join, normalize } from 'node:path';

export interface ExecVars {
  ifname: string;
  ipv4: string;
  mac: string;
}

/** Exit statuses the agent reports when it did not run the command (KOS: negative, reason in stdErr). */
export const EXEC_REFUSED = -1;
export const EXEC_FAILED_TO_START = -2;
export const EXEC_TIMED_OUT = -3;

export type PreparedExec = { argv: string[] } | { problem: string };

const VARIABLE = /\$\{([^}]*)\}/g;

/**
 * `installed` maps a directory commands name to where this node really keeps those programs:
 * the testbed's comp nodes have the shipped ops/test-scripts installed as KOS's
 * /usr/local/kos/bin, as the install-test-scripts play installs them on a cluster's.
 */
export function prepareExec(
  command: readonly string[],
  vars: ExecVars,
  allowedDirs: readonly string[],
  installed: Readonly<Record<string, string>> = {},
): PreparedExec {
  const program = command[0];
  if (program === undefined || program === '') return { problem: 'empty command' };
  if (
    !isAbsolute(program) ||
    !allowedDirs.map((d) => normalize(d).replace(/(.)\/+$/, '$1')).includes(dirname(normalize(program)))
  ) {
    return { problem: `program ${program} is not in an allowed directory (${allowedDirs.join(', ')})` };
  }
  const argv: string[] = [];
  for (const arg of command) {
    let unknown: string | undefined;
    const expanded = arg.replace(VARIABLE, (whole, name: string) => {
      if (name === 'ifname' || name === 'ipv4' || name === 'mac') return vars[name];
      unknown ??= whole;
      return whole;
    });
    if (unknown !== undefined)
      return { problem: `unknown variable ${unknown} in argument ${JSON.stringify(arg)}` };
    argv.push(expanded);
  }
  const home = installed[dirname(normalize(program))];
  if (home !== undefined) argv[0] = join(home, basename(program));
  return { argv };
}
