import type { AuthStore, StoreSettings } from '../kernel/store.js';
import { openStore } from '../kernel/stores/index.js';

/** The project's real store, set apart for one test run (store-fixture.ts says how for this store). */
export interface TestStore {
  store: AuthStore;
  /** The environment that makes another process (the CLI, the demo) open this very store. */
  env: Record<string, string>;
  /** A second connection to the same data, as after a restart. */
  reopen(): Promise<AuthStore>;
  cleanup(): Promise<void>;
}

export async function testStoreOf(settings: StoreSettings, env: Record<string, string>, dropData: () => Promise<void>): Promise<TestStore> {
  const opened: AuthStore[] = [];
  const open = async () => {
    const store = await openStore(settings);
    opened.push(store);
    return store;
  };
  return {
    store: await open(),
    env,
    reopen: open,
    async cleanup() {
      for (const store of opened) await store.close().catch(() => {});
      await dropData();
    },
  };
}
