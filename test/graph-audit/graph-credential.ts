// The tenant's app-only Graph token, as Entra would issue it, taken from the emulator's token store (the login
// emulator does not issue Graph-audience tokens yet). Counts how often a token was asked for.
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import type { GraphAuditEmulator } from "../../local/graph-audit/index";

export class EmulatedGraphCredential implements TokenCredential {
  requested = 0;
  scopes: string[] = [];
  constructor(
    private readonly emu: GraphAuditEmulator,
    private readonly tenantIndex = 0,
  ) {}

  async getToken(scopes: string | string[]): Promise<AccessToken> {
    this.requested++;
    this.scopes.push(...(Array.isArray(scopes) ? scopes : [scopes]));
    const { token, expiresOnTimestamp } = this.emu.issueToken(this.tenantIndex);
    return { token, expiresOnTimestamp };
  }
}
