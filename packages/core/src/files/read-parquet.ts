/**
 * Reading a Parquet file. Parquet keeps its schema and row-group index in a footer at the end, so it needs random
 * access: the object is spooled to local disk (Lambda: /tmp, ephemeral storage up to 10 GiB) and DuckDB reads it
 * back one vector of rows at a time, so memory stays bounded whatever the file's size.
 */
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { FileTooLargeError, UnreadableContentError } from "./errors";
import type { RawRow, ReadRowsOptions } from "./read-rows";

/**
 * Rows of a Parquet file as JSON-friendly values (DuckDB's JSON form: BIGINT and DECIMAL as strings, timestamps as
 * `2026-10-01 08:00:00+00`), which the feed's row validator coerces like any text format.
 *
 * @example for await (const row of readParquet(bytes, { columns, spool: { key, maxBytes: 9 * 2 ** 30 } })) …
 */
export async function* readParquet(bytes: AsyncIterable<Uint8Array>, options: ReadRowsOptions): AsyncGenerator<RawRow> {
  const dir = await mkdtemp(join(tmpdir(), "tributary-parquet-"));
  const path = join(dir, "input.parquet");
  try {
    await pipeline(Readable.from(limited(bytes, options.spool)), createWriteStream(path));
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const db = await DuckDBInstance.create(":memory:");
    const connection = await db.connect();
    try {
      const result = await connection.stream(`SELECT * FROM read_parquet('${path.replaceAll("'", "''")}')`).catch((error: Error) => {
        // DuckDB names the spooled copy, a random temp path: say what is wrong with the file instead.
        const first = (error.message.split("\n")[0] ?? "").replaceAll(`'${path}'`, "").replaceAll(path, "").trim();
        throw new UnreadableContentError(`not a readable Parquet file (${first})`);
      });
      options.onColumns?.(result.columnNames());
      let rowNumber = 0;
      for await (const rows of result.yieldRowObjectJson()) {
        for (const record of rows) {
          rowNumber += 1;
          yield { rowNumber, record, raw: JSON.stringify(record) };
        }
      }
    } finally {
      connection.closeSync();
      db.closeSync();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Stops spooling as soon as the limit is passed (a gzip Parquet may grow past it only once decompressed). */
async function* limited(bytes: AsyncIterable<Uint8Array>, spool: ReadRowsOptions["spool"]): AsyncGenerator<Uint8Array> {
  let spooled = 0;
  for await (const chunk of bytes) {
    spooled += chunk.length;
    if (spool && spooled > spool.maxBytes) {
      throw new FileTooLargeError(
        spool.key,
        `Parquet is spooled to local disk to be read, and it decompresses to more than ${spool.maxBytes} bytes (settings.files.maxSpoolBytes)`,
      );
    }
    yield chunk;
  }
}
