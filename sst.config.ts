import type { SSTConfig } from "sst";
import { Catalog } from "./stacks/Catalog";
import { Ingest } from "./stacks/Ingest";
import { Lake } from "./stacks/Lake";
import { Medallion } from "./stacks/Medallion";
import { Operations } from "./stacks/Operations";

export default {
  config() {
    return { name: "tributary", region: process.env.AWS_REGION ?? "eu-west-1" };
  },
  stacks(app) {
    app.stack(Lake);
    app.stack(Ingest);
    app.stack(Catalog);
    app.stack(Medallion);
    app.stack(Operations);
  },
} satisfies SSTConfig;
