/**
 * Where each layer lives, as dotted module patterns. `{package}` stands for the app's package;
 * `*` matches one name, `**` any number of names (including none).
 */

/** Layers in lookup order: the first layer with a matching pattern owns a module. */
export const LAYER_NAMES = [
  'factory',
  'errors',
  'models',
  'services',
  'repositories',
  'controllers',
  'domain',
  'dependencies',
  'error_handlers',
  'middleware',
  'routes',
  'schemas',
  'http',
  'config',
  'logging',
  'main',
] as const;

export type LayerName = (typeof LAYER_NAMES)[number];

export const DEFAULT_LAYER_PATTERNS: Record<LayerName, string[]> = {
  factory: ['{package}.domain.factory'],
  errors: ['{package}.domain.errors'],
  models: ['{package}.domain.models.**'],
  services: ['{package}.domain.services.**'],
  repositories: ['{package}.domain.repositories.**'],
  controllers: ['{package}.domain.controllers.**'],
  // The rest of the domain package, e.g. the unit-of-work Protocol (a port every layer may use).
  domain: ['{package}.domain.**'],
  dependencies: ['{package}.http.dependencies'],
  error_handlers: ['{package}.http.error_handlers'],
  middleware: ['{package}.http.middleware'],
  routes: ['{package}.http.routes.**'],
  schemas: ['{package}.http.schemas.**'],
  http: ['{package}.http.**'],
  config: ['{package}.config'],
  logging: ['{package}.logging'],
  main: ['{package}.main', '{package}.__main__'],
};

/**
 * Layer order, top to bottom: a layer may import the layers below it. An import from a lower
 * layer into a higher one is the one to cut when layers form a cycle (LAY016), and a lower layer
 * must not reach a higher one through helper modules either (chains). Equal ranks are siblings.
 */
export const LAYER_RANK: Readonly<Record<LayerName, number>> = {
  main: 100,
  routes: 90,
  error_handlers: 90,
  middleware: 90,
  http: 90,
  dependencies: 80,
  schemas: 75,
  factory: 70,
  controllers: 60,
  services: 50,
  repositories: 40,
  domain: 30,
  models: 20,
  errors: 10,
  logging: 8,
  config: 5,
};

/** Whether an import from layer `from` into layer `to` goes up the layer order. */
export function againstLayerOrder(from: string, to: string): boolean {
  return isLayerName(from) && isLayerName(to) && LAYER_RANK[from] < LAYER_RANK[to];
}

/** Layers that make up the domain: none of them may touch HTTP (LAY001). */
export const DOMAIN_LAYERS: ReadonlySet<LayerName> = new Set(['factory', 'errors', 'models', 'services', 'repositories', 'controllers', 'domain']);
export const HTTP_LAYERS: ReadonlySet<LayerName> = new Set(['dependencies', 'error_handlers', 'middleware', 'routes', 'schemas', 'http']);

export function isLayerName(name: string): name is LayerName {
  return (LAYER_NAMES as readonly string[]).includes(name);
}

/** Compiles a dotted module pattern; the expression is tested against `.` + module name. */
export function modulePatternToRegExp(pattern: string, packageName: string): RegExp {
  const source = pattern
    .replaceAll('{package}', packageName)
    .split('.')
    .map((part) => (part === '**' ? '(?:\\.[^.]+)*' : `\\.${part.split('*').map(escapeRegExp).join('[^.]*')}`))
    .join('');
  return new RegExp(`^${source}$`);
}

/** Whether a dotted module matches a pattern. */
export function moduleMatches(pattern: RegExp, module: string): boolean {
  return pattern.test(`.${module}`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class LayerLocator {
  private readonly compiled: { layer: LayerName; patterns: RegExp[] }[];
  private readonly cache = new Map<string, LayerName | null>();

  constructor(patterns: Record<LayerName, string[]>, packageName: string) {
    this.compiled = LAYER_NAMES.map((layer) => ({ layer, patterns: patterns[layer].map((p) => modulePatternToRegExp(p, packageName)) }));
  }

  /** The layer a dotted module belongs to, or null when it is in none. */
  layerOf(module: string): LayerName | null {
    let layer = this.cache.get(module);
    if (layer !== undefined) return layer;
    layer = null;
    for (const candidate of this.compiled) {
      if (candidate.patterns.some((pattern) => moduleMatches(pattern, module))) {
        layer = candidate.layer;
        break;
      }
    }
    this.cache.set(module, layer);
    return layer;
  }
}

/** Path glob (relative, `/`-separated) to a regular expression: `*` within a segment, `**` across segments. */
export function pathGlobToRegExp(glob: string): RegExp {
  let source = '';
  const text = glob.replace(/^\.\//, '').replace(/\/$/, '/**');
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '*' && text[i + 1] === '*') {
      const slashAfter = text[i + 2] === '/';
      source += slashAfter ? '(?:.*/)?' : '.*';
      i += slashAfter ? 2 : 1;
    } else if (ch === '*') source += '[^/]*';
    else if (ch === '?') source += '[^/]';
    else source += escapeRegExp(ch);
  }
  // A folder pattern also matches everything below it.
  return new RegExp(`^${source}(?:/.*)?$`);
}
