/**
 * Prepares the scaffold templates (every `templates/<name>/` with a
 * template.json) at build time, so a scaffold run needs neither the Handlebars
 * compiler nor TypeScript:
 *
 * - every Handlebars text (`*.hbs` files, template.json strings with `{{`) is
 *   precompiled with `Handlebars.precompile`;
 * - every TypeScript file (`*.ts`, `*.ts.hbs`) also gets its JavaScript forms,
 *   made with the very transpiler a run used to call (src/core/scaffold/transpile.ts).
 *
 * A `.ts.hbs` file cannot be transpiled as it stands. Its `{{#if}}`/`{{#unless}}`
 * blocks (and whether each `{{#each}}` list is empty) are resolved first: one
 * TypeScript text per combination of their conditions (a decision tree the run walks with the same Handlebars), so code
 * that TypeScript rewrites as a whole (CommonJS imports and exports, helper
 * functions, import elision) comes out exactly as for the rendered file. What
 * remains is masked: `{{expression}}`s become identifiers, the tag lines of
 * other blocks (`{{#each}}`…) become comment lines, and both are put back after
 * transpiling. Anything that cannot be masked safely stops the build with the
 * file and line. test/scaffold/built-templates.test.ts holds the results equal
 * to rendering and then transpiling at run time.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Must equal SCAFFOLD_COMPILE_OPTIONS in src/core/scaffold/render.ts. */
export const SCAFFOLD_COMPILE_OPTIONS = { noEscape: true, strict: true };
/** Stands for the extension of relative imports; must equal IMPORT_EXTENSION in src/core/scaffold/built.ts. */
export const IMPORT_EXTENSION = '__AUTH_DECIDE_IMPORT_EXTENSION__';

const EXPRESSION_PREFIX = '__AUTH_DECIDE_HBS_';
const expressionMark = (index) => `${EXPRESSION_PREFIX}${index}__`;
const LITERAL_OPEN = '__AUTH_DECIDE_HBS_OPEN__';
const TAG_PREFIX = '//@@auth-decide-hbs-tag:';
const tagMark = (index) => `${TAG_PREFIX}${index}@@`;
const RESERVED = [EXPRESSION_PREFIX, TAG_PREFIX, IMPORT_EXTENSION, '__AUTH_DECIDE_'];
/** Each condition doubles the number of TypeScript texts; past this, plan-dependent code belongs in data. */
export const MAX_COMBINATIONS = 256;

export class TemplatePreparationError extends Error {
  name = 'TemplatePreparationError';
}

/** A block tag alone on its line: `{{#each x}}`, `{{else}}`, `{{/each}}`, `{{!-- … --}}`. */
const TAG_LINE = /^\s*\{\{~?\s*(?:[#^/!]|else\b)(?:(?!\}\})[\s\S])*~?\}\}\s*$/;
const HAS_TAG = /\{\{~?\s*(?:[#^/!]|else\b)/;
const MUSTACHE = /\{\{\{(?:(?!\}\}\})[\s\S])*\}\}\}|\{\{(?:(?!\}\})[\s\S])*\}\}/g;

/** `{{~x~}}` → `{{x}}`: the stripping already happened when the template was parsed. */
const withoutStrip = (text) => text.replace(/^(\{\{\{?)~/, '$1').replace(/~(\}?\}\})$/, '$1');

function lineStarts(source) {
  const starts = [0];
  for (let i = 0; i < source.length; i++) if (source[i] === '\n') starts.push(i + 1);
  return starts;
}

/** Source text of an expression, for condition keys and condition templates. */
function printExpression(node) {
  switch (node.type) {
    case 'PathExpression':
      return node.original;
    case 'SubExpression':
      return `(${[printExpression(node.path), ...node.params.map(printExpression), ...printHash(node.hash)].join(' ')})`;
    case 'StringLiteral':
      return `"${node.value.replace(/"/g, '\\"')}"`;
    case 'NumberLiteral':
    case 'BooleanLiteral':
      return String(node.value);
    case 'UndefinedLiteral':
      return 'undefined';
    case 'NullLiteral':
      return 'null';
    default:
      throw new TemplatePreparationError(`unexpected ${node.type} in a block condition`);
  }
}
const printHash = (hash) => (hash?.pairs ?? []).map((pair) => `${pair.key}=${printExpression(pair.value)}`);

const isCondition = (node) =>
  node.type === 'BlockStatement' && (node.path.original === 'if' || node.path.original === 'unless') && node.params.length === 1 && !node.program?.blockParams;

/** `{{#each list}}`: taken as a block when the list has items (an empty object counts as having some, as for `{{#if}}`). */
const isLoop = (node) => node.type === 'BlockStatement' && node.path.original === 'each' && node.params.length === 1 && !node.hash;

/**
 * The TypeScript texts of a `.ts.hbs` file, one per combination of its
 * conditions, as a tree: `{ condition, then, else }` inner nodes (a condition
 * is the text between `{{#if ` and `}}`), `{ pieces }` leaves.
 */
function combinations(source, fileName, Handlebars) {
  let ast;
  try {
    ast = Handlebars.parse(source);
  } catch (error) {
    throw new TemplatePreparationError(`${fileName}: ${error.message}`);
  }
  const starts = lineStarts(source);
  const offset = (position) => starts[position.line - 1] + position.column;
  const slice = (loc) => source.slice(offset(loc.start), offset(loc.end));
  const sourceLines = source.split('\n');
  let leaves = 0;

  const walk = (queue, assignment, pieces) => {
    while (queue.length > 0) {
      const [node, ...rest] = queue;
      queue = rest;
      if (node.type === 'ContentStatement') pieces.push({ kind: 'text', text: node.value });
      else if (node.type === 'CommentStatement') continue;
      else if (node.type === 'MustacheStatement') pieces.push({ kind: 'expression', text: withoutStrip(slice(node.loc)) });
      else if (isCondition(node)) {
        const condition = [printExpression(node.params[0]), ...printHash(node.hash)].join(' ');
        if (assignment.has(condition)) {
          const truthy = assignment.get(condition) !== (node.path.original === 'unless');
          queue = [...((truthy ? node.program : node.inverse)?.body ?? []), ...queue];
          continue;
        }
        const branch = (value) => walk([node, ...queue], new Map([...assignment, [condition, value]]), [...pieces]);
        return { condition, then: branch(true), else: branch(false) };
      } else if (isLoop(node)) {
        // An empty list renders differently from one with items (TypeScript prints `{\n}` as `{}`): branch on it too.
        const condition = printExpression(node.params[0]);
        if (!assignment.has(condition)) {
          const branch = (value) => walk([node, ...queue], new Map([...assignment, [condition, value]]), [...pieces]);
          return { condition, then: branch(true), else: branch(false) };
        }
        if (assignment.get(condition)) pieces.push({ kind: 'raw', lines: rawBlockLines(node, sourceLines, fileName) });
        else queue = [...(node.inverse?.body ?? []), ...queue];
      } else if (node.type === 'BlockStatement') {
        pieces.push({ kind: 'raw', lines: rawBlockLines(node, sourceLines, fileName) });
      } else {
        throw new TemplatePreparationError(
          `${fileName}:${node.loc.start.line}: ${node.type} cannot be used in a TypeScript template; use {{#if}}, {{#each}} and {{expressions}} only`,
        );
      }
    }
    leaves += 1;
    if (leaves > MAX_COMBINATIONS) {
      throw new TemplatePreparationError(
        `${fileName}: more than ${MAX_COMBINATIONS} combinations of {{#if}} conditions; move plan-dependent choices into data`,
      );
    }
    return { pieces };
  };
  return walk(ast.body, new Map(), []);
}

/** The source lines of a block that is kept as a block (`{{#each}}`…): its tags must stand alone on their lines. */
function rawBlockLines(node, sourceLines, fileName) {
  const first = node.loc.start.line;
  const last = node.loc.end.line;
  const lines = sourceLines.slice(first - 1, last);
  const open = lines[0] ?? '';
  const close = lines.at(-1) ?? '';
  if (!TAG_LINE.test(open) || !TAG_LINE.test(close) || first === last) {
    throw new TemplatePreparationError(
      `${fileName}:${first}: the tags of {{#${node.path.original}}} must each stand alone on their line in a TypeScript template`,
    );
  }
  lines.forEach((line, index) => {
    if (HAS_TAG.test(line) && !TAG_LINE.test(line)) {
      throw new TemplatePreparationError(`${fileName}:${first + index}: a block tag inside {{#${node.path.original}}} must stand alone on its line`);
    }
  });
  return { first, lines };
}

/** Turns the pieces of one combination into TypeScript, remembering what each mark stands for. */
function maskedSource(pieces, fileName) {
  const expressions = [];
  const tags = [];
  const rawRanges = [];
  let text = '';
  const markExpression = (original) => {
    expressions.push(original);
    return expressionMark(expressions.length - 1);
  };
  for (const piece of pieces) {
    if (piece.kind === 'text') text += piece.text.split('{{').join(LITERAL_OPEN);
    else if (piece.kind === 'expression') text += markExpression(piece.text);
    else {
      const start = text.length;
      piece.lines.lines.forEach((line, index) => {
        if (TAG_LINE.test(line)) {
          tags.push({ line, at: piece.lines.first + index });
          text += `${tagMark(tags.length - 1)}\n`;
          return;
        }
        const masked = line.split('\\{{').join(LITERAL_OPEN).replace(MUSTACHE, (found) => markExpression(withoutStrip(found)));
        if (masked.includes('{{')) throw new TemplatePreparationError(`${fileName}:${piece.lines.first + index}: an unclosed {{ cannot be masked`);
        text += `${masked}\n`;
      });
      rawRanges.push([start, text.length]);
    }
  }
  return { text, expressions, tags, rawRanges };
}

/** Refuses what masking would get wrong: expressions in module specifiers, imports or exports inside kept blocks. */
function checkMasked(ts, masked, fileName) {
  const file = ts.createSourceFile(fileName.replace(/\.hbs$/, ''), masked.text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const lineOf = (node) => file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1;
  for (const statement of file.statements) {
    const specifier = ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement) ? statement.moduleSpecifier : undefined;
    if (specifier && specifier.getText(file).includes(EXPRESSION_PREFIX)) {
      throw new TemplatePreparationError(`${fileName}: a {{expression}} in a module specifier cannot be transpiled ahead of time (${specifier.getText(file)})`);
    }
    const exported = ts.canHaveModifiers(statement) && (ts.getModifiers(statement) ?? []).some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword);
    const moduleLevel = ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement) || ts.isExportAssignment(statement) || exported;
    const start = statement.getStart(file);
    if (moduleLevel && masked.rawRanges.some(([from, to]) => start >= from && start < to)) {
      throw new TemplatePreparationError(
        `${fileName}: an import or export inside a {{#each}}-like block cannot be transpiled ahead of time (masked line ${lineOf(statement)}); use {{#if}} or move it out`,
      );
    }
  }
}

/** Puts the masked Handlebars back into transpiled output and checks that all of it survived. */
function restore(output, masked, fileName, Handlebars) {
  const seen = [];
  const lines = output.split('\n').map((line) => {
    const found = /^\s*\/\/@@auth-decide-hbs-tag:(\d+)@@\s*$/.exec(line);
    if (found) {
      seen.push(Number(found[1]));
      return masked.tags[Number(found[1])].line;
    }
    if (line.includes(TAG_PREFIX)) {
      const index = Number(/@@auth-decide-hbs-tag:(\d+)@@/.exec(line)[1]);
      throw new TemplatePreparationError(`${fileName}:${masked.tags[index].at}: TypeScript moved this block tag off its own line`);
    }
    return line;
  });
  const missing = masked.tags.findIndex((_, index) => seen[index] !== index);
  if (missing !== -1) {
    throw new TemplatePreparationError(
      `${fileName}:${masked.tags[missing].at}: this block tag does not survive transpiling in place (it sits where TypeScript drops or reorders comments, e.g. next to a type-only declaration)`,
    );
  }
  let restoredExpressions = 0;
  const text = lines
    .join('\n')
    .replace(/__AUTH_DECIDE_HBS_(\d+)__/g, (_, index) => {
      restoredExpressions += 1;
      return masked.expressions[Number(index)];
    })
    .split(LITERAL_OPEN)
    .join('\\{{');
  // Everything put back must read as Handlebars again, one node per mark.
  const expected = restoredExpressions + masked.tags.filter((tag) => /^\s*\{\{~?\s*(?:[#!]|\^(?!\s*~?\}\})|else\s+\S)/.test(tag.line)).length;
  let ast;
  try {
    ast = Handlebars.parse(text);
  } catch (error) {
    throw new TemplatePreparationError(`${fileName}: the transpiled template no longer parses: ${error.message}`);
  }
  if (countNodes(ast) !== expected) {
    throw new TemplatePreparationError(`${fileName}: the transpiled template does not keep every {{expression}} intact (escaped braces next to an expression?)`);
  }
  return text;
}

function countNodes(program) {
  let count = 0;
  for (const node of program?.body ?? []) {
    if (node.type === 'MustacheStatement' || node.type === 'CommentStatement') count += 1;
    if (node.type === 'BlockStatement') count += 1 + countNodes(node.program) + countNodes(node.inverse);
  }
  return count;
}

function checkReserved(source, fileName) {
  const reserved = RESERVED.find((word) => source.includes(word));
  if (reserved) throw new TemplatePreparationError(`${fileName} contains ${reserved}, which the build uses as a placeholder`);
}

/** The output forms a TypeScript file needs: tests are always ES modules; sources are ESM or CommonJS. */
export function javaScriptFormsOf(path, isTestFile) {
  const stripped = path.replace(/\.hbs$/, '');
  return isTestFile(stripped) ? ['esm'] : ['esm', 'cjs', 'cjs.js'];
}

const transpileOptionsOf = (form, fileName) => ({
  fileName,
  module: form === 'esm' ? 'esm' : 'cjs',
  // `cjs.js`: CommonJS with relative imports left as `.js`, which TypeScript prints with its own quotes.
  relativeImportExtension: form === 'cjs.js' ? 'js' : IMPORT_EXTENSION,
});

/**
 * One output form of a TypeScript template file: a string for a `.ts` file,
 * a tree of Handlebars texts for a `.ts.hbs` file (`{ condition, then, else }`
 * or `{ template }`).
 */
export function javaScriptForm(source, fileName, form, tools) {
  checkReserved(source, fileName);
  const options = transpileOptionsOf(form, fileName);
  if (!fileName.endsWith('.hbs')) return tools.transpile(source, options);
  const tree = tools.combinations ?? combinations(source, fileName, tools.Handlebars);
  const leaf = (node) => {
    if (!('pieces' in node)) return { condition: node.condition, then: leaf(node.then), else: leaf(node.else) };
    const masked = maskedSource(node.pieces, fileName);
    checkMasked(tools.ts, masked, fileName);
    let output;
    try {
      output = tools.transpile(masked.text, options);
    } catch (error) {
      throw new TemplatePreparationError(`${error.message} (after resolving its {{#if}} blocks and masking its {{expressions}})`);
    }
    return { template: restore(output, masked, fileName, tools.Handlebars) };
  };
  return leaf(tree);
}

async function listFiles(dir, prefix = '') {
  const files = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) files.push(...(await listFiles(join(dir, entry.name), rel)));
    else if (entry.isFile()) files.push(rel);
  }
  return files;
}

/** Every string in template.json that Handlebars renders (any string with `{{`). */
function templatedStrings(value, found = new Set()) {
  if (typeof value === 'string' && value.includes('{{')) found.add(value);
  else if (Array.isArray(value)) value.forEach((item) => templatedStrings(item, found));
  else if (value && typeof value === 'object') Object.values(value).forEach((item) => templatedStrings(item, found));
  return found;
}

/**
 * The template folders under `templatesDir` (those with a template.json), each
 * as ES module texts: `base` (template.json, the files as written, their
 * compiled Handlebars) and one per JavaScript form.
 */
export async function precompiledScaffoldModules(templatesDir, tools) {
  const { Handlebars, isTestFile, isTypeScriptSource } = tools;
  const spec = (source, name) => {
    try {
      return Handlebars.precompile(source, { ...SCAFFOLD_COMPILE_OPTIONS });
    } catch (error) {
      throw new TemplatePreparationError(`${name}: ${error.message}`);
    }
  };
  const tree = (node) =>
    'template' in node
      ? `{template:${spec(node.template, 'generated JavaScript')}}`
      : `{condition:${spec(`{{#if ${node.condition}}}1{{/if}}`, node.condition)},then:${tree(node.then)},else:${tree(node.else)}}`;
  const modules = new Map();
  const names = (await readdir(templatesDir, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  for (const name of names) {
    let manifestText;
    try {
      manifestText = await readFile(join(templatesDir, name, 'template.json'), 'utf8');
    } catch (error) {
      if (error.code === 'ENOENT') continue;
      throw error;
    }
    const paths = await listFiles(join(templatesDir, name, 'files')).catch((error) => (error.code === 'ENOENT' ? [] : Promise.reject(error)));
    const header = `// Generated from templates/${name} by scripts/precompile-scaffold.mjs at build time. Do not edit.\n`;
    const files = [];
    const forms = { esm: [], cjs: [], 'cjs.js': [] };
    for (const path of paths) {
      const source = await readFile(join(templatesDir, name, 'files', ...path.split('/')), 'utf8');
      const fileName = `${name}/files/${path}`;
      const compiled = path.endsWith('.hbs') ? `,${spec(source, fileName)}` : '';
      files.push(`[${JSON.stringify(path)},${JSON.stringify(source)}${compiled}]`);
      if (!isTypeScriptSource(path.replace(/\.hbs$/, ''))) continue;
      const shared = path.endsWith('.hbs') ? { ...tools, combinations: combinations(source, fileName, Handlebars) } : tools;
      for (const form of javaScriptFormsOf(path, isTestFile)) {
        const result = javaScriptForm(source, fileName, form, shared);
        forms[form].push(`[${JSON.stringify(path)},${typeof result === 'string' ? JSON.stringify(result) : tree(result)}]`);
      }
    }
    let manifest;
    try {
      manifest = JSON.parse(manifestText);
    } catch (error) {
      throw new TemplatePreparationError(`templates/${name}/template.json: ${error.message}`);
    }
    const strings = [...templatedStrings(manifest)].map((text) => `[${JSON.stringify(text)},${spec(text, `templates/${name}/template.json`)}]`);
    // A method's rows for the package's AUTH.md live beside template.json; rendered like any Handlebars string.
    const authSection = await readFile(join(templatesDir, name, 'AUTH.section.md.hbs'), 'utf8').catch((error) => (error.code === 'ENOENT' ? null : Promise.reject(error)));
    if (authSection !== null) strings.push(`[${JSON.stringify(authSection)},${spec(authSection, `templates/${name}/AUTH.section.md.hbs`)}]`);
    modules.set(name, {
      base: `${header}export default {manifest:${JSON.stringify(manifestText)},files:[${files.join(',')}],strings:[${strings.join(',')}],authSection:${JSON.stringify(authSection)}};\n`,
      ...Object.fromEntries(Object.entries(forms).map(([form, entries]) => [form, `${header}export default [${entries.join(',')}];\n`])),
    });
  }
  return modules;
}
