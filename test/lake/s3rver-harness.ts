/**
 * An S3-compatible server over real HTTP for the S3 adapter's tests: s3rver on a free port in a temp dir,
 * with the lake bucket created, and a client configured the way s3rver needs.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import S3rver from "s3rver";
import { createS3Client } from "@tributary/core/lake";

export interface RunningS3rver {
  bucket: string;
  client: ReturnType<typeof createS3Client>;
  stop(): Promise<void>;
}

export async function startS3rver(bucket = "lake"): Promise<RunningS3rver> {
  const directory = await mkdtemp(join(tmpdir(), "tributary-s3rver-"));
  const server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  const client = createS3Client({
    endpoint: `http://127.0.0.1:${port}`,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    // s3rver does not understand the SDK's default CRC32 trailers and would store them inside streamed bodies.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  return {
    bucket,
    client,
    stop: async () => {
      client.destroy();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
