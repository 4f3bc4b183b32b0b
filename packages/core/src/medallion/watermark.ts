/**
 * A dataset's watermark: the bronze files its current silver version has consumed (the manifest's `consumed`
 * list). Bronze files are immutable once written, so "newer than the watermark" is "not consumed yet". Originals
 * of a compaction still waiting to be deleted are consumed too: their rows are in the compacted file.
 */
import type { Dataset } from "../config";
import { datasetPrefix, type LakeStore, type ListedObject } from "../lake";
import type { TableManifest } from "./layout";

/** Every Parquet file under the dataset's bronze prefix (restricted datasets: under `restricted/`). */
export async function bronzeFiles(lake: LakeStore, dataset: Dataset): Promise<ListedObject[]> {
  const files: ListedObject[] = [];
  for await (const o of lake.listKeys(datasetPrefix(dataset, "bronze"))) if (o.key.endsWith(".parquet")) files.push(o);
  return files;
}

/** The keys a manifest counts as merged already. */
export function consumedKeys(manifest: TableManifest | undefined): Set<string> {
  const consumed = new Set(manifest?.consumed ?? []);
  for (const c of manifest?.compactions ?? []) for (const key of c.from) consumed.add(key);
  return consumed;
}

/**
 * The dataset's bronze files its silver has not merged yet, in key order.
 *
 * @example await unmergedBronze(lake, dataset, await readCurrentManifest(lake, "silver", "orders")) // ["bronze/backend/orders/dt=…/part-….parquet"]
 */
export async function unmergedBronze(lake: LakeStore, dataset: Dataset, manifest: TableManifest | undefined): Promise<string[]> {
  const consumed = consumedKeys(manifest);
  return (await bronzeFiles(lake, dataset)).map((o) => o.key).filter((key) => !consumed.has(key));
}
