// execa imports node:v8 for one function, serialize, with which it checks an `ipcInput` option
// hermit never passes; loading node:v8 costs every command ~1.5 ms. The build points execa's
// import here (package.json, --alias:node:v8), so node:v8 loads only if serialize is called.
import type * as V8 from 'node:v8';

export const serialize: typeof V8.serialize = (value) => process.getBuiltinModule('node:v8').serialize(value);
