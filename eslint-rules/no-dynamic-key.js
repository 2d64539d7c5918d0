// palisade/no-dynamic-key: no computed string ever indexes a plain object.
//
// A plain object inherits Object.prototype, so `table[key]` with key "constructor",
// "toString" or "__proto__" finds something the table never held (and a write to
// "__proto__" replaces the object's prototype). Request data reaches such lookups
// through casts that make literal types lie at run time (`rule.protocol` is typed
// 'tcp' | 'udp' | ..., but a client can send "constructor"), so the rule does not
// trust the key's static type unless it is a number or a symbol, which can never name
// an Object.prototype property. A string key is trusted only when the code itself shows
// where it comes from: a literal, or a `const` bound by iterating an array of literals
// written in place (`for (const end of ['from', 'to'] as const)`,
// `(['a', 'b'] as const).filter((k) => ...)`, or a `const NAMES = [...] as const` so
// iterated).
//
// Flagged:
//   - `obj[key]` / `obj?.[key]` (read, write, delete), key not a literal and not
//     number-, bigint- or symbol-typed nor bound to a literal as above, obj not an array,
//     tuple, typed array, string, Map/Set/WeakMap/WeakSet, `arguments`, or a
//     null-prototype table made by table() in src/core/own.ts (its type carries the
//     `nullPrototype` brand);
//   - `const { [key]: v } = obj` (a destructuring read by a computed key), same key test;
//   - `key in obj`, key not a literal (nor bound to one) and not number- or symbol-typed;
//   - `obj.hasOwnProperty(key)` (obj may have its own "hasOwnProperty"; use Object.hasOwn).
//     `Object.prototype.hasOwnProperty.call(obj, key)` is fine.
//
// The fixes: a Map (tables indexed by request data), `own(table, key)` from
// src/core/own.ts (an Object.hasOwn-guarded read), `Object.hasOwn` instead of `in`, a
// switch, or a fixed table built with table() from src/core/own.ts (no prototype, so an
// unknown key, "constructor" included, reads undefined).
//
// Needs type information (parserOptions.projectService or project).

import { ASTUtils, ESLintUtils } from '@typescript-eslint/utils';
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
  if (isNullPrototypeTable(checker, type)) return true;
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

/** The brand of src/core/own.ts's Table type: a property keyed by its `nullPrototype` unique symbol. */
const NULL_PROTOTYPE_BRAND = /^__@nullPrototype@\d+$/;

/**
 * @param {ts.TypeChecker} checker
 * @param {ts.Type} type
 */
function isNullPrototypeTable(checker, type) {
  if (!(type.flags & ts.TypeFlags.Object) && !type.isIntersection()) return false;
  return checker.getPropertiesOfType(type).some((p) => NULL_PROTOTYPE_BRAND.test(String(p.escapedName)));
}

/**
 * @typedef {import('@typescript-eslint/utils').TSESTree.Node} Node
 */

/** @param {Node} node  the node without `as const`, `satisfies`, `<T>` or `!` around it */
function unwrap(node) {
  while (
    node.type === 'TSAsExpression' ||
    node.type === 'TSSatisfiesExpression' ||
    node.type === 'TSTypeAssertion' ||
    node.type === 'TSNonNullExpression'
  )
    node = node.expression;
  return node;
}

/** @param {Node} node */
function isAsConst(node) {
  return (
    node.type === 'TSAsExpression' &&
    node.typeAnnotation.type === 'TSTypeReference' &&
    node.typeAnnotation.typeName.type === 'Identifier' &&
    node.typeAnnotation.typeName.name === 'const'
  );
}

/** @param {Node} node  an array whose leaves are all string or number literals (nested arrays allowed) */
function isLiteralArray(node) {
  return (
    node.type === 'ArrayExpression' &&
    node.elements.length > 0 &&
    node.elements.every((e) => e !== null && (isLiteralKey(e) || isLiteralArray(unwrap(e))))
  );
}

/**
 * An array of literals written in place, or a `const` initialised with one `as const`
 * (readonly, so nothing can push a request's string onto it).
 * @param {Node} node
 * @param {import('@typescript-eslint/utils').TSESLint.SourceCode} sourceCode
 */
function isFixedLiteralList(node, sourceCode) {
  const bare = unwrap(node);
  if (isLiteralArray(bare)) return true;
  if (bare.type !== 'Identifier') return false;
  const variable = ASTUtils.findVariable(sourceCode.getScope(bare), bare);
  const def = variable?.defs.length === 1 ? variable.defs[0] : undefined;
  if (!def || def.type !== 'Variable' || def.parent.kind !== 'const') return false;
  const init = def.node.init;
  return (
    init !== null && def.node.id.type === 'Identifier' && isAsConst(init) && isLiteralArray(unwrap(init))
  );
}

/**
 * True when `id` is bound directly (or through array destructuring, no defaults or rests)
 * in `pattern`.
 * @param {Node} pattern
 * @param {Node} id
 */
function bindsDirectly(pattern, id) {
  if (pattern === id) return true;
  if (pattern.type !== 'ArrayPattern') return false;
  return pattern.elements.some((e) => e !== null && bindsDirectly(e, id));
}

const ITERATING_METHODS = new Set([
  'every',
  'some',
  'filter',
  'map',
  'flatMap',
  'forEach',
  'find',
  'findIndex',
  'findLast',
  'findLastIndex',
]);

/**
 * True when the identifier can only hold one of the literals of a fixed list: it is a
 * `const` of a for-of over such a list, or the (never reassigned) first parameter of a
 * callback iterating one.
 * @param {Node} node
 * @param {import('@typescript-eslint/utils').TSESLint.SourceCode} sourceCode
 */
function isBoundToLiteral(node, sourceCode) {
  if (node.type !== 'Identifier') return false;
  const variable = ASTUtils.findVariable(sourceCode.getScope(node), node);
  if (!variable || variable.defs.length !== 1) return false;
  const def = variable.defs[0];
  const declared = def.name;
  if (def.type === 'Variable') {
    const declaration = def.parent;
    const loop = declaration.parent;
    return (
      declaration.kind === 'const' &&
      loop?.type === 'ForOfStatement' &&
      loop.left === declaration &&
      bindsDirectly(def.node.id, declared) &&
      isFixedLiteralList(loop.right, sourceCode)
    );
  }
  if (def.type === 'Parameter') {
    const fn = def.node;
    const call = fn.parent;
    if (fn.type !== 'ArrowFunctionExpression' && fn.type !== 'FunctionExpression') return false;
    if (!fn.params[0] || !bindsDirectly(fn.params[0], declared)) return false;
    if (variable.references.some((ref) => ref.isWrite())) return false;
    return (
      call?.type === 'CallExpression' &&
      call.arguments[0] === fn &&
      call.callee.type === 'MemberExpression' &&
      !call.callee.computed &&
      call.callee.property.type === 'Identifier' &&
      ITERATING_METHODS.has(call.callee.property.name) &&
      isFixedLiteralList(call.callee.object, sourceCode)
    );
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
      isLiteralKey(node) ||
      isBoundToLiteral(node, sourceCode) ||
      isSafeKeyType(checker, services.getTypeAtLocation(node));

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
