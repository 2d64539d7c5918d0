// The Alibaba Cloud ECS RPC API (version 2014-05-26) at the root path: `GET /` and `POST /`
// with parameters in the query string and/or a form body, signed with ACS3-HMAC-SHA256 or
// signature 1.0, answered in JSON or (Format=XML) XML. Each action translates to the service
// layer; groups, rules and ports are the same objects the native API and the other clouds show.
// See docs/compat/alibaba.md.
import type { FastifyBaseLogger, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { requestHash } from '../../control/service.js';
import type { Context } from '../../http/context.js';
import {
  type Dialect,
  frameworkFault,
  type RequestInfo,
  retryAfterHeaders,
  sendAnswer,
} from '../../http/dialects.js';
import { authenticate, type Caller } from './auth.js';
import type { Call, Handler } from './call.js';
import { errorAnswer, formatOf, newRequestId, sendResult } from './envelope.js';
import { AliError, type ErrorContext, missing, regionNotFound, toAliError } from './errors.js';
import {
  createSecurityGroup,
  deleteSecurityGroup,
  describeSecurityGroupAttribute,
  describeSecurityGroupReferences,
  describeSecurityGroups,
  modifySecurityGroupAttribute,
  modifySecurityGroupPolicy,
} from './groups.js';
import {
  createNetworkInterface,
  deleteNetworkInterface,
  describeInstances,
  describeNetworkInterfaces,
  joinSecurityGroup,
  leaveSecurityGroup,
} from './interfaces.js';
import { Params, parsePairs } from './params.js';
import {
  createPrefixList,
  deletePrefixList,
  describePrefixListAttributes,
  describePrefixLists,
  describeRegions,
  modifyPrefixList,
} from './regions.js';
import { authorize, modify, revoke } from './rules.js';

export const API_VERSION = '2014-05-26';

interface ActionSpec {
  run: Handler;
  /** Writes record the nonce in their own transaction and honour ClientToken. */
  write: boolean;
  /** Every action but DescribeRegions acts in a RegionId. */
  region?: false;
}

const read = (run: Handler): ActionSpec => ({ run, write: false });
const write = (run: Handler): ActionSpec => ({ run, write: true });

// A Map: Action is the client's string, and "constructor" or "__proto__" must be unknown actions.
const ACTIONS = new Map<string, ActionSpec>(
  Object.entries({
    DescribeRegions: { run: describeRegions, write: false, region: false },
    CreateSecurityGroup: write(createSecurityGroup),
    DescribeSecurityGroups: read(describeSecurityGroups),
    DescribeSecurityGroupAttribute: read(describeSecurityGroupAttribute),
    ModifySecurityGroupAttribute: write(modifySecurityGroupAttribute),
    ModifySecurityGroupPolicy: write(modifySecurityGroupPolicy),
    DeleteSecurityGroup: write(deleteSecurityGroup),
    DescribeSecurityGroupReferences: read(describeSecurityGroupReferences),
    AuthorizeSecurityGroup: write(authorize('ingress')),
    AuthorizeSecurityGroupEgress: write(authorize('egress')),
    RevokeSecurityGroup: write(revoke('ingress')),
    RevokeSecurityGroupEgress: write(revoke('egress')),
    ModifySecurityGroupRule: write(modify('ingress')),
    ModifySecurityGroupEgressRule: write(modify('egress')),
    CreateNetworkInterface: write(createNetworkInterface),
    DescribeNetworkInterfaces: read(describeNetworkInterfaces),
    DeleteNetworkInterface: write(deleteNetworkInterface),
    DescribeInstances: read(describeInstances),
    JoinSecurityGroup: write(joinSecurityGroup),
    LeaveSecurityGroup: write(leaveSecurityGroup),
    CreatePrefixList: write(createPrefixList),
    DescribePrefixLists: read(describePrefixLists),
    DescribePrefixListAttributes: read(describePrefixListAttributes),
    ModifyPrefixList: write(modifyPrefixList),
    DeletePrefixList: write(deletePrefixList),
  }),
);

export const SUPPORTED_ACTIONS = [...ACTIONS.keys()];

/** Parameters that authenticate or frame a request, not what a ClientToken's request asks. */
const FRAMING = new Set([
  'Action',
  'Version',
  'Format',
  'AccessKeyId',
  'Signature',
  'SignatureMethod',
  'SignatureVersion',
  'SignatureNonce',
  'Timestamp',
  'SecurityToken',
]);

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

function clientTokenOptions(action: string, params: Params) {
  const token = params.get('ClientToken');
  if (token === undefined) return {};
  if (token.length > 64 || !/^[\x20-\x7e]+$/.test(token))
    throw new AliError(400, 'InvalidClientToken.ValueNotSupported', 'The ClientToken provided is invalid.');
  const asked = params.pairs
    .filter(([k]) => !FRAMING.has(k))
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  return { idempotencyKey: `ecs:${action}:${token}`, requestHash: requestHash('RPC', action, asked) };
}

/** Action or Version: from the signed source, and the same wherever else it is given. */
function framing(acs3: boolean, header: string | undefined, param: string | undefined, name: string): string {
  const signed = acs3 ? header : param;
  const other = acs3 ? param : header;
  if (!signed) throw missing(acs3 ? `x-acs-${name.toLowerCase()}` : name);
  // pop-core sends the header as the caller spelled the action, before upper-casing its first letter.
  if (other !== undefined && other.toLowerCase() !== signed.toLowerCase())
    throw new AliError(
      400,
      'InvalidParameter',
      `The ${name} parameter ("${param}") and the x-acs-${name.toLowerCase()} header ("${header}") differ.`,
    );
  return signed;
}

function requestParams(req: RequestInfo & { rawBody?: string }) {
  const [path, search = ''] = req.url.split(/\?(.*)/s);
  const query = parsePairs(search);
  const form = (one(req.headers['content-type']) ?? '')
    .toLowerCase()
    .startsWith('application/x-www-form-urlencoded');
  const params = new Params([...query, ...(form ? parsePairs(req.rawBody ?? '') : [])]);
  return { path, query, params };
}

/** The ECS API at `/`: errors outside an action (framework, limits) in its envelope too. */
export const alibabaDialect: Dialect = {
  name: 'alibaba',
  serves: (path) => path === '/',
  answer(err: unknown, req: RequestInfo & { rawBody?: string; log?: FastifyBaseLogger }) {
    let format = formatOf(undefined);
    try {
      format = formatOf(requestParams(req).params.get('Format'));
    } catch {
      // Unreadable parameters: JSON, as by default.
    }
    const fault = frameworkFault(err);
    const e = toAliError(fault, { action: '' });
    if (e.status >= 500) req.log?.error({ err }, 'alibaba front end failed');
    return errorAnswer(format, newRequestId(), req.headers.host ?? '', e, retryAfterHeaders(fault));
  },
};

export const alibabaApi =
  (ctx: Context): FastifyPluginAsync =>
  async (app) => {
    // Form bodies (pop-core POSTs every parameter in one) and, for ACS3's body hash, the raw
    // text of anything else.
    // Its own parsers only: a JSON body is not parameters (ACS3 hashes it as it is).
    app.removeAllContentTypeParsers();
    app.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      (req, body, done) => {
        req.rawBody = body as string;
        done(null, body);
      },
    );
    app.addContentTypeParser('*', { parseAs: 'string' }, (req, body, done) => {
      req.rawBody = body as string;
      done(null, body);
    });

    // Errors before the handler runs (a body too large, a flood): the ECS envelope too.
    app.setErrorHandler((error, req, reply) => sendAnswer(reply, alibabaDialect.answer(error, req)));

    const handle = async (req: FastifyRequest, reply: FastifyReply) => {
      const requestId = newRequestId();
      const host = req.headers.host ?? '';
      const errors: ErrorContext = { action: '' };
      let format = formatOf(undefined);
      let caller: Caller | undefined;
      try {
        const { path, query, params } = requestParams(req);
        format = formatOf(params.get('Format'));
        // What is signed decides: the x-acs-* headers under ACS3, the parameters under signature
        // 1.0 (an unsigned header must not turn a signed request into another action).
        const acs3 = (one(req.headers.authorization) ?? '').startsWith('ACS3-');
        const action = framing(acs3, one(req.headers['x-acs-action']), params.get('Action'), 'Action');
        errors.action = action;
        const version = framing(acs3, one(req.headers['x-acs-version']), params.get('Version'), 'Version');
        if (version !== API_VERSION)
          throw new AliError(400, 'InvalidVersion', 'Specified parameter Version is not valid.');
        const spec = ACTIONS.get(action);
        if (!spec)
          throw new AliError(
            404,
            'InvalidAction.NotFound',
            `Specified api is not found, please check your url and method. (${action} is not served by Palisade; see docs/compat/alibaba.md)`,
          );
        caller = await authenticate(ctx, {
          source: req.ip,
          method: req.method,
          path,
          headers: req.headers,
          query,
          params,
          body: req.rawBody ?? '',
        });
        // The server's safety net records it if nothing below does.
        req.nonce = caller.nonce;
        // Reads and the checks before a write see every committed change (other servers' too).
        const scope = await ctx.svc.read(caller.principal);
        let region = undefined as unknown as Call['region'];
        if (spec.region !== false) {
          const regionId = params.get('RegionId');
          if (regionId === undefined)
            throw new AliError(400, 'MissingRegionId', 'RegionId is mandatory for this action.');
          const found = scope.region(regionId, 'alibaba');
          if (!found) throw regionNotFound();
          region = found;
        }
        if (!spec.write) await ctx.keys.recordNonce(caller.nonce);
        const call: Call = {
          ctx,
          svc: ctx.svc,
          p: caller.principal,
          params,
          action,
          region,
          scope,
          opts: spec.write ? { nonce: caller.nonce, ...clientTokenOptions(action, params) } : {},
          host,
          errors,
        };
        const body = await spec.run(call);
        if (!caller.nonce.recorded) await ctx.keys.recordNonce(caller.nonce);
        return sendResult(reply, format, action, requestId, body);
      } catch (thrown) {
        let e = toAliError(thrown, errors);
        // A refused request still uses up its nonce; a replayed one is refused as such.
        if (caller && !caller.nonce.recorded) {
          try {
            await ctx.keys.recordNonce(caller.nonce);
          } catch (replay) {
            e = toAliError(replay, errors);
          }
        }
        if (e.status >= 500) req.log.error({ err: thrown }, 'alibaba front end failed');
        return sendAnswer(reply, errorAnswer(format, requestId, host, e, retryAfterHeaders(thrown)));
      }
    };

    app.get('/', { schema: { hide: true } }, handle);
    app.post('/', { schema: { hide: true } }, handle);
  };
