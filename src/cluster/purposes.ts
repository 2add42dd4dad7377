/**
 * Node purposes of the seed's single-purpose cluster layout, and the names derived from them:
 * the `kos-role/<purpose>=true` label KOS manifests select on and the Ansible host variable.
 */
export const PURPOSES = [
  'ketcd',
  'kapi',
  'kctrl',
  'netcd',
  'napi',
  'nctrl',
  'netcd-op',
  'comp',
  'data',
  'base',
  'obs',
] as const;

export type Purpose = (typeof PURPOSES)[number];

export const ROLE_LABEL_PREFIX = 'kos-role/';
export const SCRAPE_ANNOTATION = 'prometheus.io/scrape';
export const SCRAPE_ETCD_ANNOTATION = 'prometheus.io/scrape-etcd';

/** The purposes whose labels `cluster show` lists, in the seed's `kubectl get Node -L` order. */
export const SHOWN_PURPOSES: readonly Purpose[] = PURPOSES.filter((p) => p !== 'base' && p !== 'obs');

export function isPurpose(text: string): text is Purpose {
  return (PURPOSES as readonly string[]).includes(text);
}

export function roleLabel(purpose: Purpose): string {
  return `${ROLE_LABEL_PREFIX}${purpose}`;
}

/** Ansible variable names cannot hold `-`, so `netcd-op` becomes `kos_role_netcd_op`. */
export function inventoryVariable(purpose: Purpose): string {
  return `kos_role_${purpose.replaceAll('-', '_')}`;
}

/** Sorts purposes into the canonical order above, without duplicates. */
export function canonicalPurposes(purposes: Iterable<Purpose>): Purpose[] {
  const set = new Set(purposes);
  return PURPOSES.filter((p) => set.has(p));
}
