// `extends`: a profile is its parent with its own keys laid over it.
//   maps merge key by key (network, container, container.env, probe, ...)
//   lists and single values replace the parent's whole (dns, mounts, egress.allow, ...)
//   egress.alsoAllow appends its exceptions to the inherited egress.allow
// Every value remembers which file (layer) and key set it, so a problem is reported where it was written.
import type { KeyPath } from './problems.js';

export type Data = Record<string, unknown>;

export interface Origin {
  /** Index into the layers given to mergeLayers. */
  layer: number;
  /** Where the value sits in that layer's file. */
  docPath: KeyPath;
}

export interface Merged {
  data: Data;
  originOf(path: KeyPath): Origin;
}

const isMap = (v: unknown): v is Data => v !== null && typeof v === 'object' && !Array.isArray(v);
const keyOf = (p: KeyPath) => JSON.stringify(p);

/** Merges layers given base first; the last one is the profile asked for. `extends` keys are dropped. */
export function mergeLayers(layers: readonly Data[]): Merged {
  const origins = new Map<string, Origin>();
  const setOrigin = (path: KeyPath, origin: Origin, replace: boolean) => {
    if (replace) {
      const prefix = keyOf(path).slice(0, -1);
      for (const k of origins.keys()) if (k.startsWith(`${prefix},`)) origins.delete(k);
    }
    origins.set(keyOf(path), origin);
  };

  // A map placed whole: its keys are this layer's too, even after a later layer merges into it.
  const markMap = (at: KeyPath, value: unknown, layer: number) => {
    if (!isMap(value)) return;
    for (const [key, v] of Object.entries(value)) {
      origins.set(keyOf([...at, key]), { layer, docPath: [...at, key] });
      markMap([...at, key], v, layer);
    }
  };

  const into = (target: Data, source: Data, at: KeyPath, layer: number) => {
    for (const [key, value] of Object.entries(source)) {
      if (at.length === 0 && key === 'extends') continue;
      const path = [...at, key];
      const current = target[key];
      if (isMap(current) && isMap(value)) {
        setOrigin(path, { layer, docPath: path }, false);
        into(current, value, path, layer);
      } else {
        target[key] = structuredClone(value);
        setOrigin(path, { layer, docPath: path }, true);
        markMap(path, value, layer);
      }
    }
  };

  const data: Data = {};
  layers.forEach((layer, i) => {
    into(data, layer, [], i);
    appendAlsoAllow(data, layer, i, setOrigin);
  });
  origins.set(keyOf([]), { layer: layers.length - 1, docPath: [] });

  return {
    data,
    originOf(path) {
      for (let k = path.length; k >= 0; k--) {
        const o = origins.get(keyOf(path.slice(0, k)));
        if (o) return { layer: o.layer, docPath: [...o.docPath, ...path.slice(k)] };
      }
      return { layer: layers.length - 1, docPath: [...path] };
    },
  };
}

/** egress.alsoAllow of this layer goes to the end of egress.allow as merged so far. Anything not a
 * list is left where it is, for the schema to report. */
function appendAlsoAllow(data: Data, layer: Data, i: number, setOrigin: (p: KeyPath, o: Origin, replace: boolean) => void): void {
  const egress = data.egress;
  const extra = isMap(layer.egress) ? layer.egress.alsoAllow : undefined;
  if (!isMap(egress) || !Array.isArray(extra)) return;
  const allow = egress.allow ?? [];
  if (!Array.isArray(allow)) return;
  const start = allow.length;
  egress.allow = [...allow, ...(structuredClone(extra) as unknown[])];
  extra.forEach((_, j) => setOrigin(['egress', 'allow', start + j], { layer: i, docPath: ['egress', 'alsoAllow', j] }, true));
  delete egress.alsoAllow;
  setOrigin(['egress', 'alsoAllow'], { layer: i, docPath: ['egress', 'alsoAllow'] }, true);
}
