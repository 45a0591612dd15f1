import Handlebars from 'handlebars';
import type { HelperDelegate, TemplateDelegate } from 'handlebars';
import { TemplateError } from '../errors';
import { escapeFor, type EscapeMode } from './escape';
import { helpers } from './helpers';

/** An isolated Handlebars: our helpers only, nothing registered globally leaks in or out. */
const env = Handlebars.create();
for (const [name, fn] of Object.entries(helpers)) env.registerHelper(name, fn as HelperDelegate);

const ESCAPE_HELPER = '__hb_escape';
const CAPTURE_HELPER = '__hb_capture';

export interface RenderOptions {
  /** How `{{value}}` output is escaped. `{{{value}}}` is never escaped. Default `none`. */
  escape?: EscapeMode;
  /** Throw on a reference to a missing variable instead of rendering it empty. */
  strict?: boolean;
  /** Longest output, in characters. Default 100,000. */
  maxOutputLength?: number;
}

export interface TemplateProblem {
  message: string;
  line?: number;
  column?: number;
  /** In a JSON template, the path of the leaf. */
  path?: string;
}

type Ast = hbs.AST.Program;
type Node = hbs.AST.Node & Record<string, unknown>;

/**
 * Rewrites every escaped `{{expr}}` into `{{{__hb_escape expr}}}`, so the escaping is
 * chosen per render (Slack, Discord, none) instead of Handlebars' HTML escaping.
 */
function routeEscaping(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(routeEscaping);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const n = node as Node;
  if (n.type === 'MustacheStatement' && n.escaped === true) {
    const m = n as unknown as hbs.AST.MustacheStatement;
    const inner: hbs.AST.Expression =
      m.params.length || m.hash
        ? ({ type: 'SubExpression', path: m.path, params: m.params, hash: m.hash, loc: m.loc } as hbs.AST.SubExpression)
        : m.path;
    m.path = {
      type: 'PathExpression',
      data: false,
      depth: 0,
      parts: [ESCAPE_HELPER],
      original: ESCAPE_HELPER,
      loc: m.loc,
    } as hbs.AST.PathExpression;
    m.params = [inner];
    m.hash = undefined as unknown as hbs.AST.Hash;
    (m as { escaped: boolean }).escaped = false;
    return;
  }
  for (const key of ['body', 'program', 'inverse']) routeEscaping(n[key]);
}

function locate(error: unknown, source: string): { line?: number; column?: number } {
  const e = error as { lineNumber?: number; column?: number; message?: string };
  if (typeof e.lineNumber === 'number') return { line: e.lineNumber, column: typeof e.column === 'number' ? e.column + 1 : undefined };
  const message = e.message ?? '';
  const lineMatch = /on line (\d+)/.exec(message);
  if (!lineMatch) return {};
  const line = Number(lineMatch[1]);
  // Jison shows the input up to the error, then a caret: find that tail in the source line.
  const [, excerpt = '', caret = ''] = message.split('\n');
  const tail = excerpt.slice(0, caret.indexOf('^')).replace(/^\.\.\./, '');
  const sourceLine = source.split('\n')[line - 1] ?? '';
  const at = tail ? sourceLine.lastIndexOf(tail) : -1;
  return { line, column: at >= 0 ? at + tail.length + 1 : undefined };
}

function describe(error: unknown): string {
  const message = (error as Error).message ?? String(error);
  const first = message.split('\n');
  return first.length > 2 ? `${first[0]} ${first[3] ?? ''}`.trim() : message.replace(/ - \d+:\d+$/, '');
}

const cache = new Map<string, TemplateDelegate>();
const CACHE_LIMIT = 1000;

function parse(source: string): Ast {
  try {
    return env.parse(source);
  } catch (error) {
    throw new TemplateError('template_syntax', `Template syntax error: ${describe(error)}`, locate(error, source), { cause: error });
  }
}

/** Compiles (once per source and strictness) to a Handlebars function. Throws `TemplateError`. */
export function compileTemplate(source: string, strict = false): TemplateDelegate {
  const key = (strict ? 's:' : 'l:') + source;
  const cached = cache.get(key);
  if (cached) return cached;
  const ast = parse(source);
  routeEscaping(ast.body);
  let compiled = env.compile(ast, { strict, noEscape: true });
  if (strict) {
    // Handlebars is strict only for plain mustaches, and escaping wraps them in a helper:
    // a pass over the untouched template finds missing variables with their location.
    const checker = env.compile(parse(source), { strict: true, noEscape: true });
    const render = compiled;
    compiled = ((context: unknown, options?: Handlebars.RuntimeOptions) => {
      checker(context, options);
      return render(context, options);
    }) as TemplateDelegate;
  }
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(key, compiled);
  return compiled;
}

function run(template: TemplateDelegate, source: string, context: unknown, runtimeHelpers: Record<string, HelperDelegate>): string {
  try {
    return template(context, { helpers: runtimeHelpers, allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false });
  } catch (error) {
    if (error instanceof TemplateError) throw error;
    const where = locate(error, source);
    let message = describe(error);
    if (/ not defined in /.test(message) && where.line && where.column) {
      // Handlebars names only the last segment; name the whole path the user wrote.
      const path = /^[^\s}()]+/.exec((source.split('\n')[where.line - 1] ?? '').slice(where.column - 1))?.[0];
      if (path) message = `"${path}" is not defined (line ${where.line}, column ${where.column})`;
    }
    throw new TemplateError('template_render', `Template error: ${message}`, where, { cause: error });
  }
}

function stringify(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function bounded(output: string, max: number): string {
  if (output.length > max) {
    throw new TemplateError('template_output_too_large', `Template output is ${output.length} characters; the limit is ${max}`);
  }
  return output;
}

/** Renders a text template. `{{x}}` is escaped for `options.escape`; objects render as JSON. */
export function renderTemplate(source: string, context: unknown, options: RenderOptions = {}): string {
  const escape = escapeFor(options.escape ?? 'none');
  const output = run(compileTemplate(source, options.strict), source, context, {
    [ESCAPE_HELPER]: (value: unknown) => escape(stringify(value)),
  });
  return bounded(output, options.maxOutputLength ?? 100_000);
}

const SINGLE_EXPRESSION = /^\{\{(?![#/^!>&{])\s*([^{}]+?)\s*\}\}$/;

/**
 * Renders `{{expr}}` alone and returns its value with its type (a number stays a
 * number). Used for JSON template leaves that are exactly one expression.
 */
export function evaluateExpression(expression: string, context: unknown, options: RenderOptions = {}): unknown {
  const source = `{{${CAPTURE_HELPER} ${expression}}}`;
  let captured: unknown;
  run(compileTemplate(source, options.strict), source, context, {
    [CAPTURE_HELPER]: (value: unknown) => {
      captured = value;
      return '';
    },
    [ESCAPE_HELPER]: (value: unknown) => value as string,
  });
  return captured;
}

/** The expression inside a leaf like `"{{event.data.score}}"`, or undefined for any other text. */
export function singleExpression(leaf: string): string | undefined {
  const match = SINGLE_EXPRESSION.exec(leaf);
  return match ? match[1] : undefined;
}

/** Problems in a template, without rendering it: for editors (n8n and Zapier fields). */
export function validateTemplate(source: string): TemplateProblem[] {
  try {
    env.parse(source);
    return [];
  } catch (error) {
    return [{ message: describe(error), ...locate(error, source) }];
  }
}
