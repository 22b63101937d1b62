/**
 * Loads a module the build generated (dist/adr-templates.cjs,
 * dist/scaffold-templates/*.cjs). They are CommonJS and loaded with
 * `require`, not `import()`: the CLI's own modules run from a code cache
 * (src/shell/compile-cache.ts), where dynamic `import()` is not available.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const requireBuilt = createRequire(import.meta.url);

export function loadBuiltModule<T>(url: URL): T {
  return requireBuilt(fileURLToPath(url)) as T;
}
