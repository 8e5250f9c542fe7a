/** An error a domain operation reports to its caller; the API turns it into `{error: {code, message}}`. */
export class DomainError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409 | 429,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
