// A group's rules: list, show, add, replace, update, delete (ops/rules.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as rules from '../../control/ops/rules.js';
import type { Context } from '../../http/context.js';
import { principal, sendObject, sendWrite, writeOptions } from '../../http/requests.js';
import * as R from '../responses.js';
import * as S from '../schemas.js';

export const ruleRoutes =
  ({ svc }: Context): FastifyPluginAsyncTypebox =>
  async (app) => {
    const tags = ['rules'];
    app.get(
      '/v1/security-groups/:id/rules',
      {
        schema: {
          tags,
          summary: 'Rules in evaluation order',
          params: S.IdParams,
          querystring: S.RuleQuery,
          response: R.answers(R.READ, { 200: R.Page(R.Rule) }, [400, 404, 414]),
        },
      },
      async (req) => {
        return rules.listRules(svc, principal(req), req.params.id, req.query);
      },
    );
    app.post(
      '/v1/security-groups/:id/rules',
      {
        schema: {
          tags,
          summary: 'Add one rule',
          params: S.IdParams,
          body: S.Rule,
          response: R.answers(
            R.WRITE,
            {
              201: R.One(R.Rule),
              200: R.described(R.One(R.Rule), 'Alibaba: an identical rule exists; the no-op answers it'),
            },
            [404, [409, 'DUPLICATE_RULE (not on alibaba), QUOTA_EXCEEDED'], 412, 414],
          ),
        },
      },
      async (req, reply) =>
        sendWrite(
          reply,
          await rules.addRule(svc, principal(req), req.params.id, req.body, writeOptions(req)),
        ),
    );
    app.post(
      '/v1/security-groups/:id/rules/batch',
      {
        schema: {
          tags,
          summary: 'Add several rules: all or none',
          params: S.IdParams,
          body: S.RuleBatch,
          response: R.answers(
            R.WRITE,
            {
              201: R.RuleBatchCreated,
              200: R.described(
                R.RuleBatchCreated,
                'Alibaba: every rule exists already; the no-op answers them',
              ),
            },
            [404, [409, 'DUPLICATE_RULE (not on alibaba), QUOTA_EXCEEDED'], 412, 414],
          ),
        },
      },
      async (req, reply) =>
        sendWrite(
          reply,
          await rules.addRules(svc, principal(req), req.params.id, req.body.rules, writeOptions(req)),
        ),
    );
    app.post(
      '/v1/security-groups/:id/rules/batch-delete',
      {
        schema: {
          tags,
          summary: 'Delete several rules: all or none',
          params: S.IdParams,
          body: S.RuleDelete,
          response: R.answers(R.WRITE, { 204: null }, [404, 412, 414]),
        },
      },
      async (req, reply) =>
        sendWrite(
          reply,
          await rules.deleteRules(svc, principal(req), req.params.id, req.body.ruleIds, writeOptions(req)),
        ),
    );
    app.get(
      '/v1/security-groups/:id/rules/:ruleId',
      {
        schema: {
          tags,
          params: S.RuleParams,
          response: R.answers(R.READ_ONE, { 200: R.One(R.Rule) }, [400, 404, 414]),
        },
      },
      async (req, reply) => {
        return sendObject(reply, rules.getRule(svc, principal(req), req.params.id, req.params.ruleId));
      },
    );
    app.patch(
      '/v1/security-groups/:id/rules/:ruleId',
      {
        schema: {
          tags,
          params: S.RuleParams,
          body: S.RulePatch,
          response: R.answers(R.WRITE, { 200: R.One(R.Rule) }, [
            404,
            [409, 'DUPLICATE_RULE (not on alibaba), QUOTA_EXCEEDED'],
            412,
            414,
          ]),
        },
      },
      async (req, reply) =>
        sendWrite(
          reply,
          await rules.modifyRule(
            svc,
            principal(req),
            req.params.id,
            req.params.ruleId,
            req.body,
            writeOptions(req),
          ),
        ),
    );
    app.delete(
      '/v1/security-groups/:id/rules/:ruleId',
      {
        schema: {
          tags,
          params: S.RuleParams,
          response: R.answers(R.WRITE, { 204: null }, [404, 412, 414]),
        },
      },
      async (req, reply) =>
        sendWrite(
          reply,
          await rules.deleteRules(svc, principal(req), req.params.id, [req.params.ruleId], writeOptions(req)),
        ),
    );
  };
