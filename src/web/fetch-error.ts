/** Why a URL was not fetched, in one line a user can read. */
export class FetchError extends Error {
  constructor(
    message: string,
    /** HTTP status, when the server answered. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'FetchError';
  }
}
