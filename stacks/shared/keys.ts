/**
 * Customer-managed KMS keys. Every key rotates yearly; keys outlive their stack (CDK's default RETAIN), since
 * deleting a key makes whatever it encrypted unreadable.
 */
import { Stack } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import * as kms from "aws-cdk-lib/aws-kms";
import type { Construct } from "constructs";
import type { App } from "sst/constructs";

/** A rotating customer-managed key with an alias `alias/<app>/<stage>/<purpose>`, so operators can find it. */
export function rotatingKey(scope: Construct, id: string, purpose: string, description: string): kms.Key {
  const app = scope.node.root as App;
  return new kms.Key(scope, id, {
    description,
    enableKeyRotation: true,
    alias: `alias/${app.name}/${app.stage}/${purpose}`,
  });
}

/**
 * A key CloudWatch Logs may use for this account's log groups in this region. CloudWatch Logs calls KMS as
 * its own service principal, so the key policy (not an IAM policy) must allow it, scoped by the encryption
 * context to log groups of this account. https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 */
export function logsKey(scope: Construct, id: string): kms.Key {
  const stack = Stack.of(scope);
  const key = rotatingKey(scope, id, "logs", "Encrypts Tributary's Lambda and API access log groups");
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: "AllowCloudWatchLogsOfThisAccount",
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: [
        "kms:Encrypt",
        "kms:Decrypt",
        "kms:ReEncryptFrom",
        "kms:ReEncryptTo",
        "kms:GenerateDataKey",
        "kms:GenerateDataKeyWithoutPlaintext",
        "kms:DescribeKey",
      ],
      // In a key policy "*" means "this key".
      resources: ["*"],
      conditions: {
        ArnLike: {
          "kms:EncryptionContext:aws:logs:arn": `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*`,
        },
      },
    }),
  );
  return key;
}
