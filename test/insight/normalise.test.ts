// Supplier names as published -> matching keys; identifiers in one form; word and name similarity.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { supplierKey, companyNumber, charityNumber, vatNumber } from '../../src/insight/normalise.ts';
import { fuzzyScore, wordFrequencies, wordSimilarity, trigramDice, type KeyInfo } from '../../src/insight/resolve.ts';

const key = (name: string) => supplierKey(name).key;

test('case, punctuation, "&"/"and", legal forms, "the" and spacing are set aside', () => {
  const same = [
    ['THOMSON REUTERS PROFESSIONAL UK LTD', 'Thomson Reuters Professional (UK) Limited', 'thomson reuters professional'],
    ['ADT Fire & Security PLC', 'ADT Fire And Security Plc', 'adt fire security'],
    ['The Knowledge Academy Ltd', 'the knowledge academy limited', 'knowledge academy'],
    ['B&M RETAIL LTD', 'B And M Retail', 'bm retail'],
    ['L A C CLEANING CONTRACTORS LIMITED', 'LAC Cleaning Contractors Ltd', 'lac cleaning contractors'],
    ['BIG YELLOW SELF STORAGE CO LTD', 'BIG YELLOW SELF STORAGE COMPANY LTD', 'big yellow self storage'],
    ["Barnardo's", 'BARNARDOS', 'barnardos'],
    ['Astor-Bannerman (Medical)Ltd', 'Astor-Bannerman (Medical) Ltd', 'astor bannerman medical'],
    ['Kpmg Llp', 'KPMG', 'kpmg'],
    ['Signis Group Ltd', 'Signis Ltd', 'signis'],
    ['Survey Monkey Europe Uc', 'SURVEY MONKEY', 'survey monkey'],
    ['Pilkington Bros (Church) Ltd', 'Pilkington Brothers (Church) Ltd', 'pilkington brothers church'],
    ['Freight Transport Assoc', 'Freight Transport Association', 'freight transport association'],
  ];
  for (const [a, b, k] of same) {
    assert.equal(key(a), k, a);
    assert.equal(key(b), k, b);
  }
});

test('a holding company keeps its word: "X Holdings Ltd" is not "X Ltd"', () => {
  assert.equal(key('SFL MOBILE RADIO HOLDINGS LTD'), 'sfl mobile radio holdings');
  assert.equal(key('sfl mobile radio ltd'), 'sfl mobile radio');
  assert.notEqual(key('WITHERSLACK GROUP (HOLDINGS) LTD'), key('WITHERSLACK GROUP LIMITED'));
});

test('notes, references, web addresses and card descriptors are set aside', () => {
  assert.equal(key('LANPAC LTD [211594]'), 'lanpac');
  assert.equal(key('Advinia Care Homes Ltd Re West Ridings Care Home'), 'advinia care homes');
  assert.equal(key('Fenn Wright LLP (Colchester)'), 'fenn wright');
  assert.equal(key('armada training solutions ltd 01'), 'armada training solutions');
  assert.equal(key('Water Plus - 4082158321 Park Entrance Peel Park Av'), 'water plus');
  assert.equal(key('OVERTON PARK SURGERY (L84041)'), 'overton park surgery');
  assert.equal(key('NEC SOFTWARE SOLUTIONS (FORMERLY NORTHGATE PUBLIC SERVICES (UK) LTD)'), 'nec software solutions');
  assert.equal(key('WWW.SCREWFIX.COM'), 'screwfix');
  assert.equal(key('AMAZON.CO.UK*2E7X514Q5 AM'), 'amazon');
  assert.equal(key('SQ *THE COFFEE HOUSE'), 'coffee house');
  assert.equal(key('Egton Med Info Systems Ltd (EMIS)'), 'egton med info systems');
  // A bracketed note is dropped; a reference number and what follows it are cut off, so that key stops short of the name's end.
  assert.equal(supplierKey('LANPAC LTD [211594]').whole, true);
  assert.equal(supplierKey('ico 110723 2').whole, false);
});

test('"trading as" and "care of": the legal name is the key, the trading name is kept', () => {
  const k = supplierKey('DH People Plus Ltd t/a Driver Hire');
  assert.equal(k.key, 'dh people plus');
  assert.equal(k.tradingAs, 'driver hire');
  assert.equal(k.whole, false);
  assert.equal(supplierKey('freight transport association t/a logistics uk').tradingAs, 'logistics');
  assert.equal(supplierKey('ALPHA INVESTMENTS (NW) LTD C/O BLUEMANTLE LTD').key, 'alpha investments nw');
  assert.equal(supplierKey('Brightteach T/A Brightteach Ltd').tradingAs, null);
});

test('a name ending inside a bracket was cut short by its file', () => {
  assert.equal(supplierKey('Warwick Ward (Machiner').cut, true);
  assert.equal(supplierKey('Warwick Ward (Machinery) Ltd').cut, false);
});

test('company, charity and VAT numbers in one form; placeholders are not numbers', () => {
  assert.equal(companyNumber('385080'), '00385080');
  assert.equal(companyNumber('02644726'), '02644726');
  assert.equal(companyNumber('sc 123456'), 'SC123456');
  assert.equal(companyNumber('0'), null);
  assert.equal(companyNumber('N/A'), null);
  assert.equal(charityNumber('1089464'), '1089464');
  assert.equal(charityNumber('SC012345'), 'SC012345');
  assert.equal(charityNumber('12'), null);
  assert.equal(vatNumber('GB320059642'), '320059642');
  assert.equal(vatNumber('GB 320 0596 42'), '320059642');
  assert.equal(vatNumber('320059642000'), '320059642');
  assert.equal(vatNumber('NA'), null);
  assert.equal(vatNumber('000000000'), null);
});

test('word similarity: plurals, abbreviations, one slip; never digits', () => {
  assert.equal(wordSimilarity('home', 'homes', true), 1);
  assert.equal(wordSimilarity('nursery', 'nurseries', true), 1);
  assert.equal(wordSimilarity('inst', 'institute', true), 0.9);
  assert.equal(wordSimilarity('inst', 'institute', false), 0);
  assert.equal(wordSimilarity('enviromental', 'environmental', true), 0.85);
  assert.equal(wordSimilarity('cnetre', 'centre', true), 0.85);
  assert.equal(wordSimilarity('hursing', 'nursing', true), 0.85);
  assert.equal(wordSimilarity('plant', 'plast', true), 0, 'one wrong letter in a five-letter word is another word');
  assert.equal(wordSimilarity('opco4', 'opco5', true), 0);
  assert.equal(wordSimilarity('dove', 'dovetail', true), 0.9);
  assert.ok(trigramDice('screwfix', 'screwfix') === 1 && trigramDice('abc', 'xyz') === 0);
});

test('fuzzy score: every word must be accounted for; abbreviations lean on a rarer same word', () => {
  const info = (name: string, truncated = false): KeyInfo => ({ ...supplierKey(name), truncated });
  const others = ['Care Solutions Ltd', 'Quality Care Ltd', 'Home Care Ltd', 'Care Partners', 'Care First', 'Your Choice Ltd', 'Your Move'];
  const names = ['Capita Property & Infrastr Ltd', 'Capita Property & Infrastructure', 'Dove Care Limited', 'Dovetail Care', 'Balmers GM Ltd', 'Balmers Garden Machinery', 'Reed Specialist Recrui', 'Reed Specialist Recruitment Ltd', 'Alpha Beta Ltd', 'Alpha Beta Gamma Ltd'];
  const freq = wordFrequencies([...names, ...others].map((n) => supplierKey(n).tokens));
  const score = (a: string, b: string, cutA = false) => fuzzyScore(info(a, cutA), info(b), freq);
  assert.ok(score('Capita Property & Infrastr Ltd', 'Capita Property & Infrastructure') >= 0.8);
  assert.equal(score('Dove Care Limited', 'Dovetail Care'), 0, '"care" is in many other names, "dovetail" in none');
  assert.ok(score('Balmers GM Ltd', 'Balmers Garden Machinery') >= 0.8, 'an acronym of the other name\'s words');
  assert.equal(score('Alpha Beta Ltd', 'Alpha Beta Gamma Ltd'), 0, 'an extra word is another organisation');
  assert.equal(score('Reed Specialist Recrui', 'Reed Specialist Recruitment Ltd', false) >= 0.8, true, 'the last word abbreviated');
  assert.ok(score('Alpha Beta Ltd', 'Alpha Beta Gamma Ltd', true) >= 0.8, 'a name cut short by its file may lack the last words');
});
