import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { queryValidator, validator } from '../../src/protocol/validator.js';

describe('validator', () => {
  it('names the field the way a reader would', () => {
    const check = validator(
      Type.Object({ Transcript: Type.Object({ Results: Type.Array(Type.Object({ EndTime: Type.Number() })) }) }),
    );
    expect(check({ Transcript: { Results: [{ EndTime: 'soon' }] } })).toEqual({
      ok: false,
      code: 'invalid_message',
      message: 'Transcript.Results[0].EndTime: expected number',
    });
    expect(validator(Type.Object({ 'a/b': Type.String() }))({ 'a/b': 1 })).toEqual({
      ok: false,
      code: 'invalid_message',
      message: 'a/b: expected string',
    });
    expect(check('not an object')).toEqual({ ok: false, code: 'invalid_message', message: 'message: expected object' });
  });

  it('reports the field inside the union variant the sender meant, not "Expected union value"', () => {
    const check = validator(
      Type.Union([Type.Object({ a: Type.Object({ b: Type.Number() }) }), Type.Object({ w: Type.String() })]),
    );
    expect(check({ a: { b: 'x' } })).toEqual({ ok: false, code: 'invalid_message', message: 'a.b: expected number' });
  });

  it('passes a valid value through', () => {
    expect(validator(Type.Object({ n: Type.Integer() }))({ n: 3 })).toEqual({ ok: true, value: { n: 3 } });
  });

  it('names the field below what was checked, and lists the literals a union takes', () => {
    const check = validator(Type.Object({ format: Type.Union([Type.Literal('csv'), Type.Literal('jsonl')]) }), 'body');
    expect(check({ format: 'xml' })).toEqual({
      ok: false,
      code: 'invalid_message',
      message: 'body.format: expected one of csv, jsonl',
    });
    expect(check(null)).toMatchObject({ message: 'body: expected object' });
  });

  it('reads query-string numbers from their text and names the parameter at fault', () => {
    const check = queryValidator(Type.Object({ limit: Type.Integer({ minimum: 1 }) }));
    expect(check({ limit: '20' })).toEqual({ ok: true, value: { limit: 20 } });
    expect(check({ limit: 'many' })).toMatchObject({ ok: false, message: 'querystring.limit: expected integer' });
  });

  it('says what a schema expects in its own words where it gives them', () => {
    const check = validator(
      Type.Object({ id: Type.String({ pattern: '^\\S+$', errorMessage: 'expected no spaces' }) }),
    );
    expect(check({ id: 'a b' })).toMatchObject({ message: 'id: expected no spaces' });
  });
});
