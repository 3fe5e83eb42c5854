import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashIdentifier, hashIdentifierSync, identifierKey, normalizeEmail, normalizeIdentifier, normalizePhone, normalizeValue, normalizerKindOf } from './normalize.js';

describe('normalizeEmail', () => {
  it('trims and lowercases', () => {
    expect(normalizeEmail('  Ada.Lovelace+news@GMail.COM ')).toEqual({ ok: true, value: 'ada.lovelace+news@gmail.com' });
  });
  it('refuses the Kelvin sign, the one non-ASCII character that lowercases to ASCII (it merged with a k address)', () => {
    for (const raw of ['\u212Ada@shop.test', 'ada@\u212Aelvin.test']) expect(normalizeEmail(raw)).toMatchObject({ ok: false, error: { code: 'IDENTITY_EMAIL_INVALID' } });
    expect(normalizeEmail('KDA@shop.test')).toEqual({ ok: true, value: 'kda@shop.test' });
  });
  it('applies provider rules only when asked', () => {
    expect(normalizeEmail('Ada.Love.Lace+news@googlemail.com', { providerRules: true })).toEqual({ ok: true, value: 'adalovelace@gmail.com' });
    expect(normalizeEmail('ada+x@outlook.com', { providerRules: true })).toEqual({ ok: true, value: 'ada@outlook.com' });
    expect(normalizeEmail('ada-x@yahoo.com', { providerRules: true })).toEqual({ ok: true, value: 'ada@yahoo.com' });
    expect(normalizeEmail('a.da+x@company.test', { providerRules: true })).toEqual({ ok: true, value: 'a.da+x@company.test' });
    expect(normalizeEmail('+x@gmail.com', { providerRules: true })).toMatchObject({ ok: false, error: { code: 'IDENTITY_EMAIL_INVALID' } });
  });
  it.each(['', '   ', 'ada', 'ada@', '@shop.test', 'ada@shop', 'a da@shop.test', 'ada@@shop.test', 'ada..x@shop.test', `${'a'.repeat(65)}@shop.test`])('refuses %j', (raw) => {
    const r = normalizeEmail(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(['IDENTITY_EMAIL_INVALID', 'IDENTITY_EMPTY_VALUE']).toContain(r.error.code);
  });
});

describe('normalizePhone', () => {
  it('formats to E.164 with the default country', () => {
    expect(normalizePhone('06 12 34 56 78', 'FR')).toEqual({ ok: true, value: '+33612345678' });
    expect(normalizePhone('020 7946 0958', 'GB')).toEqual({ ok: true, value: '+442079460958' });
    expect(normalizePhone('(415) 555-2671', 'US')).toEqual({ ok: true, value: '+14155552671' });
    expect(normalizePhone('0033 6 12 34 56 78')).toEqual({ ok: true, value: '+33612345678' });
    expect(normalizePhone('+33 6 12 34 56 78', 'US')).toEqual({ ok: true, value: '+33612345678' });
  });
  it('gives typed reasons', () => {
    expect(normalizePhone('06 12 34 56 78')).toMatchObject({ ok: false, error: { code: 'IDENTITY_PHONE_COUNTRY_MISSING' } });
    expect(normalizePhone('12', 'FR')).toMatchObject({ ok: false, error: { code: 'IDENTITY_PHONE_INVALID' } });
    expect(normalizePhone('not a phone', 'FR')).toMatchObject({ ok: false, error: { code: 'IDENTITY_PHONE_INVALID' } });
    expect(normalizePhone('')).toMatchObject({ ok: false, error: { code: 'IDENTITY_EMPTY_VALUE' } });
    // A default country the metadata does not know is named (it read as if none had been given).
    expect(normalizePhone('020 7946 0958', 'UK')).toMatchObject({ ok: false, error: { code: 'IDENTITY_PHONE_COUNTRY_MISSING', message: expect.stringContaining('"UK"') } });
  });
  it('reads an international number after tel:, a bracket or invisible characters, without a default country (they needed one)', () => {
    for (const text of ['tel:+1-415-555-2671', 'TEL:+14155552671', '(+1) 415 555 2671', '\u200b+14155552671', '\ufeff+1 415 555 2671', '[+1] 415-555-2671', '(001) 415 555 2671']) {
      expect(normalizePhone(text), JSON.stringify(text)).toEqual({ ok: true, value: '+14155552671' });
    }
    // National numbers keep needing the country.
    expect(normalizePhone('(415) 555-2671')).toMatchObject({ ok: false, error: { code: 'IDENTITY_PHONE_COUNTRY_MISSING' } });
  });
  it("reads a default country's own international prefix that starts with 00 but is longer (0011, 001, 0021), as libphonenumber-js does", async () => {
    const lib = await import('libphonenumber-js/min');
    // Before: `00` was always read as `+`, so `0011 33 6…` became `+11 33 6…` and was refused.
    expect(normalizePhone('0011 33 6 12 34 56 78', 'AU')).toEqual({ ok: true, value: '+33612345678' });
    expect(normalizePhone('0011 61 412 345 678', 'AU')).toEqual({ ok: true, value: '+61412345678' });
    expect(normalizePhone('001 1 415 555 2671', 'KR')).toEqual({ ok: true, value: '+14155552671' });
    expect(normalizePhone('0021 33 6 12 34 56 78', 'BR')).toEqual({ ok: true, value: '+33612345678' });
    // `00` still counts as `+` first, where a country's prefix differs (Japan's is 010).
    expect(normalizePhone('00 81 90 1234 5678', 'JP')).toEqual({ ok: true, value: '+819012345678' });
    // Property: with a default country, a number written after its own international prefix is what libphonenumber-js
    // reads, unless `00` read as `+` already gives a valid number (Colombia's 005/007/009: `0057…` stays Colombia).
    const idd = { AU: '0011', KR: '001', HK: '001', BR: '0021', SG: '000', CO: '009', US: '011', FR: '00' } as const;
    fc.assert(
      fc.property(fc.constantFrom(...(Object.keys(idd) as (keyof typeof idd)[])), fc.constantFrom('33612345678', '447400123456', '4915123456789', '61412345678', '14155552671', '573211234567'), fc.constantFrom(' ', ''), (country, e164, sep) => {
        const text = `${idd[country]}${sep}${e164}`;
        const plus = text.startsWith('00') ? lib.parsePhoneNumberFromString(`+${text.slice(2)}`) : undefined;
        const oracle = plus?.isValid() ? plus : lib.parsePhoneNumberFromString(text, country);
        expect(normalizePhone(text, country)).toEqual(oracle?.isValid() ? { ok: true, value: oracle.number } : expect.objectContaining({ ok: false }));
      }),
    );
    expect(normalizePhone('00 57 321 123 4567', 'CO')).toEqual({ ok: true, value: '+573211234567' });
    expect(normalizePhone('009 57 321 123 4567', 'CO')).toEqual({ ok: true, value: '+573211234567' });
  });
});

describe('normalizeIdentifier', () => {
  it('uses the kind of each type', () => {
    expect(normalizerKindOf('email')).toBe('email');
    expect(normalizerKindOf('crm_email', { types: { crm_email: 'email' } })).toBe('email');
    expect(normalizeIdentifier({ type: 'crm_email', value: ' X@Shop.TEST' }, { types: { crm_email: 'email' } })).toEqual({ ok: true, value: { type: 'crm_email', value: 'x@shop.test' } });
    expect(normalizeIdentifier({ type: 'device_id', value: ' AbC ' })).toEqual({ ok: true, value: { type: 'device_id', value: ' AbC ' } });
    expect(normalizeIdentifier({ type: 'email_sha256', value: 'A'.repeat(64) })).toEqual({ ok: true, value: { type: 'email_sha256', value: 'a'.repeat(64) } });
  });
  it('gives a type named constructor its own kind, or verbatim (never an inherited function)', () => {
    // `constructor` matches [a-z][a-z0-9_]*: a valid type that neither table lists unless configured.
    expect(normalizerKindOf('constructor')).toBe('verbatim');
    expect(normalizerKindOf('constructor', { types: { crm_email: 'email' } })).toBe('verbatim');
    expect(normalizerKindOf('constructor', { types: JSON.parse('{"constructor":"email"}') as Record<string, 'email'> })).toBe('email');
    expect(normalizeIdentifier({ type: 'constructor', value: ' AbC ' })).toEqual({ ok: true, value: { type: 'constructor', value: ' AbC ' } });
  });
  it('refuses bad values and types with a reason naming the type', () => {
    expect(normalizeIdentifier({ type: 'Email', value: 'x' })).toMatchObject({ ok: false, error: { code: 'IDENTITY_TYPE_INVALID' } });
    expect(normalizeIdentifier({ type: 'email_sha256', value: 'abc' })).toMatchObject({ ok: false, error: { code: 'IDENTITY_SHA256_INVALID', detail: { type: 'email_sha256' } } });
    expect(normalizeIdentifier({ type: 'device_id', value: '' })).toMatchObject({ ok: false, error: { code: 'IDENTITY_EMPTY_VALUE' } });
    expect(normalizeIdentifier({ type: 'device_id', value: 'a\u0000b' })).toMatchObject({ ok: false, error: { code: 'IDENTITY_CONTROL_CHARACTERS' } });
    expect(normalizeIdentifier({ type: 'device_id', value: 'x'.repeat(257) })).toMatchObject({ ok: false, error: { code: 'IDENTITY_VALUE_TOO_LONG' } });
    expect(normalizeIdentifier({ type: 'phone', value: '12' }, { defaultCountry: 'FR' })).toMatchObject({ ok: false, error: { code: 'IDENTITY_PHONE_INVALID', detail: { type: 'phone' } } });
    expect(typeof normalizeValue('email', 'nope', 'email')).toBe('object');
  });
  it('keys identifiers unambiguously', () => {
    expect(identifierKey({ type: 'email', value: 'a:b@shop.test' })).toBe('email:a:b@shop.test');
  });
});

describe('normalizeValue, called from plain JavaScript', () => {
  it('refuses a kind, type or options that are not what normalizerKindOf and the rules give, with INPUT_INVALID at its path', () => {
    const refused = (path: string) => expect.objectContaining({ code: 'INPUT_INVALID', path });
    // The type was interpolated into a reason: an object without a callable toString threw a TypeError.
    expect(() => normalizeValue('verbatim', '', { constructor: 1, toString: 2, valueOf: 3 } as never)).toThrow(refused('type'));
    expect(() => normalizeValue(true as never, 'x', 'device_id')).toThrow(refused('kind'));
    expect(() => normalizeValue('email', 'a@b.co', 'email', null as never)).toThrow(refused('options'));
    expect(normalizeValue('verbatim', '', 'device_id')).toMatchObject({ code: 'IDENTITY_EMPTY_VALUE' });
  });
});

describe('hashIdentifier', () => {
  it('is the SHA-256 of the normalised email or phone', async () => {
    const sha = (s: string) => createHash('sha256').update(s).digest('hex');
    expect(await hashIdentifier({ type: 'email', value: 'ada@shop.test' })).toEqual({ type: 'email_sha256', value: sha('ada@shop.test') });
    expect(await hashIdentifier({ type: 'phone', value: '+33612345678' })).toEqual({ type: 'phone_sha256', value: sha('+33612345678') });
    expect(await hashIdentifier({ type: 'user_id', value: 'u1' })).toBeUndefined();
  });

  it("matches the platforms' published examples", () => {
    // Snap Conversions API, user data parameters (https://developers.snap.com/api/marketing-api/Conversions-API/Parameters):
    // `Person@Example.com` → `person@example.com` → 542d2401…; `+44 844 412 4653` → `448444124653` (no `+`) → dc008fda….
    const em = normalizeIdentifier({ type: 'email', value: 'Person@Example.com' });
    expect(em.ok && hashIdentifierSync(em.value)?.value).toBe('542d240129883c019e106e3b1b2d3f3cb3537c43c425364de8e951d5a3083345');
    const ph = normalizeIdentifier({ type: 'phone', value: '+44 844 412 4653' });
    expect(ph.ok && hashIdentifierSync({ type: 'phone', value: ph.value.value.slice(1) })?.value).toMatch(/^dc008fda46e2e64002cf2f82a4906236282d4/);
    // TikTok customer file (https://ads.tiktok.com/help/preview?content_id=5gcDeV2ckkwNVh1BedxvSJ): `janedoe@gmail.com` → d6117306….
    const jd = normalizeEmail(' JaneDoe@Gmail.com');
    expect(jd.ok && hashIdentifierSync({ type: 'email', value: jd.value })?.value).toBe('d6117306485ed0e50afab3ac871e98f81699151f30281527d63ff5f233656c69');
    // The same page's phone example `+37493828222` → 65b7e6dc…: the hash of the digits, without the `+`.
    const am = normalizePhone('+374 93 828222');
    expect(am.ok && hashIdentifierSync({ type: 'phone', value: am.value.slice(1) })?.value).toBe('65b7e6dcf6f4310f8d7cbfbd78289a753062fb054d6664fb9aaac5df66a422d4');
    // Google Customer Match / Enhanced Conversions keep the `+` (E.164 as normalised here).
    expect(am.ok && hashIdentifierSync({ type: 'phone', value: am.value })?.value).toBe('241371e614f8650dfae0f111361c69de1bb4829a72b71bb8044daae8b2e7791d');
    // Meta Conversions API, customer information parameters: `John_Smith@gmail.com` → 62a14e44…; the US number
    // `(650)555-1212` → `16505551212` (country code, no `+`) → e323ec62….
    const js = normalizeEmail(' John_Smith@gmail.com ');
    expect(js.ok && hashIdentifierSync({ type: 'email', value: js.value })?.value).toBe('62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f');
    const us = normalizePhone('(650)555-1212', 'US');
    expect(us.ok && hashIdentifierSync({ type: 'phone', value: us.value.slice(1) })?.value).toBe('e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176');
    // Google Data Manager API, "Format user data": `(800)555-0100` → `+18005550100`; on gmail.com and googlemail.com the
    // dots and the `+tag` go (`cloudy.sanfrancisco+shopping@gmail.com` → `cloudysanfrancisco@gmail.com`), elsewhere
    // both stay (`user.name+NYC@Example.com` → `user.name+nyc@example.com`).
    expect(normalizePhone('(800)555-0100', 'US')).toEqual({ ok: true, value: '+18005550100' });
    expect(normalizeEmail('cloudy.sanfrancisco+shopping@gmail.com', { providerRules: true })).toEqual({ ok: true, value: 'cloudysanfrancisco@gmail.com' });
    expect(normalizeEmail('user.name+NYC@Example.com', { providerRules: true })).toEqual({ ok: true, value: 'user.name+nyc@example.com' });
  });

  it('hashIdentifierSync gives the same answers without the promise, and the same error thrown', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('email', 'phone', 'cookie_id', 'email_sha256'), fc.string({ unit: 'binary', maxLength: 80 }), async (type, value) => {
        const id = { type, value };
        expect(hashIdentifierSync(id)).toEqual(await hashIdentifier(id));
        if (type === 'email' || type === 'phone') expect(hashIdentifierSync(id)!.value).toBe(createHash('sha256').update(new TextEncoder().encode(value)).digest('hex'));
      }),
    );
    for (const bad of [null, 'x', { type: 'email' }, { type: 3, value: 'a' }]) {
      expect(() => hashIdentifierSync(bad as never)).toThrow(expect.objectContaining({ name: 'CrossChannelError', code: 'INPUT_INVALID' }));
      await expect(hashIdentifier(bad as never)).rejects.toMatchObject({ name: 'CrossChannelError', code: 'INPUT_INVALID' });
    }
  });
});

describe('normalizeValue options', () => {
  it('names a bad defaultCountry or phone library under options (was at `defaultCountry` / `phone`, normalizePhone\'s own arguments)', () => {
    expect(normalizeValue('phone', '06 12 34 56 78', 'phone', { defaultCountry: 'FR' })).toBe('+33612345678');
    expect(() => normalizeValue('phone', '06 12 34 56 78', 'phone', { defaultCountry: 33 } as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'options.defaultCountry' }));
    expect(() => normalizeValue('phone', '06 12 34 56 78', 'phone', { phone: {} } as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'options.phone.parsePhoneNumberFromString' }));
  });
});

describe('emails and verbatim values at the edges of their syntax', () => {
  it('accepts an internationalised top-level domain in its ASCII form (it was refused: the TLD had to be letters)', () => {
    expect(normalizeEmail('Ada@Example.XN--P1AI')).toEqual({ ok: true, value: 'ada@example.xn--p1ai' });
    expect(normalizeEmail('ada@xn--mller-kva.xn--p1ai')).toEqual({ ok: true, value: 'ada@xn--mller-kva.xn--p1ai' });
    // A label never ends with a hyphen (RFC 5890 §2.3.1, LDH), the TLD included: it was accepted before.
    expect(normalizeEmail('ada@example.xn--p1ai-').ok).toBe(false);
    expect(normalizeEmail('ada@example.xn--a-').ok).toBe(false);
    expect(normalizeEmail(`ada@example.xn--${'a'.repeat(59)}`)).toEqual({ ok: true, value: `ada@example.xn--${'a'.repeat(59)}` });
    expect(normalizeEmail(`ada@example.xn--${'a'.repeat(60)}`).ok).toBe(false);
    expect(normalizeEmail('ada@example.x1').ok).toBe(false);
  });
  it('refuses C1 control characters in verbatim values, as it refuses C0 ones', () => {
    for (const c of ['\u0085', '\u0080', '\u009f', '\u0007']) {
      expect(normalizeIdentifier({ type: 'device_id', value: `a${c}b` })).toMatchObject({ ok: false, error: { code: 'IDENTITY_CONTROL_CHARACTERS' } });
    }
    expect(normalizeIdentifier({ type: 'device_id', value: 'a\u00a0b' }).ok).toBe(true);
  });
  it('refuses lone surrogates in verbatim values (PostgreSQL and Redis read each as U+FFFD: two identifiers became one), keeps pairs', () => {
    for (const v of ['a\ud800', '\udbffb', '\udc00\ud83d']) {
      expect(normalizeIdentifier({ type: 'device_id', value: v })).toMatchObject({ ok: false, error: { code: 'IDENTITY_CONTROL_CHARACTERS' } });
    }
    expect(normalizeIdentifier({ type: 'device_id', value: 'a😀b' })).toEqual({ ok: true, value: { type: 'device_id', value: 'a😀b' } });
  });
});
