/**
 * The SQL Server adapter at the driver boundary: a fake pool hands out real `sql.Request`s (so parameters are
 * recorded exactly as mssql represents them) whose `query` answers from recorded row sets under
 * test/events/sqlserver. SQL Server itself is exercised by sqlserver-live.test.ts.
 */
import { readFileSync } from "node:fs";
import sql from "mssql";
import { describe, expect, it } from "vitest";
import type { CaptureInstance } from "../../packages/core/src/cdc/change-source";
import { NoCaptureInstanceError, SourceQueryError, SourceValueError } from "../../packages/core/src/cdc/errors";
import { lsnBytes, ZERO_LSN } from "../../packages/core/src/cdc/lsn";
import { SqlServerCdcSource, type MssqlPool } from "../../packages/core/src/cdc/sqlserver-source";
import { parseTimestampMicros } from "../../packages/core/src/config/time";

type Row = Record<string, unknown>;
interface Answer {
  when: string;
  recordset?: Row[];
  error?: Error;
}
interface RecordedQuery {
  sql: string;
  parameters: Record<string, { type: unknown; length?: number; value: unknown }>;
}

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../events/sqlserver/${name}.json`, import.meta.url), "utf8"));

/** A pool whose requests answer the first unused answer whose `when` occurs in the SQL; anything else fails. */
class RecordingPool implements MssqlPool {
  readonly queries: RecordedQuery[] = [];
  closed = false;
  constructor(private readonly answers: Answer[]) {}

  request() {
    const request = new sql.Request();
    request.query = (async (command: string) => {
      this.queries.push({ sql: command, parameters: request.parameters as RecordedQuery["parameters"] });
      const index = this.answers.findIndex((a) => command.includes(a.when));
      if (index < 0) throw new Error(`fake pool: no recorded answer for ${command}`);
      const [answer] = this.answers.splice(index, 1);
      if (answer!.error) throw answer!.error;
      return { recordset: answer!.recordset ?? [] };
    }) as typeof request.query;
    return request;
  }

  async close() {
    this.closed = true;
  }
}

/** A driver error the way mssql builds it from tedious's `info`. */
function driverError(info: { number: number; message: string }): sql.RequestError {
  return new sql.RequestError(Object.assign(new Error(info.message), { info }), "EREQUEST");
}

const squashed = (text: string) => text.replace(/\s+/g, " ").trim();
const ordersV1 = (): CaptureInstance => ({
  name: "dbo_orders",
  table: "dbo.orders",
  startLsn: "0000002500000010001A",
  columns: [
    { name: "order_id", sqlType: "bigint" },
    { name: "customer_id", sqlType: "bigint" },
    { name: "amount", sqlType: "decimal" },
    { name: "status", sqlType: "nvarchar" },
    { name: "ordered_at", sqlType: "datetime2" },
  ],
});

describe("SqlServerCdcSource LSN functions", () => {
  it("reads the max LSN as hex text and treats NULL as nothing recorded yet", async () => {
    // Prepare
    const pool = new RecordingPool([
      { when: "fn_cdc_get_max_lsn", recordset: [{ max_lsn: "0000002b000001f00003" }] },
      { when: "fn_cdc_get_max_lsn", recordset: [{ max_lsn: null }] },
    ]);
    const source = new SqlServerCdcSource({ pool });

    // Act
    const max = await source.maxLsn();
    const none = await source.maxLsn();

    // Assess
    expect(max).toBe("0000002B000001F00003");
    expect(none).toBeUndefined();
    expect(pool.queries[0]!.sql).toContain("CONVERT(varchar(20), sys.fn_cdc_get_max_lsn(), 2)");
  });

  it("passes LSNs as binary(10) parameters: sql.Binary with length 10 and the 10 bytes", async () => {
    // Prepare
    const pool = new RecordingPool([{ when: "fn_cdc_increment_lsn", recordset: [{ lsn: "0000002B000001F00004" }] }]);
    const source = new SqlServerCdcSource({ pool });

    // Act
    const next = await source.incrementLsn("0000002B000001F00003");

    // Assess
    expect(next).toBe("0000002B000001F00004");
    const lsn = pool.queries[0]!.parameters.lsn!;
    expect(lsn.type).toBe(sql.Binary);
    expect(lsn.length).toBe(10);
    expect(lsn.value).toEqual(lsnBytes("0000002B000001F00003"));
    expect(pool.queries[0]!.sql).toContain("sys.fn_cdc_increment_lsn(@lsn)");
  });

  it("converts commit times from the server's zone to UTC in SQL and returns microseconds", async () => {
    // Prepare
    const pool = new RecordingPool([
      { when: "lsn_time_mapping", recordset: [{ commit_time: "2026-03-14T09:26:51.547Z" }] },
      { when: "lsn_time_mapping", recordset: [] },
    ]);
    const source = new SqlServerCdcSource({ pool, serverTimeZone: "W. Europe Standard Time" });

    // Act
    const micros = await source.commitTimeOf("00000027000000A80003");
    const unmapped = await source.commitTimeOf("00000027000000A80004");

    // Assess
    expect(micros).toBe(parseTimestampMicros("2026-03-14T09:26:51.547Z"));
    expect(unmapped).toBeUndefined();
    const query = pool.queries[0]!;
    expect(squashed(query.sql)).toContain("CONVERT(varchar(40), (m.tran_end_time AT TIME ZONE @tz) AT TIME ZONE 'UTC', 127)");
    expect(query.parameters.tz!.value).toBe("W. Europe Standard Time");
    expect(query.parameters.lsn!.type).toBe(sql.Binary);
  });

  it("returns an instance's min LSN, and refuses the all-zero answer of a dropped instance", async () => {
    // Prepare
    const pool = new RecordingPool([
      { when: "FROM cdc.change_tables", recordset: fixture("capture-instances").recordset },
      { when: "fn_cdc_get_min_lsn", recordset: [{ min_lsn: "0000002500000010001A" }] },
      { when: "fn_cdc_get_min_lsn", recordset: [{ min_lsn: ZERO_LSN }] },
    ]);
    const source = new SqlServerCdcSource({ pool });
    await source.captureInstances("dbo.orders");

    // Act
    const min = await source.minLsn("dbo_orders");
    const dropped = source.minLsn("dbo_orders_v2");

    // Assess
    expect(min).toBe("0000002500000010001A");
    await expect(dropped).rejects.toThrow(NoCaptureInstanceError);
    await expect(dropped).rejects.toThrow(/dbo_orders_v2 of dbo\.orders/);
    expect(pool.queries[1]!.parameters.ci!.value).toBe("dbo_orders");
  });
});

describe("SqlServerCdcSource.captureInstances", () => {
  it("lists a table's instances oldest first with lower-cased captured columns", async () => {
    // Prepare
    const pool = new RecordingPool([{ when: "FROM cdc.change_tables", recordset: fixture("capture-instances").recordset }]);
    const source = new SqlServerCdcSource({ pool });

    // Act
    const instances = await source.captureInstances("dbo.orders");

    // Assess
    expect(instances.map((i) => [i.name, i.table, i.startLsn])).toEqual([
      ["dbo_orders", "dbo.orders", "0000002500000010001A"],
      ["dbo_orders_v2", "dbo.orders", "0000003100000200000B"],
    ]);
    expect(instances[1]!.columns).toContainEqual({ name: "kit_barcode", sqlType: "nvarchar" });
    expect(instances[0]!.columns.map((c) => c.name)).toEqual(["order_id", "customer_id", "amount", "status", "ordered_at"]);
    expect(squashed(pool.queries[0]!.sql)).toContain("WHERE ct.source_object_id = OBJECT_ID(@table)");
    expect(pool.queries[0]!.parameters.table!.value).toBe("dbo.orders");
  });

  it("leaves out a second instance the capture job has not established yet, but reads a lone one from the start", async () => {
    // Prepare
    const rows: Row[] = fixture("capture-instances").recordset;
    const pending = rows.map((r) => (r.capture_instance === "dbo_orders_v2" ? { ...r, start_lsn: null } : r));
    const lone = rows.filter((r) => r.capture_instance === "dbo_orders_v2").map((r) => ({ ...r, start_lsn: null }));
    const source = new SqlServerCdcSource({
      pool: new RecordingPool([
        { when: "FROM cdc.change_tables", recordset: pending },
        { when: "FROM cdc.change_tables", recordset: lone },
      ]),
    });

    // Act
    const withPending = await source.captureInstances("dbo.orders");
    const onlyPending = await source.captureInstances("dbo.orders");

    // Assess
    expect(withPending.map((i) => i.name)).toEqual(["dbo_orders"]);
    expect(onlyPending.map((i) => [i.name, i.startLsn])).toEqual([["dbo_orders_v2", ZERO_LSN]]);
  });
});

describe("SqlServerCdcSource.readChanges", () => {
  it("reads one bounded window of the change table in position order, with exact values", async () => {
    // Prepare
    const pool = new RecordingPool([{ when: "FROM cdc.[dbo_orders_CT]", recordset: fixture("changes-orders").recordset }]);
    const source = new SqlServerCdcSource({ pool });

    // Act
    const rows = await source.readChanges(ordersV1(), { from: { lsn: "00000027000000A80003" }, to: "00000027000000B80002", limit: 500 });

    // Assess: the T-SQL
    const { sql: text, parameters } = pool.queries[0]!;
    const flat = squashed(text);
    expect(flat).toMatch(/^SELECT TOP \(@limit\) /);
    expect(flat).toContain("FROM cdc.[dbo_orders_CT] AS ct JOIN cdc.lsn_time_mapping AS m ON m.start_lsn = ct.__$start_lsn");
    expect(flat).toContain("WHERE ct.__$start_lsn <= @to AND ct.__$start_lsn >= @fromLsn ORDER BY");
    expect(flat).toMatch(/ORDER BY ct\.__\$start_lsn, ct\.__\$command_id, ct\.__\$seqval, ct\.__\$operation$/);
    expect(flat).toContain("CAST(ct.[amount] AS varchar(64)) AS [amount]");
    expect(flat).toContain("CAST(ct.[order_id] AS varchar(20)) AS [order_id]");
    expect(flat).toContain("CONVERT(varchar(40), ct.[ordered_at], 126) AS [ordered_at]");
    expect(flat).toContain("ct.[status] AS [status]");
    expect(flat).not.toContain("@fromSeqval");
    // Assess: the parameters
    expect([parameters.to!.type, parameters.to!.length, parameters.to!.value]).toEqual([sql.Binary, 10, lsnBytes("00000027000000B80002")]);
    expect([parameters.fromLsn!.type, parameters.fromLsn!.length]).toEqual([sql.Binary, 10]);
    expect([parameters.limit!.type, parameters.limit!.value]).toEqual([sql.Int, 500]);
    // Assess: the rows
    expect(rows.map((r) => [r.lsn, r.seqval, r.op])).toEqual([
      ["00000027000000A80003", "00000027000000A80002", 2],
      ["00000027000000B00004", "00000027000000B00002", 3],
      ["00000027000000B00004", "00000027000000B00002", 4],
      ["00000027000000B80002", "00000027000000B80001", 1],
    ]);
    expect(rows[0]!.values).toEqual({
      order_id: "9007199254740993",
      customer_id: "42",
      amount: "12345678.90",
      status: "pending",
      ordered_at: "2026-03-14T09:26:51.1234567",
    });
    expect(rows[2]!.values.amount).toBe("0.10");
    expect(rows[0]!.commandId).toBe(1);
    expect(rows[0]!.commitMicros).toBe(1773480411547000n);
    expect(rows[3]!.commitMicros).toBe(1773480430000000n);
  });

  it("resumes inside a transaction inclusively: at or after (lsn, command id, seqval, operation)", async () => {
    // Prepare
    const pool = new RecordingPool([{ when: "FROM cdc.[dbo_orders_CT]", recordset: fixture("changes-orders").recordset.slice(2) }]);
    const source = new SqlServerCdcSource({ pool });
    const from = { lsn: "00000027000000B00004", commandId: 1, seqval: "00000027000000B00002", op: 4 as const };

    // Act
    const rows = await source.readChanges(ordersV1(), { from, to: "00000027000000B80002", limit: 2 });

    // Assess
    const { sql: text, parameters } = pool.queries[0]!;
    expect(squashed(text)).toContain(
      "ct.__$start_lsn >= @fromLsn AND (ct.__$start_lsn > @fromLsn" +
        " OR (ct.__$start_lsn = @fromLsn AND ct.__$command_id > @fromCommand)" +
        " OR (ct.__$start_lsn = @fromLsn AND ct.__$command_id = @fromCommand AND ct.__$seqval > @fromSeqval)" +
        " OR (ct.__$start_lsn = @fromLsn AND ct.__$command_id = @fromCommand AND ct.__$seqval = @fromSeqval AND ct.__$operation >= @fromOp))",
    );
    expect([parameters.fromSeqval!.type, parameters.fromSeqval!.length, parameters.fromSeqval!.value]).toEqual([sql.Binary, 10, lsnBytes(from.seqval)]);
    expect([parameters.fromCommand!.type, parameters.fromCommand!.value]).toEqual([sql.Int, 1]);
    expect([parameters.fromOp!.type, parameters.fromOp!.value]).toEqual([sql.Int, 4]);
    expect(rows.map((r) => [r.lsn, r.op])).toEqual([
      ["00000027000000B00004", 4],
      ["00000027000000B80002", 1],
    ]);
  });

  it("selects captured columns as the server spells them once captureInstances has listed them", async () => {
    // Prepare
    const listed = [
      { capture_instance: "dbo_Kits", start_lsn: "0000002500000010001A", column_name: "KitBarcode", column_type: "nvarchar" },
      { capture_instance: "dbo_Kits", start_lsn: "0000002500000010001A", column_name: "ActivatedAt", column_type: "datetimeoffset" },
    ];
    const change = { "__$start_lsn": "00000027000000A80003", "__$command_id": 1, "__$seqval": "00000027000000A80002", "__$operation": 2, "__$commit_time": "2026-03-14T09:26:51.547Z", KitBarcode: "KIT-9", ActivatedAt: "2026-03-14T08:00:00.1234567Z" };
    const pool = new RecordingPool([
      { when: "FROM cdc.change_tables", recordset: listed },
      { when: "FROM cdc.[dbo_Kits_CT]", recordset: [change] },
    ]);
    const source = new SqlServerCdcSource({ pool });
    const [instance] = await source.captureInstances("dbo.Kits");

    // Act
    const [row] = await source.readChanges(instance!, { from: { lsn: instance!.startLsn }, to: "00000027000000A80003", limit: 10 });

    // Assess
    expect(instance!.columns.map((c) => c.name)).toEqual(["kitbarcode", "activatedat"]);
    expect(pool.queries[1]!.sql).toContain("CONVERT(varchar(40), SWITCHOFFSET(ct.[ActivatedAt], '+00:00'), 127) AS [ActivatedAt]");
    expect(row!.values).toEqual({ kitbarcode: "KIT-9", activatedat: "2026-03-14T08:00:00.1234567Z" });
  });

  it("maps a missing change table (error 208) to NoCaptureInstanceError and error 313 to an invalid LSN range", async () => {
    // Prepare
    const errors = fixture("driver-errors");
    const source = new SqlServerCdcSource({
      pool: new RecordingPool([
        { when: "dbo_orders_CT", error: driverError(errors.invalidObjectName) },
        { when: "dbo_orders_CT", error: driverError(errors.invalidLsnRange) },
        { when: "dbo_orders_CT", error: driverError(errors.permissionDenied) },
      ]),
    });
    const read = () => source.readChanges(ordersV1(), { from: { lsn: "00000027000000A80003" }, to: "00000027000000B80002", limit: 10 });

    // Act
    const dropped = read();
    const badRange = read();
    const denied = read();

    // Assess
    await expect(dropped).rejects.toThrow(NoCaptureInstanceError);
    await expect(dropped).rejects.toMatchObject({ table: "dbo.orders", captureInstance: "dbo_orders" });
    await expect(badRange).rejects.toThrow(SourceQueryError);
    await expect(badRange).rejects.toThrow(/readChanges\(dbo_orders\) failed: invalid LSN range \(SQL Server error 313/);
    await expect(denied).rejects.toThrow(/readChanges\(dbo_orders\) failed: The SELECT permission was denied .*\(SQL Server error 229\)/);
  });

  it("refuses change rows with an unknown operation or an unreadable commit time", async () => {
    // Prepare
    const invalid = fixture("invalid");
    const source = new SqlServerCdcSource({
      pool: new RecordingPool([
        { when: invalid.query, recordset: invalid.badOperation },
        { when: invalid.query, recordset: invalid.badCommitTime },
      ]),
    });
    const read = () => source.readChanges(ordersV1(), { from: { lsn: "00000027000000A80003" }, to: "00000027000000B80002", limit: 10 });

    // Act
    const badOperation = read();
    const badCommitTime = read();

    // Assess
    await expect(badOperation).rejects.toThrow(SourceValueError);
    await expect(badOperation).rejects.toThrow(/__\$operation/);
    await expect(badCommitTime).rejects.toThrow(/tran_end_time \(datetime\): cannot convert 14\/03\/2026 09:26/);
  });

  it("never puts an unchecked capture instance name or limit into SQL", async () => {
    // Prepare
    const pool = new RecordingPool([]);
    const source = new SqlServerCdcSource({ pool });
    const injected = { ...ordersV1(), name: "dbo_orders]; DROP TABLE y; --" };

    // Act
    const refused = source.readChanges(injected, { from: { lsn: ZERO_LSN }, to: ZERO_LSN, limit: 10 });
    const badLimit = source.readChanges(ordersV1(), { from: { lsn: ZERO_LSN }, to: ZERO_LSN, limit: 0 });

    // Assess
    await expect(refused).rejects.toThrow(/is not a plain SQL Server identifier/);
    await expect(badLimit).rejects.toThrow(/limit must be a positive integer, got 0/);
    expect(pool.queries).toHaveLength(0);
  });
});

describe("SqlServerCdcSource.snapshotPage", () => {
  it("reads keyset pages with exact values, typed key parameters and the column list cached", async () => {
    // Prepare
    const pool = new RecordingPool([
      { when: "FROM INFORMATION_SCHEMA.COLUMNS", recordset: fixture("table-columns-orders").recordset },
      { when: "FROM [dbo].[orders]", recordset: fixture("snapshot-orders").recordset },
      { when: "FROM [dbo].[orders]", recordset: [] },
    ]);
    const source = new SqlServerCdcSource({ pool });

    // Act
    const first = await source.snapshotPage("dbo.orders", { primaryKey: ["order_id"], limit: 2 });
    const next = await source.snapshotPage("dbo.orders", { primaryKey: ["order_id"], after: [first[1]!.order_id], limit: 2 });

    // Assess
    expect(pool.queries.map((q) => q.sql.includes("INFORMATION_SCHEMA"))).toEqual([true, false, false]);
    expect(pool.queries[0]!.parameters.schema!.value).toBe("dbo");
    expect(pool.queries[0]!.parameters.table!.value).toBe("orders");
    const firstSql = squashed(pool.queries[1]!.sql);
    expect(firstSql).toMatch(/^SELECT TOP \(@limit\) CAST\(\[order_id\] AS varchar\(20\)\) AS \[order_id\], /);
    expect(firstSql).toContain("CAST([amount] AS varchar(64)) AS [amount]");
    expect(firstSql).toContain("CONVERT(varchar(40), [updated_at], 126) AS [updated_at]");
    expect(firstSql).toMatch(/FROM \[dbo\]\.\[orders\] ORDER BY \[order_id\]$/);
    const nextQuery = pool.queries[2]!;
    expect(squashed(nextQuery.sql)).toContain("WHERE ([order_id] > CAST(@a0 AS bigint)) ORDER BY [order_id]");
    expect([nextQuery.parameters.a0!.type, nextQuery.parameters.a0!.value]).toEqual([sql.NVarChar, "9007199254740995"]);
    expect(first[0]).toEqual({
      order_id: "9007199254740993",
      customer_id: "42",
      kit_barcode: "KIT-0001",
      product_code: "DNA-STD",
      amount: "129.90",
      status: "paid",
      ordered_at: "2026-03-14T09:26:51.1234567",
      updated_at: "2026-03-14T09:27:02.0000001",
    });
    expect(first[1]!.kit_barcode).toBeNull();
    expect(next).toEqual([]);
  });

  it("expands a composite key into the keyset predicate, each key cast to its own column type", async () => {
    // Prepare
    const pool = new RecordingPool([
      { when: "FROM INFORMATION_SCHEMA.COLUMNS", recordset: fixture("table-columns-orders").recordset },
      { when: "FROM [dbo].[orders]", recordset: [] },
    ]);
    const source = new SqlServerCdcSource({ pool });

    // Act
    await source.snapshotPage("dbo.orders", { primaryKey: ["customer_id", "ordered_at", "amount"], after: ["42", "2026-03-14T09:26:51.1234567", "129.90"], limit: 100 });

    // Assess
    expect(squashed(pool.queries[1]!.sql)).toContain(
      "WHERE ([customer_id] > CAST(@a0 AS bigint))" +
        " OR ([customer_id] = CAST(@a0 AS bigint) AND [ordered_at] > CAST(@a1 AS datetime2(7)))" +
        " OR ([customer_id] = CAST(@a0 AS bigint) AND [ordered_at] = CAST(@a1 AS datetime2(7)) AND [amount] > CAST(@a2 AS decimal(10,2)))" +
        " ORDER BY [customer_id], [ordered_at], [amount]",
    );
  });

  it("refuses table names that are not schema.table identifiers, before any query", async () => {
    // Prepare
    const pool = new RecordingPool([]);
    const source = new SqlServerCdcSource({ pool });

    // Act
    const snapshot = source.snapshotPage("dbo.x; DROP TABLE y", { primaryKey: ["id"], limit: 10 });
    const instances = source.captureInstances("dbo.x; DROP TABLE y");

    // Assess
    await expect(snapshot).rejects.toThrow(SourceQueryError);
    await expect(snapshot).rejects.toThrow('"dbo.x; DROP TABLE y" is not schema.table of plain SQL Server identifiers');
    await expect(instances).rejects.toThrow(/is not schema\.table/);
    expect(pool.queries).toHaveLength(0);
  });

  it("refuses an unknown key column and an after key of the wrong length", async () => {
    // Prepare
    const pool = new RecordingPool([{ when: "FROM INFORMATION_SCHEMA.COLUMNS", recordset: fixture("table-columns-orders").recordset }]);
    const source = new SqlServerCdcSource({ pool });

    // Act
    const unknownKey = await source.snapshotPage("dbo.orders", { primaryKey: ["id"], limit: 10 }).catch((e: unknown) => e);
    const shortAfter = await source.snapshotPage("dbo.orders", { primaryKey: ["order_id", "customer_id"], after: ["1"], limit: 10 }).catch((e: unknown) => e);

    // Assess
    expect(unknownKey).toBeInstanceOf(SourceQueryError);
    expect(String(unknownKey)).toMatch(/primary key column id is not a column of dbo\.orders/);
    expect(String(shortAfter)).toMatch(/after has 1 values for a 2-column key/);
    expect(pool.queries).toHaveLength(1); // the column list is read once
  });

  it("estimates a table's rows from the catalog, and refuses a table it cannot see", async () => {
    // Prepare: SUM over bigint arrives as text, like every bigint through tedious
    const pool = new RecordingPool([
      { when: "FROM sys.partitions", recordset: [{ n: "120345" }] },
      { when: "FROM sys.partitions", recordset: [{ n: null }] },
    ]);
    const source = new SqlServerCdcSource({ pool });

    // Act
    const count = await source.countRows("dbo.orders");
    const missing = await source.countRows("dbo.nope").catch((e: unknown) => e);

    // Assess
    expect(count).toBe(120345);
    expect(pool.queries[0]!.parameters.table!.value).toBe("dbo.orders");
    expect(String(missing)).toContain("countRows(dbo.nope) failed: table dbo.nope not found");
  });

  it("closes its pool", async () => {
    // Prepare
    const pool = new RecordingPool([]);
    const source = new SqlServerCdcSource({ pool });

    // Act
    await source.close();

    // Assess
    expect(pool.closed).toBe(true);
    expect(source.kind).toBe("sqlserver");
  });
});
