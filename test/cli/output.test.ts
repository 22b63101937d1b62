import { describe, expect, it } from 'vitest';
import { commandLine, wrapText } from '../../src/cli/output.js';

describe('wrapText', () => {
  it('breaks at word boundaries, never inside a word', () => {
    const text = 'Pick every kind of caller; it decides whether a request stands for an app, a person, or both.';
    const wrapped = wrapText(text, 40);
    for (const line of wrapped.split('\n')) expect(line.length).toBeLessThanOrEqual(40);
    expect(wrapped.replace(/\n/g, ' ')).toBe(text);
  });

  it('keeps indentation, and continues a list item under its text', () => {
    expect(wrapText('  - one two three four five six', 14)).toBe('  - one two\n    three four\n    five six');
    expect(wrapText('   1. alpha beta gamma', 14)).toBe('   1. alpha\n      beta\n      gamma');
  });

  it('leaves a path longer than a line where it starts, and keeps `code spans` and command lines whole', () => {
    const path = `docs/decisions/${'x'.repeat(90)}.md`;
    expect(wrapText(`Wrote ${path}`, 80)).toBe(`Wrote ${path}`);
    expect(wrapText('Run `auth-decide revisit --trigger framework-support` now.', 52)).toBe('Run\n`auth-decide revisit --trigger framework-support`\nnow.');
    const command = '  auth-decide scaffold --method oauth --oauth-mode provider --stack express --store redis';
    expect(wrapText(command, 40)).toBe(command);
  });

  it('does not count colour codes as width', () => {
    const red = (text: string) => `\u001b[31m${text}\u001b[39m`;
    expect(wrapText(`${red('error')} twelve chars`, 18)).toBe(`${red('error')} twelve chars`);
  });
});

describe('commandLine', () => {
  it('quotes only what a shell would otherwise split or expand', () => {
    expect(commandLine(['auth-decide', 'scaffold', '--out', 'src/auth'])).toBe('auth-decide scaffold --out src/auth');
    expect(commandLine(['auth-decide', 'decide', '--title', "Use the API's keys"])).toBe(`auth-decide decide --title 'Use the API'\\''s keys'`);
  });
});
