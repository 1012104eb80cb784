import { isObject, type Json } from '../templates/json.js';

const PLACEHOLDER = /\$\{(!?)([^}]*)\}/g;

/**
 * The parameter names an expression refers to, through `Ref` or an `Fn::Sub` placeholder. Used to
 * see whether a template's certificate uses what a CDF certificate mode supplies.
 */
export function referencedNames(node: Json): Set<string> {
  const names = new Set<string>();
  const visit = (value: Json): void => {
    if (Array.isArray(value)) {
      value.forEach(visit);
      return;
    }
    if (!isObject(value)) return;
    const ref = value.Ref;
    if (typeof ref === 'string') names.add(ref);
    const sub = value['Fn::Sub'];
    const [text, vars] = Array.isArray(sub) ? sub : [sub, undefined];
    if (typeof text === 'string') {
      for (const [, bang, name] of text.matchAll(PLACEHOLDER)) {
        if (bang === '' && name !== undefined && !(isObject(vars) && Object.hasOwn(vars, name)))
          names.add(name);
      }
    }
    Object.values(value).forEach(visit);
  };
  visit(node);
  return names;
}
