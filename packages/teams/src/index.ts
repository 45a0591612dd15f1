export * from './pure';
export { validateCard, validateMessage, type CardProblem } from './validate';
export { previewHtml } from './preview';
