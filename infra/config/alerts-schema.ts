// The `alerts:` block of the deployment config: who is told (e-mail, a webhook given by reference, never inline), the
// availability test, and per rule of kql/alerts.ts its threshold and severity over the declared defaults.
import { z } from "zod";
import { ALERT_RULES, type AlertRuleId } from "../../kql/alerts";
import { ALL_WEB_TEST_LOCATIONS, type WebTestLocation } from "./web-test-locations";

const RULE_IDS = ALERT_RULES.map((r) => r.id) as [AlertRuleId, ...AlertRuleId[]];

const webhookSchema = z.union(
  [
    // a Key Vault secret holding the URL (a Teams workflow, PagerDuty, …): read at plan time, never written in the config
    z.strictObject({
      keyVaultSecret: z.strictObject({
        vaultId: z
          .string()
          .regex(
            /^\/subscriptions\/[0-9a-f-]{36}\/resourceGroups\/[^/]+\/providers\/Microsoft\.KeyVault\/vaults\/[a-zA-Z0-9-]{3,24}$/i,
            "expected the vault's resource id: /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.KeyVault/vaults/<name>",
          ),
        name: z.string().regex(/^[0-9a-zA-Z-]{1,127}$/, "expected a Key Vault secret name: letters, digits and hyphens"),
      }),
    }),
    // a setting of the pipeline or shell that applies the stack, handed to terraform as TF_VAR_<name> (sensitive)
    z.strictObject({ setting: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, "expected a lower-case variable name such as alert_webhook_url (set TF_VAR_alert_webhook_url when applying)") }),
  ],
  { error: "expected keyVaultSecret: { vaultId, name } or setting: <variable name>: the webhook URL is a secret and never sits in the config" },
);

const ruleSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** minutes for ingestion-lag, a count for the others */
  threshold: z.number().int().min(1).optional(),
  /** Azure Monitor severity: 0 critical … 4 verbose */
  severity: z.number().int().min(0).max(4).optional(),
});

export const alertsSchema = z.strictObject({
  email: z.array(z.email("expected an e-mail address")).default([]),
  webhook: webhookSchema.optional(),
  availability: z
    .strictObject({
      enabled: z.boolean().default(true),
      frequencySeconds: z.union([z.literal(300), z.literal(600), z.literal(900)]).default(300),
      /** Availability test locations (population tags such as emea-nl-ams-azr); default five of the cloud's. */
      locations: z
        .array(z.enum(ALL_WEB_TEST_LOCATIONS as [WebTestLocation, ...WebTestLocation[]], { error: (i) => `${String(i.input)} is not an availability test location` }))
        .min(1)
        .optional(),
      /** Locations that must fail before it alerts. */
      failedLocations: z.number().int().min(1).default(2),
      severity: z.number().int().min(0).max(4).default(1),
    })
    .default({ enabled: true, frequencySeconds: 300, failedLocations: 2, severity: 1 }),
  rules: z.partialRecord(z.enum(RULE_IDS), ruleSchema).default({}),
  /** The analytics rule on ingestion gaps in each tenant's Sentinel workspace (when it has one). */
  sentinel: z
    .strictObject({
      enabled: z.boolean().default(true),
      gapMinutes: z.number().int().min(5).default(120),
      severity: z.enum(["High", "Medium", "Low", "Informational"]).default("High"),
    })
    .default({ enabled: true, gapMinutes: 120, severity: "High" }),
}).refine((a) => !a.availability.locations || a.availability.failedLocations <= a.availability.locations.length, {
  path: ["availability", "failedLocations"],
  message: "is more than the locations listed: the test could never alert",
});

export type AlertsConfig = z.output<typeof alertsSchema>;
export const DEFAULT_ALERTS: AlertsConfig = alertsSchema.parse({});
