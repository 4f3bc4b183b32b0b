/**
 * A function's IAM statements, derived only from its wiring declaration: lake prefixes, queues it sends to,
 * the bus when it puts events, and its tables. Explicit actions everywhere — no `service:*` — which is also
 * why functions are not SST-`bind`-ed: binding a Bucket/Queue/Table grants `s3:*`/`sqs:*`/`dynamodb:*` on the
 * whole resource. Resource names reach the function through environment variables instead (`AWS_ENV`).
 */
import { Stack } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import type { FunctionDecl } from "@tributary/core/wiring";
// The file itself, not `@tributary/core/lake`: synth needs the prefix, not the lake's Parquet and SDK code.
import { RESTRICTED_PREFIX } from "../../packages/core/src/lake/keys";
import { queueOf, tableOf, type WiredResources } from "./resources";

/** Reading a lake prefix. `GetObjectVersion`: reads of a specific version (S3 events name the version). */
const LAKE_READ_ACTIONS = ["s3:GetObject", "s3:GetObjectVersion"];
/**
 * Writing a lake prefix. The S3 lake store reads back what it wrote (HeadObject on the new version, which
 * needs `GetObject`/`GetObjectVersion`), and multipart uploads of large files are aborted on failure.
 */
const LAKE_WRITE_ACTIONS = ["s3:PutObject", "s3:AbortMultipartUpload", "s3:GetObject", "s3:GetObjectVersion"];
const TABLE_READ_ACTIONS = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable"];
const TABLE_WRITE_ACTIONS = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"];

/**
 * Whether a declared lake prefix reaches objects under `restricted/`: it lies inside it, or contains it (`""`, `r`).
 *
 * @example reachesRestricted("restricted/bronze/files/") // true
 * @example reachesRestricted("bronze/") // false
 */
export function reachesRestricted(prefix: string): boolean {
  return prefix.startsWith(RESTRICTED_PREFIX) || RESTRICTED_PREFIX.startsWith(prefix);
}

/** The IAM statements `fn` needs, and nothing more. */
export function statementsFor(fn: FunctionDecl, resources: WiredResources): iam.PolicyStatement[] {
  return [...lakeStatements(fn, resources), ...queueStatements(fn, resources), ...busStatements(fn, resources), ...tableStatements(fn, resources)];
}

function lakeStatements(fn: FunctionDecl, { lakeBucket, lakeKey, restrictedKey }: WiredResources): iam.PolicyStatement[] {
  const { read, write } = fn.lake;
  if (read.length === 0 && write.length === 0) return [];
  const region = Stack.of(lakeBucket).region;
  const objects = (prefixes: string[]) => prefixes.map((p) => lakeBucket.arnForObjects(`${p}*`));
  const statements: iam.PolicyStatement[] = [];
  if (read.length > 0) statements.push(new iam.PolicyStatement({ sid: "LakeRead", actions: LAKE_READ_ACTIONS, resources: objects(read) }));
  if (write.length > 0) statements.push(new iam.PolicyStatement({ sid: "LakeWrite", actions: LAKE_WRITE_ACTIONS, resources: objects(write) }));
  const deletes = fn.lake.delete ?? [];
  // Versioned bucket: a delete adds a delete marker, so the object stays recoverable for the noncurrent-version window.
  if (deletes.length > 0) statements.push(new iam.PolicyStatement({ sid: "LakeDelete", actions: ["s3:DeleteObject"], resources: objects(deletes) }));
  // Listing is limited to the same prefixes; without it, S3 answers 403 instead of 404 for a missing key.
  statements.push(
    new iam.PolicyStatement({
      sid: "LakeListDeclaredPrefixes",
      actions: ["s3:ListBucket"],
      resources: [lakeBucket.bucketArn],
      conditions: { StringLike: { "s3:prefix": [...new Set([...read, ...write])].map((p) => `${p}*`) } },
    }),
  );
  // SSE-KMS objects: S3 decrypts on read and asks for a data key on write, on the caller's behalf only; a
  // function that only reads gets no data keys.
  statements.push(
    new iam.PolicyStatement({
      sid: "LakeKeyViaS3",
      actions: write.length > 0 ? ["kms:Decrypt", "kms:GenerateDataKey"] : ["kms:Decrypt"],
      resources: [lakeKey.keyArn],
      conditions: { StringEquals: { "kms:ViaService": `s3.${region}.amazonaws.com` } },
    }),
  );
  // Objects under restricted/ (raw PII) are encrypted with their own key: only a function whose wiring reads or
  // writes there may use it, through S3 alone. Writers need Decrypt too: S3 decrypts the parts of a multipart
  // upload to complete it (https://repost.aws/knowledge-center/s3-multipart-kms-decrypt). Deleting needs no key.
  const writesRestricted = write.some(reachesRestricted);
  if (writesRestricted || read.some(reachesRestricted)) {
    statements.push(
      new iam.PolicyStatement({
        sid: "RestrictedKeyViaS3",
        actions: writesRestricted ? ["kms:Decrypt", "kms:GenerateDataKey"] : ["kms:Decrypt"],
        resources: [restrictedKey.keyArn],
        conditions: { StringEquals: { "kms:ViaService": `s3.${region}.amazonaws.com` } },
      }),
    );
  }
  return statements;
}

function queueStatements(fn: FunctionDecl, resources: WiredResources): iam.PolicyStatement[] {
  if (fn.sendsTo.length === 0) return [];
  const queues = fn.sendsTo.map((q) => queueOf(resources, q, `function "${fn.name}" (sendsTo)`));
  return [
    new iam.PolicyStatement({ sid: "SendToDeclaredQueues", actions: ["sqs:SendMessage"], resources: queues.map((q) => q.queueArn) }),
    // SQS encrypts with a data key generated under the queues' key on the sender's behalf.
    new iam.PolicyStatement({
      sid: "QueueKeyViaSqs",
      actions: ["kms:GenerateDataKey", "kms:Decrypt"],
      resources: [resources.queueKey.keyArn],
      conditions: { StringEquals: { "kms:ViaService": `sqs.${Stack.of(resources.queueKey).region}.amazonaws.com` } },
    }),
  ];
}

function busStatements(fn: FunctionDecl, { bus }: WiredResources): iam.PolicyStatement[] {
  if (!fn.putsEvents) return [];
  return [new iam.PolicyStatement({ sid: "PutEventsOnTributaryBus", actions: ["events:PutEvents"], resources: [bus.eventBusArn] })];
}

function tableStatements(fn: FunctionDecl, resources: WiredResources): iam.PolicyStatement[] {
  if (fn.tables.length === 0) return [];
  const statements = fn.tables.map(({ name, access }) => {
    const table = tableOf(resources, name, `function "${fn.name}" (tables)`);
    const actions = access === "readwrite" ? [...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS] : TABLE_READ_ACTIONS;
    return new iam.PolicyStatement({ actions, resources: [table.tableArn] });
  });
  const writes = fn.tables.some((t) => t.access === "readwrite");
  statements.push(
    new iam.PolicyStatement({
      sid: "TableKeyViaDynamoDb",
      actions: writes ? ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"] : ["kms:Decrypt", "kms:DescribeKey"],
      resources: [resources.tableKey.keyArn],
      conditions: { StringEquals: { "kms:ViaService": `dynamodb.${Stack.of(resources.tableKey).region}.amazonaws.com` } },
    }),
  );
  return statements;
}
