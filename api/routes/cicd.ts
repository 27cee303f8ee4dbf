import { z } from 'zod';
import type { Config } from '../../domain/config';
import { route, type AnyRoute } from '../route';

const READERS = ['reviewer', 'admin', 'auditor', 'release-engineer'] as const;

const Integration = z
  .object({
    provider: z.enum(['github', 'gitlab', 'bitbucket', 'azure-devops']),
    name: z.string(),
    configured: z.boolean(),
    /** names of the settings still to set, never their values */
    missing: z.array(z.string()),
    apiUrl: z.string().nullable(),
  })
  .meta({ id: 'Integration' });
type Integration = z.infer<typeof Integration>;

function integration(
  provider: Integration['provider'],
  name: string,
  envPrefix: string,
  settings: { token?: string; webhookSecret?: string },
  apiUrl: string | undefined,
): Integration {
  const missing = [
    settings.token ? undefined : `${envPrefix}_TOKEN`,
    settings.webhookSecret ? undefined : `${envPrefix}_WEBHOOK_SECRET`,
  ].filter((s): s is string => s !== undefined);
  return { provider, name, configured: missing.length === 0, missing, apiUrl: apiUrl ?? null };
}

export function cicdRoutes(config: Config): AnyRoute[] {
  const { github, gitlab, bitbucket, azureDevOps } = config.scm;
  return [
    route({
      method: 'get',
      path: '/api/v2/cr-ai/cicd/integrations',
      tag: 'cr-ai',
      summary: 'The SCM integrations and whether each is configured',
      description:
        'Configured means both a token and a webhook secret are set. Secrets are never returned.',
      access: READERS,
      responses: {
        200: {
          description: 'The four integrations',
          schema: z.object({ integrations: z.array(Integration) }),
        },
      },
      handler: () => ({
        status: 200,
        json: {
          integrations: [
            integration('github', 'GitHub', 'GITHUB', github, github.apiUrl),
            integration('gitlab', 'GitLab', 'GITLAB', gitlab, gitlab.apiUrl),
            integration('bitbucket', 'Bitbucket', 'BITBUCKET', bitbucket, bitbucket.apiUrl),
            integration(
              'azure-devops',
              'Azure DevOps',
              'AZURE_DEVOPS',
              azureDevOps,
              azureDevOps.orgUrl,
            ),
          ],
        },
      }),
    }),
  ];
}
