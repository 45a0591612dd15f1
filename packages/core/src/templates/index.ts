export {
  renderTemplate,
  compileTemplate,
  evaluateExpression,
  validateTemplate,
  onTemplateWarning,
  interpretTemplates,
  useTemplateCompiler,
  type RenderFunction,
  type TemplateCompiler,
  type RenderOptions,
  type TemplateProblem,
  type TemplateWarning,
} from './engine';
export { renderJsonTemplate, parseJsonTemplate, validateJsonTemplate, type JsonTemplate } from './json-template';
export { templateContext, providerName, type TemplateContext } from './context';
export { digestEvent, dataFields, type EventDigest } from './digest';
export { truncateText, helpers } from './helpers';
export * from './escape';
export { parseTemplate } from './interpreter';
