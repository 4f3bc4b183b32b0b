#!/usr/bin/env node
// The CLI runs from TypeScript sources (no build step): tsx registers its loader, then the entry point loads.
import { register } from "tsx/esm/api";

// The AWS SDK warns on every start that Node 20 support ends in 2027; Lambda runs nodejs22.x, and the local
// platform's clients only talk to loopback emulators, so the warning is noise in a terminal session.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

register();
await import("../src/main.ts");
