/**
 * Connection strings → mssql pool configs (encrypted by default, Lambda-sized pool), the per-container pool
 * cache, and that no error ever carries the password — including one raised by the real driver.
 */
import { EventEmitter } from "node:events";
import { inspect } from "node:util";
import sql from "mssql";
import { afterEach, describe, expect, it } from "vitest";
import { CdcError, SourceQueryError } from "../../packages/core/src/cdc/errors";
import {
  closeSqlServerSources,
  openSqlServerSource,
  sqlServerPoolConfig,
  type ConnectablePool,
} from "../../packages/core/src/cdc/sqlserver-connection";

const PASSWORD = "Sup3r;Secret/@pass";
const ADO = `Server=db.example.com,1433;Database=shop;User Id=tributary;Password={${PASSWORD}}`;

/** A pool that connects (or fails) without a server, and records what the cache does with it. */
class FakePool extends EventEmitter implements ConnectablePool {
  connected = false;
  closes = 0;
  constructor(readonly config: sql.config, private readonly failure?: Error) {
    super();
  }
  async connect() {
    if (this.failure) throw this.failure;
    this.connected = true;
    return this;
  }
  async close() {
    this.closes += 1;
    this.connected = false;
  }
  request() {
    return new sql.Request();
  }
}

function poolFactory(failure?: Error) {
  const pools: FakePool[] = [];
  const createPool = (config: sql.config) => {
    const pool = new FakePool(config, failure);
    pools.push(pool);
    return pool;
  };
  return { pools, createPool };
}

const errorOf = (fn: () => unknown): unknown => {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error;
  }
};

afterEach(async () => {
  await closeSqlServerSources();
});

describe("sqlServerPoolConfig", () => {
  it("parses an ADO.NET string and defaults to an encrypted, verified connection and a small pool", () => {
    // Prepare / Act
    const config = sqlServerPoolConfig(ADO);

    // Assess
    expect(config).toMatchObject({ server: "db.example.com", port: 1433, database: "shop", user: "tributary", password: PASSWORD });
    expect(config.options).toMatchObject({ encrypt: true, trustServerCertificate: false, useUTC: true });
    expect(config.pool).toEqual({ max: 2, min: 0, idleTimeoutMillis: 30000 });
  });

  it("keeps what the string says about encryption, certificates and pool size", () => {
    // Prepare / Act
    const config = sqlServerPoolConfig("Data Source=tcp:sql1,1444;Initial Catalog=shop;User ID=u;Password=p;Encrypt=false;TrustServerCertificate=true;Max Pool Size=5");

    // Assess
    expect(config).toMatchObject({ server: "sql1", port: 1444, database: "shop" });
    expect(config.options).toMatchObject({ encrypt: false, trustServerCertificate: true });
    expect(config.pool).toMatchObject({ max: 5, min: 0 });
  });

  it("parses an mssql:// URL with a percent-encoded password and known parameters", () => {
    // Prepare
    const url = `mssql://tributary:${encodeURIComponent(PASSWORD)}@db.example.com:1444/shop?encrypt=true&trustServerCertificate=yes&connectTimeout=5000`;

    // Act
    const config = sqlServerPoolConfig(url);

    // Assess
    expect(config).toMatchObject({ server: "db.example.com", port: 1444, database: "shop", user: "tributary", password: PASSWORD, connectionTimeout: 5000 });
    expect(config.options).toMatchObject({ encrypt: true, trustServerCertificate: true });
    expect(sqlServerPoolConfig("mssql://u:p@sql1/shop").options).toMatchObject({ encrypt: true, trustServerCertificate: false });
  });

  it("refuses strings it cannot use, without repeating the password", () => {
    // Prepare
    const bad = [
      `mssql://tributary:${encodeURIComponent(PASSWORD)}@db.example.com/shop?encrpyt=true`,
      `mssql://tributary:${encodeURIComponent(PASSWORD)}@db.example.com/shop?encrypt=maybe`,
      `Database=shop;User Id=tributary;Password={${PASSWORD}}`,
      `${ADO};UseUTC=false`,
      `Server=db;Password={${PASSWORD}`,
      PASSWORD,
    ];

    // Act
    const errors = bad.map((text) => errorOf(() => sqlServerPoolConfig(text)));

    // Assess
    expect(errors.every((e) => e instanceof CdcError)).toBe(true);
    expect(errors.map(String)).toEqual([
      expect.stringContaining('unknown SQL Server connection URL parameter "encrpyt"'),
      expect.stringContaining('encrypt must be true or false, got "maybe"'),
      expect.stringContaining("names no server"),
      expect.stringContaining("UseUTC=false"),
      expect.stringContaining("cannot be parsed"),
      expect.stringContaining("neither an mssql:// URL nor Key=Value pairs"),
    ]);
    for (const error of errors) expect(inspect(error, { depth: 10 })).not.toContain(PASSWORD);
  });
});

describe("openSqlServerSource", () => {
  it("reuses one connected pool per connection string while it is healthy", async () => {
    // Prepare
    const { pools, createPool } = poolFactory();

    // Act
    const first = await openSqlServerSource(ADO, { createPool });
    const second = await openSqlServerSource(ADO, { createPool });
    const other = await openSqlServerSource(`${ADO};Encrypt=false`, { createPool });

    // Assess
    expect(second).toBe(first);
    expect(other).not.toBe(first);
    expect(pools).toHaveLength(2);
    expect(pools[0]!.config.options?.encrypt).toBe(true);
    expect(first.kind).toBe("sqlserver");
  });

  it("closes and forgets a pool that reports an error, so the next call reconnects", async () => {
    // Prepare
    const { pools, createPool } = poolFactory();
    const first = await openSqlServerSource(ADO, { createPool });

    // Act
    pools[0]!.emit("error", new Error("socket hang up"));
    const second = await openSqlServerSource(ADO, { createPool });

    // Assess
    expect(second).not.toBe(first);
    expect(pools).toHaveLength(2);
    expect(pools[0]!.closes).toBe(1);
    expect(pools[1]!.connected).toBe(true);
  });

  it("reconnects after its source was closed", async () => {
    // Prepare
    const { pools, createPool } = poolFactory();
    const first = await openSqlServerSource(ADO, { createPool });
    await first.close();

    // Act
    const second = await openSqlServerSource(ADO, { createPool });

    // Assess
    expect(second).not.toBe(first);
    expect(pools.map((p) => p.connected)).toEqual([false, true]);
  });

  it("reports a failed connection by target, with the password scrubbed, and does not cache it", async () => {
    // Prepare: a driver message that (unusually) echoes the password
    const { pools, createPool } = poolFactory(new Error(`Login failed for user 'tributary' with '${PASSWORD}'`));

    // Act
    const first = await openSqlServerSource(ADO, { createPool }).catch((e: unknown) => e);
    const second = await openSqlServerSource(ADO, { createPool }).catch((e: unknown) => e);

    // Assess
    expect(first).toBeInstanceOf(SourceQueryError);
    expect(String(first)).toContain("cdc: connect to SQL Server tributary@db.example.com:1433/shop failed: Login failed for user 'tributary' with '***'");
    expect((first as Error).message).not.toContain(PASSWORD);
    expect(second).toBeInstanceOf(SourceQueryError);
    expect(pools).toHaveLength(2);
    expect(pools.every((p) => p.closes === 1)).toBe(true);
  });

  it("keeps the password out of the real driver's connection error", async () => {
    // Prepare: nothing listens on port 1, so the real mssql/tedious connect fails at once
    const connectionString = `Server=127.0.0.1,1;Database=shop;User Id=tributary;Password={${PASSWORD}};Connect Timeout=5;Encrypt=false`;

    // Act
    const error = await openSqlServerSource(connectionString).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(SourceQueryError);
    expect(String(error)).toMatch(/^SourceQueryError: cdc: connect to SQL Server tributary@127\.0\.0\.1:1\/shop failed: /);
    expect(inspect(error, { depth: 10 })).not.toContain(PASSWORD);
  });
});
