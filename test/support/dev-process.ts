/**
 * `tributary dev` as a child process, for the tests that SIGKILL the platform and restart it on the same home.
 * Resolves once it prints its HTTP address and "ready"; rejects with its output if it exits or stalls first.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "..", "..");

export function startDevProcess(home: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [join(ROOT, "packages/cli/bin/tributary.js"), "dev"], {
    cwd: ROOT,
    env: { ...process.env, TRIBUTARY_HOME: home, TRIBUTARY_PORT: "0", TRIBUTARY_LOG_LEVEL: "ERROR", TRIBUTARY_API_KEY: undefined, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`dev did not start:\n${out}`)), 60_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const url = /HTTP\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      if (url && out.includes("ready")) {
        clearTimeout(timer);
        resolve({ child, url });
      }
    });
    child.stderr!.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.once("exit", (code, signal) => reject(new Error(`dev exited with ${code ?? signal}:\n${out}`)));
  });
}
