"""openstacksdk against Palisade's Keystone and Neutron endpoints (credentials from OS_* env).

Usage: openstack_sdk.py <action> [args...]; prints one JSON document. Used by
test/compat/openstack-clients.test.ts and openstack-quotas.test.ts; every step goes through the SDK's own proxy calls.
"""
import json
import sys

import openstack
from openstack import exceptions
from openstack.network.v2 import security_group as _sg


def error(e):
    return {'status': e.status_code, 'message': e.details}


def journey(prefix):
    conn = openstack.connect()
    net = conn.network
    out = {}
    groups = [net.create_security_group(name='%s-%d' % (prefix, i), description='sdk %d' % i)
              for i in range(5)]
    out['created'] = [g.id for g in groups]
    # The SDK follows security_groups_links (rel=next) until a short page.
    out['paged'] = [g.id for g in net.security_groups(limit=2)]
    out['found'] = net.find_security_group('%s-3' % prefix).id
    net.set_tags(groups[0], ['blue', 'green'])
    out['tags'] = sorted(net.get_security_group(groups[0].id).tags)
    out['tagged'] = [g.id for g in net.security_groups(tags='blue')]
    out['not_tagged'] = len([g for g in net.security_groups(not_tags='blue')])

    rule = net.create_security_group_rule(
        security_group_id=groups[0].id, direction='ingress', ethertype='IPv4',
        protocol='tcp', port_range_min=443, port_range_max=443,
        remote_ip_prefix='10.1.0.0/16', description='https')
    out['rule'] = {k: rule[k] for k in (
        'id', 'protocol', 'port_range_min', 'port_range_max', 'remote_ip_prefix',
        'ether_type', 'direction', 'security_group_id', 'description')}
    try:
        net.create_security_group_rule(
            security_group_id=groups[0].id, direction='ingress', ethertype='IPv4',
            protocol='6', port_range_min=443, port_range_max=443,
            remote_ip_prefix='10.1.0.0/16')
    except exceptions.HttpException as e:
        out['duplicate'] = error(e)
    out['ingress_rules'] = sorted(
        r.id for r in net.security_group_rules(security_group_id=groups[0].id,
                                               direction='ingress'))

    g = net.get_security_group(groups[1].id)
    out['revision'] = g.revision_number
    try:
        net.update_security_group(g, name='%s-stale' % prefix, if_revision=g.revision_number + 7)
    except exceptions.HttpException as e:
        out['stale'] = error(e)
    updated = net.update_security_group(g, name='%s-renamed' % prefix,
                                        if_revision=g.revision_number)
    out['renamed'] = {'name': updated.name, 'revision': updated.revision_number}

    ag = net.create_address_group(name='%s-ag' % prefix, addresses=['192.0.2.7/24'])
    out['address_group'] = ag.addresses
    ag = net.add_addresses_to_address_group(ag, ['198.51.100.0/24'])
    out['address_group_added'] = sorted(ag.addresses)
    net.delete_address_group(ag)

    for grp in groups:
        net.delete_security_group(grp)
    try:
        net.get_security_group(groups[0].id)
    except exceptions.HttpException as e:
        out['gone'] = error(e)
    print(json.dumps(out))


def details(prefix):
    """Bulk group create, revision numbers, If-Match and server-made rules (issue 12 items 8, 17)."""
    conn = openstack.connect()
    net = conn.network
    out = {}
    made = list(_sg.SecurityGroup.bulk_create(
        net, [{'name': '%s-a' % prefix}, {'name': '%s-b' % prefix, 'description': 'b'}]))
    out['bulk'] = [{'name': g.name, 'revision': g.revision_number,
                    'prefixes': [r['remote_ip_prefix'] for r in g.security_group_rules]}
                   for g in made]
    try:
        list(_sg.SecurityGroup.bulk_create(
            net, [{'name': '%s-c' % prefix}, {'name': '%s-d' % prefix, 'colour': 'red'}]))
    except exceptions.HttpException as e:
        out['bulk_refused'] = error(e)
    out['names'] = sorted(g.name for g in net.security_groups() if g.name.startswith(prefix))

    g = made[0]
    revisions = [net.get_security_group(g.id).revision_number]
    rule = net.create_security_group_rule(
        security_group_id=g.id, direction='ingress', protocol='esp')
    out['rule'] = {'protocol': rule.protocol, 'revision': rule.revision_number}
    revisions.append(net.get_security_group(g.id).revision_number)
    net.delete_security_group_rule(rule)
    revisions.append(net.get_security_group(g.id).revision_number)
    out['revisions'] = revisions
    try:
        net.delete_security_group(g, if_revision=revisions[-1] - 1)
    except exceptions.HttpException as e:
        out['stale'] = error(e)
    net.delete_security_group(g, if_revision=revisions[-1])
    net.delete_security_group(made[1])
    print(json.dumps(out))


def whoami():
    conn = openstack.connect()
    print(json.dumps({
        'project_id': conn.current_project_id,
        'groups': [g.name for g in conn.network.security_groups()],
    }))


def quota(project, groups, rules):
    """Set a project's network quotas, then read them back with their usage."""
    net = openstack.connect().network
    net.update_quota(project, security_groups=int(groups), security_group_rules=int(rules))
    q = net.get_quota(project, details=True)
    print(json.dumps({'security_groups': q.security_groups,
                      'security_group_rules': q.security_group_rules}))


def quota_reset(project):
    net = openstack.connect().network
    net.delete_quota(project)
    q = net.get_quota(project)
    print(json.dumps({'security_groups': q.security_groups,
                      'security_group_rules': q.security_group_rules}))


if __name__ == '__main__':
    action = sys.argv[1]
    {
        'journey': lambda: journey(sys.argv[2]),
        'details': lambda: details(sys.argv[2]),
        'whoami': whoami,
        'quota': lambda: quota(*sys.argv[2:5]),
        'quota-reset': lambda: quota_reset(sys.argv[2]),
    }[action]()
