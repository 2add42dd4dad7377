/** The schema of a loopback address: the only addresses testbed traffic may use. */
import { z } from 'zod';

export const loopbackHostSchema = z
  .string()
  .regex(/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/, 'must be in 127.0.0.0/8');
