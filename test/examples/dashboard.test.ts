import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { archiverFigures } from '../../src/archiver/figures.js';
import { deleterFigures } from '../../src/deleter/figures.js';
import { retrieverFigures } from '../../src/retriever/figures.js';

const examplesDir = path.resolve(import.meta.dirname, '../../examples');
const dashboardFile = path.join(examplesDir, 'grafana-dashboard.json');
const overridesDir = path.join(examplesDir, 'overrides');

const emitted = new Set([...archiverFigures, ...retrieverFigures, ...deleterFigures].map((f) => `endit_${f.name}`));

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asArray(value: Json | undefined): Json[] {
  return Array.isArray(value) ? value : [];
}

/** Every panel, including those nested in collapsed rows. */
function allPanels(container: JsonObject): JsonObject[] {
  return asArray(container['panels']).filter(isObject).flatMap((p) => [p, ...allPanels(p)]);
}

/** The PromQL of every panel target. */
function targetExpressions(dashboard: JsonObject): string[] {
  return allPanels(dashboard)
    .flatMap((p) => asArray(p['targets']))
    .filter(isObject)
    .map((t) => t['expr'])
    .filter((e): e is string => typeof e === 'string');
}

/** The queries of the template variables (`query` is a string or, since Grafana 10, an object). */
function templateQueries(dashboard: JsonObject): string[] {
  const templating = dashboard['templating'];
  const variables = isObject(templating) ? asArray(templating['list']).filter(isObject) : [];
  return variables.flatMap((v) => {
    const query = v['query'];
    return [query, isObject(query) ? query['query'] : undefined, v['definition']];
  }).filter((q): q is string => typeof q === 'string');
}

function metricNames(expressions: readonly string[]): string[] {
  return [...new Set(expressions.flatMap((e) => e.match(/endit_[a-z0-9_]+/g) ?? []))].sort();
}

function readJson(file: string): Json {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Json;
}

function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(path.delimiter), '/usr/bin'];
  return dirs.filter((d) => d !== '').map((d) => path.join(d, name)).find((f) => {
    try {
      fs.accessSync(f, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

describe('examples/grafana-dashboard.json', () => {
  const parsed = readJson(dashboardFile);
  const dashboard: JsonObject = isObject(parsed) ? parsed : {};
  const expressions = targetExpressions(dashboard);

  it('is a dashboard with panels that all query something', () => {
    expect(isObject(parsed)).toBe(true);
    expect(typeof dashboard['title']).toBe('string');
    expect(dashboard['schemaVersion']).toBeGreaterThanOrEqual(36);
    const panels = allPanels(dashboard);
    expect(panels.length).toBeGreaterThan(10);
    const ids = panels.map((p) => p['id']);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of panels.filter((p) => p['type'] !== 'row')) {
      expect(asArray(panel['targets']).length, String(panel['title'])).toBeGreaterThan(0);
    }
  });

  it('queries only metrics the daemons emit', () => {
    const names = metricNames([...expressions, ...templateQueries(dashboard)]);
    expect(names.length).toBeGreaterThan(20);
    expect(names.filter((n) => !emitted.has(n))).toEqual([]);
  });

  it('has a Prometheus data source variable and an hsm variable from the archiver figures', () => {
    const templating = dashboard['templating'];
    const variables = isObject(templating) ? asArray(templating['list']).filter(isObject) : [];
    const ds = variables.find((v) => v['name'] === 'DS_PROMETHEUS');
    expect(ds?.['type']).toBe('datasource');
    expect(ds?.['query']).toBe('prometheus');
    const hsm = variables.find((v) => v['name'] === 'hsm');
    expect(hsm?.['type']).toBe('query');
    expect(templateQueries({ templating: { list: hsm === undefined ? [] : [hsm] } })).toContain(
      'label_values(endit_archiver_time, hsm)',
    );
  });

  it('selects every metric by the hsm variable, through the data source variable', () => {
    for (const expr of expressions) {
      for (const m of expr.matchAll(/endit_[a-z0-9_]+(\{[^}]*\})?/g)) {
        expect(m[1], `${m[0]} in ${expr}`).toBe('{hsm=~"$hsm"}');
      }
    }
    for (const panel of allPanels(dashboard).filter((p) => p['type'] !== 'row')) {
      expect(panel['datasource'], String(panel['title'])).toEqual({ type: 'prometheus', uid: '${DS_PROMETHEUS}' });
    }
  });

  const promtool = findExecutable('promtool');
  it.skipIf(promtool === undefined)(
    `has expressions that parse as PromQL${promtool === undefined ? ' (skipped: promtool is not installed)' : ''}`,
    () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-dashboard-'));
      try {
        // Grafana substitutes $hsm before the query reaches Prometheus.
        const rules = expressions.map((e, i) => ({ record: `endit_dashboard_${i}`, expr: e.replaceAll('$hsm', '.*') }));
        const file = path.join(dir, 'rules.json'); // JSON is YAML
        fs.writeFileSync(file, JSON.stringify({ groups: [{ name: 'dashboard', rules }] }));
        const result = spawnSync(promtool ?? 'promtool', ['check', 'rules', file], { encoding: 'utf8' });
        expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

describe('examples/overrides', () => {
  const files = fs.readdirSync(overridesDir).filter((f) => f.endsWith('.json')).sort();
  const readme = fs.readFileSync(path.join(overridesDir, 'README.md'), 'utf8');

  it('has examples, each described in the README', () => {
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(readme, file).toContain(`(${file})`);
  });

  it.each(files)('%s is an object of string or number values', (file) => {
    const override = readJson(path.join(overridesDir, file));
    expect(isObject(override)).toBe(true);
    const entries = Object.entries(isObject(override) ? override : {});
    expect(entries.length).toBeGreaterThan(0);
    for (const [key, value] of entries) {
      expect(key).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(['string', 'number'], key).toContain(typeof value);
    }
  });
});
