/**
 * Connecting to SQL Server from Lambda: one small pool per container, created on first use and reused while the
 * container stays warm; a pool that reports an error is closed and forgotten, so the next poll reconnects
 * (a thawed container's sockets may be dead). The password never appears in an error message.
 */
import sql from "mssql";
import { CdcError, SourceQueryError } from "./errors";
import { SqlServerCdcSource } from "./sqlserver-source";

/** Lambda runs one poll at a time per container: two connections are plenty, and idle ones are let go. */
export const SQLSERVER_POOL_DEFAULTS = { max: 2, min: 0, idleTimeoutMillis: 30_000 } as const;

const URL_SCHEME = /^(mssql|sqlserver):\/\//i;
const TRUE_TEXT = new Set(["true", "yes", "1"]);
const FALSE_TEXT = new Set(["false", "no", "0"]);
/** Query parameters of the URL form (case-insensitive) and where they go in the mssql config. */
const URL_PARAMETERS: Record<string, (config: sql.config, value: string) => void> = {
  encrypt: (c, v) => (c.options!.encrypt = booleanOf("encrypt", v)),
  trustservercertificate: (c, v) => (c.options!.trustServerCertificate = booleanOf("trustServerCertificate", v)),
  instancename: (c, v) => (c.options!.instanceName = v),
  appname: (c, v) => (c.options!.appName = v),
  connecttimeout: (c, v) => (c.connectionTimeout = millisecondsOf("connectTimeout", v)),
  requesttimeout: (c, v) => (c.requestTimeout = millisecondsOf("requestTimeout", v)),
};

/**
 * The mssql pool config of a connection string: an `mssql://user:password@host:port/database?encrypt=true` URL
 * (user and password percent-encoded) or an ADO.NET string `Server=host,port;Database=db;User Id=u;Password=p`
 * (parsed by mssql's own parser). Encryption is on and the server certificate verified unless the string
 * says otherwise; `useUTC` stays on because the value converters read zone-less dates as UTC.
 *
 * @example sqlServerPoolConfig("Server=db.example.com,1433;Database=shop;User Id=tributary;Password=…").options?.encrypt // true
 */
export function sqlServerPoolConfig(connectionString: string): sql.config {
  const text = connectionString.trim();
  const parsed = URL_SCHEME.test(text) ? configOfUrl(text) : configOfAdoString(text);
  if (!parsed.server) throw new CdcError("cdc: the SQL Server connection string names no server (Server=… or mssql://host/…)");
  if (parsed.options?.useUTC === false) throw new CdcError("cdc: the SQL Server connection string sets UseUTC=false; Tributary reads zone-less dates as UTC, remove it");
  return {
    ...parsed,
    server: parsed.server,
    options: { encrypt: true, trustServerCertificate: false, appName: "tributary-cdc", ...parsed.options, useUTC: true },
    pool: { ...SQLSERVER_POOL_DEFAULTS, ...parsed.pool },
  };
}

export interface OpenSqlServerSourceOptions {
  /** Windows time zone name of the server's clock; default `UTC`. See `SqlServerCdcSourceOptions`. */
  serverTimeZone?: string;
  /** Creates the (not yet connected) pool; tests pass a fake. Default `new sql.ConnectionPool(config)`. */
  createPool?: (config: sql.config) => ConnectablePool;
}

/** The part of `sql.ConnectionPool` the connection cache uses. */
export interface ConnectablePool {
  connect(): Promise<unknown>;
  close(): Promise<unknown>;
  readonly connected: boolean;
  on(event: "error", listener: (error: unknown) => void): unknown;
  request(): ReturnType<sql.ConnectionPool["request"]>;
}

interface OpenSource {
  pool: ConnectablePool;
  ready: Promise<SqlServerCdcSource>;
}

/** Sources by connection string (and time zone): module scope, so a warm Lambda container reuses its pool. */
const openSources = new Map<string, OpenSource>();

/**
 * A connected `SqlServerCdcSource`, reused across calls with the same connection string while its pool is healthy.
 *
 * @example const source = await openSqlServerSource(secrets.BACKEND_SQLSERVER_URL, { serverTimeZone: "UTC" });
 */
export async function openSqlServerSource(connectionString: string, options: OpenSqlServerSourceOptions = {}): Promise<SqlServerCdcSource> {
  const key = `${options.serverTimeZone ?? "UTC"}\u0000${connectionString}`;
  const cached = openSources.get(key);
  if (cached) {
    const source = await cached.ready;
    if (cached.pool.connected) return source;
    forget(key, cached); // closed by its user, or dropped by the driver
  }
  const config = sqlServerPoolConfig(connectionString);
  const pool = (options.createPool ?? ((c) => new sql.ConnectionPool(c)))(config);
  const entry: OpenSource = { pool, ready: connectSource(pool, config, options.serverTimeZone) };
  openSources.set(key, entry);
  // mssql emits pool errors (e.g. a failed acquire after a freeze); unhandled they would crash the process.
  pool.on("error", () => {
    if (forget(key, entry)) void pool.close().catch(() => undefined);
  });
  try {
    return await entry.ready;
  } catch (error) {
    forget(key, entry);
    throw error;
  }
}

/** Closes every cached pool (tests, graceful shutdown). */
export async function closeSqlServerSources(): Promise<void> {
  const entries = [...openSources.values()];
  openSources.clear();
  await Promise.all(entries.map((e) => e.pool.close().catch(() => undefined)));
}

async function connectSource(pool: ConnectablePool, config: sql.config, serverTimeZone: string | undefined): Promise<SqlServerCdcSource> {
  try {
    await pool.connect();
  } catch (error) {
    await pool.close().catch(() => undefined);
    const message = error instanceof Error ? error.message : String(error);
    throw new SourceQueryError(`connect to SQL Server ${describeTarget(config)}`, withoutSecret(message, config.password), { cause: error });
  }
  return new SqlServerCdcSource({ pool, serverTimeZone });
}

function forget(key: string, entry: OpenSource): boolean {
  if (openSources.get(key) !== entry) return false;
  openSources.delete(key);
  return true;
}

/** `host:port/database` (user, never the password) for messages. */
export function describeTarget(config: sql.config): string {
  const instance = config.options?.instanceName ? `\\${config.options.instanceName}` : "";
  return `${config.user ? `${config.user}@` : ""}${config.server}${instance}:${config.port ?? 1433}/${config.database ?? "(default database)"}`;
}

function configOfUrl(text: string): Partial<sql.config> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CdcError("cdc: the SQL Server connection URL is malformed (expected mssql://user:password@host:port/database)");
  }
  const config: Partial<sql.config> & { options: sql.IOptions } = {
    server: decodeURIComponent(url.hostname),
    port: url.port ? Number(url.port) : 1433,
    options: {},
    pool: {},
  };
  if (url.username) config.user = decodeURIComponent(url.username);
  if (url.password) config.password = decodeURIComponent(url.password);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (database.includes("/")) throw new CdcError(`cdc: the SQL Server connection URL path must be one database name, got "${database}"`);
  if (database) config.database = database;
  for (const [name, value] of url.searchParams) {
    const apply = URL_PARAMETERS[name.toLowerCase()];
    if (!apply) throw new CdcError(`cdc: unknown SQL Server connection URL parameter "${name}" (known: ${Object.keys(URL_PARAMETERS).join(", ")})`);
    apply(config as sql.config, value);
  }
  return config;
}

function configOfAdoString(text: string): Partial<sql.config> {
  if (!text.includes("=")) throw new CdcError("cdc: the SQL Server connection string is neither an mssql:// URL nor Key=Value pairs (Server=…;Database=…)");
  try {
    return sql.ConnectionPool.parseConnectionString(text) as Partial<sql.config>;
  } catch (error) {
    // The parser's messages describe the syntax, never echo values; the string itself (with its password) is not repeated.
    throw new CdcError(`cdc: the SQL Server connection string cannot be parsed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function booleanOf(name: string, value: string): boolean {
  const text = value.trim().toLowerCase();
  if (TRUE_TEXT.has(text)) return true;
  if (FALSE_TEXT.has(text)) return false;
  throw new CdcError(`cdc: SQL Server connection URL parameter ${name} must be true or false, got "${value}"`);
}

function millisecondsOf(name: string, value: string): number {
  const ms = Number(value);
  if (!Number.isSafeInteger(ms) || ms <= 0) throw new CdcError(`cdc: SQL Server connection URL parameter ${name} must be a positive number of milliseconds, got "${value}"`);
  return ms;
}

function withoutSecret(message: string, secret: string | undefined): string {
  return secret ? message.split(secret).join("***") : message;
}
