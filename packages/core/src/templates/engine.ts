import { TemplateError } from '../errors';
import { escapeFor, type EscapeMode } from './escape';
import { helpers } from './helpers';
import { Interpreter, parseTemplate, type Helper } from './interpreter';

const CAPTURE_HELPER = '__hb_capture';

/** The value the capture helper saw last; rendering is synchronous, so one slot is enough. */
let captured: unknown;

function stringify(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Every template's helpers: ours, and the one `evaluateExpression` uses to keep a value's type. */
export const templateHelpers: Readonly<Record<string, Helper>> = Object.freeze({
  ...(helpers as Record<string, Helper>),
  [CAPTURE_HELPER]: (value: unknown) => {
    captured = value;
    return '';
  },
});

/** `{{x}}` output per escape mode: objects as JSON, then the destination's escaping (never Handlebars' HTML escaping). */
export const escapers = Object.fromEntries(
  (['none', 'slack', 'discord', 'html'] as const).map((mode) => {
    const escape = escapeFor(mode);
    return [mode, (value: unknown) => escape(stringify(value))];
  }),
) as Record<EscapeMode, (value: unknown) => string>;

/** A property Handlebars refused to read (not an own property: prototype access stays denied). */
export interface TemplateWarning {
  /** The template's source, cut to 200 characters. */
  template: string;
  property: string;
  message: string;
}

// Where warnings go until the host says (the relay routes them to its logger). No console: hosts such as n8n refuse it.
let warn: (warning: TemplateWarning) => void = () => undefined;
/** Routes template warnings to the host's logger. Each is reported once per template. */
export function onTemplateWarning(handler: (warning: TemplateWarning) => void): void {
  warn = handler;
}

/** The template being rendered (rendering is synchronous), so a warning can name it. */
let rendering: string | undefined;
const warned = new Set<string>();

/** Reports a denied property once per template; both renderers call it. False when no template is rendering. */
export function reportDeniedProperty(property: string): boolean {
  if (rendering === undefined) return false;
  const key = `${property}\u0000${rendering}`;
  if (warned.has(key)) return true;
  if (warned.size >= 10_000) warned.clear();
  warned.add(key);
  warn({
    template: rendering.slice(0, 200),
    property,
    message: `template reads "${property}", which is not an own property of its parent: rendered empty (prototype access is denied)`,
  });
  return true;
}

/** Returns what the template produced; `run` makes it a string (Handlebars can return a bare number). */
export type RenderFunction = (context: unknown) => unknown;
/** Turns a parsed template into a render function: the interpreter by default, compiled Handlebars where code generation is allowed. */
export type TemplateCompiler = (ast: Ast, strict: boolean, mode: EscapeMode) => RenderFunction;

/** Renders by walking the AST: no generated code, so it runs where `new Function` is refused (n8n). */
export const interpretTemplates: TemplateCompiler = (ast, strict, mode) => {
  const interpreter = new Interpreter({ helpers: templateHelpers, escape: escapers[mode], strict, onDeniedProperty: reportDeniedProperty });
  return (context) => interpreter.render(ast, context);
};

let compiler: TemplateCompiler = interpretTemplates;
/** Chooses how templates render from now on (the Node entry of `@hookbridge/core` picks compiled Handlebars). Clears the cache. */
export function useTemplateCompiler(next: TemplateCompiler): void {
  compiler = next;
  caches.clear();
}

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

export type Ast = hbs.AST.Program;

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

const CACHE_LIMIT = 1000;
/** Compiled templates per escape mode and strictness, keyed by source. */
const caches = new Map<string, Map<string, RenderFunction>>();

function parse(source: string): Ast {
  try {
    return parseTemplate(source);
  } catch (error) {
    throw new TemplateError('template_syntax', `Template syntax error: ${describe(error)}`, locate(error, source), { cause: error });
  }
}

/** Compiles (once per source, escape mode and strictness) to a Handlebars function. Throws `TemplateError`. */
export function compileTemplate(source: string, strict = false, mode: EscapeMode = 'none'): RenderFunction {
  const cacheKey = mode + (strict ? ':strict' : '');
  let cache = caches.get(cacheKey);
  if (!cache) caches.set(cacheKey, (cache = new Map()));
  const cached = cache.get(source);
  if (cached) return cached;
  const compiled = compiler(parse(source), strict, mode);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(source, compiled);
  return compiled;
}

function run(template: RenderFunction, source: string, context: unknown): string {
  const outer = rendering;
  rendering = source;
  try {
    // Prototype access stays at Handlebars' default: denied. A template that is one unescaped number yields a number.
    return String(template(context));
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
  } finally {
    rendering = outer;
  }
}

function bounded(output: string, max: number): string {
  if (output.length > max) {
    throw new TemplateError('template_output_too_large', `Template output is ${output.length} characters; the limit is ${max}`);
  }
  return output;
}

/** Renders a text template. `{{x}}` is escaped for `options.escape`; objects render as JSON. */
export function renderTemplate(source: string, context: unknown, options: RenderOptions = {}): string {
  const output = run(compileTemplate(source, options.strict, options.escape), source, context);
  return bounded(output, options.maxOutputLength ?? 100_000);
}

const SINGLE_EXPRESSION = /^\{\{(?![#/^!>&{])\s*([^{}]+?)\s*\}\}$/;

/**
 * Renders `{{expr}}` alone and returns its value with its type (a number stays a
 * number). Used for JSON template leaves that are exactly one expression.
 */
export function evaluateExpression(expression: string, context: unknown, options: RenderOptions = {}): unknown {
  const trimmed = expression.trim();
  // A helper call (`number x 2`) becomes a sub-expression so its result, not its parts, is captured.
  const inner = /\s/.test(trimmed) && !trimmed.startsWith('(') ? `(${trimmed})` : trimmed;
  const source = `{{${CAPTURE_HELPER} ${inner}}}`;
  captured = undefined;
  run(compileTemplate(source, options.strict), source, context);
  const value = captured;
  captured = undefined;
  return value;
}

/** The expression inside a leaf like `"{{event.data.score}}"`, or undefined for any other text. */
export function singleExpression(leaf: string): string | undefined {
  const match = SINGLE_EXPRESSION.exec(leaf);
  return match ? match[1] : undefined;
}

/** Problems in a template, without rendering it: for editors (n8n and Zapier fields). */
export function validateTemplate(source: string): TemplateProblem[] {
  try {
    parseTemplate(source);
    return [];
  } catch (error) {
    return [{ message: describe(error), ...locate(error, source) }];
  }
}
