/** What a path is, for classification and risk: tests, docs, CI, build files, sensitive areas. */

export type FileKind = 'test' | 'docs' | 'ci' | 'build' | 'code';

const TEST =
  /(^|\/)(__tests__|tests?|spec|specs|testdata|fixtures?)\/|[._-](test|spec)\.[a-z0-9]+$|(^|\/)test_[^/]+\.py$|_test\.go$|Tests?\.java$/i;
const DOCS =
  /\.(md|mdx|rst|adoc|txt)$|(^|\/)(docs?|documentation)\/|(^|\/)(LICENSE|NOTICE|AUTHORS)[^/]*$/i;
const CI =
  /(^|\/)\.github\/|(^|\/)\.gitlab-ci\.yml$|(^|\/)\.circleci\/|(^|\/)Jenkinsfile$|azure-pipelines\.ya?ml$|(^|\/)\.travis\.yml$/i;
const BUILD =
  /(^|\/)(package(-lock)?\.json|yarn\.lock|pnpm-lock\.yaml|tsconfig[^/]*\.json|go\.(mod|sum)|pom\.xml|build\.gradle(\.kts)?|requirements[^/]*\.txt|setup\.(py|cfg)|pyproject\.toml|Makefile|Dockerfile[^/]*|\.npmrc|\.nvmrc|webpack[^/]*\.js|eslint[^/]*|\.prettierrc[^/]*)$/i;

export function fileKind(path: string): FileKind {
  if (CI.test(path)) return 'ci';
  if (TEST.test(path)) return 'test';
  if (DOCS.test(path)) return 'docs';
  if (BUILD.test(path)) return 'build';
  return 'code';
}

/** Areas where a small mistake is expensive; each one touched adds to the risk score. */
export const SENSITIVE_AREAS: readonly { name: string; pattern: RegExp }[] = [
  {
    name: 'auth',
    pattern: /(^|[/_.-])(auth\w*|login|session|oauth|permissions?|rbac|acl|api-?keys?)([/_.-]|$)/i,
  },
  {
    name: 'crypto',
    pattern:
      /(^|[/_.-])(crypto\w*|encrypt\w*|cipher|signing|signature|tls|ssl|certs?|secrets?|redact\w*)([/_.-]|$)/i,
  },
  {
    name: 'migrations',
    pattern: /(^|\/)(migrations?|migrate|alembic|db\/migrate|schema)(\/|\.)|\.sql$/i,
  },
  { name: 'ci', pattern: CI },
  {
    name: 'deploy',
    pattern:
      /(^|\/)(deploy|k8s|kubernetes|helm|terraform|infra)\/|(^|\/)Dockerfile[^/]*$|docker-compose[^/]*\.ya?ml$/i,
  },
  {
    name: 'dependencies',
    pattern:
      /(^|\/)(package\.json|go\.mod|pom\.xml|requirements[^/]*\.txt|pyproject\.toml|build\.gradle(\.kts)?)$/i,
  },
];

export function sensitiveAreas(path: string): string[] {
  return SENSITIVE_AREAS.filter((a) => a.pattern.test(path)).map((a) => a.name);
}

/** Files whose exports nobody outside the repository calls: tests, examples, scripts, internals. */
export function isPublicSurface(path: string): boolean {
  if (fileKind(path) !== 'code') return false;
  return !/(^|\/)(internal|examples?|scripts?|bench(marks?)?|e2e|mocks?|__mocks__|fakes?)\//i.test(
    path,
  );
}
