import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ESLint, type Linter } from 'eslint';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

interface LayerModule {
  LAYERS: Readonly<Record<string, readonly string[]>>;
  layerRules: () => Linter.Config[];
}

async function layers(): Promise<LayerModule> {
  const url = new URL('lint/import-layers.js', `file://${root}`).href;
  return (await import(url)) as LayerModule;
}

/** Lints one import line as if it were the file at `filePath`, with only the layer rules. */
async function lintImport(filePath: string, specifier: string): Promise<string[]> {
  const { layerRules } = await layers();
  const eslint = new ESLint({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: [{ languageOptions: { sourceType: 'module' } }, ...layerRules()],
  });
  const [result] = await eslint.lintText(`import '${specifier}';\n`, { filePath: join(root, filePath) });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

describe('lint: imports only point down the layers', () => {
  it('names every folder of src/ as a layer, so none escapes the rule', async () => {
    const { LAYERS } = await layers();
    const folders = readdirSync(join(root, 'src'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    assert.deepEqual(folders, Object.keys(LAYERS).sort());
    for (const [layer, allowed] of Object.entries(LAYERS)) {
      for (const below of allowed) assert.ok(below in LAYERS, `${layer} allows unknown ${below}`);
    }
  });

  it('has no cycle: a layer never allows one that allows it back', async () => {
    const { LAYERS } = await layers();
    const reaches = (from: string, to: string, seen = new Set<string>()): boolean =>
      (LAYERS[from] ?? []).some((b) => b === to || (!seen.has(b) && (seen.add(b), reaches(b, to, seen))));
    for (const layer of Object.keys(LAYERS)) assert.equal(reaches(layer, layer), false, layer);
  });

  const cases: { file: string; spec: string; upward: boolean }[] = [
    { file: 'src/util/x.ts', spec: '../cli/main.js', upward: true },
    { file: 'src/experiment/x.ts', spec: '../cli/text-table.js', upward: true },
    { file: 'src/costs/x.ts', spec: '../metrics-config/cluster-config.js', upward: true },
    { file: 'src/prometheus/x.ts', spec: '../costs/cost-queries.js', upward: true },
    { file: 'src/testbed/comp/x.ts', spec: '../../experiment/plan.js', upward: true },
    { file: 'src/testbed/comp/x.ts', spec: '../../kube/rest-client.js', upward: false },
    { file: 'src/testbed/comp/x.ts', spec: '../napi/watch-cache.js', upward: false },
    { file: 'src/cli/commands/x.ts', spec: '../../report/sweep-report.js', upward: false },
    { file: 'src/experiment/x.ts', spec: '../util/text-table.js', upward: false },
  ];
  for (const c of cases) {
    it(`${c.upward ? 'fails' : 'passes'} ${c.file} importing ${c.spec}`, async () => {
      const messages = await lintImport(c.file, c.spec);
      if (c.upward) {
        assert.equal(messages.length, 1, messages.join('\n'));
        assert.match(messages[0] ?? '', /^no-restricted-imports: .*is not below it/);
      } else {
        assert.deepEqual(messages, []);
      }
    });
  }
});
