// The OpenStack front ends: Keystone v3 (mounted at /identity) for logging in, and Neutron v2.0
// (mounted at /networking, one endpoint per openstack-profile region) for security groups,
// rules and address groups. See docs/compat/openstack.md.
export { keystoneApi } from './keystone.js';
export { neutronApi } from './neutron.js';
