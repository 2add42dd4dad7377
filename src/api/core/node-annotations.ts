/**
 * Annotations the testbed puts on its Node objects: the contract between the testbed, which
 * registers Nodes as kubelets would, and the driver, which reads them to know what it drives.
 */
export const TESTBED_ANNOTATION = 'kos-test/testbed';

/** `linux` when tested attachments get a real data plane, else `off`. */
export const DATA_PLANE_ANNOTATION = 'kos-test/data-plane';
