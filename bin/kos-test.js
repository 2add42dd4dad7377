#!/usr/bin/env -S node --no-memory-reducer
// Thin launcher: the CLI lives in the compiled sources (npm run build).
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv);
