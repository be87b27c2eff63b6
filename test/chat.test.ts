import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  analyseQuestion,
  clippingExpansions,
  correctSpelling,
  functionWordTypo,
  oneEditAway,
  termCoverage,
  typoCorrection,
  unknownNames,
} from '../src/retrieval/query-terms.js';
import { plainQuestion } from '../src/text/chat.js';
import { terms } from '../src/text/terms.js';
import { lexicalIndexOf } from './helpers/lexical.js';

const passage = 'The government said 98 per cent of junior doctors voted to strike over the new contract.';

describe('plainQuestion', () => {
  const readAs = (plain: string, wrappedOnes: string[]) => {
    for (const wrapped of wrappedOnes) assert.equal(plainQuestion(wrapped), plain, wrapped);
  };

  it('drops greetings, thanks and requests around the question', () => {
    readAs('how many doctors voted to strike?', [
      'hey bot, quick question: how many doctors voted to strike? thanks!',
      'hi there! can you tell me how many doctors voted to strike? thanks',
      'yo how many doctors voted to strike? cheers',
    ]);
  });

  it('drops a member greeted or thanked by name at either end, and keeps a name the question asks about', () => {
    readAs('how many doctors voted to strike?', [
      'hey Siobhan, how many doctors voted to strike?',
      'Hi Priyanka how many doctors voted to strike?',
      'how many doctors voted to strike? thanks Priyanka',
      "how many doctors voted to strike? cheers Siobhan O'Neill!",
      'how many doctors voted to strike? thx Kwame',
    ]);
    for (const asked of [
      'Did the BMA thank Labour?',
      'How many fans cheers Ashworth?',
      'Who did Hunt thank Corbyn for?',
    ]) {
      readAs(asked, [asked]);
    }
  });

  it('drops mentions of members, roles and channels, typed or as Discord writes them', () => {
    assert.equal(plainQuestion('@Ann how many doctors voted to strike?'), 'how many doctors voted to strike?');
    assert.equal(
      plainQuestion('<@123456789012345678> <@&222> <#333> how many doctors voted to strike?'),
      'how many doctors voted to strike?',
    );
  });

  it("spells out chat abbreviations and keeps the rest of the asker's words", () => {
    assert.equal(
      plainQuestion('has the govt slagged off teachers n nurses before'),
      'has the government slagged off teachers and nurses before',
    );
    assert.equal(plainQuestion('wat did ppl say abt it'), 'what did people say about it');
    assert.equal(plainQuestion('wen did the drs walk out 2day'), 'when did the doctors walk out today');
    assert.equal(
      plainQuestion('who took the pic, shud i ask the dept'),
      'who took the picture, should i ask the department',
    );
  });

  it('drops apologies for asking and slang fillers, and spells out "re" and "vs"', () => {
    readAs('how many doctors voted to strike', [
      'sorry if dumb q but how many doctors voted to strike',
      'sorry to bother u, how many doctors voted to strike lowkey',
      'bruh how many doctors voted to strike innit',
      'how many doctors voted to strike fr',
      'kinda how many doctors voted to strike',
    ]);
    assert.equal(plainQuestion('wat did hunt say re the contract'), 'what did hunt say about the contract');
    assert.equal(plainQuestion('score in wales vs italy'), 'score in wales against italy');
    assert.deepEqual(terms(plainQuestion('ngl does any1 know why the docs quit rn tho, jw')), ['doc', 'quit']);
  });

  it('drops requests to anyone in the channel and reads chat phrasings as plain ones', () => {
    readAs('why did hunt get blamed', [
      'can someone explain why did hunt get blamed',
      'could anybody please tell me why did hunt get blamed',
      'why did hunt get blamed, lemme know',
      'any idea why did hunt get blamed',
    ]);
    assert.equal(plainQuestion('wassup, why did hunt get blamed? thanks in advance'), 'why did hunt get blamed?');
    assert.equal(plainQuestion('is it true that hunt signed the letter'), 'hunt signed the letter');
    assert.equal(plainQuestion('wats the deal w the contract'), 'what about the contract');
    assert.equal(plainQuestion('who is to blame acc to the statesman'), 'who is to blame according to the statesman');
    assert.equal(
      plainQuestion('what did they do w/ the money w/o a vote'),
      'what did they do with the money without a vote',
    );
    assert.equal(
      plainQuestion('howd the march go, wtf did hunt say atm'),
      'how did the march go, what did hunt say now',
    );
    assert.equal(plainQuestion('what is the pay deal'), 'what is the pay deal', 'a deal asked about stays');
  });

  it("spells out contractions, with or without the apostrophe, and keeps a name's possessive", () => {
    assert.equal(plainQuestion("What's the offer and who's paying?"), 'What is the offer and who is paying?');
    assert.equal(plainQuestion("why didn't they talk, can't they?"), 'why did not they talk, can not they?');
    assert.equal(plainQuestion("they'll strike, wouldve been better"), 'they will strike, would have been better');
    assert.equal(plainQuestion("What did Hunt's letter say?"), "What did Hunt's letter say?");
  });

  it('keeps a message that is nothing but a greeting as it is, so it is still a question to answer or refuse', () => {
    assert.equal(plainQuestion('thanks'), 'thanks');
  });
});

describe('question terms from chat', () => {
  const index = lexicalIndexOf([
    { label: 0, text: passage },
    { label: 1, text: 'Nurses and teachers in the camps were praised by the minister.' },
  ]);

  it('never counts conversation words against an answer', () => {
    const plain = analyseQuestion('how many doctors voted to strike?', index);
    const chatty = analyseQuestion('hey bot quick question how many doctors voted to strike thanks', index);
    const present = new Set(terms(passage));
    assert.equal(termCoverage(chatty, present), termCoverage(plain, present));
    assert.equal(termCoverage(chatty, present), 1);
  });

  it('reads a misspelt word one edit from a corpus word as that word, but never "corrects" an English word', () => {
    assert.ok(oneEditAway('teh').includes('the'));
    assert.equal(typoCorrection('goverment', index)?.term, 'govern');
    assert.equal(typoCorrection('docotrs', index)?.term, 'doctor');
    // "caps" is English and one edit from "camps": a corpus without it does not say what the question asks.
    assert.equal(typoCorrection('caps', index), undefined);
    const question = analyseQuestion('what did the goverment say about docotrs', index);
    assert.equal(termCoverage(question, new Set(terms(passage))), 1);
  });

  it('drops a misspelt stop or conversation word instead of weighing it as a word no passage holds', () => {
    assert.equal(functionWordTypo('thhere', index), 'there');
    assert.equal(functionWordTypo('becuase', index), 'because');
    assert.equal(functionWordTypo('thnaks', index), 'thanks');
    // A typo of a corpus word is that word; a word the corpus holds is not a typo.
    assert.equal(functionWordTypo('docotrs', index), undefined);
    assert.equal(functionWordTypo('nurses', index), undefined);
    // Nor is a typo one edit from a lesser stop word ("off", "own"): such a word is as likely a content word.
    assert.equal(functionWordTypo('offr', index), undefined);
    assert.equal(functionWordTypo('ownr', index), undefined);
    const typed = analyseQuestion('thhere was a vote abot the strike bieng called, thnaks', index);
    assert.deepEqual(
      typed.map((term) => term.term),
      analyseQuestion('there was a vote about the strike being called', index).map((term) => term.term),
    );
    assert.equal(correctSpelling('was thhere a vote', index), 'was there a vote');
    // A name is never a misspelt stop word.
    const named = analyseQuestion('What did Theo and Anya say?', index);
    assert.deepEqual(
      named.map((term) => term.term),
      ['theo', 'anya'],
    );
    assert.deepEqual(unknownNames('What did Theo and Anya say?', named, index), ['Theo', 'Anya']);
    assert.equal(correctSpelling('What did Theo say?', index), 'What did Theo say?');
  });

  it('reads a word every object inherits ("constructor") as the word it is', () => {
    const asked = 'who is the constructor of the bridge?';
    assert.equal(plainQuestion(asked), asked);
    assert.equal(plainQuestion("constructorn't it"), 'constructor not it');
    assert.deepEqual(clippingExpansions('constructor', index), []);
    assert.deepEqual(
      analyseQuestion(asked, index).map((term) => term.term),
      ['constructor', 'bridg'],
    );
  });

  it('reads a clipped word as the words it may stand for that the corpus holds, the most frequent first', () => {
    const strike = lexicalIndexOf([
      { label: 0, text: passage },
      { label: 1, text: 'The health secretary met doctors and their leaders.' },
      { label: 2, text: 'Doctors wrote to the health secretary a second time, sending documents.' },
    ]);
    assert.deepEqual(
      clippingExpansions('docs', strike).map((expansion) => expansion.word),
      ['doctors', 'documents'],
    );
    assert.deepEqual(clippingExpansions('eps', strike), []);
    const question = analyseQuestion('did the docs meet the health sec', strike);
    assert.equal(termCoverage(question, new Set(terms('The health secretary met doctors and their leaders.'))), 1);
    // Without the clipped words the question would miss its two rarest terms.
    assert.ok(termCoverage(analyseQuestion('did the docs meet the health sec', index), new Set(terms(passage))) < 1);
  });

  it('never weighs a contraction as a word no passage holds', () => {
    // As the search reads a question: plainQuestion first.
    const asked = analyseQuestion(
      plainQuestion("what's the vote and who's striking? they'll strike, didn't they"),
      index,
    );
    assert.deepEqual(
      asked.map((term) => term.term),
      ['vote', 'strike'],
    );
  });

  it('gives the embedding model a clipped word as the one word the corpus holds for it, and keeps it when two', () => {
    assert.equal(correctSpelling('why did the docs vote to strike', index), 'why did the doctors vote to strike');
    const both = lexicalIndexOf([
      { label: 0, text: passage },
      { label: 1, text: 'The documents were leaked.' },
    ]);
    assert.equal(correctSpelling('why did the docs vote to strike', both), 'why did the docs vote to strike');
  });

  it('gives the embedding model the question spelt as the corpus spells it, and nothing else changed', () => {
    assert.equal(
      correctSpelling('What did the goverment say about the docotrs, Nurses and CAMPS?', index),
      'What did the government say about the doctors, Nurses and CAMPS?',
    );
    assert.equal(correctSpelling('Goverment and goverment', index), 'Government and government');
    assert.equal(correctSpelling('GOVERMENT said', index), 'GOVERNMENT said');
    // Words with apostrophes, digits or accents stay as the asker wrote them; a capitalised word is corrected
    // like any other, as the search reads it ("Minster" is English, so no typo).
    assert.equal(
      correctSpelling("did O'Brien say Minster Docotrs wasn't goverment2 café docotrs", index),
      "did O'Brien say Minster Doctors wasn't goverment2 café doctors",
    );
    // A misspelt name becomes the name the corpus holds, typed in lower case or not: the search already reads
    // it as that name, and to the model "hallt" is word pieces that mean nothing.
    const named = lexicalIndexOf([{ label: 0, text: 'Sarah Hallet sits on the junior doctors committee.' }]);
    assert.equal(
      correctSpelling('who is sarah hallt, and is Halet a doctor', named),
      'who is sarah hallet, and is Hallet a doctor',
    );
    // English words, conversation words and words the corpus holds stay as the asker wrote them.
    assert.equal(
      correctSpelling('hey, how many caps did the minister win', index),
      'hey, how many caps did the minister win',
    );
  });
});
