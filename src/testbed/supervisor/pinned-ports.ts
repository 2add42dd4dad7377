/**
 * A restarted node listens where it listened before (pure): its clients, the kubeconfig and
 * Prometheus's targets keep working, as a pod keeps its address behind a Service. The port its
 * last process served on goes into the spec of the next.
 */
import type { NodeReady } from '../node-ready.js';
import type { NodeSpec } from '../node-process/node-spec.js';

function portOf(url: string | undefined): number | undefined {
  if (url === undefined) return undefined;
  const port = Number(new URL(url).port);
  return Number.isInteger(port) && port > 0 ? port : undefined;
}

/** `spec` with the ports the previous process of this node served on (when it chose them). */
export function pinnedPorts(spec: NodeSpec, ready: Pick<NodeReady, 'endpoints'>): NodeSpec {
  switch (spec.component) {
    case 'napi':
    case 'kapi': {
      const port = portOf(ready.endpoints.api);
      return spec.port === 0 && port !== undefined ? { ...spec, port } : spec;
    }
    case 'comp': {
      const port = portOf(ready.endpoints.metrics);
      return spec.metricsPort === 0 && port !== undefined ? { ...spec, metricsPort: port } : spec;
    }
    case 'nctrl':
    case 'kctrl':
      return spec;
  }
}
