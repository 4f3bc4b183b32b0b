/**
 * Opening a source's `ChangeSource` where it runs on AWS: always SQL Server, with the connection string from
 * the secret the config names. The `mssql` driver is loaded only here, so other functions' bundles stay small.
 */
import type { SqlServerSource } from "../config";
import type { Ports, SecretName, SecretsPort } from "../platform";
import type { ChangeSource } from "./change-source";
import { CdcError } from "./errors";

/**
 * The change source a poll reads: the platform's (the local platform provides embedded stand-ins), or else SQL
 * Server through the source's connection secret.
 *
 * @example const changes = await openChangeSource(ports, sourceNamed(ports.config, "backend"));
 */
export async function openChangeSource(ports: Pick<Ports, "changeSources" | "secrets">, source: SqlServerSource): Promise<ChangeSource> {
  return ports.changeSources ? ports.changeSources.open(source) : openSqlServerChangeSource(source, ports.secrets);
}

/**
 * The SQL Server change source of `source`, or a clear error when its connection secret is missing.
 *
 * @example const changes = await openSqlServerChangeSource(source, ports.secrets);
 */
export async function openSqlServerChangeSource(source: SqlServerSource, secrets: SecretsPort): Promise<ChangeSource> {
  const connectionString = source.connectionSecret ? await secrets.get(source.connectionSecret as SecretName) : undefined;
  if (!connectionString) {
    const secret = source.connectionSecret ?? "<NAME>";
    throw new CdcError(
      `cdc: source ${source.name} has no connection string: ${source.connectionSecret ? "" : `set connectionSecret on the source, then `}` +
        `set the secret (\`npx sst secrets set ${secret} '<connection string>'\`; locally the environment variable ${secret})`,
    );
  }
  const { openSqlServerSource } = await import("./sqlserver-connection");
  return openSqlServerSource(connectionString, { serverTimeZone: source.serverTimeZone });
}
