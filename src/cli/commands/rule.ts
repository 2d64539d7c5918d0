// palisade rule add|modify|list|rm
import type { Command } from 'commander';
import type { Io } from '../io.js';
import { UsageError } from '../io.js';
import { apiAction, type Json, listAll, query, table } from '../remote.js';
import { PREVIEW_HELP, previewableAction } from '../preview.js';
import { RULE_COLUMNS } from './group.js';

function integer(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n)) throw new UsageError(`${flag} "${text}" is not a whole number`);
  return n;
}

/** A rule's fields as options: required for add (direction, protocol), all optional for modify. */
function ruleOptions(cmd: Command, required: boolean): Command {
  const must = (flag: string, help: string) =>
    required ? cmd.requiredOption(flag, help) : cmd.option(flag, help);
  must('--direction <dir>', 'ingress or egress');
  must('--protocol <p>', 'all, tcp, udp, icmp, icmpv6, gre, sctp or a number');
  return cmd
    .option('--ports <ports>', 'destination ports: 22, 80-82, 22,25')
    .option('--source-ports <ports>', 'source ports (alibaba)')
    .option('--remote-ip <cidr>', 'remote CIDR or address')
    .option('--remote-group <id>', 'remote security group')
    .option('--remote-address-group <id>', 'remote IP address group / prefix list')
    .option('--action <action>', 'allow or deny')
    .option('--priority <n>', '1 (highest) to 100')
    .option('--ethertype <type>', 'IPv4 or IPv6')
    .option('--icmp-type <n>', 'ICMP type')
    .option('--icmp-code <n>', 'ICMP code')
    .option('--description <text>', 'description')
    .option('--preview', PREVIEW_HELP)
    .option('--json', 'print JSON');
}

/** The rule fields the options give, as the API names them (absent options are left out). */
function ruleBody(o: Json): Record<string, unknown> {
  const body = new Map<string, unknown>();
  const set = (key: string, value: unknown) => value !== undefined && body.set(key, value);
  set('direction', o.direction);
  set('protocol', o.protocol !== undefined && /^\d+$/.test(o.protocol) ? Number(o.protocol) : o.protocol);
  set('ports', o.ports);
  set('sourcePorts', o.sourcePorts);
  set('remoteIpPrefix', o.remoteIp);
  set('remoteGroup', o.remoteGroup);
  set('remoteAddressGroup', o.remoteAddressGroup);
  set('action', o.action);
  set('priority', integer(o.priority, '--priority'));
  set('ethertype', o.ethertype);
  set('icmpType', integer(o.icmpType, '--icmp-type'));
  set('icmpCode', integer(o.icmpCode, '--icmp-code'));
  set('description', o.description);
  return Object.fromEntries(body);
}

export function ruleCommand(program: Command, io: Io, exit: (code: number) => void): void {
  const rule = program.command('rule').description("a security group's rules");
  ruleOptions(rule.command('add <group>').description('add one rule'), true).action(
    previewableAction(io, exit, async (client, group: string, o: Json) => {
      const r = await client.post<Json>(`/v1/security-groups/${group}/rules`, ruleBody(o));
      return { value: r, text: () => table([r], RULE_COLUMNS) };
    }),
  );
  ruleOptions(
    rule
      .command('modify <group> <rule>')
      .description(
        'change fields of one rule (a new remote replaces the old one; a new protocol drops its ports and ICMP fields)',
      ),
    false,
  ).action(
    previewableAction(io, exit, async (client, group: string, id: string, o: Json) => {
      const body = ruleBody(o);
      if (Object.keys(body).length === 0) throw new UsageError('give at least one field to change');
      const r = await client.patch<Json>(`/v1/security-groups/${group}/rules/${id}`, body);
      return { value: r, text: () => table([r], RULE_COLUMNS) };
    }),
  );
  rule
    .command('list <group>')
    .description("a group's rules in evaluation order")
    .option('--direction <dir>', 'ingress or egress only')
    .option('--limit <n>', 'page size')
    .option('--all', 'follow cursors to the last page')
    .option('--json', 'print JSON')
    .action(
      apiAction(io, exit, async (client, group: string, o: Json) => {
        const items = await listAll<Json>(
          client,
          `/v1/security-groups/${group}/rules${query({ direction: o.direction, limit: o.limit })}`,
          !!o.all,
        );
        return { value: items, text: () => table(items, RULE_COLUMNS) };
      }),
    );
  rule
    .command('rm <group> <ruleIds...>')
    .description('delete rules (several: all or none)')
    .option('--preview', PREVIEW_HELP)
    .option('--json', 'print JSON')
    .action(
      previewableAction(io, exit, async (client, group: string, ruleIds: string[]) => {
        if (ruleIds.length === 1) await client.delete(`/v1/security-groups/${group}/rules/${ruleIds[0]}`);
        else await client.post(`/v1/security-groups/${group}/rules/batch-delete`, { ruleIds });
        return { value: { deleted: ruleIds }, text: () => `deleted ${ruleIds.join(', ')}` };
      }),
    );
}
