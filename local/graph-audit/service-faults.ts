// Failures Graph shows now and then besides throttling: 500/503/504 answers (503 with Retry-After) and connections
// dropped without an answer. Chosen per request from the seed, so a run replays exactly.
import { unitHash } from "../management-api/random";
import { GraphError } from "./graph-errors";

export interface ServiceFaultSettings {
  seed: number;
  /** Share of requests answered 500, 503 or 504, in [0, 1]. */
  serverErrorShare: number;
  /** Share of requests whose connection is dropped without an answer, in [0, 1]. */
  resetShare: number;
  retryAfterSeconds: number;
}

export type ServiceFault = { kind: "error"; error: GraphError } | { kind: "reset" } | null;

export class ServiceFaults {
  private sequence = 0;

  constructor(private readonly s: ServiceFaultSettings) {}

  next(): ServiceFault {
    const n = this.sequence++;
    if (this.s.resetShare > 0 && unitHash(this.s.seed, "graph-reset", n) < this.s.resetShare) return { kind: "reset" };
    if (this.s.serverErrorShare > 0 && unitHash(this.s.seed, "graph-5xx", n) < this.s.serverErrorShare) {
      const which = unitHash(this.s.seed, "graph-5xx-kind", n);
      if (which < 0.5) {
        return { kind: "error", error: new GraphError(503, "ServiceUnavailable", "The service is temporarily unavailable. Retry later.", { "Retry-After": String(this.s.retryAfterSeconds) }) };
      }
      if (which < 0.8) return { kind: "error", error: new GraphError(500, "InternalServerError", "An internal server error occurred. Retry the request.") };
      return { kind: "error", error: new GraphError(504, "GatewayTimeout", "The gateway did not receive a timely response. Retry the request.") };
    }
    return null;
  }
}
