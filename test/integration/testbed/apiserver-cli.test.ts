import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../../../bin/kos-test.js', import.meta.url));

async function refusesConnections(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(1000) });
    return false;
  } catch (e: unknown) {
    const cause = e instanceof Error ? e.cause : undefined;
    return cause instanceof Error && (cause as NodeJS.ErrnoException).code === 'ECONNREFUSED';
  }
}

describe('kos-test testbed apiserver', () => {
  it('stops its apiserver and every etcd member on SIGINT, exits 130 and leaves no listener', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kos-test-cli-'));
    try {
      const child = spawn(process.execPath, [cli, 'testbed', 'apiserver', '--netcd', '3', '--dir', dir], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      child.stderr.on('data', (b: Buffer) => (out += b.toString()));
      const exited = new Promise<number | null>((done) => {
        child.once('exit', (code) => {
          done(code);
        });
      });
      const deadline = Date.now() + 30_000;
      while (!out.includes('Press ^C')) {
        assert.ok(Date.now() < deadline, `not ready in time: ${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const urls = [...out.matchAll(/http:\/\/127\.[\d.]+:\d+/g)].map((m) => m[0]);
      assert.equal(urls.length, 4, 'three etcd members and one apiserver');
      child.kill('SIGINT');
      assert.equal(await exited, 130);
      for (const url of urls) assert.ok(await refusesConnections(url), `${url} still answers`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
