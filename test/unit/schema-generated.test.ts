import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import { schemaValidatorSource, AJV_OPTIONS } from '../../src/profile/schema-code.js';
import validate from '../../src/profile/schema-validator.generated.js';

const schema = JSON.parse(readFileSync(new URL('../../schema/profile.schema.json', import.meta.url), 'utf8'));

describe('the precompiled profile validator', () => {
  it('is generated from the current schema (npm run schema rewrites it)', async () => {
    await expect(schemaValidatorSource(schema)).toMatchFileSnapshot('../../src/profile/schema-validator.generated.js');
  });

  it('reports the same errors as ajv compiling the schema at run time', () => {
    const ajv = new Ajv(AJV_OPTIONS);
    ajv.addVocabulary(['errorMessage']);
    const compiled = ajv.compile(schema);
    const samples: unknown[] = [
      5, {}, { name: '' },
      { name: 'x', image: 'y', bogus: 1, network: 'host', dns: ['nope'], container: { name: '-bad', restart: 'sometimes' } },
      { name: 'ok', image: 'busybox', egress: { allow: [{ to: '10.0.0.1', ports: [0, 70000], protocol: 'icmp' }] } },
    ];
    for (const data of samples) {
      expect(validate(data)).toBe(compiled(data));
      expect(validate.errors ?? null).toEqual(compiled.errors ?? null);
    }
  });
});
