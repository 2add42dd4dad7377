/** Runs the real kubectl (Debian's kubernetes-client) with a kubeconfig; resolves with stdout. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function kubectl(kubeconfig: string, ...args: string[]): Promise<string> {
  try {
    const { stdout } = await run('kubectl', args, {
      env: { ...process.env, KUBECONFIG: kubeconfig },
      timeout: 60_000,
    });
    return stdout;
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      assert.fail('kubectl is not on PATH: apt-get install -y kubernetes-client (as .ci/run does)');
    throw e;
  }
}
