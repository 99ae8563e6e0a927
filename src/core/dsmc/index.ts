export { classifyLine, isPrompt, lastQuoted, type DsmcMessage, type LineClass, type Severity } from './classify-line.js';
export { archiveArgs, retrieveArgs, deleteArgs, queryArgs, formatDescriptionTime, type DsmcOptions } from './invocations.js';
export { writeFileList, writeFileListFrom, fileListName } from './file-list.js';
export { runDsmc, describeEnd, wrapperArgs, type DsmcRunRequest, type DsmcOutcome, type DsmcEnd } from './run-dsmc.js';
export { LineSplitter } from './line-splitter.js';
export { MessageAssembler } from './message-assembler.js';
export { logDsmcMessages, MAX_LOGGED_MESSAGES } from './log-messages.js';
