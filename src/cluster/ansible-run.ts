/**
 * Runs ansible-playbook for the user, its output on our terminal. When Ansible is missing the
 * user gets one line saying how to install it.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { findOnPath } from '../process/find-binary.js';
import { KosTestError } from '../util/errors.js';

export interface PlaybookRun {
  playbook: string;
  inventory: string;
  extraVars: Readonly<Record<string, string>>;
  /** Passed through to ansible-playbook after ours, e.g. --check, --limit. */
  extraArgs: readonly string[];
  env: NodeJS.ProcessEnv;
}

export async function runPlaybook(run: PlaybookRun): Promise<number> {
  const command = findOnPath('ansible-playbook', run.env.PATH ?? '');
  if (command === undefined) {
    throw new KosTestError({
      what: 'ansible-playbook is not installed',
      value: 'not on PATH',
      fix: 'install Ansible, e.g. apt-get install -y ansible',
    });
  }
  if (!existsSync(run.inventory)) {
    throw new KosTestError({
      what: 'no inventory file',
      value: run.inventory,
      fix: 'write it first with kos-test cluster inventory <clustername> (and the same --dir)',
    });
  }
  const vars = Object.entries(run.extraVars).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  const args = ['-i', run.inventory, ...vars, run.playbook, ...run.extraArgs];
  const child = spawn(command, args, { env: run.env, stdio: ['inherit', 'inherit', 'inherit'] });
  return new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      resolve(code ?? (signal === null ? 1 : 130));
    });
  });
}
