/**
 * A problem the user can fix (bad input, a missing or mismatched index, a model that cannot be found).
 * Command lines print its message as is, without a stack trace; the Discord adapter shows it to the asker.
 */
export class UserError extends Error {
  constructor(
    message: string,
    /** Process exit code for command lines. */
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
