// Security groups and their rules.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as groups from '../../control/ops/groups.js';
import * as rules from '../../control/ops/rules.js';
import { principal, sendObject, sendWrite, writeOptions } from '../../http/requests.js';
import * as R from '../responses.js';
import * as S from '../schemas.js';
import type { Context } from '../../http/context.js';

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
          response: R.answers(R.WRITE, { 201: R.One(R.SecurityGroupWithRules) }, [
            403,
            [409, 'QUOTA_EXCEEDED (groups, rules), DEFAULT_GROUP_EXISTS'],
          ]),
        },
      },
      async (req, reply) =>
        sendWrite(reply, await groups.createGroup(svc, principal(req), req.body, writeOptions(req))),
    );
    app.get(
      '/v1/security-groups',
      {
        schema: {
          tags,
          summary: 'List groups (filters, cursor pagination)',
          querystring: S.GroupQuery,
          response: R.answers(R.READ, { 200: R.Page(R.SecurityGroup) }, [400]),
        },
      },
      async (req) => {
        return groups.listGroups(svc, principal(req), req.query);
      },
    );
    app.get(
      '/v1/security-groups/:id',
      {
        schema: {
          tags,
          summary: 'Describe a group with its rules in evaluation order',
          params: S.IdParams,
          response: R.answers(R.READ_ONE, { 200: R.One(R.SecurityGroupWithRules) }, [400, 404, 414]),
        },
      },
      async (req, reply) => {
        return sendObject(reply, groups.getGroup(svc, principal(req), req.params.id));
      },
    );
    app.patch(
      '/v1/security-groups/:id',
      {
        schema: {
          tags,
          params: S.IdParams,
          body: S.GroupPatch,
          response: R.answers(R.WRITE, { 200: R.One(R.SecurityGroup) }, [
            404,
            [
              409,
              'GROUP_IN_USE (stateful changes only while the group has no members), DEFAULT_GROUP_EXISTS',
            ],
            412,
            414,
          ]),
        },
      },
      async (req, reply) =>
        sendWrite(
          reply,
          await groups.updateGroup(svc, principal(req), req.params.id, req.body, writeOptions(req)),
        ),
    );
    app.delete(
      '/v1/security-groups/:id',
      {
        schema: {
          tags,
          summary: 'Delete (409 while ports or other groups use it)',
          params: S.IdParams,
          response: R.answers(R.WRITE, { 204: null }, [
            404,
            [409, "GROUP_IN_USE (ports are members), GROUP_REFERENCED (other groups' rules name it)"],
            412,
            414,
          ]),
        },
      },
      async (req, reply) =>
        sendWrite(reply, await groups.deleteGroup(svc, principal(req), req.params.id, writeOptions(req))),
    );
    app.post(
      '/v1/security-groups/:id/clone',
      {
        schema: {
          tags,
          params: S.IdParams,
          body: S.GroupClone,
          response: R.answers(R.WRITE, { 201: R.One(R.SecurityGroupWithRules) }, [
            404,
            [409, 'QUOTA_EXCEEDED, DEFAULT_GROUP_EXISTS'],
            414,
          ]),
        },
      },
      async (req, reply) =>
        sendWrite(
          reply,
          await groups.cloneGroup(svc, principal(req), req.params.id, req.body, writeOptions(req)),
        ),
    );
    app.get(
      '/v1/security-groups/:id/references',
      {
        schema: {
          tags,
          summary: 'Groups whose rules reference this group',
          params: S.IdParams,
          response: R.answers(R.READ, { 200: R.GroupReferences }, [400, 404, 414]),
        },
      },
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
          tags: rtags,
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
          tags: rtags,
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
          tags: rtags,
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
          tags: rtags,
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
          tags: rtags,
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
