/// <reference types="handlebars" />
// Handlebars' parser alone; its package publishes types for the whole library only.
declare module 'handlebars/dist/cjs/handlebars/compiler/base' {
  export function parse(input: string, options?: { srcName?: string; ignoreStandalone?: boolean }): hbs.AST.Program;
}
