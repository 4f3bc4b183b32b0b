/**
 * The stand-ins a measurement talks to, each in a child process so their CPU stays out of the measured process:
 * DynamoDB (dynalite) and Google's collection host (a bare server answering 204, as `npm run bench -- ingest` uses).
 * Each child prints one line (its endpoint or port) when ready and ends when its stdin closes or it is stopped.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { TableDecl } from "../../packages/core/src/wiring";
import { MeasurementError } from "./errors";

const DYNALITE_CHILD = join(dirname(fileURLToPath(import.meta.url)), "dynalite-child.ts");
const BARE_204_SERVER =
  "require('http').createServer((q,s)=>{q.resume();q.on('end',()=>{s.statusCode=204;s.end()})})" +
  ".listen(0,'127.0.0.1',function(){console.log(this.address().port)});process.stdin.resume();process.stdin.on('end',()=>process.exit(0))";

export interface HelperProcess {
  stop(): Promise<void>;
}

export interface DynamoProcess extends HelperProcess {
  endpoint: string;
  doc: DynamoDBDocumentClient;
}

/** Spawns a child and waits for its first stdout line. */
async function spawnReady(name: string, args: string[]): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "inherit"] });
  const line = await new Promise<string>((resolve, reject) => {
    let text = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      const newline = text.indexOf("\n");
      if (newline >= 0) resolve(text.slice(0, newline).trim());
    });
    child.once("error", reject);
    child.once("exit", (code) => reject(new MeasurementError(`cost: ${name} exited with ${code} before it was ready`)));
  });
  return { child, line };
}

function stopper(child: ChildProcess): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.stdin?.end();
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  };
}

export async function startDynamoProcess(tables: readonly TableDecl[]): Promise<DynamoProcess> {
  const { child, line: endpoint } = await spawnReady("dynalite", ["--import", "tsx", DYNALITE_CHILD, JSON.stringify(tables)]);
  const client = new DynamoDBClient({ endpoint, region: "local", credentials: { accessKeyId: "local", secretAccessKey: "local" }, maxAttempts: 3 });
  const stop = stopper(child);
  return {
    endpoint,
    doc: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
    stop: async () => {
      client.destroy();
      await stop();
    },
  };
}

export async function startFakeGoogleProcess(): Promise<HelperProcess & { endpoint: string }> {
  const { child, line: port } = await spawnReady("fake Google", ["-e", BARE_204_SERVER]);
  return { endpoint: `http://127.0.0.1:${port}`, stop: stopper(child) };
}
