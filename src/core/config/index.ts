export {
  KEY_TABLE,
  KEY_DEFS,
  DEPRECATED_KEYS,
  OBSOLETE_KEYS,
  THRESHOLD_KEYS,
  keySpec,
  isConfigKey,
  scopeOfKey,
  type ConfigKey,
  type KeyDef,
  type KeyKind,
  type KeyScope,
  type KeySpec,
  type ThresholdKey,
} from './keys.js';
export { NAMED_SCHEDULES, parseSchedule } from './schedule.js';
export {
  archiverThresholds,
  configSchema,
  expectationOf,
  splitOptionList,
  thresholdProblem,
  validateConfig,
  valueSchema,
  type ConfigValues,
  type RawConfig,
  type ValidateOutcome,
} from './schema.js';
export { classifyKey, classifyLine, parseConfigText, type ConfigEntries, type ParseOutcome } from './parse.js';
export { parseMainConfig, planEffectiveRaw, type MainConfigOutcome } from './main-config.js';
export { makeSnapshot, type ConfigSnapshot, type ConfigSource } from './snapshot.js';
export type { DerivedValues } from './derived.js';
export { sampleConfigText } from './sample.js';
export { ConfigError, ConfigMissingError } from './errors.js';
export {
  DEFAULT_CONFIG_PATH,
  loadMainConfig,
  readMainConfig,
  resolveConfigPath,
  writeSampleConfig,
  type MainConfigLoad,
} from './load.js';
export { applyOverride, decideOverrideEntry, type OverrideOutcome } from './override.js';
export {
  parseOverrideText,
  readOverrideFile,
  statMtimeMs,
  type OverrideRead,
  type OverrideReadOptions,
} from './override-file.js';
export { diffConfig, rawDiffers, sameSnapshot, type DiffScope } from './diff.js';
export { applyReload, type ReloadOutcome } from './reload.js';
export { ConfigManager, type ConfigLogger, type ConfigManagerOptions } from './manager.js';
