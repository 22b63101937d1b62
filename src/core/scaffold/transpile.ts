/**
 * TypeScript → JavaScript for JavaScript projects, from the same template
 * sources. TypeScript's own `transpileModule` does the work: it is the
 * reference implementation of type erasure, keeps comments, and emits both
 * ES modules and CommonJS with `esModuleInterop`. The `typescript` module is
 * passed in: the build runs this on every template (scripts/precompile-scaffold.mjs),
 * so the published CLI never loads TypeScript; runs from template sources
 * (tests, development) call it directly.
 */
import type TypeScript from 'typescript';
import { collapseBlankLines } from './built.js';
import { TemplateError, type JavaScriptOutput, type Renderer } from './render.js';

export interface TranspileOptions {
  /** For messages. */
  fileName: string;
  module: 'esm' | 'cjs';
  /** Relative `.js` imports are rewritten to this extension (`mjs`/`cjs` when the format differs from the package's). */
  relativeImportExtension: 'js' | 'mjs' | 'cjs' | 'ts';
}

export type Transpile = (source: string, options: TranspileOptions) => string;

/** JavaScript of template sources at run time: render a `.ts.hbs` file, then transpile. */
export function sourceJavaScript(renderer: Renderer, transpile: Transpile): JavaScriptOutput {
  return (source, context, options) =>
    transpile(options.fileName.endsWith('.hbs') ? renderer(source, context, options.fileName) : source, options);
}

// NOTE: TypeScript drops blank lines. A marker comment on each blank line
// survives emit as a leading comment and is turned back into a blank line.
const BLANK_MARKER = '//@@auth-decide-blank@@';

export function createTranspiler(ts: typeof TypeScript): Transpile {
  return (source, options) => {
    const marked = markBlankLines(ts, source, options.fileName);
    const result = ts.transpileModule(marked, {
      fileName: options.fileName.replace(/\.hbs$/, ''),
      reportDiagnostics: true,
      compilerOptions: {
        target: ts.ScriptTarget.ES2022,
        module: options.module === 'esm' ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS,
        esModuleInterop: true,
        isolatedModules: true,
        verbatimModuleSyntax: false,
        removeComments: false,
        newLine: ts.NewLineKind.LineFeed,
        sourceMap: false,
      },
      transformers:
        options.relativeImportExtension === 'js' || options.relativeImportExtension === 'ts'
          ? {}
          : { before: [rewriteRelativeImports(ts, options.relativeImportExtension)] },
    });
    const errors = (result.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
    if (errors.length > 0) {
      const first = errors[0]!;
      const where = first.file && first.start !== undefined ? first.file.getLineAndCharacterOfPosition(first.start) : null;
      throw new TemplateError(
        `cannot transpile ${options.fileName}${where ? `:${where.line + 1}:${where.character + 1}` : ''}: ${ts.flattenDiagnosticMessageText(first.messageText, '\n')}`,
      );
    }
    const output = reindent(ts, restoreBlankLines(result.outputText));
    return keepHeaderComment(ts, source, output);
  };
}

/**
 * TypeScript prints four spaces per level; the templates (and most projects)
 * use two. Lines inside template literals are content, not code, and stay.
 */
function reindent(ts: typeof TypeScript, output: string): string {
  const file = ts.createSourceFile('out.js', output, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const literalRanges = templateLiteralRanges(ts, file);
  const lines = output.split('\n');
  let offset = 0;
  return lines
    .map((line) => {
      const start = offset;
      offset += line.length + 1;
      if (literalRanges.some(([from, to]) => start > from && start < to)) return line;
      const indent = /^ */.exec(line)![0].length;
      return ' '.repeat(2 * Math.floor(indent / 4) + (indent % 4)) + line.slice(indent);
    })
    .join('\n');
}

/** A file's opening comment sits on its first statement; when that is a type-only import it would vanish with it. */
function keepHeaderComment(ts: typeof TypeScript, source: string, output: string): string {
  const ranges = ts.getLeadingCommentRanges(source, 0) ?? [];
  const first = ranges[0];
  if (!first) return output;
  const header = source.slice(first.pos, first.end);
  if (output.includes(header)) return output;
  return `${header}\n${output.startsWith('"use strict"') ? '' : '\n'}${output}`;
}

function templateLiteralRanges(ts: typeof TypeScript, file: TypeScript.SourceFile): [number, number][] {
  const ranges: [number, number][] = [];
  const visit = (node: TypeScript.Node): void => {
    if (ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) {
      ranges.push([node.getStart(file), node.end]);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return ranges;
}

/** Replaces blank lines outside template literals with a marker comment. */
function markBlankLines(ts: typeof TypeScript, source: string, fileName: string): string {
  const file = ts.createSourceFile(fileName.replace(/\.hbs$/, ''), source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const protectedRanges: [number, number][] = [];
  const visit = (node: TypeScript.Node): void => {
    if (
      ts.isNoSubstitutionTemplateLiteral(node) ||
      ts.isTemplateHead(node) ||
      ts.isTemplateMiddle(node) ||
      ts.isTemplateTail(node) ||
      ts.isStringLiteral(node)
    ) {
      protectedRanges.push([node.getStart(file), node.end]);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  const lines = source.split('\n');
  let offset = 0;
  const out: string[] = [];
  for (const line of lines) {
    const isBlank = line.trim() === '';
    const inside = protectedRanges.some(([start, end]) => offset > start && offset < end);
    out.push(isBlank && !inside ? BLANK_MARKER : line);
    offset += line.length + 1;
  }
  return out.join('\n');
}

function restoreBlankLines(output: string): string {
  return collapseBlankLines(
    output
      .split('\n')
      .map((line) => (line.trim() === BLANK_MARKER ? '' : line.replace(/\s*\/\/@@auth-decide-blank@@\s*$/, '')))
      .join('\n'),
  );
}

function rewriteRelativeImports(ts: typeof TypeScript, extension: string): TypeScript.TransformerFactory<TypeScript.SourceFile> {
  const rewrite = (specifier: string): string =>
    (specifier.startsWith('./') || specifier.startsWith('../')) && specifier.endsWith('.js')
      ? `${specifier.slice(0, -'.js'.length)}.${extension}`
      : specifier;
  return (transformContext) => {
    const { factory } = transformContext;
    let text = '';
    // Keep the author's quote style in rewritten specifiers.
    const literal = (node: TypeScript.StringLiteral): TypeScript.StringLiteral =>
      factory.createStringLiteral(rewrite(node.text), text.slice(node.pos, node.end).trimStart().startsWith("'"));
    const visit = (node: TypeScript.Node): TypeScript.Node => {
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
        return factory.updateImportDeclaration(
          node,
          node.modifiers,
          node.importClause,
          literal(node.moduleSpecifier),
          node.attributes,
        );
      }
      if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
        return factory.updateExportDeclaration(
          node,
          node.modifiers,
          node.isTypeOnly,
          node.exportClause,
          literal(node.moduleSpecifier),
          node.attributes,
        );
      }
      if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        const [first, ...rest] = node.arguments;
        if (first && ts.isStringLiteral(first)) {
          return factory.updateCallExpression(node, node.expression, node.typeArguments, [
            literal(first),
            ...rest,
          ]);
        }
      }
      return ts.visitEachChild(node, visit, transformContext);
    };
    return (file) => {
      text = file.text;
      return ts.visitEachChild(file, visit, transformContext);
    };
  };
}
