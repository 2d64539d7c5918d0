// Security groups and their rules.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as groups from '../../control/ops/groups.js';
import * as rules from '../../control/ops/rules.js';
import { principal, sendObject, sendWrite, writeOptions } from '../http.js';
import * as S from '../schemas.js';
import type { Context } from '../app.js';

export const groupRoutes =
  ({ svc }: Context): FastifyPluginAsyncTypebox =>
  async (app) => {
    const tags = ['security groups'];
    app.post(
      '/v1/security-groups',
      {
        schema: {
          tags,
          summary: 'Create a group: the profile\'s starting rules, a template, or "empty"',
          body: S.GroupCreate,
        },
      },
      async (req, reply) =>
        sendWrite(reply, await groups.createGroup(svc, principal(req), req.body, writeOptions(req))),
    );
    app.get(
      '/v1/security-groups',
      { schema: { tags, summary: 'List groups (filters, cursor pagination)', querystring: S.GroupQuery } },
      async (req) => {
        return groups.listGroups(svc, principal(req), req.query);
      },
    );
    app.get(
      '/v1/security-groups/:id',
      {
        schema: { tags, summary: 'Describe a group with its rules in evaluation order', params: S.IdParams },
      },
      async (req, reply) => {
        return sendObject(reply, groups.getGroup(svc, principal(req), req.params.id));
      },
    );
    app.patch(
      '/v1/security-groups/:id',
      { schema: { tags, params: S.IdParams, body: S.GroupPatch } },
      async (req, reply) =>
        sendWrite(
          reply,
          await groups.updateGroup(svc, principal(req), req.params.id, req.body, writeOptions(req)),
        ),
    );
    app.delete(
      '/v1/security-groups/:id',
      { schema: { tags, summary: 'Delete (409 while ports or other groups use it)', params: S.IdParams } },
      async (req, reply) =>
        sendWrite(reply, await groups.deleteGroup(svc, principal(req), req.params.id, writeOptions(req))),
    );
    app.post(
      '/v1/security-groups/:id/clone',
      { schema: { tags, params: S.IdParams, body: S.GroupClone } },
      async (req, reply) =>
        sendWrite(
          reply,
          await groups.cloneGroup(svc, principal(req), req.params.id, req.body, writeOptions(req)),
        ),
    );
    app.get(
      '/v1/security-groups/:id/references',
      { schema: { tags, summary: 'Groups whose rules reference this group', params: S.IdParams } },
      async (req) => {
        return groups.groupReferences(svc, principal(req), req.params.id);
      },
    );

    const rtags = ['rules'];
    app.get(
      '/v1/security-groups/:id/rules',
      {
        schema: {
          tags: rtags,
          summary: 'Rules in evaluation order',
          params: S.IdParams,
          querystring: S.RuleQuery,
        },
      },
      async (req) => {
        return rules.listRules(svc, principal(req), req.params.id, req.query);
      },
    );
    app.post(
      '/v1/security-groups/:id/rules',
      { schema: { tags: rtags, summary: 'Add one rule', params: S.IdParams, body: S.Rule } },
      async (req, reply) =>
        sendWrite(
          reply,
          await rules.addRules(svc, principal(req), req.params.id, [req.body], {
            ...writeOptions(req),
            single: true,
          }),
        ),
    );
    app.post(
      '/v1/security-groups/:id/rules/batch',
      {
        schema: {
          tags: rtags,
          summary: 'Add several rules: all or none',
          params: S.IdParams,
          body: S.RuleBatch,
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
          tags: rtags,
          summary: 'Delete several rules: all or none',
          params: S.IdParams,
          body: S.RuleDelete,
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
      { schema: { tags: rtags, params: S.RuleParams } },
      async (req, reply) => {
        return sendObject(reply, rules.getRule(svc, principal(req), req.params.id, req.params.ruleId));
      },
    );
    app.patch(
      '/v1/security-groups/:id/rules/:ruleId',
      { schema: { tags: rtags, params: S.RuleParams, body: S.RulePatch } },
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
      { schema: { tags: rtags, params: S.RuleParams } },
      async (req, reply) =>
        sendWrite(
          reply,
          await rules.deleteRules(svc, principal(req), req.params.id, [req.params.ruleId], writeOptions(req)),
        ),
    );
  };
