/**
 * Data for the embedded stand-in: seed rows for every declared table, and a generator of live changes
 * (inserts, updates, deletes, and a schema change) for the demo and the benchmark. Values follow the column
 * types and a few name hints (emails, countries, codes), accepted values come from the config's quality
 * rules, and a column named like another table's key references an existing row of it. Deterministic per seed.
 */
import { decimalOf, formatTimestamp, nowMicros, type Column, type TributaryConfig } from "../config";
import type { EmbeddedChangeSource, EmbeddedTable } from "./embedded-source";
import { quotedColumn, quotedTable } from "./embedded-ddl";

export interface ChangeCounts {
  inserts: number;
  updates: number;
  deletes: number;
}

const COUNTRIES = ["NZ", "AU", "GB", "US", "DE", "FR", "IE", "CA"];
const NAMES = ["Aroha Ngata", "Ben Carter", "Chloé Martin", "Dmitri Volkov", "Emma Wilson", "Farah Khan", "Grace Liu", "Hemi Walker"];

/**
 * mulberry32: small, fast and the same sequence on every machine (the demo and the benchmarks' data must be).
 *
 * @example const random = seededRandom(42); random(); // 0.6011…, every time
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * @example
 * const generator = new ChangeGenerator(source, config);
 * await generator.seed(200);          // 200 rows per table, only into empty tables
 * await generator.step(50);           // 50 changes, a few per transaction
 */
export class ChangeGenerator {
  private readonly random: () => number;
  private readonly nextKey = new Map<string, bigint>();
  private serial = 0;

  constructor(
    private readonly source: EmbeddedChangeSource,
    private readonly config: TributaryConfig,
    options: { seed?: number } = {},
  ) {
    this.random = seededRandom(options.seed ?? 42);
  }

  /** Inserts `rowsPerTable` rows into each table that is still empty; returns the rows inserted. */
  async seed(rowsPerTable: number): Promise<number> {
    let inserted = 0;
    for (const table of this.source.tables) {
      const count = await this.source.countRows(table.table);
      if (count > 0) continue;
      await this.bulkInsert(table, rowsPerTable);
      inserted += rowsPerTable;
    }
    return inserted;
  }

  /** Makes `changes` changes across the tables: about 50% inserts, 35% updates, 15% deletes, 1–3 per transaction. */
  async step(changes: number): Promise<ChangeCounts> {
    const counts: ChangeCounts = { inserts: 0, updates: 0, deletes: 0 };
    let left = changes;
    while (left > 0) {
      const size = Math.min(left, 1 + Math.floor(this.random() * 3));
      // Statements are prepared before the transaction: PGlite runs one query at a time, and lookups made
      // outside an open transaction would wait for it forever.
      const statements: { kind: keyof ChangeCounts; sql: string; params: unknown[] }[] = [];
      for (let i = 0; i < size; i += 1) {
        const table = this.source.tables[Math.floor(this.random() * this.source.tables.length)]!;
        const roll = this.random();
        const kind = roll < 0.5 ? "inserts" : roll < 0.85 ? "updates" : "deletes";
        const statement = kind === "inserts" ? await this.insertOf(table) : kind === "updates" ? await this.updateOf(table) : await this.deleteOf(table);
        if (statement) statements.push({ kind, sql: statement[0], params: statement[1] });
      }
      await this.source.db.transaction(async (tx) => {
        for (const { kind, sql, params } of statements) {
          const result = await tx.query(sql, params);
          if ((result.affectedRows ?? 0) > 0) counts[kind] += 1;
        }
      });
      left -= size;
    }
    return counts;
  }

  /** Inserts `rows` rows into one table in a single statement (benchmarks). */
  async bulkInsert(table: EmbeddedTable, rows: number): Promise<void> {
    const statements: [string, unknown[]][] = [];
    for (let i = 0; i < rows; i += 1) statements.push(await this.insertOf(table));
    await this.source.db.transaction(async (tx) => {
      for (const [sql, params] of statements) await tx.query(sql, params);
    });
  }

  private async insertOf(table: EmbeddedTable): Promise<[string, unknown[]]> {
    const columns = table.columns;
    const values: unknown[] = [];
    for (const c of columns) values.push(await this.valueOf(table, c));
    return [
      `INSERT INTO ${quotedTable(table.table)} (${columns.map((c) => quotedColumn(c.name)).join(", ")}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(", ")})`,
      values,
    ];
  }

  private async updateOf(table: EmbeddedTable): Promise<[string, unknown[]] | undefined> {
    const key = await this.randomKey(table);
    if (!key) return undefined;
    const changeable = table.columns.filter((c) => !table.primaryKey.includes(c.name) && !this.referencedTable(c) && c.name !== "created_at");
    if (changeable.length === 0) return undefined;
    const column = changeable[Math.floor(this.random() * changeable.length)]!;
    const sets = [column, ...table.columns.filter((c) => c.name === "updated_at" && c !== column)];
    const values: unknown[] = [];
    for (const c of sets) values.push(await this.valueOf(table, c));
    const where = table.primaryKey.map((k, i) => `${quotedColumn(k)} = $${sets.length + i + 1}`).join(" AND ");
    return [`UPDATE ${quotedTable(table.table)} SET ${sets.map((c, i) => `${quotedColumn(c.name)} = $${i + 1}`).join(", ")} WHERE ${where}`, [...values, ...key]];
  }

  private async deleteOf(table: EmbeddedTable): Promise<[string, unknown[]] | undefined> {
    const key = await this.randomKey(table);
    if (!key) return undefined;
    const where = table.primaryKey.map((k, i) => `${quotedColumn(k)} = $${i + 1}`).join(" AND ");
    return [`DELETE FROM ${quotedTable(table.table)} WHERE ${where}`, key];
  }

  private async randomKey(table: EmbeddedTable): Promise<unknown[] | undefined> {
    const keys = table.primaryKey.map(quotedColumn).join(", ");
    const count = await this.source.countRows(table.table);
    if (count === 0) return undefined;
    const offset = Math.floor(this.random() * count);
    const result = await this.source.db.query<Record<string, unknown>>(`SELECT ${keys} FROM ${quotedTable(table.table)} ORDER BY ${keys} OFFSET ${offset} LIMIT 1`);
    const row = result.rows[0];
    return row ? table.primaryKey.map((k) => row[k]) : undefined;
  }

  /** The table whose single-column key this column is named after (orders.customer_id → customers). */
  private referencedTable(column: Column): EmbeddedTable | undefined {
    return this.source.tables.find((t) => t.primaryKey.length === 1 && t.primaryKey[0] === column.name && !t.columns.includes(column));
  }

  private async valueOf(table: EmbeddedTable, column: Column): Promise<unknown> {
    const n = (this.serial += 1);
    if (table.primaryKey.length === 1 && table.primaryKey[0] === column.name && (column.type === "bigint" || column.type === "int")) {
      let next = this.nextKey.get(table.table);
      if (next === undefined) {
        const result = await this.source.db.query<{ max: string | null }>(`SELECT max(${quotedColumn(column.name)})::text AS max FROM ${quotedTable(table.table)}`);
        next = BigInt(result.rows[0]?.max ?? "0") + 1n;
      }
      this.nextKey.set(table.table, next + 1n);
      return next.toString();
    }
    const referenced = this.referencedTable(column);
    if (referenced) return (await this.randomKey(referenced))?.[0] ?? null;
    const accepted = this.config.quality.find((q) => q.check === "accepted_values" && q.column === column.name && q.values)?.values;
    if (accepted) return accepted[Math.floor(this.random() * accepted.length)];
    return this.typedValue(column, n);
  }

  private typedValue(column: Column, n: number): unknown {
    const pick = <T>(list: T[]) => list[Math.floor(this.random() * list.length)]!;
    const name = column.name;
    const dec = decimalOf(column.type);
    if (dec) return (this.random() * 10 ** Math.min(dec.precision - dec.scale, 4)).toFixed(dec.scale);
    switch (column.type) {
      case "bigint":
      case "int":
        return String(Math.floor(this.random() * 100_000));
      case "double":
        return this.random() * 1000;
      case "boolean":
        return this.random() < 0.5;
      case "date":
        return `19${50 + Math.floor(this.random() * 50)}-0${1 + Math.floor(this.random() * 9)}-1${Math.floor(this.random() * 9)}`;
      case "timestamp":
        return formatTimestamp(nowMicros() - BigInt(Math.floor(this.random() * 3_600_000_000))).replace("Z", "");
      case "json":
        return JSON.stringify({ n });
      default:
        if (name.includes("email")) return `user${n}@example.com`;
        if (name.includes("name")) return pick(NAMES);
        if (name.includes("country")) return pick(COUNTRIES);
        if (name.includes("barcode")) return `KIT-${String(100000 + n)}`;
        if (name.includes("code")) return `P-${String(1 + Math.floor(this.random() * 20)).padStart(3, "0")}`;
        return `${name}-${n}`;
    }
  }
}
