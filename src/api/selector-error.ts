/**
 * A label or field selector that does not parse. The message goes back to the client in a 400 Status,
 * so it follows the wording Kubernetes uses and names the offending part of the selector.
 */
export class SelectorError extends Error {
  constructor(
    /** The whole selector as the client sent it. */
    readonly selectorText: string,
    /** What is wrong, naming the offending token, key or value. */
    readonly reason: string,
  ) {
    super(`unable to parse requirement: ${reason}`);
    this.name = 'SelectorError';
  }
}
