import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** A thread's script, `relative` to the package's dist/. Run from the sources (ts-jest), threads still need the build. */
export function threadScript(relative: string): string {
  const script = join(__filename.endsWith('.ts') ? resolve(__dirname, '../dist') : __dirname, relative);
  if (!existsSync(script)) throw new Error(`The relay's thread script is not built (${script}): run npm run build`);
  return script;
}
