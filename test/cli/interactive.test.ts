/**
 * The questionnaire in a real pseudo-terminal: tmux runs the built bin, the
 * test types keystrokes and reads the screen, as a person would.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { assertBuilt, BIN, listRecords, makeTempDir, snapshotTree } from './helpers.js';

const TIMEOUT = 120_000;
const WAIT = 30_000;

let dir: string;
let cleanup: () => void;
let socket: string;

const tmux = (...args: string[]) =>
  execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const screen = () => tmux('capture-pane', '-p', '-J', '-S', '-500', '-t', 'decide');
const keys = (...names: string[]) => tmux('send-keys', '-t', 'decide', ...names);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(predicate: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${safeScreen()}`);
    await sleep(100);
  }
}
const safeScreen = () => {
  try {
    return screen();
  } catch {
    return '(session ended)';
  }
};

/** Waits until the prompt `message` is on screen and active (not yet answered), then types `names`. */
async function answer(message: string, ...names: string[]): Promise<void> {
  await waitFor(() => safeScreen().includes(`? ${message}`), `the prompt "${message}"`);
  keys(...names);
}

const exitCode = () => join(dir, '.exit-code');

function start(args: string, width = 110): void {
  const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
  // The exit code goes to a file: the shell in the pane outlives the process.
  // The pane stays open after the process (until the server is killed) so its last words can be read.
  const command = `cd ${quote(dir)} && env -u CI -u NO_COLOR FORCE_COLOR=0 ${quote(process.execPath)} ${quote(BIN)} ${args}; echo $? > .exit-code; sleep 600`;
  tmux('new-session', '-d', '-s', 'decide', '-x', String(width), '-y', '50', command);
}

async function finished(): Promise<number> {
  await waitFor(() => existsSync(exitCode()) && readFileSync(exitCode(), 'utf8').endsWith('\n'), 'the process to exit');
  return Number(readFileSync(exitCode(), 'utf8').trim());
}

beforeAll(assertBuilt);
beforeEach(() => {
  ({ dir, cleanup } = makeTempDir('tty'));
  socket = `auth-decide-test-${process.pid}-${Date.now()}`;
});
afterEach(() => {
  try {
    tmux('kill-server');
  } catch {
    // The server already left with its last session.
  }
  cleanup();
});

describe('interactive decide in a terminal', () => {
  it('answers the whole questionnaire by keystrokes and writes the record', { timeout: TIMEOUT }, async () => {
    start('decide');
    // Q1: End users is pre-selected; add Internal services (first row).
    await answer('Who calls your API?', 'Space', 'Enter');
    // Q2: keep Browser, add Backend service (last row).
    await answer('Where does the calling code run?', 'Up', 'Space', 'Enter');
    await answer('Do people let other apps use your API for them', 'Enter');
    // Q4: default "Within minutes"; one up is "Immediately".
    await answer('How fast must you be able to cut off access?', 'Up', 'Enter');
    await answer('How much auth machinery can your team run', 'Down', 'Enter');
    await answer('Is the API one application or several services?', 'Down', 'Enter');
    // Default "None"; one down is "Hosted".
    await answer('Do people already sign in through an identity provider', 'Down', 'Enter');
    await answer('Who can reach the API?', 'Down', 'Enter');
    await answer('How fine-grained must permissions be?', 'Enter');
    await answer('Whom must each request be traceable to?', 'Enter');
    await answer('Is the web UI served from the same site as the API?', 'Enter');
    // Q12: default "Not decided" is last; two up is Fastify.
    await answer('Which web framework serves the API?', 'Up', 'Up', 'Enter');
    await waitFor(() => safeScreen().includes('Your answers'), 'the summary');
    expect(screen()).toMatch(/Revocation\s+Immediately/);
    await answer('Compare the four methods with these answers?', 'Enter');
    // A hosted identity provider makes the plan an OAuth resource server, whose package needs
    // Node 22: on an older Node the tool says why it does not offer the scaffold, and asks nothing.
    const nodeMajor = Number(process.versions.node.split('.')[0]);
    if (nodeMajor >= 22) {
      await answer('Scaffold ', 'n', 'Enter');
    } else {
      await waitFor(() => /Not offering to scaffold the plan \(OAuth 2\) now: it needs Node 22/.test(safeScreen().replace(/\s+/g, ' ')), 'the reason no scaffold is offered');
      expect(screen()).not.toContain('? Scaffold ');
    }

    expect(await finished()).toBe(0);
    const records = listRecords(join(dir, 'docs', 'decisions'));
    expect(records).toHaveLength(1);
    const record = readFileSync(join(dir, 'docs', 'decisions', records[0]!), 'utf8');
    expect(record).toMatch(/^---\nstatus: accepted\n/);
    const block = record.slice(0, record.indexOf('\n---\n', 4));
    expect(block).toContain('subjects: [internal-service, end-user]');
    expect(block).toContain('clients: [browser, backend-service]');
    expect(block).toContain('identityProvider: hosted');
    expect(block).toContain('revocation: immediate');
    expect(block).toContain('opsCapacity: high');
    expect(block).toContain('architecture: multi-service');
    expect(block).toContain('exposure: partners');
    expect(block).toContain('stack: fastify');
  });

  it('Ctrl-C at a prompt exits 130 and writes nothing', { timeout: TIMEOUT }, async () => {
    start('decide');
    await answer('Who calls your API?', 'Enter');
    await answer('Where does the calling code run?', 'C-c');
    expect(await finished()).toBe(130);
    const files = Object.keys(snapshotTree(dir));
    expect(files).toEqual(['.exit-code']);
  });

  it('Ctrl-C at the scaffold question after the record was written says the record was kept', { timeout: TIMEOUT }, async () => {
    writeFileSync(
      join(dir, 'answers.yaml'),
      'subjects: [end-user]\nclients: [browser]\ndelegatedAccess: false\nrevocation: minutes\nopsCapacity: medium\n',
    );
    start('decide --answers answers.yaml', 80);
    await answer('Decide with these answers and write the record?', 'Enter');
    await answer('Scaffold ', 'C-c');
    expect(await finished()).toBe(130);
    const records = listRecords(join(dir, 'docs', 'decisions'));
    expect(records).toHaveLength(1);
    const text = screen().replace(/\s+/g, ' ');
    expect(text).toContain(`Cancelled. Written before it stopped, and kept: the decision record docs/decisions/${records[0]}.`);
    expect(text).not.toContain('Nothing was written');
  });
});

describe('the questionnaire at 80 columns', () => {
  it('wraps every hint at word boundaries, and Ctrl-C ends below the prompt without redrawing over it', { timeout: TIMEOUT }, async () => {
    start('decide', 80);
    await answer('Who calls your API?', 'Enter');
    await waitFor(() => safeScreen().includes('? Where does the calling code run?'), 'the second question');
    // -J joins lines the terminal wrapped itself: any line wider than the pane was broken mid-word.
    const lines = screen().split('\n');
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(80);
    keys('C-c');
    expect(await finished()).toBe(130);
    const after = screen().split('\n').filter((line) => line.trim() !== '');
    const cancelled = after.findIndex((line) => line.startsWith('Cancelled.'));
    expect(after[cancelled]).toBe('Cancelled. Nothing was written.');
    // The prompt is left whole above the message: its last line (the key help) right before it.
    expect(after[cancelled - 1]).toMatch(/navigate/);
    for (const choice of ['Browser', 'Mobile app', 'Command-line tool', 'Scheduled job', 'Backend service']) {
      expect(after.slice(0, cancelled).some((line) => line.includes(choice))).toBe(true);
    }
  });
});
