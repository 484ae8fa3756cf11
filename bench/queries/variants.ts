/**
 * Scenario 5: 1,000+ distinct query documents over `ticket(id)`, to exercise the parse / validate
 * path and the bounded document cache. Document k selects a distinct subset of the ticket's scalar
 * fields (in a k-dependent order) under a k-dependent operation name, so no two are equal as text or
 * as AST; each costs one upstream call, so the upstream stays out of the way.
 */

/** Ticket scalars a single `GET /tickets/:id` answers (the REST aggregator serves the same set). */
export const VARIANT_FIELDS = [
  'id',
  'subject',
  'status',
  'statusCode',
  'statusLabel',
  'priority',
  'source',
  'type',
  'tags',
  'createdAt',
  'updatedAt',
  'dueBy',
  'frDueBy',
  'description',
  'descriptionText',
] as const;

export interface Variant {
  query: string;
  fields: string[];
}

/** `count` distinct documents (count <= 2^14). */
export function queryVariants(count: number): Variant[] {
  const variants: Variant[] = [];
  const rest = VARIANT_FIELDS.slice(1);
  for (let k = 0; k < count; k += 1) {
    // Bit mask over the 14 fields after `id` (k + 1, so never empty), rotated by k.
    const mask = k + 1;
    const picked = rest.filter((_, bit) => (mask >> bit) & 1);
    const shift = k % picked.length;
    const fields = ['id', ...picked.slice(shift), ...picked.slice(0, shift)];
    variants.push({
      query: `query Variant${k}($id: ID!) { ticket(id: $id) { ${fields.join(' ')} } }`,
      fields,
    });
  }
  return variants;
}
