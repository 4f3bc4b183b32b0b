/** Options shared by the lake writers, validated once when a writer is built. */
import { z } from "zod";
import { formatPath, type Dataset } from "../config";
import type { LakeStore } from "./store";
import { BATCH_ID_PATTERN } from "./keys";
import { InvalidWriterOptionsError } from "./errors";

export const WriterOptionsSchema = z
  .object({
    store: z.custom<LakeStore>((v) => typeof (v as LakeStore | null)?.put === "function", "expected a LakeStore"),
    dataset: z.custom<Dataset>(
      (v) => typeof (v as Dataset | null)?.name === "string" && Array.isArray((v as Dataset).columns),
      "expected a Dataset (see datasetNamed in config)",
    ),
    /** Part of every file name: retrying a batch with the same id and input overwrites its files. */
    batchId: z.string().regex(BATCH_ID_PATTERN, "must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit"),
    /** Rows per Parquet file, and the cap on rows buffered across all partitions. */
    maxRowsPerFile: z.number().int().min(1),
  })
  .strict();

/** Parses writer options (defaults already spread in), or throws `InvalidWriterOptionsError` listing every problem. */
export function parseWriterOptions<S extends z.ZodType>(schema: S, options: unknown): z.output<S> {
  const result = schema.safeParse(options);
  if (!result.success) {
    throw new InvalidWriterOptionsError(result.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`));
  }
  return result.data;
}

/** Defaults, then the caller's options — an option explicitly set to `undefined` keeps its default. */
export function withDefaults<T extends object>(defaults: Partial<T>, options: T): T {
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  return { ...defaults, ...given } as T;
}
