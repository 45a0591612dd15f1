export * from './pure';
export { previewHtml } from './preview';
