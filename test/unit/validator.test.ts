import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { validator } from '../../src/protocol/validator.js';

describe('validator', () => {
  it('names the field the way a reader would', () => {
    const check = validator(
      Type.Object({ Transcript: Type.Object({ Results: Type.Array(Type.Object({ EndTime: Type.Number() })) }) }),
    );
    expect(check({ Transcript: { Results: [{ EndTime: 'soon' }] } })).toEqual({
      ok: false,
      problem: 'Transcript.Results[0].EndTime: expected number',
    });
    expect(validator(Type.Object({ 'a/b': Type.String() }))({ 'a/b': 1 })).toEqual({
      ok: false,
      problem: 'a/b: expected string',
    });
    expect(check('not an object')).toEqual({ ok: false, problem: 'message: expected object' });
  });

  it('reports the field inside the union variant the sender meant, not "Expected union value"', () => {
    const check = validator(
      Type.Union([Type.Object({ a: Type.Object({ b: Type.Number() }) }), Type.Object({ w: Type.String() })]),
    );
    expect(check({ a: { b: 'x' } })).toEqual({ ok: false, problem: 'a.b: expected number' });
  });

  it('passes a valid value through', () => {
    expect(validator(Type.Object({ n: Type.Integer() }))({ n: 3 })).toEqual({ ok: true, value: { n: 3 } });
  });
});
