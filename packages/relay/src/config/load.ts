import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { compileTemplate, validateJsonTemplate, type JsonTemplate } from '@hookbridge/core';
import { configSchema, type RelayConfig } from './schema';
import { substituteEnv } from './env';
import { refusedDestinations } from './guard';

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`Invalid configuration ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function pathText(path: readonly PropertyKey[]): string {
  return (
    path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '') ||
    '(root)'
  );
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const at = pathText(issue.path);
  let got: unknown = raw;
  for (const key of issue.path) got = got && typeof got === 'object' ? (got as Record<PropertyKey, unknown>)[key as string] : undefined;
  const gotText = got === undefined ? 'nothing' : JSON.stringify(got)?.slice(0, 80);
  if (issue.code === 'invalid_type') return `${at}: expected ${issue.expected}, got ${gotText}`;
  if (issue.code === 'unrecognized_keys')
    return `${at}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_value')
    return `${at}: expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${gotText}`;
  const union = issue as { code: string; discriminator?: string; options?: unknown[] };
  if (union.code === 'invalid_union' && union.discriminator && Array.isArray(union.options)) {
    return `${at}: unknown ${union.discriminator} ${gotText} (valid: ${union.options.join(', ')})`;
  }
  if (issue.code === 'invalid_union') return `${at}: ${gotText} matches none of the allowed forms (check "type" and required fields)`;
  return `${at}: ${issue.message}${issue.code === 'custom' || issue.message.includes('got') ? '' : `, got ${gotText}`}`;
}

/** A YAML syntax error: what, where, and the offending line with a caret under the column. */
function yamlProblem(error: YAMLParseError, text: string): string {
  const at = error.linePos?.[0];
  const what = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  if (!at) return `YAML syntax: ${what}`;
  const line = text.split(/\r?\n/)[at.line - 1] ?? '';
  const gutter = String(at.line).length;
  const excerpt = line.length > 100 ? `${line.slice(0, 100)}…` : line;
  return [
    `YAML syntax at line ${at.line}, column ${at.col}: ${what}`,
    `      ${at.line} | ${excerpt}`,
    `      ${' '.repeat(gutter)} | ${' '.repeat(Math.max(0, Math.min(at.col, 101) - 1))}^`,
  ].join('\n');
}

/** Parses and validates a configuration; every problem is reported with its path, what was expected and what was found. */
export function parseConfig(text: string, file = 'hookbridge.yaml', env: NodeJS.ProcessEnv = process.env): RelayConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ConfigError(file, [yamlProblem(error as YAMLParseError, text)]);
  }
  const missing: { path: string; name: string }[] = [];
  const substituted = substituteEnv(raw, env, '', missing);
  const problems = missing.map((m) => `${m.path}: environment variable ${m.name} is not set`);
  const result = configSchema.safeParse(substituted);
  if (!result.success) {
    // A missing variable is the one error for its value: not also "empty" or "not a URL" there, or above it.
    const unset = missing.map((m) => m.path);
    const consequence = (path: string) => unset.some((u) => u === path || u.startsWith(`${path}.`) || u.startsWith(`${path}[`));
    for (const issue of result.error.issues) {
      if (!consequence(pathText(issue.path))) problems.push(describeIssue(issue, substituted));
    }
  }
  if (problems.length) throw new ConfigError(file, problems);
  const config = result.data!;
  config.routes.forEach((route, i) => {
    for (const [key, source] of [
      ['text', route.text],
      ['title', route.title],
    ] as const) {
      if (source === undefined) continue;
      try {
        compileTemplate(source);
      } catch (error) {
        problems.push(`routes[${i}].${key}: ${(error as Error).message}`);
      }
    }
    if (route.when !== undefined) {
      try {
        compileTemplate(`{{#if (${route.when.trim().replace(/^\((.*)\)$/, '$1')})}}1{{/if}}`);
      } catch (error) {
        problems.push(`routes[${i}].when: ${(error as Error).message}`);
      }
    }
    if (route.template !== undefined) {
      for (const p of validateJsonTemplate(route.template as JsonTemplate))
        problems.push(`routes[${i}].template${p.path ? `.${p.path}` : ''}: ${p.message}`);
    }
  });
  problems.push(...refusedDestinations(config));
  if (problems.length) throw new ConfigError(file, problems);
  return config;
}

/** Reads a YAML file; a relative storage path is taken from the config file's folder. */
export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): RelayConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [`cannot read the file: ${(error as Error).message}`]);
  }
  const config = parseConfig(text, file, env);
  config.storage.path = resolve(dirname(file), config.storage.path);
  for (const route of config.routes) {
    if (route.destination.type === 'log' && route.destination.file) route.destination.file = resolve(dirname(file), route.destination.file);
  }
  return config;
}
