// yaml for lazily loaded commands. Imported statically here: a dynamic import('yaml') of the
// CommonJS package would expose only `default` once bundled.
export { parseDocument, stringify } from 'yaml';
