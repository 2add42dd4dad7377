import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseMetricsOptions } from '../../../src/metrics-config/cluster-config-options.js';
import { shippedMetricsFiles } from '../../../src/metrics-config/shipped-files.js';

// dist/test/unit/metrics-config -> the repository root
const ROOT = join(import.meta.dirname, '..', '..', '..', '..');

describe('the files committed under metrics/', () => {
  it('equal what `kos-test metrics generate` writes (regenerate them when this fails)', async () => {
    const files = shippedMetricsFiles(parseMetricsOptions());
    assert.ok(files.length >= 7);
    for (const f of files) {
      const committed = await readFile(join(ROOT, 'metrics', f.path), 'utf8');
      assert.equal(
        committed,
        f.content,
        `metrics/${f.path} is stale: run node bin/kos-test.js metrics generate`,
      );
    }
  });
});
