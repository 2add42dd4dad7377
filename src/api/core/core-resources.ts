/** The core-group (`/api/v1`) resources the kube front serves. */
import type { ResourceType } from '../resource-type.js';
import { endpoints } from './endpoints-type.js';
import { events } from './event-type.js';
import { namespaces } from './namespace-type.js';
import { nodes } from './node-type.js';
import { pods } from './pod-type.js';

export { endpoints, events, namespaces, nodes, pods };

export const CORE_RESOURCES: readonly ResourceType[] = [nodes, namespaces, endpoints, pods, events];
