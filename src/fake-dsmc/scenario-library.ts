// The scenario's `library`: a tape library with drives for retrieve sessions, played on
// the tape model the retriever's simulator uses (src/tape-model/drive-model.ts), so the
// fake and the simulator agree on every timing. A preset with fields overridden.
import type { LibrarySpec } from '../tape-model/drive-model.js';
import { LTO9_LIBRARY } from '../tape-model/drive-model.js';
import type { Json } from './scenario-fields.js';
import { ScenarioError, checkKeys, finiteNumber, isObject, nonNegativeInt, oneOf } from './scenario-fields.js';

export interface LibraryScenario {
  readonly spec: LibrarySpec;
  /** Real time per simulated time: 0.001 plays one simulated second in 1 ms. */
  readonly timeScale: number;
}

const PRESETS = { lto9: LTO9_LIBRARY } as const;
type PresetName = keyof typeof PRESETS;
const PRESET_NAMES: readonly PresetName[] = ['lto9'];

/** Durations taken as given, in seconds. */
const SECONDS_KEYS = ['robotMoveSec', 'loadSec', 'locateStartSec', 'locateFullLengthSec', 'rewindMinSec', 'rewindMaxSec', 'unloadSec'] as const;
const LIBRARY_KEYS = new Set<string>(['preset', 'drives', ...SECONDS_KEYS, 'readBytesPerSec', 'tapeCapacityBytes', 'mountRetentionSec', 'maxNumMp', 'timeScale']);
const WHERE = 'scenario.library';

function positiveInt(object: Json, key: string): number | undefined {
  const value = nonNegativeInt(object, key, WHERE);
  if (value === 0) throw new ScenarioError(`${WHERE}.${key}: must be at least 1`);
  return value;
}

/** MAXNUMMP: a count of mount points, or null for no limit. */
function maxNumMpValue(object: Json, preset: LibrarySpec): number | null {
  if (object['maxNumMp'] === null) return null;
  return positiveInt(object, 'maxNumMp') ?? preset.maxNumMp;
}

function overriddenSeconds(object: Json, preset: LibrarySpec): Pick<LibrarySpec, (typeof SECONDS_KEYS)[number]> {
  const entries = SECONDS_KEYS.map((key) => [key, finiteNumber(object, key, WHERE) ?? preset[key]] as const);
  return Object.fromEntries(entries) as Pick<LibrarySpec, (typeof SECONDS_KEYS)[number]>;
}

function planSpec(object: Json): LibrarySpec {
  const preset = PRESETS[oneOf(object, 'preset', PRESET_NAMES, WHERE) ?? 'lto9'];
  const retentionSec = finiteNumber(object, 'mountRetentionSec', WHERE);
  const spec: LibrarySpec = {
    ...preset,
    ...overriddenSeconds(object, preset),
    drives: positiveInt(object, 'drives') ?? preset.drives,
    readBytesPerSec: finiteNumber(object, 'readBytesPerSec', WHERE, true) ?? preset.readBytesPerSec,
    tapeCapacityBytes: finiteNumber(object, 'tapeCapacityBytes', WHERE, true) ?? preset.tapeCapacityBytes,
    mountRetentionMs: retentionSec === undefined ? preset.mountRetentionMs : retentionSec * 1000,
    maxNumMp: maxNumMpValue(object, preset),
  };
  if (spec.rewindMaxSec < spec.rewindMinSec) throw new ScenarioError(`${WHERE}.rewindMaxSec: must be at least rewindMinSec (${spec.rewindMinSec})`);
  return spec;
}

/** `library` of a scenario: absent (or null) for no drive model, a preset name, or an object. */
export function parseLibraryScenario(raw: unknown): LibraryScenario | null {
  if (raw === undefined || raw === null) return null;
  const object: unknown = typeof raw === 'string' ? { preset: raw } : raw;
  if (!isObject(object)) throw new ScenarioError(`${WHERE}: expected an object or a preset name`);
  checkKeys(object, LIBRARY_KEYS, WHERE);
  return { spec: planSpec(object), timeScale: finiteNumber(object, 'timeScale', WHERE, true) ?? 1 };
}
