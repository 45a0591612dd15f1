import { TemplateError } from '../errors';
import { evaluateExpression, renderTemplate, singleExpression, validateTemplate, type RenderOptions, type TemplateProblem } from './engine';

/** A JSON document whose string leaves are templates (Trakkr's webhook docs "Payload Templating"). */
export type JsonTemplate = string | number | boolean | null | JsonTemplate[] | { [key: string]: JsonTemplate };

function childPath(path: string, key: string | number): string {
  return typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;
}

/**
 * Renders leaf by leaf, so the result always has the structure the user wrote and is
 * valid JSON whatever the values contain. A leaf that is exactly one `{{expr}}` keeps the
 * value's type; a missing value there becomes `null`.
 */
export function renderJsonTemplate(template: JsonTemplate, context: unknown, options: RenderOptions = {}, path = ''): unknown {
  if (typeof template === 'string') {
    try {
      const expression = singleExpression(template);
      if (expression !== undefined) return evaluateExpression(expression, context, options) ?? null;
      return renderTemplate(template, context, options);
    } catch (error) {
      if (error instanceof TemplateError && error.path === undefined) {
        throw new TemplateError(
          error.code,
          `${path || '(root)'}: ${error.message}`,
          { line: error.line, column: error.column, path },
          { cause: error },
        );
      }
      throw error;
    }
  }
  if (Array.isArray(template)) return template.map((item, i) => renderJsonTemplate(item, context, options, childPath(path, i)));
  if (template !== null && typeof template === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(template)) out[key] = renderJsonTemplate(value, context, options, childPath(path, key));
    return out;
  }
  return template;
}

/** Parses a JSON template given as text, with a `TemplateError` for invalid JSON. */
export function parseJsonTemplate(source: string): JsonTemplate {
  try {
    return JSON.parse(source) as JsonTemplate;
  } catch (error) {
    const position = /position (\d+)/.exec((error as Error).message);
    const where = position ? lineColumn(source, Number(position[1])) : {};
    throw new TemplateError('template_syntax', `JSON template is not valid JSON: ${(error as Error).message}`, where, { cause: error });
  }
}

function lineColumn(source: string, offset: number): { line: number; column: number } {
  const before = source.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

/** Every problem in every leaf, each with its path. */
export function validateJsonTemplate(template: JsonTemplate, path = ''): TemplateProblem[] {
  if (typeof template === 'string') return validateTemplate(template).map((p) => ({ ...p, path }));
  if (Array.isArray(template)) return template.flatMap((t, i) => validateJsonTemplate(t, childPath(path, i)));
  if (template !== null && typeof template === 'object') {
    return Object.entries(template).flatMap(([k, v]) => validateJsonTemplate(v, childPath(path, k)));
  }
  return [];
}
