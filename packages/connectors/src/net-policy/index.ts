export type { AddressCategory, IpAddress } from "./address";
export { classifyAddress, formatIp, isMetadataName, parseIp } from "./address";
export type { AllowEntry, OutboundPolicy, Verdict } from "./policy";
export { ALLOW_SETTING, checkOutbound, parseAllowList } from "./policy";
export { OutboundRefused, checkUrl, configureOutboundPolicy, guardedLookup, outboundPolicy } from "./guard";
