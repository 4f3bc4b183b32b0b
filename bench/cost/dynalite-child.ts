/**
 * dynalite in a process of its own, so the emulator's CPU does not count as the measured functions' CPU (on AWS,
 * DynamoDB's work is not billed as Lambda time). Started by `startDynamoProcess` (helper-processes.ts):
 *
 *   node --import tsx bench/cost/dynalite-child.ts '<TableDecl[] as JSON>'
 *
 * Prints its endpoint, then serves until its stdin closes (so it never outlives the bench).
 */
import { startLocalDynamo } from "../../packages/core/src/local/dynamo";
import type { TableDecl } from "../../packages/core/src/wiring";

const tables = JSON.parse(process.argv[2] ?? "[]") as TableDecl[];
const dynamo = await startLocalDynamo({ tables });
console.log(dynamo.endpoint);
process.stdin.resume();
process.stdin.once("end", () => void dynamo.stop().then(() => process.exit(0)));
