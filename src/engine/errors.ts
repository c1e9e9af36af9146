/** An operational failure the CLI reports in one line with exit code 8 (no stack trace). */
export class FsckError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 8,
  ) {
    super(message);
    this.name = 'FsckError';
  }
}
