import { describe, expect, it } from 'vitest';
import { maskDigits } from '../../../src/record/mask.js';

describe('maskDigits', () => {
  it('masks card, phone and account numbers, however they are spaced', () => {
    expect(maskDigits('card 4111 1111 1111 1111 please')).toBe('card #### #### #### #### please');
    expect(maskDigits('call 0161-496-0000 or 07700900123')).toBe('call ####-###-#### or ###########');
    expect(maskDigits('sort code 12.34.56')).toBe('sort code ##.##.##');
  });

  it('leaves short numbers, which identify no one, as they are', () => {
    expect(maskDigits('3 days and 2 calls, 100 quid, since 9 am')).toBe('3 days and 2 calls, 100 quid, since 9 am');
  });
});
