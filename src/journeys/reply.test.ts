import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { editDistance, matchReply, replyWords } from './reply.js';

const expected = { choices: [{ id: 'yes', keywords: ['yes', 'oui'] }, { id: 'no', keywords: ['no', 'non'] }], names: ['Paul', 'Léa', 'Maximilien'], stopKeywords: ['stop', 'arret'] };

describe('matchReply', () => {
  it('reads keyword + name, case- and accent-insensitively', () => {
    expect(matchReply('OUI LÉA', expected)).toEqual({ kind: 'choice', choice: 'yes', name: 'Léa', typos: 0 });
    expect(matchReply('non, pas pour Paul.', expected)).toMatchObject({ kind: 'choice', choice: 'no', name: 'Paul' });
  });

  it('tolerates a typo only where unambiguous', () => {
    expect(matchReply('yse maximillien', expected)).toMatchObject({ kind: 'choice', choice: 'yes', name: 'Maximilien' });
    expect(matchReply('ouu paul', expected)).toMatchObject({ kind: 'choice', choice: 'yes' });
    expect(matchReply('nn paul', expected)).toMatchObject({ kind: 'unrecognised' }); // two letters: exact only
    expect(matchReply('yes no paul', expected)).toEqual({ kind: 'unrecognised', why: 'ambiguous_keyword' });
    expect(matchReply('yes paul lea', expected)).toEqual({ kind: 'unrecognised', why: 'ambiguous_name' });
    expect(matchReply('yes', expected)).toEqual({ kind: 'unrecognised', why: 'no_name' });
    expect(matchReply('yes', { ...expected, names: ['Paul'] })).toMatchObject({ kind: 'choice', name: 'Paul' });
    expect(matchReply('', expected)).toEqual({ kind: 'unrecognised', why: 'empty' });
  });

  it('opts out on an exact STOP word only', () => {
    expect(matchReply('Arrêt', expected)).toEqual({ kind: 'stop' });
    expect(matchReply('stp paul', expected).kind).not.toBe('stop');
  });

  it('property: upper/lower case and added accents never change the reading', () => {
    const word = fc.constantFrom('oui paul', 'non lea', 'yes maximilien', 'no paul', 'maybe', 'oui');
    const accent = (s: string) => s.replace(/e/g, 'é').replace(/a/g, 'à');
    fc.assert(
      fc.property(word, fc.boolean(), fc.boolean(), (w, upper, acc) => {
        const t = (acc ? accent(w) : w);
        expect(matchReply(upper ? t.toUpperCase() : t, expected)).toEqual(matchReply(w, expected));
      }),
    );
  });

  it('editDistance counts one transposition as one edit and stops early', () => {
    expect(editDistance('yse', 'yes', 2)).toBe(1);
    expect(editDistance('kitten', 'sitting', 5)).toBe(3);
    expect(editDistance('abcdef', 'uvwxyz', 1)).toBe(2);
    expect(replyWords('  Oui,Noé!! ')).toEqual(['oui', 'noe']);
  });
});

describe('matchReply — sparse arrays from plain JavaScript', () => {
  it('refuses a hole in choices, keywords, names or stop words at its list, not a TypeError or the text', () => {
    // forEach / every skip holes, for…of reads them as undefined: a hole was a TypeError (choices) or blamed the text.
    const hole = <T>(x: T): T[] => [, x] as T[];
    const yes = { id: 'yes', keywords: ['yes'] };
    for (const [e, path] of [
      [{ choices: hole(yes) }, 'expected.choices[0]'],
      [{ choices: [{ id: 'yes', keywords: hole('yes') }] }, 'expected.choices[0]'],
      [{ choices: [yes], names: hole('Paul') }, 'expected.names'],
      [{ choices: [yes], stopKeywords: hole('stop') }, 'expected.stopKeywords'],
    ] as const) {
      expect(() => matchReply('yes paul', e as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path }));
    }
  });
});
