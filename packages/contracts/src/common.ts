import { z } from 'zod';
import { IpPlace } from './locations.ts';

/** Helpers the schemas share; not part of the package's public surface. */

export const id = z.string().min(1).max(255);
export const intFromQuery = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

/** The network and country of the address beside it. Optional only for fixtures: the BFF always sends it. */
export const placeOfIp = IpPlace.nullable().optional();
