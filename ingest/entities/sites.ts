import { z } from 'zod';
import { code, optional, required, text } from '../fields';
import { defineEntity, lookupTable } from './spec';

const columns = ['site_code', 'name', 'organization', 'state'] as const;

/** A program location (docs/formats.md "Entities"): episodes and clinicians refer to it. */
export const sites = defineEntity({
  name: 'sites',
  table: 'sites',
  required: ['site_code', 'name'],
  key: ['site_code'],
  ...lookupTable(columns),
  schema: () =>
    z.object({
      site_code: required(code('site code'), 'a site code'),
      name: required(text(), 'the site name'),
      organization: optional(text()),
      state: optional(text(60)),
    }),
});
