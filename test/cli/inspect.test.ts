/** `auth-decide inspect` end to end: the built bin as a real process. */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '../../templates/api-key/files/keys.js';
import { makeJwt } from '../support/tokens.js';
import { assertBuilt, HYBRID_YAML, makeTempDir, runCli } from './helpers.js';

beforeAll(assertBuilt);
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

function project(): string {
  const temp = makeTempDir('inspect');
  cleanups.push(temp.cleanup);
  return temp.dir;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const goodClaims = () => ({ iss: 'https://auth.example.com', aud: 'api', sub: 'user-42', iat: nowSeconds(), exp: nowSeconds() + 540 });

describe('auth-decide inspect', () => {
  it('decodes a JWT given as an argument: header, claims, times in words; exit 0', async () => {
    const result = await runCli(['inspect', makeJwt(goodClaims())], { cwd: project() });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^JWT, signed with ES256/);
    expect(result.stdout).toContain('user-42');
    expect(result.stdout).toMatch(/exp +\S+, expires in (8|9) minutes/);
    expect(result.stdout).toContain('no risks seen offline');
  });

  it('reads standard input with -, and --json prints one document', async () => {
    const token = makeJwt({ sub: 'user-42' }, {}, { alg: 'none' });
    const result = await runCli(['inspect', '-', '--json'], { cwd: project(), input: `Authorization: Bearer ${token}\n` });
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout) as { kind: string; scheme: string; findings: { id: string; severity: string }[] };
    expect(document).toMatchObject({ kind: 'jwt', scheme: 'Bearer' });
    expect(document.findings.filter((f) => f.severity === 'risk').map((f) => f.id)).toEqual(
      expect.arrayContaining(['alg-none', 'missing-exp', 'missing-aud', 'missing-iss']),
    );
  });

  it('--strict exits 1 when there are risks, 0 when there are none', async () => {
    const cwd = project();
    const risky = await runCli(['inspect', '--strict', makeJwt({ sub: 'user-42' })], { cwd });
    expect(risky.code).toBe(1);
    expect(risky.stderr).toMatch(/--strict: \d+ problems found/);
    expect((await runCli(['inspect', '--strict', makeJwt(goodClaims())], { cwd })).code).toBe(0);
  });

  it('recognises an API key, checks its checksum offline and never prints the secret', async () => {
    const { key, secret } = generateKey('ak_live');
    const result = await runCli(['inspect', key], { cwd: project() });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('auth-decide API key');
    expect(result.stdout).toMatch(/checksum +\w{6} \(matches\)/);
    expect(result.stdout).toContain('cannot be seen offline');
    expect(result.stdout + result.stderr).not.toContain(secret);
  });

  it('recognises a session token as opaque', async () => {
    const token = `st_${randomBytes(32).toString('base64url')}`;
    const result = await runCli(['inspect', token, '--json'], { cwd: project() });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ kind: 'session-token' });
    expect(result.stdout).not.toContain(token.slice(3));
  });

  it('takes the expected method from the decision record of the project', async () => {
    const cwd = project();
    writeFileSync(join(cwd, 'answers.yaml'), HYBRID_YAML);
    expect((await runCli(['decide', '--answers', 'answers.yaml', '--yes'], { cwd })).code).toBe(0);
    const token = makeJwt({ ...goodClaims(), iss: 'internal' }, {}, { alg: 'HS256' });
    const result = await runCli(['inspect', token, '--json'], { cwd });
    const document = JSON.parse(result.stdout) as { findings: { id: string; message: string }[]; limit: { source: string } };
    expect(document.findings.find((f) => f.id === 'hs-where-public-key-expected')?.message).toContain("decision record's plan uses oauth");
    expect(document.limit.source).toBe('decision record');
  });

  it('refuses what is not a credential with exit 2 and says what it reads', async () => {
    const result = await runCli(['inspect', 'hello'], { cwd: project() });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^Error: That is not a credential inspect recognises/);
  });
});
