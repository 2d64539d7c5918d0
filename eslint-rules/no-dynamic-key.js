// palisade/no-dynamic-key: no computed string ever indexes a plain object.
//
// A plain object inherits Object.prototype, so `table[key]` with key "constructor",
// "toString" or "__proto__" finds something the table never held (and a write to
// "__proto__" replaces the object's prototype). Request data reaches such lookups
// through casts that make literal types lie at run time (`rule.protocol` is typed
// 'tcp' | 'udp' | ..., but a client can send "constructor"), so the rule does not
// trust the key's static type unless it is a number or a symbol, which can never name
// an Object.prototype property.
//
// Flagged:
//   - `obj[key]` / `obj?.[key]` (read, write, delete), key not a literal and not
//     number-, bigint- or symbol-typed, obj not an array, tuple, typed array, string,
//     Map/Set/WeakMap/WeakSet or `arguments`;
//   - `const { [key]: v } = obj` (a destructuring read by a computed key), same key test;
//   - `key in obj`, key not a literal and not number- or symbol-typed;
//   - `obj.hasOwnProperty(key)` (obj may have its own "hasOwnProperty"; use Object.hasOwn).
//     `Object.prototype.hasOwnProperty.call(obj, key)` is fine.
//
// The fixes: a Map (tables indexed by request data), `own(table, key)` from
// src/core/own.ts (an Object.hasOwn-guarded read), `Object.hasOwn` instead of `in`, a
// switch, or a null-prototype table reached through own().
//
// Needs type information (parserOptions.projectService or project).

import { ESLintUtils } from '@typescript-eslint/utils';
import ts from 'typescript';

/** Names of object types that are indexed by number, or that are read with .get()/.has(). */
const EXEMPT_OBJECT_TYPES = new Set([
  'Array',
  'ReadonlyArray',
  'IArguments',
  'String',
  'Map',
  'ReadonlyMap',
  'WeakMap',
  'Set',
  'ReadonlySet',
  'WeakSet',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
  'Buffer',
]);

const SAFE_KEY_FLAGS = ts.TypeFlags.NumberLike | ts.TypeFlags.BigIntLike | ts.TypeFlags.ESSymbolLike;

/**
 * @param {ts.TypeChecker} checker
 * @param {ts.Type} type
 * @returns {boolean} true when every value of the type is a number, bigint or symbol.
 */
function isSafeKeyType(checker, type) {
  if (type.flags & ts.TypeFlags.TypeParameter) {
    const constraint = checker.getBaseConstraintOfType(type);
    if (!constraint || constraint === type) return false;
    return isSafeKeyType(checker, constraint);
  }
  if (type.isUnion()) return type.types.every((t) => isSafeKeyType(checker, t));
  // A branded number (number & { brand }) is still a number.
  if (type.isIntersection()) return type.types.some((t) => isSafeKeyType(checker, t));
  return (type.flags & SAFE_KEY_FLAGS) !== 0;
}

/**
 * @param {ts.TypeChecker} checker
 * @param {ts.Type} type
 * @param {Set<ts.Type>} seen
 * @returns {boolean} true when the type is one that string keys do not index as a plain object.
 */
function isExemptObjectType(checker, type, seen = new Set()) {
  if (seen.has(type)) return false;
  seen.add(type);
  if (type.flags & ts.TypeFlags.TypeParameter) {
    const constraint = checker.getBaseConstraintOfType(type);
    if (!constraint || constraint === type) return false;
    return isExemptObjectType(checker, constraint, seen);
  }
  if (type.isUnion()) {
    const parts = type.types.filter((t) => !(t.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined)));
    return parts.length > 0 && parts.every((t) => isExemptObjectType(checker, t, seen));
  }
  if (type.isIntersection()) return type.types.some((t) => isExemptObjectType(checker, t, seen));
  if (type.flags & ts.TypeFlags.StringLike) return true;
  if (checker.isArrayType(type) || checker.isTupleType(type)) return true;
  const symbol = type.getSymbol() ?? type.aliasSymbol;
  if (symbol && EXEMPT_OBJECT_TYPES.has(symbol.getName())) return true;
  // Classes and interfaces that extend one of the above (Buffer extends Uint8Array, ...).
  const target = /** @type {ts.TypeReference} */ (type).target ?? type;
  if (
    target.flags & ts.TypeFlags.Object &&
    /** @type {ts.ObjectType} */ (target).objectFlags & ts.ObjectFlags.ClassOrInterface
  ) {
    const bases = checker.getBaseTypes(/** @type {ts.InterfaceType} */ (target));
    if (bases.some((base) => isExemptObjectType(checker, base, seen))) return true;
  }
  return false;
}

/** @param {import('@typescript-eslint/utils').TSESTree.Node} node */
function isLiteralKey(node) {
  if (node.type === 'Literal') return typeof node.value === 'string' || typeof node.value === 'number';
  if (node.type === 'TemplateLiteral') return node.expressions.length === 0;
  return false;
}

export default ESLintUtils.RuleCreator.withoutDocs({
  meta: {
    type: 'problem',
    docs: {
      description:
        'Disallow computed string keys into plain objects and the `in` operator with a computed key (prototype names such as "constructor" or "__proto__" would match)',
      requiresTypeChecking: true,
    },
    schema: [],
    messages: {
      dynamicKey:
        'Computed key `{{key}}` indexes a plain object: "constructor" or "__proto__" would find Object.prototype. Use a Map, own()/hasOwnKey() from src/core/own.ts, or a switch.',
      dynamicIn:
        '`{{key}} in ...` is true for inherited names such as "constructor". Use Object.hasOwn(obj, key), hasOwnKey() from src/core/own.ts, or a Map/Set.',
      hasOwnPropertyCall:
        '`.hasOwnProperty()` can be shadowed by an own property of that name. Use Object.hasOwn(obj, key).',
    },
  },
  defaultOptions: [],
  create(context) {
    const services = ESLintUtils.getParserServices(context);
    const checker = services.program.getTypeChecker();
    const sourceCode = context.sourceCode;

    /** @param {import('@typescript-eslint/utils').TSESTree.Node} node */
    const keyIsSafe = (node) =>
      isLiteralKey(node) || isSafeKeyType(checker, services.getTypeAtLocation(node));

    return {
      MemberExpression(node) {
        if (!node.computed || node.property.type === 'PrivateIdentifier') return;
        if (keyIsSafe(node.property)) return;
        if (isExemptObjectType(checker, services.getTypeAtLocation(node.object))) return;
        context.report({
          node: node.property,
          messageId: 'dynamicKey',
          data: { key: sourceCode.getText(node.property) },
        });
      },
      'ObjectPattern > Property[computed=true]'(node) {
        if (keyIsSafe(node.key)) return;
        context.report({
          node: node.key,
          messageId: 'dynamicKey',
          data: { key: sourceCode.getText(node.key) },
        });
      },
      'BinaryExpression[operator="in"]'(node) {
        if (node.left.type === 'PrivateIdentifier' || keyIsSafe(node.left)) return;
        context.report({
          node: node.left,
          messageId: 'dynamicIn',
          data: { key: sourceCode.getText(node.left) },
        });
      },
      CallExpression(node) {
        const callee = node.callee;
        if (
          callee.type === 'MemberExpression' &&
          !callee.computed &&
          callee.property.type === 'Identifier' &&
          callee.property.name === 'hasOwnProperty'
        ) {
          context.report({ node: callee.property, messageId: 'hasOwnPropertyCall' });
        }
      },
    };
  },
});
