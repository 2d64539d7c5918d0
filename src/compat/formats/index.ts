// The four formats as codecs the service layer's import and export take (ops/translation.ts).
import type { Codec, Policy } from '../../control/ops/translation.js';
import { parseAlibaba, renderAlibaba } from './alibaba.js';
import { parseAws, renderAws } from './aws.js';
import { FORMAT_PROFILE, type FormatName, type Reader } from './document.js';
import { parseHuawei, renderHuawei } from './huawei.js';
import { parseNeutron, renderNeutron } from './neutron.js';

const codec = (
  format: FormatName,
  render: Codec['render'],
  parse: (doc: unknown) => { policy: Policy; rd: Reader },
): Codec => ({
  format,
  profile: FORMAT_PROFILE.get(format)!,
  render,
  parse: (doc) => {
    const { policy, rd } = parse(doc);
    return { policy, problems: rd.problems, paths: rd.paths };
  },
});

export const CODECS: ReadonlyMap<FormatName, Codec> = new Map([
  ['alibaba', codec('alibaba', (p, regionId) => renderAlibaba(p, { regionId }), parseAlibaba)],
  ['huawei', codec('huawei', (p, regionId) => renderHuawei(p, { regionId }), parseHuawei)],
  ['neutron', codec('neutron', (p) => renderNeutron(p), parseNeutron)],
  ['aws', codec('aws', (p, regionId) => renderAws(p, { regionId }), parseAws)],
]);
