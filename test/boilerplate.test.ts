import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyLine, classifyLines } from '../src/corpus/boilerplate.js';

describe('classifyLine', () => {
  const cases: [string, string][] = [
    ['Sign Up', 'newsletter'],
    ["Get the New Statesman's Morning Call email.", 'newsletter'],
    ['Sign up for our daily email update ‘Breakfast in Red’', 'newsletter'],
    ['Subscribe to our weekly newsletter', 'newsletter'],
    ['Free trial CSS', 'subscription'],
    ['credit: Rohin Francis/Flickr', 'photo'],
    ['Photo: Reuters', 'photo'],
    ['Marchers on Whitehall (Pic: Guy Smallman)', 'photo'],
    ["Junior doctors' picket outside UCLH. Photo: Yannis Gourtsoyannis", 'photo'],
    ['Downloading PDF. Please wait... Issue 2502', 'banner'],
    ['This article is over 7 years, 11 months old', 'banner'],
    ['Issue 2502', 'banner'],
    ['Please enter your comment!', 'comments'],
    ['Please enter your name here', 'comments'],
    ['Leave a Reply', 'comments'],
    ['Make a donation to Socialist Worker', 'donation'],
    ['Help fund the resistance', 'donation'],
    ['Latest News', 'navigation'],
    ['Related Articles', 'navigation'],
  ];
  for (const [line, kind] of cases) {
    it(`drops "${line}" as ${kind}`, () => assert.equal(classifyLine(line), kind));
  }

  const real = [
    'Faced with this onslaught of attacks junior doctors decided enough is enough – and they voted overwhelmingly (98 per cent) in favour of industrial action.',
    'Doctors were talking about escalating to continuous action.',
    'The walkout was a sign of things shifting against the Tories.',
    'Cameron Panting was formerly National Organiser for Counterfire.',
    'Hospital staff donate their time to the union’s newsletter every week, and the photo desk credits them.',
    'Strikers and their supporters march',
    'The credit for that goes to the BMA.',
  ];
  for (const line of real) {
    it(`keeps the real paragraph "${line.slice(0, 50)}…"`, () => assert.equal(classifyLine(line), undefined));
  }
});

describe('classifyLines', () => {
  it('drops an uncredited caption when the next line repeats it with a credit', () => {
    const verdicts = classifyLines([
      'A march on Downing Street',
      'A march on Downing Street (Pic: Guy Smallman)',
      'Real text.',
    ]);
    assert.deepEqual(
      verdicts.map((verdict) => verdict.boilerplate),
      ['photo', 'photo', undefined],
    );
  });

  it('treats everything from the first reader comment or comment form on as the comment section', () => {
    const verdicts = classifyLines([
      'The last real paragraph.',
      '',
      '  1. I support JD,s to the moon and back.',
      '  2. Another reader says something.',
      'Please enter your comment!',
      'Please enter your name here',
    ]);
    assert.deepEqual(
      verdicts.map((verdict) => verdict.boilerplate),
      [undefined, undefined, 'comments', 'comments', 'comments', 'comments'],
    );
  });

  it('does not take an indented numbered list inside the article for comments', () => {
    const verdicts = classifyLines([
      'Demands:',
      '  1. Fund the NHS.',
      '  2. Drop the contract.',
      'The strike goes on.',
    ]);
    assert.ok(verdicts.every((verdict) => verdict.boilerplate === undefined));
  });

  it('keeps a whole article whose first line is the section label "Comment"', () => {
    const verdicts = classifyLines([
      'Comment',
      'Why the junior doctors are right',
      'The contract is unsafe, and everyone in the NHS knows it.',
      'That is why they strike.',
    ]);
    assert.deepEqual(
      verdicts.map((verdict) => verdict.boilerplate),
      ['navigation', undefined, undefined, undefined],
    );
  });

  it('keeps a numbered list that ends an article when no comment form follows it', () => {
    const verdicts = classifyLines(['What the BMA asks for:', '  1. A safe rota.', '  2. Fair pay for weekends.']);
    assert.ok(verdicts.every((verdict) => verdict.boilerplate === undefined));
  });

  it('keeps a long paragraph that starts with "Photo:" or ends with a credit in brackets', () => {
    const long = `Photo: ${'the picket line grew all morning as nurses, porters and patients joined the doctors '.repeat(4)}`;
    assert.equal(classifyLine(long), undefined);
    assert.equal(classifyLine('Photo: Guy Smallman'), 'photo');
    const credited = `${'A long paragraph about the strike and the contract that goes on and on. '.repeat(5)}(Pic: Guy Smallman)`;
    assert.equal(classifyLine(credited), undefined);
  });
});
