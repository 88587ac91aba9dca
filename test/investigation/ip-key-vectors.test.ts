import { normalizeIpAddress } from "../../functions/src/transform/ip-address";
import { ipKey } from "../../investigation/ip-key";
import { ipKeyProblem, loadIpKeyVectors } from "../vectors/vectors";

// test/vectors/ip-keys/ through the TypeScript side: what ingestion writes into ClientIPAddress and what the local
// investigation compares. npm run test:kusto runs the same files through NormalizedIp.
const vectors = loadIpKeyVectors();

test("the IP key vectors include the forms Microsoft publishes", () => {
  expect(vectors.map((v) => v.name)).toEqual(expect.arrayContaining(["ffff-prefix-without-colons", "host-name-with-port", "address-spellings"]));
});

describe.each(vectors.map((v) => [v.name, v] as const))("IP key vector %s", (_name, v) => {
  test(`typed text: ${v.why}`, () => {
    expect(ipKeyProblem(v, ipKey)).toBeNull();
  });
  test("the text ingestion writes keys like the text it came from", () => {
    expect(ipKeyProblem(v, (text) => ipKey(normalizeIpAddress(text)))).toBeNull();
    for (const group of v.groups) for (const text of group) expect(ipKey(normalizeIpAddress(text))).toBe(ipKey(text));
  });
});
