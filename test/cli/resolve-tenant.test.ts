// The CLI's --tenant resolver against the emulated login (HTTPS with the per-run CA): ids pass through, domains are
// resolved through the tenant's OpenID discovery document, and every failure says what is wrong and what to do.
import { createServer } from "node:net";
import { startManagementApiEmulator, type ManagementApiEmulator } from "../../local/management-api/index";
import { resolveTenant, TenantResolveError } from "../../cli/tenants/resolve-tenant";

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

async function failure(p: Promise<unknown>): Promise<TenantResolveError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(TenantResolveError);
  return e as TenantResolveError;
}

describe("resolveTenant", () => {
  let emu: ManagementApiEmulator;
  beforeAll(async () => {
    emu = await startManagementApiEmulator({ seed: 11, tenants: 3, users: 5 });
  });
  afterAll(() => emu.close());
  const login = () => ({ authorityHost: emu.login, caPem: emu.loginCaPem });

  test("a domain resolves to its tenant's id through discovery, whatever its case", async () => {
    for (const t of emu.tenants) {
      await expect(resolveTenant(` ${t.domain.toUpperCase()} `, login())).resolves.toEqual({ tenantId: t.tenantId, domain: t.domain, via: "discovery" });
    }
  });

  test("a tenant id passes through without any lookup", async () => {
    const id = emu.tenants[0].tenantId.toUpperCase();
    const unreachable = { authorityHost: `https://127.0.0.1:${await closedPort()}` };
    await expect(resolveTenant(id, unreachable)).resolves.toEqual({ tenantId: emu.tenants[0].tenantId, via: "id" });
  });

  test("an unknown domain is reported as such, with Entra's code and the next step", async () => {
    const e = await failure(resolveTenant("nobody-here.onmicrosoft.com", login()));
    expect(e.kind).toBe("unknown-tenant");
    expect(e.message).toMatch(/cannot resolve the tenant id of nobody-here\.onmicrosoft\.com: .* answered 400 AADSTS90002/);
    expect(e.message).toMatch(/pass the tenant id instead/);
  });

  test("a login host that does not answer is a network failure, not an unknown tenant", async () => {
    const e = await failure(resolveTenant(emu.tenants[0].domain, { authorityHost: `https://127.0.0.1:${await closedPort()}`, timeoutMs: 2000 }));
    expect(e.kind).toBe("unreachable");
    expect(e.message).toMatch(/is unreachable \(.*ECONNREFUSED/);
    expect(e.message).toMatch(/check the network or proxy/);
  });

  test("the emulated login's certificate is refused unless its CA is trusted", async () => {
    const e = await failure(resolveTenant(emu.tenants[0].domain, { authorityHost: emu.login }));
    expect(e.kind).toBe("unreachable");
    expect(e.message).toMatch(/certificate/i);
  });

  test.each(["", "contoso", "not a domain.com", "-bad-.example.com"])("%j is refused before any lookup, naming what to pass", async (input) => {
    const e = await failure(resolveTenant(input, login()));
    expect(e.kind).toBe("invalid-input");
    expect(e.message).toMatch(/neither a tenant id \(a GUID\) nor a domain/);
  });
});
