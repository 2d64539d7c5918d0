// Errors in the ECS dialect: an HTTP status and `{RequestId, HostId, Code, Message, Recommend}`,
// and the one table that turns the service layer's ServiceError codes into ECS codes.
import { ServiceError } from '../../control/errors.js';

export class AliError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const missing = (name: string) =>
  new AliError(
    400,
    'MissingParameter',
    `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
  );

export const invalidParam = (name: string, message = `The specified parameter "${name}" is not valid.`) =>
  new AliError(400, 'InvalidParameter', message);

export const groupNotFound = () =>
  new AliError(404, 'InvalidSecurityGroupId.NotFound', 'The specified SecurityGroupId does not exist.');

export const regionNotFound = () =>
  new AliError(404, 'InvalidRegionId.NotFound', 'The specified RegionId does not exist.');

/** Too many entries for a prefix list's MaxEntries (or the region's quota). */
export const maxEntriesExceeded = () =>
  new AliError(
    400,
    'LimitExceed.MaxEntries',
    'The number of entries exceeds the MaxEntries of the specified prefix list.',
  );

/** What an error is about, so a service error can name the request's own parameter. */
export interface ErrorContext {
  action: string;
  direction?: 'ingress' | 'egress';
  /** The request parameter prefix a service path `body.rules[i]` / `body` stands for. */
  ruleParam?: (index: number | undefined) => string;
}

const ruleIndex = (path: string): number | undefined => {
  const m = /rules\[(\d+)\]/.exec(path);
  return m ? Number(m[1]) : undefined;
};

/**
 * The service layer's ServiceError codes → ECS error codes, statuses and messages: decided on the
 * code, the first problem's path and the typed fields; the message is only passed on.
 */
export function fromServiceError(e: ServiceError, ctx: ErrorContext): AliError {
  const first = e.errors[0];
  const path = first?.path ?? '';
  const at = ctx.ruleParam ? ctx.ruleParam(ruleIndex(path)) : '';
  const named = (field: string) => (at ? `${at}.${field}` : field);
  const peer = ctx.direction === 'egress' ? 'Dest' : 'Source';
  switch (e.code) {
    case 'REPLAYED_REQUEST':
      return new AliError(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
    case 'NOT_FOUND':
      switch (e.resource) {
        case 'group':
          return groupNotFound();
        case 'rule':
          return new AliError(
            404,
            'InvalidSecurityGroupRuleId.NotFound',
            'The specified SecurityGroupRuleId is not exists.',
          );
        case 'membership':
          return new AliError(
            400,
            'InvalidSecurityGroupAssociation.NotFound',
            'The specified instance or network interface is not in the specified security group.',
          );
        case 'port':
          return new AliError(
            404,
            'InvalidEniId.NotFound',
            'The specified NetworkInterfaceId does not exist.',
          );
        case 'instance':
          return new AliError(404, 'InvalidInstanceId.NotFound', 'The specified InstanceId does not exist.');
        case 'addressGroup':
          return new AliError(
            404,
            'InvalidPrefixListId.NotFound',
            'The specified prefix list was not found.',
          );
      }
      return new AliError(404, 'InvalidParameter.NotFound', e.message);
    case 'QUOTA_EXCEEDED':
      switch (e.quota) {
        case 'groupsPerTenant':
          return new AliError(
            403,
            'QuotaExceed.SecurityGroup',
            'The maximum number of security groups is reached.',
          );
        case 'groupReferenceRulesPerGroup':
          return new AliError(
            400,
            'AuthorizedGroupRule.LimitExceed',
            'You have reached the limit on the number of group authorization rules that you can add to a security group.',
          );
        case 'rulesPerGroup':
          return new AliError(
            403,
            'AuthorizationLimitExceed',
            'The limit of authorization records in the security group reaches.',
          );
        case 'rulesPerPort':
          return new AliError(
            403,
            'AclLimitExceed',
            `The number of rules over the security groups of the port exceeds the limit: ${e.message}`,
          );
        case 'groupsPerPort':
          return new AliError(
            400,
            'InstanceSecurityGroupLimitExceeded',
            'Exceeding the allowed amount of security groups that an instance can be in.',
          );
        case 'portsPerGroup':
          return new AliError(
            403,
            'SecurityGroupInstanceLimitExceeded',
            'The maximum number of instances in a security group is exceeded.',
          );
        case 'addressGroupsPerTenant':
          // CreatePrefixList's documented error, 404 as documented.
          return new AliError(
            404,
            'LimitExceed.PrefixListPerRegion',
            'The number of prefix lists in the region exceeds the limit.',
          );
        case 'entriesPerAddressGroup':
          // The list's own MaxEntries or the region's quota, whichever was reached.
          return maxEntriesExceeded();
      }
      return new AliError(403, 'QuotaExceed', e.message);
    case 'GROUP_IN_USE':
      return new AliError(
        403,
        'DependencyViolation',
        'There is still instance(s) in the specified security group.',
      );
    case 'GROUP_REFERENCED':
      return new AliError(
        403,
        'DependencyViolation',
        'The specified security group has been authorized in another one.',
      );
    case 'ADDRESS_GROUP_IN_USE':
      return new AliError(
        400,
        'NotAllowed.AssociationExist',
        'The specified prefix list has associated resources.',
      );
    case 'LAST_GROUP':
      return new AliError(
        403,
        'InstanceLastSecurityGroup',
        'The specified security group is the last security group for the instance.',
      );
    case 'ALREADY_MEMBER':
      return new AliError(
        403,
        'InvalidInstanceId.AlreadyExists',
        'The specified instance already exists in the specified security group.',
      );
    case 'UNKNOWN_GROUP':
      if (path.includes('remote'))
        return new AliError(
          404,
          `Invalid${peer}GroupId.NotFound`,
          `The ${peer}GroupId provided does not exist in our records.`,
        );
      return groupNotFound();
    case 'UNKNOWN_ADDRESS_GROUP':
      return new AliError(404, 'InvalidPrefixListId.NotFound', 'The specified prefix list was not found.');
    case 'ADVANCED_GROUP_REFERENCE':
      return new AliError(
        400,
        'InvalidGroupAuthParameter.OperationDenied',
        'The security group can not authorize to enterprise level security group.',
      );
    case 'DENY_NOT_SUPPORTED':
    case 'PRIORITY_NOT_SUPPORTED':
      return new AliError(
        400,
        'InvalidGroupParameter.OperationDenied',
        'The attributes Policy, SourceGroupId, DestGroupId of enterprise level security groups are not allowed to be set or modified.',
      );
    case 'PRIORITY_OUT_OF_RANGE':
      return new AliError(400, 'InvalidPriority.Malformed', 'The parameter Priority is invalid.');
    case 'INVALID_CIDR':
      return new AliError(
        400,
        `Invalid${peer}CidrIp.Malformed`,
        `The specified parameter ${named(`${peer}CidrIp`)} is not valid.`,
      );
    case 'CIDR_ETHERTYPE_MISMATCH':
    case 'PROTOCOL_ETHERTYPE_MISMATCH':
      return new AliError(
        400,
        'InvalidParam.ProtocolAndAddressFamilyMismatch',
        'The specified Protocol and address family do not match.',
      );
    case 'ADDRESS_GROUP_ETHERTYPE_MISMATCH':
      return new AliError(
        400,
        'InvalidParam.PrefixListAddressFamilyMismatch',
        'The address family of the prefix list does not match the rule.',
      );
    case 'PORTS_NOT_ALLOWED':
    case 'PORT_OUT_OF_RANGE':
    case 'PORT_RANGE_INVERTED':
    case 'INVALID_PORTS':
      if (path.includes('sourcePorts'))
        return new AliError(
          400,
          'InvalidSourcePortRange.Malformed',
          `The specified parameter ${named('SourcePortRange')} is not valid.`,
        );
      return new AliError(
        400,
        'InvalidParam.PortRange',
        `The specified parameter ${named('PortRange')} is not valid. It should be two integers less than 65535 in ?/? format.`,
      );
    case 'NIC_TYPE_NOT_SUPPORTED':
      return new AliError(
        400,
        'InvalidNicType.ValueNotSupported',
        `The specified parameter ${named('NicType')} is not valid.`,
      );
    case 'NAME_REQUIRED':
      return new AliError(
        400,
        'InvalidSecurityGroupName.Malformed',
        'The specified parameter SecurityGroupName is not valid.',
      );
    case 'GROUP_TYPE_NOT_SUPPORTED':
      return new AliError(
        400,
        'InvalidParams.VpcIdGroupType',
        'Only VPC instance supports enterprise level security group.',
      );
    case 'INNER_ACCESS_NOT_SUPPORTED':
      return new AliError(
        404,
        'InvalidParameter.InnerAccessPolicy',
        "The InnerAccessPolicy attribute of enterprise level security group can't be modified.",
      );
    case 'UNKNOWN_VPC':
      return new AliError(404, 'InvalidVpcId.NotFound', 'Specified VPC does not exist.');
    case 'CLASSIC_NOT_SUPPORTED':
      return new AliError(403, 'InvalidVpcId.NotFound', 'The VpcId must not empty when only support vpc vm.');
    case 'VPC_MISMATCH':
      return new AliError(
        403,
        'InvalidOperation.VpcMismatch',
        'The security group and the instance or network interface are not in the same VPC.',
      );
    case 'MIXED_GROUP_TYPES':
      return new AliError(
        400,
        'InvalidOperation.MultiGroupType',
        "The specified instance can't join different types of security group.",
      );
    case 'DUPLICATE_MEMBERSHIP':
      return new AliError(
        403,
        'InvalidInstanceId.AlreadyExists',
        'The specified instance already exists in the specified security group.',
      );
    case 'ADDRESS_IN_USE':
      return new AliError(
        400,
        'InvalidPrivateIpAddress.Duplicated',
        `The specified private IP address is in use: ${e.message}`,
      );
    case 'INVALID_ADDRESS':
      return new AliError(
        400,
        'InvalidPrivateIpAddress.Malformed',
        `The specified private IP address is not valid: ${e.message}`,
      );
    case 'IDEMPOTENCY_KEY_REUSED':
      return new AliError(
        400,
        'IdempotentParameterMismatch',
        'Request uses a client token in a previous request but is not identical to that request.',
      );
    case 'FORBIDDEN':
      return new AliError(403, 'Forbidden', e.message);
    case 'INVALID_CURSOR':
      return new AliError(
        400,
        'InvalidNextToken.Malformed',
        'The specified parameter NextToken is not valid.',
      );
    case 'UNKNOWN_ENTRY':
      return new AliError(400, 'InvalidParam.Entry', e.message);
    case 'REMOTE_CONFLICT':
      return new AliError(400, 'InvalidParameter.Conflict', e.message);
    case 'RATE_LIMITED':
    case 'TOO_MANY_FAILURES':
      return new AliError(
        429,
        'Throttling.User',
        `Request was denied due to user flow control: ${e.message}`,
      );
    default:
      // Conflicts are ECS's 403s; the transport's refusals (413, 414, 415, 431) keep their status.
      return new AliError(
        e.status >= 500 ? 500 : e.status === 409 ? 403 : e.status >= 413 ? e.status : 400,
        'InvalidParameter',
        e.message,
      );
  }
}

/** Any error thrown while serving a request, in the ECS dialect (never a 5xx for bad input). */
export function toAliError(e: unknown, ctx: ErrorContext): AliError {
  if (e instanceof AliError) return e;
  if (e instanceof ServiceError) return fromServiceError(e, ctx);
  return new AliError(500, 'InternalError', 'The request processing has failed due to some unknown error.');
}
