import { describe, expect, it } from 'vitest';
import { capHtmlDepth } from '../../../src/channels/email/text/html-depth.js';
import { htmlToPlainText } from '../../../src/channels/email/text/text-body.js';

describe('HTML nesting bound', () => {
  it('leaves ordinary mail HTML as it is (comments aside)', () => {
    const html = '<html><head><style>p { color: red } a<b</style></head><body><div class="x"><p>Hi <b>there</b>,<br/>my card <i>ending 4242</i></p><img src="a.png"><table><tr><td>1</td></tr></table></div><!-- tracking --></body></html>';
    expect(capHtmlDepth(html)).toBe(html.replace('<!-- tracking -->', ''));
  });

  it('keeps the words of markup nested far deeper than the bound, and the result stays shallow', () => {
    const html = `${'<div><span>'.repeat(5000)}deep words${'</span></div>'.repeat(5000)}<p>after</p>`;
    const capped = capHtmlDepth(html, 10);
    expect(capped.match(/<div>/g)?.length).toBe(5);
    expect(htmlToPlainText(html)).toContain('deep words');
    expect(htmlToPlainText(html)).toContain('after');
  });

  it('does not count void or self-closed elements as nesting, and keeps raw text out of the tag scan', () => {
    const html = `${'<br><img src=x><input/>'.repeat(1000)}<p>ok</p><script>if (a < b) { "<div>".repeat(9) }</script>`;
    expect(capHtmlDepth(html, 2)).toBe(html);
  });

  it('is linear on hostile input: unterminated comments, lone brackets and unclosed raw-text elements', () => {
    for (const html of ['<!--'.repeat(300_000), '<a'.repeat(300_000), `<style>${'<'.repeat(500_000)}`, '<div '.repeat(200_000)]) {
      const started = performance.now();
      capHtmlDepth(html);
      expect(performance.now() - started).toBeLessThan(500);
    }
  });
});
