// Link ids and the team's external ids identify its users' bank connections: the page shows enough to tell them
// apart and to search for them in the team's own tools, never the whole id.

/** Characters kept at the end of a masked id. */
export const MASK_KEEP = 6;

/** `0d3a...e5f6a7b8` -> `…f6a7b8`; ids this short or shorter are masked whole but for their last character. */
export function maskId(id: string, keep = MASK_KEEP): string {
  const tail = id.length > keep * 2 ? id.slice(-keep) : id.slice(-1);
  return `…${tail}`;
}

/** Evidence keys that hold link ids or the team's external ids. */
export const MASKED_EVIDENCE = new Set(['exampleLinks', 'exampleExternalIds', 'linkId', 'externalId']);
