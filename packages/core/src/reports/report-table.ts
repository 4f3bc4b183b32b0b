/**
 * The real-time report table (`realtime_reports`, pk + sk): one item per fact under the entity the record resolved
 * to (`entity#<id>`), plus a `touch` item saying when the entity's report last changed. Every write is a single
 * conditional write, so applying a record twice, or out of order, leaves the same items:
 * - orders and results: put only when the stored version is older;
 * - visits: first seen only moves earlier, last seen only later.
 * Entities merge after facts were written under them; reading unites the items of every merged member.
 */
import { PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Fact, OrderFact, ResultFact, VisitFact } from "./facts";
import { isConditionalCheckFailed } from "../platform/conditional-check";

export type ReportItem = Record<string, unknown> & { sk: string };

export interface ApplyOutcome {
  applied: number;
  /** Facts refused because the table already holds the same or a newer version (duplicates, late arrivals). */
  stale: number;
}

/** The order of visits' first hits: by time, then source, so ties resolve the same way everywhere. */
const firstKeyOf = (v: VisitFact) => `${v.at}|${v.utmSource ?? ""}`;

export class ReportTable {
  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /**
   * Applies facts to an entity's report. Visits of one batch are folded first (one first/last write per visit).
   *
   * @example await reports.apply("ent_0a1…", factsOf(realtime, dataset, row)) // { applied: 1, stale: 0 }
   */
  async apply(entityId: string, facts: Fact[], at: Date = new Date()): Promise<ApplyOutcome> {
    const appliedAt = at.toISOString();
    const outcome: ApplyOutcome = { applied: 0, stale: 0 };
    const count = (ok: boolean) => (ok ? (outcome.applied += 1) : (outcome.stale += 1));
    const visits = new Map<string, { first: VisitFact; last: VisitFact }>();
    for (const fact of facts) {
      if (fact.kind !== "visit") {
        count(await this.putVersioned(entityId, fact, appliedAt));
        continue;
      }
      const seen = visits.get(fact.sk);
      if (!seen) visits.set(fact.sk, { first: fact, last: fact });
      else {
        if (firstKeyOf(fact) < firstKeyOf(seen.first)) seen.first = fact;
        if (fact.at > seen.last.at) seen.last = fact;
      }
    }
    for (const { first, last } of visits.values()) {
      const movedFirst = await this.conditional(
        entityId,
        first.sk,
        "SET firstKey = :k, firstSeen = :t, firstSource = :s, dataset = :d, visitor = :v, #session = :session, lastSeen = if_not_exists(lastSeen, :last), appliedAt = :now",
        "attribute_not_exists(firstKey) OR firstKey > :k",
        { ":k": firstKeyOf(first), ":t": first.at, ":s": first.utmSource, ":d": first.dataset, ":v": first.visitor, ":session": first.session, ":last": last.at, ":now": appliedAt },
        // SESSION is a DynamoDB reserved word.
        { "#session": "session" },
      );
      // A new visit got its last seen with the first write; only an existing one needs the second.
      const created = movedFirst.ok && movedFirst.old?.lastSeen === undefined;
      const movedLast = created ? movedFirst : await this.conditional(entityId, last.sk, "SET lastSeen = :t, appliedAt = :now", "attribute_not_exists(lastSeen) OR lastSeen < :t", { ":t": last.at, ":now": appliedAt });
      count(movedFirst.ok || movedLast.ok);
    }
    return outcome;
  }

  /**
   * Records that the entity's report changed at `at` without a fact of its own changing (a merge brought another
   * entity's facts in). Never moves backwards. Fact items carry their own `appliedAt`.
   */
  async touch(entityId: string, at: Date): Promise<void> {
    await this.conditional(entityId, "touch", "SET asOf = :at", "attribute_not_exists(asOf) OR asOf < :at", { ":at": at.toISOString() });
  }

  /** Every item of these entities' reports. */
  async itemsOf(entities: string[]): Promise<ReportItem[]> {
    const items: ReportItem[] = [];
    for (const entity of entities) {
      let start: Record<string, unknown> | undefined;
      do {
        const out = await this.dynamo.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: "pk = :pk",
            ExpressionAttributeValues: { ":pk": `entity#${entity}` },
            ConsistentRead: true,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        items.push(...((out.Items ?? []) as ReportItem[]));
        start = out.LastEvaluatedKey;
      } while (start);
    }
    return items;
  }

  private async putVersioned(entityId: string, fact: OrderFact | ResultFact, appliedAt: string): Promise<boolean> {
    try {
      await this.dynamo.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: `entity#${entityId}`, ...fact, appliedAt },
          ConditionExpression: "attribute_not_exists(version) OR version < :v",
          ExpressionAttributeValues: { ":v": fact.version },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /** One conditional update; `old` holds the updated attributes' previous values when it went through. */
  private async conditional(
    entityId: string,
    sk: string,
    update: string,
    condition: string,
    values: Record<string, unknown>,
    names?: Record<string, string>,
  ): Promise<{ ok: boolean; old?: Record<string, unknown> }> {
    try {
      const out = await this.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `entity#${entityId}`, sk },
          UpdateExpression: update,
          ConditionExpression: condition,
          ExpressionAttributeValues: values,
          ReturnValues: "UPDATED_OLD",
          ...(names ? { ExpressionAttributeNames: names } : {}),
        }),
      );
      return { ok: true, old: out.Attributes ?? {} };
    } catch (error) {
      if (isConditionalCheckFailed(error)) return { ok: false };
      throw error;
    }
  }
}
