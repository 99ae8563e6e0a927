import { describe, expect, it } from 'vitest';
import { KEY_TABLE, parseMainConfig, sampleConfigText } from '../../../src/core/config/index.js';

describe('sampleConfigText', () => {
  const text = sampleConfigText();

  it('contains every key of the table with its description and default', () => {
    for (const spec of KEY_TABLE) {
      const setting = spec.example !== undefined ? `\n${spec.name}: ${spec.example}\n` : `\n# ${spec.name}:`;
      expect(text).toContain(setting);
      for (const line of spec.description.split('\n')) expect(text).toContain(`# ${line}\n`);
      if (spec.default !== undefined) expect(text).toContain(`# (default ${spec.default})\n`);
    }
  });

  it('writes `# key: default` for keys without an example', () => {
    expect(text).toContain('\n# sleeptime: 60\n');
    expect(text).toContain('\n# deleter_queueprocinterval: monthly\n');
    expect(text).toContain('\n# (default 60)\n# sleeptime: 60\n');
  });

  it('parses back as it is, without warnings', () => {
    const outcome = parseMainConfig(text, '/tmp/endit.conf.sample');
    expect(outcome.warnings).toEqual([]);
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.snapshot.values.dir).toBe('/grid/pool');
    expect(outcome.snapshot.values.archiver_threshold2_usage).toBe(2000);
  });

  it('parses back with every commented default uncommented', () => {
    const uncommented = text.replace(/^# ([a-z_-]+: .+)$/gm, '$1');
    const outcome = parseMainConfig(uncommented, '/tmp/endit.conf.sample');
    expect(outcome).toMatchObject({ ok: true, warnings: [] });
  });
});
