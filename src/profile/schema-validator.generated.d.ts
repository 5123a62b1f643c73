import type { ValidateFunction } from 'ajv';
declare const validate: ValidateFunction;
export default validate;
export { validate };
