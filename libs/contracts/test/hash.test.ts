import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, hashValue, sha256Hex } from '../src';

const nodeSha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

describe('sha256Hex (pure, workflow-safe)', () => {
  it('gives the FIPS 180-4 / NIST example digests', () => {
    const vectors: Array<[string, string]> = [
      ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
      ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
      [
        'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq',
        '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
      ],
      [
        'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu',
        'cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1',
      ],
      ['a'.repeat(1_000_000), 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0'],
    ];
    for (const [input, digest] of vectors) expect(sha256Hex(input)).toBe(digest);
  });

  it('matches node:crypto on padding edge lengths', () => {
    // 55/56 bytes straddle the one-block padding limit, 63/64/65 a block boundary, 119/120 the two-block limit.
    for (const n of [1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000])
      expect(sha256Hex('a'.repeat(n))).toBe(nodeSha256('a'.repeat(n)));
  });

  it('hashes UTF-8 bytes of multi-byte text (2, 3 and 4-byte sequences)', () => {
    const samples = ['é', '€', '😀', 'é€😀 mixed', 'Ünïcödé ✓ 中文 𝄞', '😀'.repeat(20), 'ü'.repeat(28), '€'.repeat(19)];
    for (const s of samples) expect(sha256Hex(s)).toBe(nodeSha256(s));
    // "é" is c3 a9 in UTF-8, not the Latin-1 byte e9.
    expect(sha256Hex('é')).toBe(
      createHash('sha256')
        .update(Buffer.from([0xc3, 0xa9]))
        .digest('hex'),
    );
  });

  it('matches node:crypto on long and random inputs', () => {
    for (const bytes of [300, 4096, 100_000]) {
      const s = randomBytes(bytes).toString('base64');
      expect(sha256Hex(s)).toBe(nodeSha256(s));
    }
    const long = 'Ünïcödé 😀 '.repeat(50_000);
    expect(sha256Hex(long)).toBe(nodeSha256(long));
  });

  it('encodes a lone surrogate as U+FFFD, like node:crypto', () => {
    expect(sha256Hex('\ud800x')).toBe(nodeSha256('\ud800x'));
    expect(sha256Hex('\ud800x')).toBe(sha256Hex('\ufffdx'));
  });
});

describe('hashValue', () => {
  it('keeps the digests of the hand-written implementation it replaced (run and sweep ids must not move)', () => {
    const value = { name: 'demo', seed: 0, lr: 0.002, tags: ['é', '€', '😀'], nested: { b: null, a: [1, 2.5] } };
    expect(hashValue(value)).toBe('165dd45ce354ee92c2f9e996da79f06eeb91cc15f6a88e6d667785d7544130d6');
    // canonicalJson escapes lone surrogates (JSON.stringify), so they never reach the UTF-8 encoder.
    expect(hashValue({ s: '\ud800 lone', t: 'x\udfff' })).toBe(
      '2878b83f9c1bbc4ec61562382d901421171a553cd7a0fa01d3e925741133121c',
    );
  });
});

describe('canonicalJson', () => {
  it('ignores key order and undefined fields', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 2], c: null }, u: undefined })).toBe('{"a":{"c":null,"d":[1,2]},"b":1}');
    expect(hashValue({ x: 1, y: 2 })).toBe(hashValue({ y: 2, x: 1 }));
  });

  it('refuses non-finite numbers', () => {
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(/non-finite/);
  });
});
