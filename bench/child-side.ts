/**
 * Running one benchmark side in its own Node process (so its peak RSS and CPU are its own): the child prints its
 * result as the last line of stdout, as JSON; a crash, a non-JSON ending or the time limit is an error naming the side.
 */
import { spawn } from "node:child_process";

export const SIDE_TIMEOUT_MIN = Number(process.env.BENCH_TIMEOUT_MIN ?? 20);

/**
 * @example const result = await runChildSide<Measured>("mergeSilver", ["--import", "tsx", SELF, "--child", json]);
 */
export function runChildSide<T>(name: string, args: string[], env: Record<string, string> = {}, crashHint = ""): Promise<T> {
  const child = spawn(process.execPath, args, {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env },
  });
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`bench: ${name} did not finish within ${SIDE_TIMEOUT_MIN} min (BENCH_TIMEOUT_MIN); killed`));
    }, SIDE_TIMEOUT_MIN * 60_000);
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      const last = out.trim().split("\n").at(-1) ?? "";
      if (code === 0 && last.startsWith("{")) resolve(JSON.parse(last) as T);
      else reject(new Error(`bench: ${name} exited with ${signal ?? code}${last ? `: ${last}` : ""}${crashHint}`));
    });
  });
}
