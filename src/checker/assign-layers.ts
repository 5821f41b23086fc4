/** Stage 4, assign layers: the layer of each app module and of each import's target. */
import type { LayerLocator } from './layers';
import type { ModuleInfo, ProjectModel } from './types';

export function assignLayers(modules: ModuleInfo[], locator: LayerLocator, appPackage: string): void {
  const inApp = (name: string): boolean => name === appPackage || name.startsWith(`${appPackage}.`);
  for (const module of modules) {
    if (module.inPackage) module.layer = locator.layerOf(module.name);
    for (const imp of module.imports) if (imp.internal && inApp(imp.target)) imp.layer = locator.layerOf(imp.target);
  }
}

/** The layers that hold at least one app module, sorted. */
export function layersOf(project: ProjectModel): string[] {
  return [...new Set(project.modules.filter((m) => m.inPackage && m.layer).map((m) => m.layer as string))].sort();
}
