// Both crypto backends, each behind the same validated API, for tests that must run every vector
// through node:crypto and through @noble.
import { createCryptoApi, type CryptoApi } from '../src/_crypto-api.js';
import nodeBackend from '../src/_crypto-node.js';
import nobleBackend from '../src/_crypto-noble.js';

export const backends: ReadonlyArray<readonly [string, CryptoApi]> = [
  ['node', createCryptoApi(nodeBackend)],
  ['noble', createCryptoApi(nobleBackend)],
];
