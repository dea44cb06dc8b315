// The chart builders: layout maths (treemap areas, bar lengths, flow bands), escaping, accessibility.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { squarify, treemapSvg } from '../../src/web/charts/treemap.ts';
import { barChartSvg, barLayout } from '../../src/web/charts/bars.ts';
import { flowChartSvg, flowLayout, type Flow } from '../../src/web/charts/flow.ts';
import { contrast, esc, fit, PALETTE, textOn, WHITE } from '../../src/web/charts/svg.ts';

const EPS = 1e-6;

/** A small deterministic pseudo-random sequence (no Math.random: a failure must be reproducible). */
function values(seed: number, count: number): number[] {
  let x = seed;
  return Array.from({ length: count }, () => { x = (x * 1103515245 + 12345) % 2147483648; return 1 + (x % 100000) * (x % 7 === 0 ? 50 : 1); });
}

function checkTiling(vals: number[], bounds: { x: number; y: number; w: number; h: number }) {
  const cells = squarify(vals, (v) => v, bounds);
  const positive = vals.filter((v) => v > 0);
  assert.equal(cells.length, positive.length);
  const total = positive.reduce((s, v) => s + v, 0);
  const area = bounds.w * bounds.h;
  let covered = 0;
  for (const c of cells) {
    // Inside the bounds.
    assert.ok(c.x >= bounds.x - EPS && c.y >= bounds.y - EPS, `origin inside: ${JSON.stringify(c)}`);
    assert.ok(c.x + c.w <= bounds.x + bounds.w + EPS && c.y + c.h <= bounds.y + bounds.h + EPS, `far corner inside: ${JSON.stringify(c)}`);
    assert.ok(c.w > 0 && c.h > 0);
    // Area proportional to value.
    assert.ok(Math.abs(c.w * c.h - (c.value / total) * area) < 1e-6 * area, `area of ${c.value}: ${c.w * c.h} vs ${(c.value / total) * area}`);
    covered += c.w * c.h;
  }
  assert.ok(Math.abs(covered - area) < 1e-6 * area, 'the rectangles fill the bounds');
  // No two rectangles overlap (beyond floating point).
  for (let i = 0; i < cells.length; i++) {
    for (let j = i + 1; j < cells.length; j++) {
      const a = cells[i], b = cells[j];
      const ox = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
      const oy = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
      assert.ok(ox <= 1e-6 || oy <= 1e-6, `cells ${i} and ${j} overlap`);
    }
  }
  return cells;
}

describe('treemap layout (squarified)', () => {
  test('the classic example from the paper: areas proportional, inside, no overlap', () => {
    const cells = checkTiling([6, 6, 4, 3, 2, 2, 1], { x: 0, y: 0, w: 6, h: 4 });
    // The paper's layout: the two 6s stacked in a column 3 wide on the left.
    assert.deepEqual(cells.slice(0, 2).map((c) => [c.x, c.y, c.w, c.h]), [[0, 0, 3, 2], [0, 2, 3, 2]]);
  });

  test('many random sets of values, in wide, tall and offset bounds', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const vals = values(seed, 1 + (seed % 25));
      checkTiling(vals, { x: 0, y: 0, w: 960, h: 480 });
      checkTiling(vals, { x: 10, y: 20, w: 200, h: 700 });
    }
  });

  test('rectangles stay near square (the point of squarifying)', () => {
    const cells = squarify(Array.from({ length: 16 }, () => 1), (v) => v, { x: 0, y: 0, w: 400, h: 400 });
    for (const c of cells) assert.ok(Math.max(c.w / c.h, c.h / c.w) < 2.01, `aspect ${c.w}x${c.h}`);
  });

  test('zero, negative and non-finite values get no area; the largest comes first', () => {
    const cells = checkTiling([5, 0, -3, Number.NaN, 10], { x: 0, y: 0, w: 100, h: 50 });
    assert.deepEqual(cells.map((c) => c.value), [10, 5]);
    assert.deepEqual(squarify([0, -1], (v) => v, { x: 0, y: 0, w: 10, h: 10 }), []);
  });

  test('the SVG has one rectangle per positive item, names the rest in its description', () => {
    const svg = treemapSvg([{ label: 'Health', value: 600_00 }, { label: 'Policing', value: 400_00 }, { label: 'Refunds', value: -5_00 }], { id: 't1', title: 'Spend by theme' });
    assert.equal((svg.match(/<rect /g) ?? []).length, 2);
    assert.match(svg, /<desc id="t1-desc">Treemap of 2 parts totalling £1k;.*Health £600 \(60\.0%\); Policing £400 \(40\.0%\)\. Not shown, as zero or negative: Refunds -£5\.<\/desc>/);
  });
});

describe('bar chart', () => {
  test('bar lengths are proportional to the values, from a shared zero line', () => {
    const bars = barLayout([100, 50, 25], 300, 700);
    assert.deepEqual(bars.map((b) => [b.x, b.w]), [[300, 400], [300, 200], [300, 100]]);
    const mixed = barLayout([300, -100], 0, 400);
    assert.equal(mixed[0].zero, 100);
    assert.deepEqual(mixed.map((b) => [b.x, b.w]), [[100, 300], [0, 100]]);
    // Bars do not overlap vertically.
    assert.ok(mixed[0].y + mixed[0].h <= mixed[1].y);
  });

  test('every bar is labelled with its name and value as text', () => {
    const svg = barChartSvg([{ label: 'Acute / reactive', value: 123_456_78 }, { label: 'Early intervention', value: 9_00 }], { id: 'b', title: 'By prevention level' });
    assert.match(svg, />Acute \/ reactive</);
    assert.match(svg, />£123k</);
    assert.match(svg, />£9</);
    assert.match(svg, /Bar chart of 2 bars: Acute \/ reactive £123k; Early intervention £9\./);
  });
});

describe('flow chart', () => {
  const flows: Flow[] = [
    { from: 'ICB', from_name: 'The ICB', to: 'CC', to_name: 'The county', pence: 900_00, netted: true },
    { from: 'ICB', from_name: 'The ICB', to: 'DC', to_name: 'The district', pence: 100_00, netted: false },
    { from: 'CC', from_name: 'The county', to: 'DC', to_name: 'The district', pence: 300_00, netted: true },
  ];

  test('band thickness is proportional to the money; a node is as tall as its bands', () => {
    const l = flowLayout(flows);
    const t = new Map(l.bands.map((b) => [`${b.flow.from}>${b.flow.to}`, b.t]));
    assert.ok(Math.abs(t.get('ICB>CC')! / t.get('CC>DC')! - 3) < EPS);
    assert.ok(Math.abs(t.get('ICB>CC')! / t.get('ICB>DC')! - 9) < EPS);
    const icb = l.left.find((x) => x.code === 'ICB')!;
    assert.ok(Math.abs(icb.h - t.get('ICB>CC')! - t.get('ICB>DC')!) < EPS);
    // Each band starts inside its payer and ends inside its payee; bands of one node do not overlap.
    for (const b of l.bands) {
      const from = l.left.find((x) => x.code === b.flow.from)!, to = l.right.find((x) => x.code === b.flow.to)!;
      assert.ok(b.y0 >= from.y - EPS && b.y0 + b.t <= from.y + from.h + EPS);
      assert.ok(b.y1 >= to.y - EPS && b.y1 + b.t <= to.y + to.h + EPS);
    }
    const fromIcb = l.bands.filter((b) => b.flow.from === 'ICB').sort((a, b) => a.y0 - b.y0);
    assert.ok(fromIcb[0].y0 + fromIcb[0].t <= fromIcb[1].y0 + EPS);
  });

  test('labels say who pays whom and what was not netted, without relying on colour', () => {
    const svg = flowChartSvg(flows, { id: 'f', title: 'Money between bodies' });
    assert.match(svg, /pays £1k/);
    assert.match(svg, /receives £400/);
    assert.match(svg, /stroke-dasharray/);
    assert.match(svg, /The ICB to The district £100 \(not netted\)/);
    assert.match(svg, /3 payment flows between bodies, £1k in all, of which £1k netted/);
  });
});

describe('escaping and accessibility', () => {
  test('esc escapes markup and quotes', () => {
    assert.equal(esc(`<script>alert("x")</script> & 'y'`), '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;');
  });

  test('labels and titles with markup are escaped in every chart', () => {
    const evil = '<script>alert(1)</script>';
    const charts = [
      treemapSvg([{ label: evil, value: 10 }, { label: 'ok', value: 5 }], { id: 'x"y', title: evil }),
      barChartSvg([{ label: evil, value: 10 }], { id: 'b', title: evil }),
      flowChartSvg([{ from: 'A', from_name: evil, to: 'B', to_name: evil, pence: 100, netted: true }], { id: 'f', title: evil }),
    ];
    for (const svg of charts) {
      assert.doesNotMatch(svg, /<script/);
      assert.match(svg, /&lt;script&gt;/);
      assert.doesNotMatch(svg, /id="x"y/);
    }
  });

  test('every chart is an image with a title and a description, sized by its viewBox, with no inline style', () => {
    for (const svg of [
      treemapSvg([{ label: 'a', value: 1 }], { id: 'a', title: 'T' }),
      barChartSvg([], { id: 'b', title: 'B' }),
      flowChartSvg([], { id: 'c', title: 'C' }),
    ]) {
      assert.match(svg, /^<svg [^>]*role="img"[^>]*aria-labelledby="(\w)-title \1-desc"/);
      assert.match(svg, /viewBox="0 0 \d+ \d+"/);
      assert.doesNotMatch(svg, /<svg [^>]*\b(width|height)=/);
      assert.match(svg, /<title id="\w-title">[^<]+<\/title><desc id="\w-desc">[^<]+<\/desc>/);
      assert.doesNotMatch(svg, /style=|<style/);
    }
  });

  test('palette colours stand out from the page (3:1) and carry their labels (4.5:1)', () => {
    for (const c of PALETTE) {
      assert.ok(contrast(c, WHITE) >= 3, `${c} against white: ${contrast(c, WHITE).toFixed(2)}`);
      assert.ok(contrast(c, textOn(c)) >= 4.5, `${c} with ${textOn(c)}: ${contrast(c, textOn(c)).toFixed(2)}`);
    }
    assert.equal(Math.round(contrast('#000000', '#ffffff')), 21);
  });

  test('long labels are cut with an ellipsis to fit', () => {
    assert.equal(fit('Mental health and learning disability', 120, 10), 'Mental health and l…');
    assert.equal(fit('Short', 120, 10), 'Short');
  });
});
