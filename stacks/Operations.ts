/**
 * Operating Tributary on AWS: health alarms on every function and on the HTTP API, the alert subscriptions
 * the config lists, a monthly cost budget, and one dashboard. Everything notifies the alerts topic Ingest
 * built (where its dead-letter and CDC alarms already go), so one subscription hears about all of it.
 *
 * It refers to Ingest's functions, queues and API across stacks (CloudFormation exports). A function or queue
 * the config stops wiring (say `ga` is removed) is still imported here until this stack deploys, and
 * CloudFormation refuses to delete an export in use: deploy this stack first (`npx sst deploy Operations`),
 * then everything.
 */
import { type StackContext, use } from "sst/constructs";
import { datasets } from "@tributary/core/config";
import { Ingest } from "./Ingest";
import { CDC_POLL_FUNCTION } from "./ingest/cdc-alarms";
import { buildApiAlarms } from "./operations/api-alarms";
import { buildCostBudget } from "./operations/budget";
import { buildDashboard } from "./operations/dashboard";
import { buildFunctionAlarms } from "./operations/function-alarms";
import { subscribeEmails } from "./operations/subscriptions";
import { tributaryConfig } from "./shared/config";
import { suppressSstFrameworkFindings } from "./shared/nag";

export function Operations({ stack, app }: StackContext) {
  const config = tributaryConfig(app);
  const dashboardName = app.logicalPrefixedName("operations");
  const budgetName = app.logicalPrefixedName("monthly-cost");
  const { functions, api, queues, deadLetterQueues, alerts, cdcAlarms } = use(Ingest);

  const functionAlarms = buildFunctionAlarms(stack, functions, alerts, {
    // Ingest alarms on cdc-poll's errors with what to check for a failed poll.
    errorsAlarmedElsewhere: new Set(cdcAlarms ? [CDC_POLL_FUNCTION] : []),
  });
  const apiAlarms = api ? buildApiAlarms(stack, api.cdk.httpApi, alerts) : undefined;
  const subscriptions = subscribeEmails(stack, alerts, config.alerts.emails);
  const budget = buildCostBudget(stack, { name: budgetName, monthlyUsd: config.alerts.budgetMonthlyUsd, topic: alerts });
  const dashboard = buildDashboard(stack, {
    name: dashboardName,
    functions,
    queues,
    deadLetterQueues,
    api: api?.cdk.httpApi,
    sources: config.sources,
    cdcAlarms,
    datasets: datasets(config),
    freshnessNamespace: config.project,
  });

  suppressSstFrameworkFindings(stack);
  stack.addOutputs({
    Dashboard: `https://${stack.region}.console.aws.amazon.com/cloudwatch/home?region=${stack.region}#dashboards:name=${dashboardName}`,
    CostBudget: budgetName,
  });
  return { functionAlarms, apiAlarms, subscriptions, budget, dashboard };
}
