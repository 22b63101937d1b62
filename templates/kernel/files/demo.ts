import { createAuth } from './auth.js';
import { ConfigError, readWhole } from './kernel/config.js';
import { RUN_SCRIPT } from './kernel/package.js';
import { closeOnSignals } from './kernel/server.js';
import { serve } from './stack.js';

/**
 * The demo server: `/health`, and for every boundary `/<id>/me` and
 * `/<id>/admin` (scope `admin`), on 127.0.0.1 and PORT (default 3000).
 */
async function main(): Promise<void> {
  const port = readWhole(process.env, 'PORT', { default: 3000, min: 0, max: 65_535 });
  const auth = await createAuth();
  for (const warning of auth.warnings) console.error(`warning: ${warning}`);
  let server;
  try {
    server = await serve(auth, { port, host: '127.0.0.1', demo: true });
  } catch (error) {
    await auth.close();
    throw error;
  }
  console.error(`Auth demo listening on ${server.url}`);
  for (const boundary of auth.boundaries) {
    console.error(`\n${boundary.label}: ${server.url}/${boundary.id}/me and /${boundary.id}/admin`);
    for (const line of auth.howToGetCredential(boundary.id)) console.error(`  ${line}`);
    console.error(`  Mint one: ${RUN_SCRIPT} auth:credential -- --boundary ${boundary.id} --subject alice --scope admin --json`);
  }
  closeOnSignals(server, auth);
}

main().catch((error: unknown) => {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = error instanceof ConfigError ? 2 : 1;
});
