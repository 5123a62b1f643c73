// Generates the profile schema's validator as standalone code, once, at development time:
// compiling the schema with ajv on every start cost 150-250 ms of each `hermit run`. The
// output is src/profile/schema-validator.generated.js, kept current by a unit test
// (test/unit/schema-generated.test.ts; `npm run schema` rewrites it). Not imported by the CLI.
import { Ajv, type SchemaObject } from 'ajv';
import { createRequire } from 'node:module';
import standalone from 'ajv/dist/standalone/index.js';

const require = createRequire(import.meta.url);

/** The options the loader's error messages rely on: every error, with its parent schema. */
export const AJV_OPTIONS = { allErrors: true, verbose: true, strict: true, allowUnionTypes: true } as const;

export function schemaValidatorSource(schema: SchemaObject): string {
  const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true, esm: true, lines: true } });
  // errorMessage is the editors' (VS Code, yaml-language-server) keyword for a custom message;
  // the loader shows the same text.
  ajv.addVocabulary(['errorMessage']);
  const code = standalone.default(ajv, ajv.compile(schema));
  // ajv's ESM output still require()s its runtime helpers (small self-contained functions):
  // inline them, so the file is plain ESM for esbuild, vitest and Node alike.
  const helpers: string[] = [];
  const body = code.replace(/require\("(ajv\/dist\/runtime\/[a-z0-9]+)"\)/g, (_m, mod: string) => {
    const name = `runtime_${helpers.length}`;
    const fn = (require(mod) as { default: (...a: unknown[]) => unknown }).default;
    helpers.push(`const ${name} = { default: ${fn.toString()} };`);
    return name;
  });
  return `// Generated from schema/profile.schema.json by src/profile/schema-code.ts: do not edit.\n// eslint-disable\n${helpers.join('\n')}\n${body.replace(/^"use strict";/, '')}\n`;
}
