#!/usr/bin/env node
import module from 'node:module';

// Node 22+ keeps compiled code between runs, so later starts skip most parsing;
// Node 20 has no such API and starts as before.
module.enableCompileCache?.();
await import('../dist/cli/index.js');
