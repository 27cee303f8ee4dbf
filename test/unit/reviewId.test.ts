import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
it('x', () => { expect(bytesToHex(sha256(utf8ToBytes('abc')))).toHaveLength(64); });
