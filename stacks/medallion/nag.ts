/**
 * cdk-nag findings on the Medallion stack that are deliberate, each on the exact resource with its reason.
 */
import type * as sfn from "aws-cdk-lib/aws-stepfunctions";
import { NagSuppressions } from "cdk-nag";

export function suppressMedallionFindings(machines: sfn.StateMachine[]): void {
  for (const machine of machines) {
    NagSuppressions.addResourceSuppressions(
      machine.role,
      [
        {
          id: "AwsSolutions-IAM5",
          reason:
            "Step Functions logging to CloudWatch Logs (logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups) and X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules, GetSamplingTargets) support no resource-level permissions, so AWS requires Resource \"*\" (https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html, https://docs.aws.amazon.com/step-functions/latest/dg/xray-iam.html).",
          appliesTo: ["Resource::*"],
        },
      ],
      true,
    );
  }
}
