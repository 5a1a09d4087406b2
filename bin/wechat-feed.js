#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader, so `npx wechat-feed` works without a build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/index.ts");
await main();
