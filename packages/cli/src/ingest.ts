/**
 * `tributary ingest <file> --feed <feed>`: the file goes through the same path a partner drop takes — it is
 * written under landing/<feed>/, announced as an S3 "Object Created" event, queued and ingested by the
 * file-ingest function — with a progress line until its manifest appears.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import { Presets, SingleBar } from "cli-progress";
import { fileBatchId, MANIFEST_PREFIX, type FileManifest } from "@tributary/core/files";
import { startLocalPlatform, type LocalSettings } from "@tributary/core/local";
import { loadConfig } from "./load-config";

const WAIT_MS = 30 * 60_000;

export async function runIngest(settings: LocalSettings, configPath: string, file: string, feed: string): Promise<void> {
  const { config } = await loadConfig(configPath);
  if (!config.feeds.some((f) => f.name === feed)) {
    throw new Error(`ingest: no feed named "${feed}" (declared: ${config.feeds.map((f) => f.name).join(", ")})`);
  }
  const size = (await stat(file)).size;
  const platform = await startLocalPlatform({ settings: { ...settings, port: 0 }, config, log: () => undefined }).catch((error: Error) => {
    if (!/lock/i.test(error.message)) throw error;
    throw new Error(`ingest: a local platform is already running on ${settings.home}; copy the file into ${settings.home}/lake/landing/${feed}/ and it will be picked up`, { cause: error });
  });
  try {
    const key = `landing/${feed}/${basename(file)}`;
    const object = await platform.ports.lake.put(key, createReadStream(file));
    console.log(`landed ${file} (${size} bytes) as ${key}; ingesting…`);
    const manifestKey = `${MANIFEST_PREFIX}${feed}/${fileBatchId(object)}.json`;
    const deadline = Date.now() + WAIT_MS;
    const bar = new SingleBar(
      { format: "  {bar} {percentage}% | {value}/{total} MB read | {rows} rows | {duration}s", hideCursor: true, noTTYOutput: false },
      Presets.shades_classic,
    );
    bar.start(Math.max(1, Math.ceil(object.size / 1e6)), 0, { rows: 0 });
    let manifest: FileManifest | undefined;
    while (!manifest && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 300));
      const progress = platform.fileProgress();
      if (progress) bar.update(Math.floor(progress.bytes / 1e6), { rows: progress.rows });
      if (await platform.ports.lake.head(manifestKey)) {
        manifest = JSON.parse(Buffer.from(await platform.ports.lake.get(manifestKey)).toString("utf8")) as FileManifest;
      }
    }
    if (manifest) bar.update(bar.getTotal(), { rows: manifest.rowsRead });
    bar.stop();
    if (!manifest) throw new Error(`ingest: ${key} was not ingested within ${WAIT_MS / 60_000} minutes; see ${settings.home}`);
    console.log(`rows read ${manifest.rowsRead} = landed ${manifest.rowsLanded} + quarantined ${manifest.rowsQuarantined}`);
    for (const f of manifest.files) console.log(`  bronze ${f}`);
    for (const f of manifest.quarantineFiles) console.log(`  quarantine ${f}`);
  } finally {
    await platform.stop();
  }
}
