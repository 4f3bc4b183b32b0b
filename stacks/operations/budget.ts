/**
 * A monthly AWS cost budget for the account, notifying the alerts topic: at 80% and at 100% of actual cost,
 * and as soon as the month's forecast passes 100%. It counts the whole account (every stage deployed in it),
 * not only Tributary's resources: scoping it by cost allocation tag needs the tag activated in the billing
 * console first, and a budget filtered on a tag that is not activated silently stays at $0.
 */
import { Stack } from "aws-cdk-lib";
import * as budgets from "aws-cdk-lib/aws-budgets";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as sns from "aws-cdk-lib/aws-sns";
import type { Construct } from "constructs";
import { StackWiringError } from "../ingest/resources";

/** When the budget notifies: percentages of the monthly amount, of cost so far (ACTUAL) or forecast for the month. */
export const BUDGET_NOTIFICATIONS = [
  { notificationType: "ACTUAL", threshold: 80 },
  { notificationType: "ACTUAL", threshold: 100 },
  { notificationType: "FORECASTED", threshold: 100 },
] as const;

export interface CostBudgetProps {
  /** Unique in the account: budgets are per account, not per region or stack. */
  name: string;
  monthlyUsd: number;
  topic: sns.ITopic;
}

export function buildCostBudget(scope: Construct, props: CostBudgetProps): budgets.CfnBudget {
  allowBudgetsToPublish(props.topic);
  return new budgets.CfnBudget(scope, "monthly-cost", {
    budget: {
      budgetName: props.name,
      budgetType: "COST",
      timeUnit: "MONTHLY",
      budgetLimit: { amount: props.monthlyUsd, unit: "USD" },
    },
    notificationsWithSubscribers: BUDGET_NOTIFICATIONS.map(({ notificationType, threshold }) => ({
      notification: { notificationType, threshold, thresholdType: "PERCENTAGE", comparisonOperator: "GREATER_THAN" },
      subscribers: [{ subscriptionType: "SNS", address: props.topic.topicArn }],
    })),
  });
}

/**
 * AWS Budgets publishes as its own service principal, so the topic's policy must allow it
 * (https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-sns-policy.html), and — the topic being
 * encrypted with a customer-managed key — so must the key's. Both are added to the topic's and key's own
 * policies, which live in the topic's stack (Ingest): SNS keeps one policy per topic, so a second
 * AWS::SNS::TopicPolicy here would replace Ingest's, TLS-only statement included.
 */
function allowBudgetsToPublish(topic: sns.ITopic): void {
  const { account, partition } = Stack.of(topic);
  const budgetsPrincipal = new iam.ServicePrincipal("budgets.amazonaws.com");
  const added = topic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: "AllowBudgetsOfThisAccount",
      principals: [budgetsPrincipal],
      actions: ["sns:Publish"],
      resources: [topic.topicArn],
      // The conditions AWS documents for budget notifications: only this account's budgets may publish.
      conditions: {
        StringEquals: { "aws:SourceAccount": account },
        ArnLike: { "aws:SourceArn": `arn:${partition}:budgets::${account}:*` },
      },
    }),
  );
  if (!added.statementAdded) {
    throw new StackWiringError(`stacks: the alerts topic ${topic.node.path} has no resource policy to let AWS Budgets publish to it`);
  }
  // No condition on the key statement: AWS documents none for Budgets, and one Budgets' calls do not carry would drop
  // every notification without a trace. The topic policy above already confines publishing to this account's budgets.
  topic.masterKey?.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: "AllowBudgetsToEncryptAlerts",
      principals: [budgetsPrincipal],
      actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
      // In a key policy "*" means "this key".
      resources: ["*"],
    }),
  );
}
