// Handlers log through Powertools; keep test output readable unless asked otherwise.
process.env.POWERTOOLS_LOG_LEVEL ??= "CRITICAL";
process.env.POWERTOOLS_DEV ??= "false";
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
