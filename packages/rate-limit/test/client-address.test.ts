// Which address is the client's: the socket's peer by default (X-Forwarded-For ignored), a number
// of trusted hops, or trusted proxy ranges; hostile X-Forwarded-For values; IPv6 keyed by prefix.
// The hand-written IP parser is checked against node:net on generated addresses.
import { BlockList, isIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createClientAddressResolver, rememberClientAddress } from '../src/index.js';

const req = (peer: string | undefined, xff?: string | string[]) => ({
  socket: { remoteAddress: peer },
  headers: xff === undefined ? {} : { 'x-forwarded-for': xff },
});

describe('createClientAddressResolver', () => {
  it('by default the socket peer is the client and X-Forwarded-For is ignored', () => {
    const resolve = createClientAddressResolver();
    expect(resolve(req('203.0.113.9', '1.2.3.4'))).toBe('203.0.113.9');
    expect(resolve(req('::ffff:203.0.113.9'))).toBe('203.0.113.9');
    expect(resolve(req('2001:db8:1:2:3:4:5:6'))).toBe('20010db800010002/64');
    expect(resolve(req('2001:db8:1:2:ffff::1'))).toBe('20010db800010002/64'); // same /64
    expect(resolve(req(undefined))).toBeNull();
    expect(resolve({ headers: {} })).toBeNull();
    expect(resolve(null)).toBeNull();
    // Fastify's request keeps the socket on .raw too.
    expect(resolve({ raw: { socket: { remoteAddress: '198.51.100.1' } }, headers: {} })).toBe(
      '198.51.100.1',
    );
  });

  it('requests on one keep-alive socket resolve once, to the same address', () => {
    const resolve = createClientAddressResolver();
    const socket = { remoteAddress: '203.0.113.9' };
    expect(resolve({ socket, headers: {} })).toBe('203.0.113.9');
    expect(resolve({ socket, headers: { 'x-forwarded-for': '1.1.1.1' } })).toBe('203.0.113.9');
    const proxied = createClientAddressResolver({ trustProxy: { hops: 1 } });
    // With a trusted proxy the header matters per request: no per-socket answer.
    expect(proxied({ socket, headers: { 'x-forwarded-for': '1.1.1.1' } })).toBe('1.1.1.1');
    expect(proxied({ socket, headers: { 'x-forwarded-for': '2.2.2.2' } })).toBe('2.2.2.2');
  });

  it('a request without a socket uses the address remembered for it', () => {
    const resolve = createClientAddressResolver();
    const request = new Request('http://localhost/');
    expect(resolve(request)).toBeNull();
    rememberClientAddress(request, '192.0.2.44');
    expect(resolve(request)).toBe('192.0.2.44');
  });

  it('hops: the n-th address from the right of X-Forwarded-For + peer', () => {
    const one = createClientAddressResolver({ trustProxy: { hops: 1 } });
    expect(one(req('10.0.0.2', '203.0.113.9'))).toBe('203.0.113.9');
    // The client wrote the first entry itself: ignored.
    expect(one(req('10.0.0.2', '1.1.1.1, 203.0.113.9'))).toBe('203.0.113.9');
    expect(one(req('10.0.0.2', ['1.1.1.1', '203.0.113.9']))).toBe('203.0.113.9');
    expect(one(req('10.0.0.2'))).toBe('10.0.0.2'); // no header: only the proxy is known
    const two = createClientAddressResolver({ trustProxy: { hops: 2 } });
    expect(two(req('10.0.0.2', '6.6.6.6, 203.0.113.9, 10.0.0.1'))).toBe('203.0.113.9');
    expect(two(req('10.0.0.2', '203.0.113.9'))).toBe('203.0.113.9'); // shorter chain: leftmost
  });

  it('proxies: walk left past trusted ranges; the first untrusted address is the client', () => {
    const resolve = createClientAddressResolver({
      trustProxy: { proxies: ['10.0.0.0/8', '2001:db8::/32', '192.0.2.7'] },
    });
    expect(resolve(req('10.1.2.3', '203.0.113.9, 10.9.9.9'))).toBe('203.0.113.9');
    expect(resolve(req('192.0.2.7', '6.6.6.6, 203.0.113.9'))).toBe('203.0.113.9');
    // An untrusted peer is the client, whatever the header says.
    expect(resolve(req('198.51.100.5', '203.0.113.9'))).toBe('198.51.100.5');
    expect(resolve(req('2001:db8::1', '[2001:db9::5]:443'))).toBe('20010db900000000/64');
    expect(resolve(req('::ffff:10.0.0.1', '203.0.113.9:51234'))).toBe('203.0.113.9');
    // Every hop trusted: the leftmost known address.
    expect(resolve(req('10.0.0.1', '10.0.0.9'))).toBe('10.0.0.9');
  });

  it('hostile X-Forwarded-For never makes up a bucket: a non-address stops the walk', () => {
    const resolve = createClientAddressResolver({ trustProxy: { hops: 1 } });
    for (const xff of [
      'unknown',
      '',
      ' , ',
      'evil.example',
      '300.1.1.1',
      '01.2.3.4',
      '1.2.3.4.5',
      '::g',
      '1::2::3',
      `${'1.'.repeat(3000)}1`,
      '\u0661.\u0662.\u0663.\u0664', // Arabic-Indic digits
      '1.2.3.4\u0000',
      '[::1',
      '_'.repeat(5000),
    ]) {
      expect(resolve(req('10.0.0.2', xff))).toBe('10.0.0.2');
    }
    const proxies = createClientAddressResolver({ trustProxy: { proxies: ['10.0.0.0/8'] } });
    expect(proxies(req('10.0.0.2', '203.0.113.9, garbage, 10.0.0.3'))).toBe('10.0.0.3');
  });

  it('refuses malformed options', () => {
    for (const [options, part] of [
      [{ trustProxy: { hops: 0 } }, 'trustProxy.hops'],
      [{ trustProxy: { hops: 17 } }, 'trustProxy.hops'],
      [{ trustProxy: { hops: 1.5 } }, 'trustProxy.hops'],
      [{ trustProxy: true }, 'trustProxy'],
      [{ trustProxy: { proxies: [] } }, 'trustProxy'],
      [{ trustProxy: { proxies: ['10.0.0.0/33'] } }, 'trustProxy.proxies[0]'],
      [{ trustProxy: { proxies: ['10.0.0.0/8', 'loadbalancer'] } }, 'trustProxy.proxies[1]'],
      [{ trustProxy: { proxies: ['::/129'] } }, 'trustProxy.proxies[0]'],
      [{ trustProxy: { proxies: ['10.0.0.0/08'] } }, 'trustProxy.proxies[0]'],
      [{ ipv6PrefixBits: 0 }, 'ipv6PrefixBits'],
      [{ ipv6PrefixBits: 129 }, 'ipv6PrefixBits'],
    ] as const) {
      expect(() => createClientAddressResolver(options as never)).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT', details: { parameter: part } }),
      );
    }
  });
});

describe('the IP parser against node:net', () => {
  const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
  const v6 = fc.ipV6();

  it('accepts what node:net accepts and keys IPv4 and mapped IPv4 alike', () => {
    fc.assert(
      fc.property(fc.oneof(v4, v6, fc.ipV4Extended(), fc.string({ maxLength: 45 })), (text) => {
        const resolve = createClientAddressResolver({ ipv6PrefixBits: 128 });
        const ours = resolve(req(text));
        // node:net (and we) refuse IPv4 with leading zeros or octal/hex forms.
        expect(ours !== null).toBe(isIP(text) !== 0);
        if (isIP(text) === 4) expect(ours).toBe(text);
        if (isIP(text) === 4) expect(resolve(req(`::ffff:${text}`))).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });

  it('CIDR membership agrees with node:net BlockList', () => {
    fc.assert(
      fc.property(v4, fc.integer({ min: 0, max: 32 }), v4, (network, bits, address) => {
        const list = new BlockList();
        list.addSubnet(network, bits, 'ipv4');
        const resolve = createClientAddressResolver({
          trustProxy: { proxies: [`${network}/${bits}`] },
        });
        // A trusted peer makes the header's address the client; an untrusted one is the client.
        const client = resolve(req(address, '192.0.2.1'));
        expect(client).toBe(list.check(address, 'ipv4') ? '192.0.2.1' : address);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(v6, fc.integer({ min: 0, max: 128 }), v6, (network, bits, address) => {
        const list = new BlockList();
        list.addSubnet(network, bits, 'ipv6');
        const resolve = createClientAddressResolver({
          ipv6PrefixBits: 128,
          trustProxy: { proxies: [`${network}/${bits}`] },
        });
        const client = resolve(req(address, '192.0.2.1'));
        expect(client === '192.0.2.1').toBe(list.check(address, 'ipv6'));
      }),
      { numRuns: 2000 },
    );
  });
});
