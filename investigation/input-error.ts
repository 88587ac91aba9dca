// Bad input to an investigation: which flag is wrong, and what to do about it. The CLI prints it and exits non-zero.
export class InvestigationInputError extends Error {
  constructor(
    readonly flag: string,
    message: string,
  ) {
    super(`${flag}: ${message}`);
    this.name = "InvestigationInputError";
  }
}
