/**
 * One on-demand DynamoDB table per wiring declaration: encrypted with the tables key, point-in-time recovery
 * on, TTL when the declaration names an expiry attribute. Key attributes are strings: the wiring declares
 * their names only, and Tributary composes every key as a string (e.g. the ingest ledger's `pk`).
 */
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import type * as kms from "aws-cdk-lib/aws-kms";
import { Table } from "sst/constructs";
import type { TableDecl, TableName } from "@tributary/core/wiring";
import type { Construct } from "constructs";

export function buildTables(scope: Construct, declared: TableDecl[], key: kms.IKey): Map<TableName, Table> {
  const tables = new Map<TableName, Table>();
  for (const decl of declared) {
    const table = new Table(scope, decl.name, {
      fields: { [decl.partitionKey]: "string", ...(decl.sortKey ? { [decl.sortKey]: "string" } : {}) },
      primaryIndex: { partitionKey: decl.partitionKey, ...(decl.sortKey ? { sortKey: decl.sortKey } : {}) },
      ...(decl.ttlAttribute ? { timeToLiveAttribute: decl.ttlAttribute } : {}),
      cdk: {
        table: {
          billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
          encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
          encryptionKey: key,
          // SST sets the deprecated `pointInTimeRecovery: true`; CDK refuses it next to the specification.
          pointInTimeRecovery: undefined,
          pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        },
      },
    });
    tables.set(decl.name, table);
  }
  return tables;
}
