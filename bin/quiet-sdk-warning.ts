// Imported first by the entry points (npm start, the admin CLI, fuzz, smoke, bench, backfill). On
// Node 20 the AWS SDK prints, once per process, a 9-line NodeVersionSupportWarning: its releases
// after January 2027 will need Node 22.
// This project supports Node 20.11+ (.nvmrc) and its Lambdas run Node 22, so the warning only adds
// noise here. Turned off with the SDK's own switch (aws/aws-sdk-js-v3#7983), which silences exactly
// that warning and nothing else; AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=false brings it back.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
