/** A `${NAME}` that names no environment variable; reported with where it was used. */
export interface MissingEnv {
  path: string;
  name: string;
}

/**
 * Replaces `${NAME}` (and `${NAME:-default}`) in every string of a parsed YAML document.
 * Secrets stay out of the file; the config keeps no record of which values came from where.
 */
export function substituteEnv(value: unknown, env: NodeJS.ProcessEnv, path = '', missing: MissingEnv[] = []): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_m, name: string, fallback?: string) => {
      const found = env[name];
      if (found !== undefined && found !== '') return found;
      if (fallback !== undefined) return fallback;
      missing.push({ path: path || '(root)', name });
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, env, `${path}[${i}]`, missing));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteEnv(v, env, path ? `${path}.${k}` : k, missing)]));
  }
  return value;
}
