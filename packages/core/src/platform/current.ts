/**
 * Which ports this process uses. The local platform (and tests) `provide` theirs before invoking handlers;
 * a Lambda falls back to the lazily built default registered by `packages/functions/src/platform.ts`.
 */
import type { Ports } from "./ports";

let provided: Ports | undefined;
let fallback: (() => Ports) | undefined;

export function provide(ports: Ports | undefined): void {
  provided = ports;
}

/** Registers how to build ports when none were provided (AWS: from bound resources). Built once, on first use. */
export function setDefault(factory: () => Ports): void {
  fallback = factory;
}

export function use(): Ports {
  if (provided) return provided;
  if (!fallback) throw new Error("platform: no ports provided (local platform not started and no AWS default registered)");
  provided = fallback();
  return provided;
}
