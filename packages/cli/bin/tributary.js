#!/usr/bin/env node
// The CLI runs from TypeScript sources (no build step): tsx registers its loader, then the entry point loads.
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");
