// What an emulated service throws to refuse a request: the HTTP status, the service's own error code and message, and
// any headers it sends with them (Retry-After, WWW-Authenticate). Each service writes the body in its own shape.
export class ServiceRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}
