import { clientAddressKey } from './request-budget.js';

describe('clientAddressKey', () => {
  it('counts IPv4 addresses one by one, and IPv6 addresses by their /64', () => {
    expect(clientAddressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddressKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(clientAddressKey('2001:db8:1:2::1')).toBe(clientAddressKey('2001:0db8:0001:0002:ffff::9'));
    expect(clientAddressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientAddressKey('::1')).toBe('0:0:0:0::/64');
    expect(clientAddressKey('2001:db8:1:3::1')).not.toBe(clientAddressKey('2001:db8:1:2::1'));
    // IPv4 clients written as IPv4-mapped IPv6 in hex are those IPv4 clients, not one shared ::/64.
    expect(clientAddressKey('::ffff:c000:201')).toBe('192.0.2.1');
    expect(clientAddressKey('::FFFF:C000:0202')).toBe('192.0.2.2');
  });
});
