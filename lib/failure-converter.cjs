'use strict';
// Loaded by path (lib/codec.ts failureConverterPath): with encodeCommonAttributes the message and stack trace of
// every failure go into `encodedAttributes`, a payload the encryption codec encrypts; Temporal then stores only
// "Encoded failure" as the message.
const { DefaultFailureConverter } = require('@temporalio/common');

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
