import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { answersFormat, locateJsonError, readAnswersFile, readAnswersPatchFile } from '../../src/shell/answers-file.js';

const VALID_YAML = `subjects: [end-user]
clients: [browser]
delegatedAccess: false
revocation: minutes
opsCapacity: low
`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'auth-decide-answers-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const write = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return name;
};

async function failure(name: string): Promise<UsageError> {
  const error = await readAnswersFile(name, dir).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(UsageError);
  expect((error as UsageError).exitCode).toBe(2);
  return error as UsageError;
}

describe('readAnswersFile: valid files', () => {
  it('reads YAML and applies the documented defaults', async () => {
    const answers = await readAnswersFile(write('answers.yaml', VALID_YAML), dir);
    expect(answers).toEqual({
      subjects: ['end-user'],
      clients: ['browser'],
      delegatedAccess: false,
      revocation: 'minutes',
      opsCapacity: 'low',
      architecture: 'single-app',
      identityProvider: 'none',
      exposure: 'internal',
      granularity: 'roles',
      // Only people call this API, so requests are traced to the person by default.
      audit: 'user',
      sameSiteFrontend: true,
    });
  });

  it('reads JSON, keeps the given context answers and orders lists canonically', async () => {
    const name = write(
      'answers.json',
      JSON.stringify({
        subjects: ['end-user', 'internal-service', 'end-user'],
        clients: ['backend-service'],
        delegatedAccess: false,
        revocation: 'immediate',
        opsCapacity: 'high',
        architecture: 'multi-service',
        stack: 'hono',
      }),
    );
    const answers = await readAnswersFile(name, dir);
    expect(answers.subjects).toEqual(['internal-service', 'end-user']);
    expect(answers.architecture).toBe('multi-service');
    expect(answers.sameSiteFrontend).toBe(false);
    expect(answers.stack).toBe('hono');
  });

  it('sniffs JSON and YAML when the file has no known extension', async () => {
    expect(answersFormat('answers', '  {"a": 1}')).toBe('json');
    expect(answersFormat('answers.txt', 'subjects: [end-user]')).toBe('yaml');
    expect(answersFormat('ANSWERS.YML', '{')).toBe('yaml');
    const answers = await readAnswersFile(write('answers', JSON.stringify({ ...JSON_VALID })), dir);
    expect(answers.revocation).toBe('at-expiry');
  });

  it('accepts a byte order mark and a path relative to the working directory', async () => {
    mkdirSync(join(dir, 'config'));
    writeFileSync(join(dir, 'config', 'answers.yml'), `\uFEFF${VALID_YAML}`);
    const answers = await readAnswersFile('config/answers.yml', dir);
    expect(answers.opsCapacity).toBe('low');
  });

  it('reads a partial file for revisit', async () => {
    const patch = await readAnswersPatchFile(write('patch.yaml', 'revocation: immediate\n'), dir);
    expect(patch).toEqual({ revocation: 'immediate' });
  });
});

const JSON_VALID = {
  subjects: ['internal-service'],
  clients: ['scheduled-job'],
  delegatedAccess: false,
  revocation: 'at-expiry',
  opsCapacity: 'low',
};

const HINT = 'The answers contract is described in the README (section "The answers file").';

// Each malformed file, with the exact message a user sees.
const MALFORMED: { name: string; file: string; text: string; message: string }[] = [
  {
    name: 'unknown field',
    file: 'unknown.yaml',
    text: `${VALID_YAML}colour: blue\n`,
    message:
      'Answers file "unknown.yaml": unknown field "colour"; allowed fields: subjects, clients, delegatedAccess, revocation, opsCapacity, architecture, identityProvider, exposure, granularity, audit, sameSiteFrontend, stack.',
  },
  {
    name: 'unknown field that is a misspelt known one',
    file: 'misspelt.yaml',
    text: VALID_YAML.replace('opsCapacity', 'ops_capacity'),
    message:
      'Answers file "misspelt.yaml" has 2 problems:\n' +
      '  - opsCapacity is missing; it is required, one of: low | medium | high\n' +
      '  - unknown field "ops_capacity"; did you mean "opsCapacity"? allowed fields: subjects, clients, delegatedAccess, revocation, opsCapacity, architecture, identityProvider, exposure, granularity, audit, sameSiteFrontend, stack',
  },
  {
    name: 'YAML yes where a boolean is expected',
    file: 'yes.yaml',
    text: VALID_YAML.replace('delegatedAccess: false', 'delegatedAccess: yes'),
    message:
      'Answers file "yes.yaml": delegatedAccess is "yes"; allowed: true | false (write true or false: yes is text, not a yes/no value, in YAML 1.2 and JSON).',
  },
  {
    name: 'quoted boolean in JSON',
    file: 'quoted.json',
    text: JSON.stringify({ ...JSON_VALID, sameSiteFrontend: 'true' }),
    message: 'Answers file "quoted.json": sameSiteFrontend is "true"; allowed: true | false, written without quotes.',
  },
  {
    name: 'bad enum value',
    file: 'enum.yaml',
    text: VALID_YAML.replace('revocation: minutes', 'revocation: soon'),
    message: 'Answers file "enum.yaml": revocation is "soon"; allowed: immediate | minutes | at-expiry.',
  },
  {
    name: 'bad value inside a list',
    file: 'list-item.yaml',
    text: VALID_YAML.replace('clients: [browser]', 'clients: [browser, desktop]'),
    message:
      'Answers file "list-item.yaml": clients[1] is "desktop"; allowed: browser | mobile | cli | scheduled-job | backend-service.',
  },
  {
    name: 'number where a word is expected',
    file: 'number.yaml',
    text: VALID_YAML.replace('opsCapacity: low', 'opsCapacity: 3'),
    message: 'Answers file "number.yaml": opsCapacity is 3; allowed: low | medium | high.',
  },
  {
    name: 'bad optional context value',
    file: 'stack.yaml',
    text: `${VALID_YAML}stack: koa\n`,
    message: 'Answers file "stack.yaml": stack is "koa"; allowed: express | fastify | hono.',
  },
  {
    name: 'empty list',
    file: 'empty-list.yaml',
    text: VALID_YAML.replace('subjects: [end-user]', 'subjects: []'),
    message:
      'Answers file "empty-list.yaml": subjects is an empty list; give at least one of: internal-service | backend-integration | third-party-app | end-user.',
  },
  {
    name: 'single value where a list is expected',
    file: 'not-a-list.yaml',
    text: VALID_YAML.replace('subjects: [end-user]', 'subjects: end-user'),
    message:
      'Answers file "not-a-list.yaml": subjects is "end-user"; expected a list of: internal-service | backend-integration | third-party-app | end-user.',
  },
  {
    name: 'missing required answer',
    file: 'missing-field.yaml',
    text: VALID_YAML.replace('opsCapacity: low\n', ''),
    message: 'Answers file "missing-field.yaml": opsCapacity is missing; it is required, one of: low | medium | high.',
  },
  {
    name: 'several problems at once',
    file: 'several.yaml',
    text: VALID_YAML.replace('[end-user]', '[robots]').replace('delegatedAccess: false', 'delegatedAccess: maybe'),
    message:
      'Answers file "several.yaml" has 2 problems:\n' +
      '  - subjects[0] is "robots"; allowed: internal-service | backend-integration | third-party-app | end-user\n' +
      '  - delegatedAccess is "maybe"; allowed: true | false',
  },
  {
    name: 'YAML syntax error: unclosed list',
    file: 'unclosed.yaml',
    text: 'subjects: [end-user\nclients: [browser]\n',
    message:
      'Answers file "unclosed.yaml" is not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] (line 2, column 1).',
  },
  {
    name: 'YAML syntax error: bad indentation',
    file: 'indent.yaml',
    text: 'subjects:\n  - end-user\n clients: [browser]\n',
    message: 'Answers file "indent.yaml" is not valid YAML: All mapping items must start at the same column (line 3, column 1).',
  },
  {
    name: 'YAML duplicate key',
    file: 'duplicate.yaml',
    text: 'subjects: [end-user]\nsubjects: [internal-service]\n',
    message: 'Answers file "duplicate.yaml" is not valid YAML: Map keys must be unique (line 2, column 1).',
  },
  {
    name: 'JSON trailing comma',
    file: 'comma.json',
    text: '{\n  "subjects": ["end-user"],\n  "clients": ["browser"],\n}\n',
    message: `Answers file "comma.json" is not valid JSON: trailing comma before '}' (line 3, column 25).`,
  },
  {
    name: 'JSON unterminated string',
    file: 'string.json',
    text: '{\n  "subjects": ["end-user],\n  "clients": ["browser"]\n}\n',
    message: 'Answers file "string.json" is not valid JSON: line break or control character inside a string (line 2, column 27).',
  },
  {
    name: 'JSON misspelt literal',
    file: 'literal.json',
    text: '{"subjects": ["end-user"],\n "delegatedAccess": fals}',
    message: 'Answers file "literal.json" is not valid JSON: expected a value (line 2, column 21).',
  },
  {
    name: 'JSON list instead of an object',
    file: 'array.json',
    text: '[{"subjects": ["end-user"]}]',
    message: 'Answers file "array.json": the answers must be a mapping of fields, not [{"subjects":["end-user"]}].',
  },
  {
    name: 'YAML plain text instead of a mapping',
    file: 'text.yaml',
    text: 'just some text\n',
    message: 'Answers file "text.yaml": the answers must be a mapping of fields, not "just some text".',
  },
  {
    name: 'empty file',
    file: 'empty.yaml',
    text: '',
    message: 'Answers file "empty.yaml" is empty; it must hold the answers as JSON or YAML.',
  },
  {
    name: 'comments only',
    file: 'comments.yaml',
    text: '# nothing decided yet\n\n',
    message: 'Answers file "comments.yaml" is empty; it must hold the answers as JSON or YAML.',
  },
];

describe('readAnswersFile: malformed files', () => {
  it.each(MALFORMED)('$name', async ({ file, text, message }) => {
    const error = await failure(write(file, text));
    expect(error.message).toBe(message);
    if (!/directory|does not exist/.test(message)) expect(error.hint).toBe(HINT);
  });

  it('a directory', async () => {
    mkdirSync(join(dir, 'answers.yaml'));
    const error = await failure('answers.yaml');
    expect(error.message).toBe('Answers file "answers.yaml" is a folder, not a file.');
  });

  it('a missing file', async () => {
    const error = await failure('nowhere/answers.yaml');
    expect(error.message).toBe('Answers file "nowhere/answers.yaml" does not exist.');
    expect(error.hint).toBe(`Looked for it at ${join(dir, 'nowhere', 'answers.yaml')}.`);
  });

  it('reports malformed partial files the same way', async () => {
    const error = await readAnswersPatchFile(write('patch.yaml', 'revocation: never\n'), dir).catch((caught: unknown) => caught);
    expect((error as UsageError).message).toBe(
      'Answers file "patch.yaml": revocation is "never"; allowed: immediate | minutes | at-expiry.',
    );
  });
});

describe('locateJsonError', () => {
  it('points at the first offending character', () => {
    expect(locateJsonError('{"a": 1 "b": 2}')).toEqual({ offset: 8, reason: "expected ',' or '}'" });
    expect(locateJsonError('{"a": [1, 2}')).toEqual({ offset: 11, reason: "expected ',' or ']'" });
    expect(locateJsonError('{"a": 1} x')).toEqual({ offset: 9, reason: 'unexpected text after the end of the document' });
    expect(locateJsonError('{"a": ')).toEqual({ offset: 6, reason: 'unexpected end of file, expected a value' });
    expect(locateJsonError("{'a': 1}")).toEqual({ offset: 1, reason: 'expected a field name in double quotes' });
  });
});
