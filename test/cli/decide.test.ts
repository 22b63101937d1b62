import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runDecide } from '../../src/cli/commands/decide.js';
import { CancelledError, UsageError } from '../../src/errors.js';
import type { PromptBackend } from '../../src/shell/prompts.js';
import { captureContext, makeTempDir, snapshotTree } from './helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = makeTempDir('decide'));
});
afterEach(() => cleanup());

const context = (interactive: boolean) => captureContext(dir, { interactive });

/** Answers each prompt by a substring of its message; unknown prompts take their default. */
function scripted(replies: Record<string, unknown>, asked: string[] = []): PromptBackend {
  const reply = (message: string) => Object.entries(replies).find(([part]) => message.includes(part));
  return {
    async select(options) {
      asked.push(options.message);
      const found = reply(options.message);
      return (found ? found[1] : (options.default ?? options.choices[0]!.value)) as never;
    },
    async checkbox(options) {
      asked.push(options.message);
      const found = reply(options.message);
      return (found ? found[1] : options.choices.filter((choice) => choice.checked).map((choice) => choice.value)) as never;
    },
    async confirm(options) {
      asked.push(options.message);
      const found = reply(options.message);
      if (found?.[1] instanceof Error) throw found[1];
      return found ? (found[1] as boolean) : (options.default ?? true);
    },
    async input(options) {
      asked.push(options.message);
      return options.default ?? '';
    },
    note() {},
  };
}

describe('runDecide with injected prompts', () => {
  it('asks every question, confirms, writes the record and declines scaffolding', async () => {
    const { ctx, out } = context(true);
    const asked: string[] = [];
    const prompts = scripted(
      {
        'Who calls your API?': ['internal-service'],
        'Where does the calling code run?': ['scheduled-job'],
        'How fast': 'at-expiry',
        Scaffold: false,
      },
      asked,
    );
    await runDecide({ context: ctx, version: '0.0.0-test', prompts });
    // No browser among the clients, so the same-site question is skipped.
    expect(asked.filter((message) => message.endsWith('?') || message.includes('?'))).toHaveLength(13);
    expect(asked.some((message) => message.includes('same site'))).toBe(false);
    expect(asked.at(-1)).toMatch(/^Scaffold /);
    expect(out.stdout).toMatch(/^Recommendation: API keys/);
    const records = readdirSync(join(dir, 'docs', 'decisions'));
    expect(records).toHaveLength(1);
    expect(out.stderr).toContain(`Wrote docs/decisions/${records[0]}`);
    expect(out.stderr).toContain('To scaffold it later:\n  auth-decide scaffold --stack express\n');
    expect(asked.at(-1)).toContain('Scaffold the plan (API keys)');
  });

  it('goes round again when the summary is declined', async () => {
    const { ctx } = context(true);
    let summaries = 0;
    const prompts = scripted({ Scaffold: false });
    const confirm = prompts.confirm.bind(prompts);
    prompts.confirm = async (options) => {
      if (options.message.startsWith('Compare')) return ++summaries > 1;
      return confirm(options);
    };
    await runDecide({ context: ctx, version: '0.0.0-test', prompts, record: false });
    expect(summaries).toBe(2);
  });

  it('turns Ctrl-C at a prompt into a cancel and writes nothing', async () => {
    const { ctx } = context(true);
    const exit = Object.assign(new Error('User force closed the prompt'), { name: 'ExitPromptError' });
    const prompts = scripted({ 'Compare the four methods': exit });
    await expect(runDecide({ context: ctx, version: '0.0.0-test', prompts })).rejects.toBeInstanceOf(CancelledError);
    expect(snapshotTree(dir)).toEqual({});
  });

  it('refuses to wait for input without a terminal', async () => {
    const { ctx } = context(false);
    const error = await runDecide({ context: ctx, version: '0.0.0-test' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe('No terminal to ask the questions in, and no --answers file given.');
    expect((error as UsageError).hint).toContain('--yes');
  });
});
