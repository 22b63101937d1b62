/** The text `auth-decide inspect` prints: plain, 80 columns, secrets masked. */
import type { Finding, Inspection } from './model.js';
import { duration } from './words.js';

const WIDTH = 80;

/** Wraps `text` at word boundaries, every line after the first indented by `indent`. */
function wrap(text: string, indent: number, firstWidth = WIDTH): string {
  const lines: string[] = [];
  let line = '';
  let width = firstWidth;
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
      width = WIDTH - indent;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}

const show = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

function table(entries: [string, unknown][], indent = '  '): string[] {
  const keyWidth = Math.max(0, ...entries.map(([key]) => key.length));
  return entries.map(([key, value]) => {
    const lead = `${indent}${key.padEnd(keyWidth)}  `;
    return `${lead}${wrap(show(value), lead.length, WIDTH - lead.length)}`;
  });
}

const LABEL: Record<Finding['severity'], string> = { error: 'error', risk: 'risk ', note: 'note ' };

function findingsSection(findings: readonly Finding[]): string[] {
  const risks = findings.filter((f) => f.severity !== 'note').length;
  return [
    risks === 0 ? 'Findings: no risks seen offline' : `Findings: ${risks} ${risks === 1 ? 'problem' : 'problems'}`,
    ...findings.map((f) => `  ${LABEL[f.severity]}  ${wrap(`${f.message} [${f.id}]`, 9, WIDTH - 9)}`),
  ];
}

export function renderInspection(inspection: Inspection): string {
  const via = inspection.scheme ? `, sent as "${inspection.scheme}"` : '';
  const lines: string[] = [];
  switch (inspection.kind) {
    case 'jwt': {
      const alg = show(inspection.header.alg);
      lines.push(`JWT, ${inspection.signatureBytes > 0 ? `signed with ${alg}` : 'unsigned'}${via}`, `  ${inspection.masked}`, '');
      lines.push('Header', ...table(Object.entries(inspection.header)), '');
      lines.push('Claims', ...(Object.keys(inspection.claims).length > 0 ? table(Object.entries(inspection.claims)) : ['  (none)']), '');
      if (inspection.times.length > 0 || inspection.lifetime !== null) {
        lines.push('Times', ...table(inspection.times.map((t) => [t.claim, `${t.at}, ${t.words}`])));
        if (inspection.lifetime !== null) {
          const limit = inspection.limit;
          lines.push(
            ...table([
              [
                'lifetime',
                `${duration(inspection.lifetime)}` +
                  (limit ? ` (${limit.method} ${limit.variant} default: ${duration(limit.default)}, at most ${duration(limit.max)}; from the ${limit.source})` : ''),
              ],
            ]),
          );
        }
        lines.push('');
      }
      break;
    }
    case 'jwe':
      lines.push(`Encrypted JWT (JWE)${via}`, `  ${inspection.masked}`, '', 'Header', ...table(Object.entries(inspection.header)), '');
      break;
    case 'api-key':
      lines.push(
        `auth-decide API key${via}`,
        `  ${inspection.masked}`,
        '',
        ...table([
          ['prefix', inspection.prefix],
          ['id', `${inspection.id} (public: the server finds the key by it)`],
          ['secret', `•••• (${inspection.secretLength} characters, masked)`],
          ['checksum', `${inspection.checksum} (${inspection.checksumValid ? 'matches' : 'does not match'})`],
        ]),
        '',
      );
      break;
    case 'session-token':
      lines.push(`Session token (opaque)${via}`, `  ${inspection.masked}`, '');
      break;
  }
  lines.push(...findingsSection(inspection.findings));
  return `${lines.join('\n')}\n`;
}
