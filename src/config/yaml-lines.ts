// Where in the file a problem is: the line of the key (or of the value) at a config path, from the YAML document's
// node ranges. A path the file does not have (a required key left out) points at the mapping that should hold it.
import { isMap, isSeq, type LineCounter, type Node, type Document as YamlDocument } from 'yaml';

export function lineOf(doc: YamlDocument, lines: LineCounter, path: readonly PropertyKey[]): number | undefined {
  let node: Node | null | undefined = doc.contents;
  let at: number | undefined = node?.range?.[0];
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => {
        const key = p.key as { value?: unknown } | null;
        return key !== null && typeof key === 'object' && String(key.value) === String(seg);
      });
      if (!pair) break;
      at = (pair.key as Node | null)?.range?.[0] ?? at;
      node = pair.value as Node | null;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (!item) break;
      at = item.range?.[0] ?? at;
      node = item;
    } else break;
  }
  return at === undefined ? undefined : lines.linePos(at).line;
}
