import { parseConnectString } from '../coordination/connect-string.js';
import type { ConfigValues, RawConfig } from './schema.js';

/**
 * The coordination keys together (issue 12): a connect string ZooKeeper's
 * client can use, a session budget whenever one is set, and an archive
 * reserve below the budget (else recalls could never start). Pure.
 */
export function coordinationProblems(values: ConfigValues, raw: RawConfig, file: string): string[] {
  const problems: string[] = [];
  const connect = values.coordination_zookeeper;
  if (connect !== undefined) {
    const parsed = parseConnectString(connect);
    if (!parsed.ok) problems.push(`${file}: coordination_zookeeper: invalid value '${connect}': expected host:port[,host:port...][/chroot] (${parsed.problem})`);
    if (values.coordination_maxsessions === undefined) {
      problems.push(`${file}: coordination_maxsessions: required with coordination_zookeeper: the most dsmc sessions of the whole group`);
    }
  }
  const max = values.coordination_maxsessions;
  if (max !== undefined && values.coordination_archivereserve >= max) {
    const reserve = raw['coordination_archivereserve'] ?? String(values.coordination_archivereserve);
    problems.push(`${file}: coordination_archivereserve: invalid value '${reserve}': expected less than coordination_maxsessions (${max}), or recalls could never start`);
  }
  return problems;
}
