/**
 * The layer rules of ARCHITECTURE.md ("Layers"), checked by `npm run lint` so an arrow backwards fails CI.
 * Each layer imports only the layers below it at run time; `import type` is allowed across layers (it leaves no
 * run-time edge), except into the test doubles.
 */
const runtime = { dependencyTypesNot: ['type-only'] };
const layer = (name, folder, allowed) => ({
  name,
  severity: 'error',
  comment: `${folder}/ may import only ${allowed.join(', ')} at run time`,
  from: { path: `^${folder}/` },
  to: { path: '^(lib|db|connectors|workflows|activities|api|fakes|scripts|bench|test)/', pathNot: `^(${[folder, ...allowed].join('|')})/`, ...runtime },
});

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'no import cycles, type-only ones included', from: {}, to: { circular: true } },
    layer('lib-is-the-ground-floor', 'lib', []),
    layer('connectors-on-lib', 'connectors', ['lib']),
    layer('db-on-lib', 'db', ['lib']),
    layer('workflows-on-lib', 'workflows', ['lib']),
    layer('activities-on-db-connectors-lib', 'activities', ['db', 'connectors', 'lib']),
    layer('api-on-db-lib-workflows', 'api', ['db', 'lib', 'workflows']),
    layer('fakes-on-lib', 'fakes', ['lib']),
    {
      name: 'test-doubles-stay-out-of-production',
      severity: 'error',
      comment: 'fakes/, test/ and bench/ are imported only by tests, benchmarks and the local stack (scripts/)',
      from: { path: '^(lib|db|connectors|workflows|activities|api|fakes)/' },
      to: { path: '^(test|bench)/' },
    },
    {
      // What `npm run build` compiles and the Docker image ships (tsconfig.build.json, ARCHITECTURE.md "Build and deploy"):
      // nothing it reaches, directly or through another module, may be a fake server, a test, a benchmark or the local stack.
      name: 'production-build-has-no-test-doubles',
      severity: 'error',
      comment: 'the production code (api, activities, connectors, db, lib, workflows, scripts/worker|api|migrate) never reaches fakes/, test/, bench/ or scripts/local',
      from: { path: '^((api|activities|connectors|db|lib|workflows)/|scripts/(worker|api|migrate|bundle-workflows|build-layout)\\.ts$)' },
      to: { path: '^((fakes|test|bench|scripts/local)/|scripts/start\\.ts$)', reachable: true },
    },
    {
      name: 'workflows-are-deterministic',
      severity: 'error',
      comment: 'no Node built-ins in workflow code (Temporal: the workflow sandbox); types only',
      from: { path: '^workflows/' },
      to: { dependencyTypes: ['core'], ...runtime },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
