import { describe, expect, it } from 'vitest';
import { parseAgent } from './user-agent.ts';

describe('parseAgent', () => {
  it('names scripts by their product, never "Browser"', () => {
    expect(parseAgent('python-requests/2.31.0')).toEqual({
      family: 'python-requests',
      description: 'python-requests 2.31.0',
    });
    expect(parseAgent('curl/8.5.0')).toEqual({ family: 'curl', description: 'curl 8.5.0' });
  });

  it('names an app by its own agent, with the OS', () => {
    expect(parseAgent('AcmeMobile/4.2.1 (iPhone; iOS 18.1; Scale/3.00)')).toEqual({
      family: 'AcmeMobile',
      description: 'AcmeMobile 4.2.1 on iOS 18.1',
    });
  });

  it('tells ChromeOS from Chrome, and Safari on iOS', () => {
    expect(
      parseAgent(
        'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
      )?.description,
    ).toBe('Chrome 126 on ChromeOS');
    expect(
      parseAgent(
        'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
      ),
    ).toEqual({ family: 'Safari', description: 'Safari 18 on iOS 18.1' });
  });

  it('is null for no agent', () => {
    expect(parseAgent(null)).toBeNull();
    expect(parseAgent('')).toBeNull();
  });
});
