import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { DRIVER_NODE_FLAGS } from '../../../../src/driver/node-flags.js';

const root = fileURLToPath(new URL('../../../../../', import.meta.url));
const launcher = `${root}bin/kos-test.js`;

describe('the kos-test launcher', () => {
  it('starts node with the driver flags from its shebang, as do the npm scripts that run it', async () => {
    const first = (await readFile(launcher, 'utf8')).split('\n')[0];
    assert.equal(first, `#!/usr/bin/env -S node ${DRIVER_NODE_FLAGS.join(' ')}`);
    const pkg = JSON.parse(await readFile(`${root}package.json`, 'utf8')) as {
      scripts: Record<string, string>;
    };
    for (const [name, script] of Object.entries(pkg.scripts)) {
      if (script.includes('bin/kos-test.js'))
        assert.ok(
          script.includes(`node ${DRIVER_NODE_FLAGS.join(' ')} bin/kos-test.js`),
          `npm script ${name}: ${script}`,
        );
    }
  });

  it('runs when executed directly (the shebang works here)', async () => {
    const { stdout } = await promisify(execFile)(launcher, ['--help'], { timeout: 30_000 });
    assert.match(stdout, /^Usage: kos-test/m);
  });
});
