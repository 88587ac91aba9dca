// Loads a functions package the way the Functions Node worker does and prints, as JSON, the functions it registers.
// It stands in for the worker's @azure/functions-core, the one module a package must not carry.
const Module = require("module");
const registered = [];
const core = {
  setProgrammingModel() {},
  registerHook() { return { dispose() {} }; },
  registerFunction(metadata) { registered.push(metadata); return { dispose() {} }; },
};
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === "@azure/functions-core" ? "@azure/functions-core" : resolve.call(this, request, ...rest);
};
require.cache["@azure/functions-core"] = { id: "@azure/functions-core", filename: "@azure/functions-core", loaded: true, exports: core };
require(process.argv[2]);
process.stdout.write(JSON.stringify(registered));
