import { createAuth, METHODS } from './auth.js';
import { runCommandLine } from './kernel/command-line.js';

/** The management command line: `credential`, `usage` and each method's commands (run with --help). */
void runCommandLine(process.argv.slice(2), { methods: METHODS, createAuth });
