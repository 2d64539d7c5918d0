#!/usr/bin/env node
// The `palisade` executable.
import { run } from './program.js';

process.exitCode = await run(process.argv.slice(2));
