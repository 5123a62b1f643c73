import realStringWidth from 'string-width';
import { expect, it } from 'vitest';
import stringWidth from '../../src/report/string-width.js';

it('measures terminal text like the string-width package it stands in for', () => {
  const samples = ['', 'hermit run claude-agent', '\x1b[31m✗ FAIL\x1b[0m', '✓ ok — rejected', '↓ ❯ ✔ ✖', '日本語', 'a\u0301', 'tab\there', '🚀 go'];
  for (const s of samples) expect({ s, width: stringWidth(s) }).toEqual({ s, width: realStringWidth(s) });
});
