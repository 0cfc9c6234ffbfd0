#!/usr/bin/env node
// The `coffer` command. Everything happens in bin-main (TypeScript sources under the
// `@coffer/source` condition in this repository, the built files once installed).
import { main } from '#bin-main';

await main();
