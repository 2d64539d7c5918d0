// The Neutron v2.0 front end, one endpoint per openstack-profile region:
// /networking/{regionId}            versions document (what the catalog's URL answers)
// /networking/{regionId}/v2.0/      resources document, extensions, and the resources below.
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Context } from '../../http/context.js';
import { sendAnswer } from '../../http/dialects.js';
import { jsonBody } from '../../http/requests.js';
import { addressGroupRoutes } from './address-groups.js';
import { NeutronError, neutronDialect, resourceNotFound, sendNeutronError } from './errors.js';
import { groupRoutes } from './groups.js';
import { rbacRoutes } from './rbac.js';
import { networkRoutes } from './networks.js';
import { portRoutes } from './ports.js';
import { subnetRoutes } from './subnets.js';
import { quotaRoutes } from './quotas.js';
import { baseUrl, session } from './http.js';
import { ruleRoutes } from './rules.js';

/** The extensions this endpoint implements, as GET /v2.0/extensions lists them. */
export const EXTENSIONS = [
  ['security-group', 'security-group', 'The security groups extension.', '2012-10-05T10:00:00-00:00'],
  [
    'stateful-security-group',
    'Stateful security group',
    'Indicates if the security group is stateful or not',
    '2019-11-26T09:00:00-00:00',
  ],
  ['address-group', 'Address group', 'Support address group', '2020-07-15T10:00:00-00:00'],
  [
    'security-groups-remote-address-group',
    'Remote address group id field for security group rules',
    'Add new field of remote address group id in SG rules',
    '2020-08-25T10:00:00-00:00',
  ],
  [
    'security-groups-normalized-cidr',
    'Normalized CIDR field for security group rules',
    'Add new field with normalized remote_ip_prefix cidr in SG rule',
    '2020-07-28T10:00:00-00:00',
  ],
  [
    'standard-attr-revisions',
    'Resource revision numbers',
    'This extension will display the revision number of neutron resources.',
    '2016-04-11T10:00:00-00:00',
  ],
  [
    'revision-if-match',
    'If-Match constraints based on revision_number',
    'Extension indicating that If-Match based on revision_number is supported.',
    '2016-12-11T00:00:00-00:00',
  ],
  [
    'standard-attr-timestamp',
    'Resource timestamps',
    'Adds created_at and updated_at fields to all Neutron resources that have Neutron standard attributes.',
    '2016-09-12T10:00:00-00:00',
  ],
  [
    'standard-attr-tag',
    'Tag support for resources with standard attribute: security_group',
    'Enables to set tag on resources with standard attribute.',
    '2017-01-01T00:00:00-00:00',
  ],
  [
    'standard-attr-description',
    'standard-attr-description',
    'Extension to add descriptions to standard attributes',
    '2016-02-10T10:00:00-00:00',
  ],
  [
    'project-id',
    'project_id field enabled',
    'Extension that indicates that project_id field is enabled.',
    '2016-09-09T09:09:09-09:09',
  ],
  [
    'pagination',
    'Pagination support',
    'Extension that indicates that pagination is enabled.',
    '2016-06-12T00:00:00-00:00',
  ],
  [
    'sorting',
    'Sorting support',
    'Extension that indicates that sorting is enabled.',
    '2016-06-12T00:00:00-00:00',
  ],
  [
    'rbac-policies',
    'RBAC Policies',
    'Allows creation and modification of policies that control project access to resources.',
    '2015-06-17T12:15:12-00:00',
  ],
  [
    'rbac-security-groups',
    'Add security_group type to network RBAC',
    'Add security_group type to network RBAC',
    '2019-02-14T00:00:00-00:00',
  ],
  [
    'rbac-address-group',
    'Add address_group type to RBAC',
    'Add address_group type to network RBAC',
    '2021-01-20T00:00:00-00:00',
  ],
  [
    'quotas',
    'Quota management support',
    'Expose functions for quotas management per project',
    '2012-07-29T10:00:00-00:00',
  ],
  [
    'quota_details',
    'Quota details management support',
    'Expose functions for quotas usage statistics per project',
    '2017-02-10T10:00:00-00:00',
  ],
  [
    'filter-validation',
    'Filter parameters validation',
    'Provides validation on filter parameters.',
    '2018-07-04T10:00:00-00:00',
  ],
  ['port-security', 'Port Security', 'Provides port security', '2012-07-23T10:00:00-00:00'],
  [
    'allowed-address-pairs',
    'Allowed Address Pairs',
    'Provides allowed address pairs',
    '2013-07-23T10:00:00-00:00',
  ],
  [
    'binding',
    'Port Binding',
    'Expose port bindings of a virtual port to external application',
    '2014-02-03T10:00:00-00:00',
  ],
].map(([alias, name, description, updated]) => ({ alias, name, description, updated, links: [] }));

const RESOURCES = [
  ['security_group', 'security_groups', 'security-groups'],
  ['security_group_rule', 'security_group_rules', 'security-group-rules'],
  ['address_group', 'address_groups', 'address-groups'],
  ['rbac_policy', 'rbac_policies', 'rbac-policies'],
  ['network', 'networks', 'networks'],
  ['subnet', 'subnets', 'subnets'],
  ['port', 'ports', 'ports'],
];

export const neutronApi =
  (ctx: Context): FastifyPluginAsync =>
  async (app: FastifyInstance) => {
    app.removeAllContentTypeParsers();
    // Bodies are JSON whatever their Content-Type says (the clients send them so).
    app.addContentTypeParser(
      '*',
      { parseAs: 'string' },
      jsonBody(() => new NeutronError(400, 'HTTPBadRequest', 'Body contains invalid data')),
    );
    app.setErrorHandler((err, req, reply) => sendAnswer(reply, neutronDialect.answer(err, req)));
    app.setNotFoundHandler((_req, reply) => sendNeutronError(reply, resourceNotFound()));

    // Discovery: the catalog URL (no version) lists v2.0; v2.0 lists its resources.
    const versions = async (req: FastifyRequest) => {
      const regionId = (req.params as { regionId: string }).regionId;
      if (!(await ctx.svc.hasRegion(regionId, 'openstack'))) throw resourceNotFound();
      return {
        versions: [
          {
            id: 'v2.0',
            status: 'CURRENT',
            links: [{ rel: 'self', href: `${baseUrl(req)}/networking/${regionId}/v2.0/` }],
          },
        ],
      };
    };
    app.get('/:regionId', versions);
    app.get('/:regionId/', versions);
    const resources = async (req: FastifyRequest) => {
      const regionId = (req.params as { regionId: string }).regionId;
      if (!(await ctx.svc.hasRegion(regionId, 'openstack'))) throw resourceNotFound();
      const root = `${baseUrl(req)}/networking/${regionId}/v2.0`;
      return {
        resources: RESOURCES.map(([name, collection, path]) => ({
          name,
          collection,
          links: [{ rel: 'self', href: `${root}/${path}` }],
        })),
      };
    };
    app.get('/:regionId/v2.0', resources);
    app.get('/:regionId/v2.0/', resources);

    app.get('/:regionId/v2.0/extensions', async (req) => {
      await session(ctx, req);
      return { extensions: EXTENSIONS };
    });
    app.get('/:regionId/v2.0/extensions/:alias', async (req) => {
      await session(ctx, req);
      const alias = (req.params as { alias: string }).alias;
      const extension = EXTENSIONS.find((x) => x.alias === alias);
      if (!extension)
        throw new NeutronError(404, 'HTTPNotFound', `Extension with alias ${alias} does not exist`);
      return { extension };
    });

    groupRoutes(ctx, app);
    ruleRoutes(ctx, app);
    addressGroupRoutes(ctx, app);
    rbacRoutes(ctx, app);
    networkRoutes(ctx, app);
    subnetRoutes(ctx, app);
    portRoutes(ctx, app);
    quotaRoutes(ctx, app);
  };
