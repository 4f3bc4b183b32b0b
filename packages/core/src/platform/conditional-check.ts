/**
 * Whether a DynamoDB call failed only because its ConditionExpression was false (someone else's write won, or the
 * item already holds a newer version). Compared by name as well as class: the document client, dynalite and a
 * second copy of the SDK in a bundle each surface it slightly differently.
 */
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";

/** @example if (isConditionalCheckFailed(error)) return false; */
export function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException || (error instanceof Error && error.name === "ConditionalCheckFailedException");
}
