/** A label or field selector that does not parse; its message goes to the client in a 400. */
export class SelectorError extends Error {
  constructor(
    readonly selectorText: string,
    readonly reason: string,
  ) {
    super(`unable to parse requirement: ${reason}`);
    this.name = 'SelectorError';
  }
}
