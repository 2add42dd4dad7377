// The layers of src/ and what each may import (docs/adr/0025-layers.md). Lint turns an import that
// reaches a folder not listed for its layer into an error, so arrows only ever point down.

/** @type {Readonly<Record<string, readonly string[]>>} folder under src/ -> folders it may import */
export const LAYERS = {
  util: [],
  api: ['util'],
  net: ['util'],
  process: ['util'],
  measure: ['util'],
  kube: ['api', 'util'],
  prometheus: ['util'],
  costs: ['api', 'kube', 'measure', 'prometheus', 'util'],
  cluster: ['api', 'kube', 'measure', 'process', 'util'],
  driver: ['api', 'kube', 'measure', 'net', 'process', 'util'],
  'metrics-config': ['cluster', 'costs', 'measure', 'util'],
  testbed: ['api', 'costs', 'kube', 'measure', 'net', 'process', 'prometheus', 'util'],
  experiment: [
    'api',
    'cluster',
    'costs',
    'driver',
    'kube',
    'measure',
    'net',
    'process',
    'prometheus',
    'testbed',
    'util',
  ],
  report: ['costs', 'driver', 'experiment', 'measure', 'util'],
  cli: [
    'api',
    'cluster',
    'costs',
    'driver',
    'experiment',
    'kube',
    'measure',
    'metrics-config',
    'net',
    'process',
    'prometheus',
    'report',
    'testbed',
    'util',
  ],
};

/** Deepest folder nesting below a layer's own folder that the rules cover. */
const MAX_DEPTH = 5;

/**
 * One flat-config entry per layer and file depth: from `src/<layer>/<d folders>/x.ts`, a relative
 * import climbs exactly d+1 levels to reach another top folder, so the patterns are exact.
 * @returns {import('eslint').Linter.Config[]}
 */
export function layerRules() {
  const folders = Object.keys(LAYERS);
  return folders.flatMap((layer) => {
    const allowed = LAYERS[layer] ?? [];
    const forbidden = folders.filter((f) => f !== layer && !allowed.includes(f));
    return Array.from({ length: MAX_DEPTH }, (_, depth) => ({
      files: [`src/${layer}/${'*/'.repeat(depth)}*.ts`],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: forbidden.map((f) => ({
              group: [`${'../'.repeat(depth + 1)}${f}/**`],
              message: `src/${layer}/ ${allowed.length > 0 ? `may import only ${allowed.join(', ')}` : 'may import nothing from src/'}; ${f} is not below it (docs/adr/0025-layers.md).`,
            })),
          },
        ],
      },
    }));
  });
}
