// Where Application Insights availability tests can run, per cloud: the location population tags ARM takes as a web
// test's geo location ids (Learn, Monitor availability, "Location population tags"). azurerm checks only that each is
// non-empty, so an unknown tag first fails at apply.
export const WEB_TEST_LOCATIONS = {
  public: [
    "emea-au-syd-edge", "latam-br-gru-edge", "us-fl-mia-edge", "apac-hk-hkn-azr", "us-va-ash-azr", "emea-ch-zrh-edge", "emea-fr-pra-edge",
    "apac-jp-kaw-edge", "emea-gb-db3-azr", "us-il-ch1-azr", "us-tx-sn1-azr", "apac-sg-sin-azr", "emea-se-sto-edge", "emea-nl-ams-azr",
    "us-ca-sjc-azr", "emea-ru-msa-edge",
  ],
  usgovernment: ["usgov-va-azr", "usgov-phx-azr", "usgov-tx-azr", "usgov-ddeast-azr", "usgov-ddcentral-azr"],
} as const;

export type WebTestLocation = (typeof WEB_TEST_LOCATIONS)[keyof typeof WEB_TEST_LOCATIONS][number];
export const ALL_WEB_TEST_LOCATIONS: readonly WebTestLocation[] = [...WEB_TEST_LOCATIONS.public, ...WEB_TEST_LOCATIONS.usgovernment];

/** Where the availability test runs when the config lists no locations: five regions of each cloud where it has five. */
export const DEFAULT_WEB_TEST_LOCATIONS: Record<keyof typeof WEB_TEST_LOCATIONS, readonly WebTestLocation[]> = {
  public: ["emea-nl-ams-azr", "emea-gb-db3-azr", "us-va-ash-azr", "us-ca-sjc-azr", "apac-sg-sin-azr"],
  usgovernment: ["usgov-va-azr", "usgov-tx-azr", "usgov-phx-azr"],
};
