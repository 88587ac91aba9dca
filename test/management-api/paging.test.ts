import { nextPageUri } from "../../functions/src/management-api/paging";
import { withPublisherIdentifier } from "../../functions/src/management-api/publisher-identifier";

const page1 = "https://manage.office.com/api/v1.0/t/activity/feed/subscriptions/content?contentType=Audit.Exchange";

describe("paging", () => {
  it("reads NextPageUri", () => {
    const h = new Headers({ NextPageUri: `${page1}&nextPage=2` });
    expect(nextPageUri(h, page1)).toBe(`${page1}&nextPage=2`);
  });

  it("reads the lower-cased Nextpageuri seen in the wild, from fetch headers and from plain header records", () => {
    expect(nextPageUri(new Headers({ Nextpageuri: `${page1}&nextPage=3` }), page1)).toBe(`${page1}&nextPage=3`);
    expect(nextPageUri({ nextpageuri: `${page1}&nextPage=4` }, page1)).toBe(`${page1}&nextPage=4`);
    expect(nextPageUri({ Nextpageuri: [`${page1}&nextPage=5`] }, page1)).toBe(`${page1}&nextPage=5`);
  });

  it("signals the last page by null when the header is absent or empty", () => {
    expect(nextPageUri(new Headers(), page1)).toBeNull();
    expect(nextPageUri({ nextpageuri: "  " }, page1)).toBeNull();
  });

  it("resolves a relative NextPageUri against the current page", () => {
    expect(nextPageUri({ NextPageUri: "/api/v1.0/t/activity/feed/subscriptions/content?nextPage=9" }, page1)).toBe(
      "https://manage.office.com/api/v1.0/t/activity/feed/subscriptions/content?nextPage=9",
    );
  });
});

describe("PublisherIdentifier", () => {
  it("is appended when absent", () => {
    expect(new URL(withPublisherIdentifier(page1, "pub-1")).searchParams.get("PublisherIdentifier")).toBe("pub-1");
  });

  it("is not duplicated when the URL already carries it, in any casing", () => {
    const u = new URL(withPublisherIdentifier(`${page1}&publisheridentifier=pub-0`, "pub-1"));
    expect([...u.searchParams.keys()].filter((k) => k.toLowerCase() === "publisheridentifier")).toHaveLength(1);
    expect(u.searchParams.get("publisheridentifier")).toBe("pub-0");
  });
});
