/** The `apps/v1` resources the kube front serves. */
import type { ResourceType } from '../resource-type.js';
import { daemonSets } from './daemonset-type.js';
import { deployments } from './deployment-type.js';

export { daemonSets, deployments };

export const APPS_RESOURCES: readonly ResourceType[] = [deployments, daemonSets];
