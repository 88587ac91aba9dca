// How the local host finds the function for a path: under /api/, case-insensitive literals, {name} parameters.
import type { HttpRoute } from "../../functions/src/http-routes";
import { matchRoute } from "../../local/host/http-invocation";

const handler = async () => ({ status: 200 });
const routes: HttpRoute[] = [
  { name: "jobs", methods: ["GET"], authLevel: "function", route: "operator/backfills", handler },
  { name: "job", methods: ["GET"], authLevel: "function", route: "operator/backfills/{id}", handler },
];

test("literal segments match case-insensitively, parameters bind decoded, only under /api/", () => {
  expect(matchRoute(routes, "/api/operator/backfills")?.route.name).toBe("jobs");
  expect(matchRoute(routes, "/api/Operator/Backfills/")?.route.name).toBe("jobs");
  expect(matchRoute(routes, "/api/operator/backfills/job%201")).toMatchObject({ route: { name: "job" }, params: { id: "job 1" } });
  expect(matchRoute(routes, "/operator/backfills")).toBeUndefined();
  expect(matchRoute(routes, "/api/operator/backfills/a/b")).toBeUndefined();
});

test("a segment that is not valid percent-encoding matches nothing instead of failing the request", () => {
  expect(matchRoute(routes, "/api/operator/backfills/%E0%A4%A")).toBeUndefined();
});
