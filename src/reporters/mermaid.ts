/** A Mermaid flowchart of layer dependencies; edges with findings are red and labelled with the rule ids. */
import type { ReportContext } from './types';

export function mermaidGraph({ result }: ReportContext): string {
  const lines = ['flowchart TD'];
  const nodes = new Set(result.layers);
  for (const edge of result.graph) {
    nodes.add(edge.from);
    nodes.add(edge.to);
  }
  for (const node of [...nodes].sort()) lines.push(`  ${node}["${node}"]`);
  const violating: number[] = [];
  result.graph.forEach((edge, index) => {
    if (edge.violations.length > 0) {
      lines.push(`  ${edge.from} -->|"${edge.violations.join(', ')}"| ${edge.to}`);
      violating.push(index);
    } else lines.push(`  ${edge.from} --> ${edge.to}`);
  });
  if (violating.length > 0) lines.push(`  linkStyle ${violating.join(',')} stroke:#d73a49,stroke-width:3px,color:#d73a49`);
  return `${lines.join('\n')}\n`;
}
