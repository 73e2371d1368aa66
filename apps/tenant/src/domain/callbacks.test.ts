import { describe, expect, it } from 'vitest';
import { runsScript } from './callbacks.ts';

describe('runsScript', () => {
  it.each([
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    'data:text/html,<script>1</script>',
    'vbscript:msgbox',
    'file:///etc/passwd',
  ])('is true for %s', (url) => {
    expect(runsScript(url)).toBe(true);
    expect(runsScript(new URL(url))).toBe(true);
  });

  it('reads the scheme as a URL parser does: leading controls and spaces dropped, tabs and newlines within ignored', () => {
    expect(runsScript('\u0000 \tjavascript:alert(1)')).toBe(true);
    expect(runsScript('java\tscr\nipt:alert(1)')).toBe(true);
    expect(runsScript('java\rscript:alert(1)')).toBe(true);
  });

  it.each([
    'https://app.test/callback',
    'http://localhost:3000/cb',
    'com.example.app://callback',
    'myapp:/cb',
    'relative/path',
    '',
  ])('is false for %j', (url) => {
    expect(runsScript(url)).toBe(false);
  });

  it('does not take a look-alike scheme for one of them', () => {
    expect(runsScript('javascripts:alert(1)')).toBe(false);
    expect(runsScript('https://example.test/javascript:alert(1)')).toBe(false);
  });
});
