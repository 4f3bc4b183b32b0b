/**
 * One Lambda per wiring declaration, with the shared defaults, its own role (nothing but its log group and the
 * statements its wiring implies) and its own KMS-encrypted log group with a fixed retention.
 */
import * as iam from "aws-cdk-lib/aws-iam";
import type * as kms from "aws-cdk-lib/aws-kms";
import * as logs from "aws-cdk-lib/aws-logs";
import { Function } from "sst/constructs";
import type { Construct } from "constructs";
import type { FunctionDecl } from "@tributary/core/wiring";
import { AWS_ENV } from "../../packages/core/src/platform/aws-env";
import { FUNCTION_DEFAULTS, FUNCTION_LOG_RETENTION } from "../shared/function-defaults";
import { statementsFor } from "./permissions";
import type { WiredResources } from "./resources";

export interface FunctionContext {
  resources: WiredResources;
  logsKey: kms.IKey;
  /** Powertools metrics namespace (the config's project name). */
  metricsNamespace: string;
}

export function buildFunction(scope: Construct, decl: FunctionDecl, ctx: FunctionContext): Function {
  const logGroup = new logs.LogGroup(scope, `${decl.name}-logs`, {
    retention: FUNCTION_LOG_RETENTION,
    encryptionKey: ctx.logsKey,
  });
  // An explicit role instead of CDK's default one, which would carry the AWSLambdaBasicExecutionRole managed
  // policy (logs:CreateLogGroup/CreateLogStream/PutLogEvents on every log group of the account).
  const role = new iam.Role(scope, `${decl.name}-role`, {
    assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
    description: `Tributary function ${decl.name}`,
  });
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: "WriteOwnLogGroup",
      actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
      resources: [logGroup.logGroupArn],
    }),
  );
  // "-fn": a queue may share its function's name (ga-forward), and construct ids must be unique in a stack.
  const fn = new Function(scope, `${decl.name}-fn`, {
    ...FUNCTION_DEFAULTS,
    handler: decl.handler,
    description: decl.description,
    timeout: decl.timeoutSeconds,
    memorySize: decl.memoryMb,
    ...(decl.ephemeralStorageMb ? { diskSize: decl.ephemeralStorageMb } : {}),
    role,
    logGroup,
    environment: {
      ...resourceEnvironment(ctx.resources),
      POWERTOOLS_SERVICE_NAME: decl.name,
      POWERTOOLS_METRICS_NAMESPACE: ctx.metricsNamespace,
    },
  });
  fn.attachPermissions(statementsFor(decl, ctx.resources));
  // Binding a secret grants ssm:GetParameters on that secret's parameters only, and lets sst/node/config load it.
  fn.bind(decl.secrets.map((name) => ctx.resources.secrets.get(name)!));
  return fn;
}

/**
 * Where every resource is, under the names in `AWS_ENV`. Every function gets every name (names grant
 * nothing; its IAM statements decide what it may do), so the AWS ports adapter can build all ports alike.
 */
export function resourceEnvironment(resources: WiredResources): Record<string, string> {
  const env: Record<string, string> = {
    [AWS_ENV.stage]: resources.stage,
    [AWS_ENV.lakeBucket]: resources.lakeBucket.bucketName,
    [AWS_ENV.restrictedKeyArn]: resources.restrictedKey.keyArn,
    [AWS_ENV.busName]: resources.bus.eventBusName,
  };
  for (const [name, queue] of resources.queues) env[AWS_ENV.queueUrl(name)] = queue.queueUrl;
  for (const [name, queue] of resources.deadLetterQueues) env[AWS_ENV.queueUrl(`${name}-dlq`)] = queue.queueUrl;
  for (const [name, table] of resources.tables) env[AWS_ENV.tableName(name)] = table.tableName;
  return env;
}
