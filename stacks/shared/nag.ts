/**
 * cdk-nag suppressions for resources the frameworks create on their own. Each names the resource exactly and
 * says why the finding does not apply; findings on Tributary's own resources are fixed, not suppressed.
 */
import { NagSuppressions } from "cdk-nag";
import type { Stack } from "sst/constructs";

/**
 * Every SST stack carries `CustomResourceHandler`, a Lambda SST uses for its own custom resources
 * (`sst/constructs/Stack.js` → `createCustomResourceHandler`); we cannot change its role or runtime.
 */
export function suppressSstFrameworkFindings(stack: Stack): void {
  const handler = stack.node.tryFindChild("CustomResourceHandler");
  if (!handler) return;
  NagSuppressions.addResourceSuppressions(
    handler,
    [
      {
        id: "AwsSolutions-IAM4",
        reason:
          "SST's own custom-resource handler: CDK gives it only the AWSLambdaBasicExecutionRole managed policy (write its own logs).",
        appliesTo: ["Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
      },
      {
        id: "AwsSolutions-L1",
        reason: "SST's own custom-resource handler: SST fixes its runtime (nodejs22.x in sst 2.49.8).",
      },
    ],
    true,
  );
}
