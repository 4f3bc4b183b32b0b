/**
 * The config's `alerts` section (who the Operations stack notifies, and the monthly cost budget): its defaults,
 * and the errors a bad address, a repeated address or a bad amount get.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_BUDGET_MONTHLY_USD, parseConfig, type ConfigInput } from "@tributary/core/config";
import shipped from "../../tributary.config";
import { problemsOf } from "./config-problems";

const { alerts: _shippedAlerts, ...withoutAlerts } = shipped;
const withAlerts = (alerts: unknown): ConfigInput => ({ ...shipped, alerts }) as ConfigInput;

describe("parseConfig: alerts", () => {
  it("subscribes nobody and budgets the default amount when the section is left out", () => {
    // Act
    const config = parseConfig(withoutAlerts);

    // Assess
    expect(config.alerts).toEqual({ emails: [], budgetMonthlyUsd: DEFAULT_BUDGET_MONTHLY_USD });
  });

  it("keeps the listed addresses and amount, and defaults the one left out", () => {
    // Act
    const withEmails = parseConfig(withAlerts({ emails: ["ops@example.com", "On-Call@example.org"] }));
    const withBudget = parseConfig(withAlerts({ budgetMonthlyUsd: 42.5 }));

    // Assess
    expect(withEmails.alerts).toEqual({ emails: ["ops@example.com", "On-Call@example.org"], budgetMonthlyUsd: DEFAULT_BUDGET_MONTHLY_USD });
    expect(withBudget.alerts).toEqual({ emails: [], budgetMonthlyUsd: 42.5 });
  });

  it("gives every parsed config its own defaults", () => {
    // Prepare
    const first = parseConfig(withoutAlerts);

    // Act
    first.alerts.emails.push("leak@example.com");
    const second = parseConfig(withoutAlerts);

    // Assess
    expect(second.alerts.emails).toEqual([]);
  });

  it("names an address that is not an email address", () => {
    expect(problemsOf(withAlerts({ emails: ["ops@example.com", "ops team"] }))).toEqual(["alerts.emails[1]: must be an email address"]);
  });

  it("refuses an address listed twice, whatever its case", () => {
    expect(problemsOf(withAlerts({ emails: ["ops@example.com", "OPS@example.com"] }))).toEqual(["alerts.emails: list each address once"]);
  });

  it("refuses a budget that is not a positive amount", () => {
    expect(problemsOf(withAlerts({ budgetMonthlyUsd: 0 }))).toEqual(["alerts.budgetMonthlyUsd: must be a positive amount of US dollars"]);
    expect(problemsOf(withAlerts({ budgetMonthlyUsd: "100" }))).toEqual([expect.stringMatching(/^alerts\.budgetMonthlyUsd: Invalid input: expected number/)]);
  });

  it("refuses unknown keys instead of ignoring typos", () => {
    expect(problemsOf(withAlerts({ email: ["ops@example.com"] }))).toEqual([expect.stringMatching(/^alerts: Unrecognized key: "email"/)]);
  });
});
