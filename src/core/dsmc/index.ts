export { classifyLine, isPrompt, isPromptPartial, lastQuoted, type DsmcMessage, type LineClass, type Severity } from './classify-line.js';
export { archiveArgs, retrieveArgs, deleteArgs, queryArgs, formatDescriptionTime, type DsmcOptions } from './invocations.js';
export { writeFileList, writeFileListFrom, fileListName } from './file-list.js';
export { runDsmc, describeEnd, wrapperArgs, type DsmcRunRequest, type DsmcOutcome, type DsmcEnd } from './run-dsmc.js';
export { LineSplitter, MAX_LINE_CHARS } from './line-splitter.js';
export { MessageAssembler } from './message-assembler.js';
export { MessageTally, MAX_KEPT_PER_CODE, MAX_KEPT_MESSAGES } from './message-tally.js';
export { ownCopy } from './own-copy.js';
export { logDsmcMessages, logDsmcOutputLimits, MAX_LOGGED_MESSAGES } from './log-messages.js';
