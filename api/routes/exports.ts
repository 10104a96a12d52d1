import { Readable } from 'node:stream';
import { z } from 'zod';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { checkedSecret, ExportSecretError } from '../../metrics/exports/pseudonym';
import { parseTedsDRange, tedsDischargeCsv, TedsDQuerySchema } from '../../metrics/exports/teds-d';
import { TEDS_D_COLUMNS } from '../../metrics/exports/teds-d-codes';
import { HttpError } from '../errors';
import { AUTH_ERRORS, ErrorSchema } from '../schemas/common';

/**
 * `GET /api/v1/exports/teds-d?from=&to=` (admin only; docs/funder-reporting.md "TEDS-D
 * discharge extract"): the CSV of `iop export teds-d`, streamed from a server-side cursor.
 * The audit plugin writes the request's row before the first byte is sent. Without a
 * usable IOP_EXPORT_SECRET the answer is 409 with what to configure: the request is
 * valid, the server is not set up for it (a 5xx would carry no explanation).
 */
const exportRoutes: FastifyPluginAsyncZod = async (fastify) => {
  fastify.get('/api/v1/exports/teds-d', {
    config: { access: 'admin' },
    schema: {
      tags: ['admin'],
      summary: 'TEDS-D discharge extract (CSV, one row per episode discharged in the range, CASEID pseudonyms)',
      description: `Columns ${TEDS_D_COLUMNS.join(', ')} in the codes of the SAMHSA TEDS-D codebook (docs/funder-reporting.md). `
        + 'Admin only, audited. 409 when the server has no usable IOP_EXPORT_SECRET.',
      security: [{ bearer: [] }, { session: [] }],
      querystring: TedsDQuerySchema,
      produces: ['text/csv'],
      response: { 200: z.string().describe('text/csv'), ...AUTH_ERRORS, 409: ErrorSchema },
    },
  }, async (request, reply) => {
    const parsed = parseTedsDRange(request.query);
    if (!parsed.ok) throw new HttpError(400, parsed.error.error, parsed.error.details);
    let secret: string;
    try {
      secret = checkedSecret(fastify.config.exportSecret);
    } catch (e) {
      if (e instanceof ExportSecretError) throw new HttpError(409, e.message, [{ param: 'IOP_EXPORT_SECRET', message: 'server configuration' }]);
      throw e;
    }
    const { from, to } = parsed.range;
    const body = Readable.from(tedsDischargeCsv(fastify.wh, parsed.range, secret));
    return (reply as FastifyReply)
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="teds-d-${from}-${to}.csv"`)
      .send(body);
  });
};
export default exportRoutes;
