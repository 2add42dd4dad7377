/** The core-group (`/api/v1`) resources the kube front serves. */
import type { ResourceType } from '../resource-type.js';
import { endpoints } from './endpoints-type.js';
import { namespaces } from './namespace-type.js';
import { nodes } from './node-type.js';

export { endpoints, namespaces, nodes };

export const CORE_RESOURCES: readonly ResourceType[] = [nodes, namespaces, endpoints];
