import { ClassSpec, CollectionElement, EditContext, ensureClasses, ensureCollectionElement, ensureFromImport, ensureMethods, FromImport, hasImportedElement, MethodSpec, UseSite } from './edit';

/** What the app's shared modules must know about one feature slice. */
export interface FeatureWiring {
  /** The app's Python package, e.g. `api`. */
  packageName: string;
  /** Module name of the slice in every layer, e.g. `recipe`. */
  module: string;
  /** Class-name stem, e.g. `Recipe`. */
  className: string;
  /** Human name for messages, e.g. `recipe`. */
  label: string;
  /** The controller runs reads concurrently, so it needs services on their own sessions. */
  concurrentReads: boolean;
  /** The controller commits writes through the unit of work. */
  writes: boolean;
  /** A unique field exists, so the slice raises a conflict error. */
  conflicts: boolean;
}

async function ensureImports(source: string, imports: FromImport[], packageName: string, context: EditContext): Promise<string> {
  let edited = source;
  for (const spec of imports) edited = await ensureFromImport(edited, spec, packageName, context);
  return edited;
}

/** What factory.py gets for a feature: imports, the providers in RequestFactory, and the members they call. */
export function factorySpecs(feature: FeatureWiring): { imports: FromImport[]; methods: MethodSpec[]; requires: string[] } {
  const { packageName: pkg, module, className: name } = feature;
  const imports: FromImport[] = [
    { module: `${pkg}.domain.controllers.${module}`, names: [`${name}Controller`] },
    { module: `${pkg}.domain.repositories.${module}`, names: [`${name}Repository`] },
    ...(feature.concurrentReads ? [{ module: `${pkg}.domain.repositories.session_scope`, names: ['SessionScoped'] }] : []),
    { module: `${pkg}.domain.services.${module}`, names: [`I${name}Service`, `${name}Service`] },
  ];
  const controllerArguments = [
    `self.${module}_service()`,
    ...(feature.writes ? ['self.unit_of_work()'] : []),
    ...(feature.concurrentReads ? [`SessionScoped(self._singletons.session_maker, ${name}Repository, ${name}Service).open`] : []),
  ];
  const methods: MethodSpec[] = [
    { name: `${module}_repository`, text: `def ${module}_repository(self) -> ${name}Repository:\n    return ${name}Repository(self._session)\n` },
    { name: `${module}_service`, text: `def ${module}_service(self) -> I${name}Service:\n    return ${name}Service(self.${module}_repository())\n` },
    { name: `${module}_controller`, text: `def ${module}_controller(self) -> ${name}Controller:\n    return ${name}Controller(${controllerArguments.join(', ')})\n` },
  ];
  // The methods' annotations name the imports when the class body runs; SessionScoped only in a body.
  const usedBy: UseSite = { kind: 'class', name: 'RequestFactory', annotationsOnly: true };
  return {
    imports: imports.map((spec) => (spec.names.includes('SessionScoped') ? spec : { ...spec, usedBy })),
    methods,
    requires: feature.writes ? ['unit_of_work'] : [],
  };
}

/** factory.py: imports, then `<module>_repository`, `_service` and `_controller` in RequestFactory. */
export async function wireFeatureIntoFactory(source: string, feature: FeatureWiring, context: EditContext): Promise<string> {
  const { imports, methods, requires } = factorySpecs(feature);
  // Methods first, so that an error names a line of the file as it is on disk.
  const withMethods = await ensureMethods(source, 'RequestFactory', methods, context, requires);
  return ensureImports(withMethods, imports, feature.packageName, context);
}

/** ROUTERS needs the routes it lists bound when the module runs. */
export const ROUTERS_USE: UseSite = { kind: 'assignment', name: 'ROUTERS', annotationsOnly: false };

/** The feature's router as an element of ROUTERS, recognised under any name the imports give it. */
export function routerElement(feature: FeatureWiring): CollectionElement {
  const routes = `${feature.packageName}.http.routes`;
  return {
    variable: 'ROUTERS',
    element: `${feature.module}.router`,
    imported: { module: `${routes}.${feature.module}`, attribute: 'router', package: routes },
  };
}

/** http/routes/__init__.py: `from <pkg>.http.routes import <module>` and `<module>.router` in ROUTERS. */
export async function wireFeatureIntoRouter(source: string, feature: FeatureWiring, context: EditContext): Promise<string> {
  const routes = `${feature.packageName}.http.routes`;
  const element = routerElement(feature);
  // Listed under the user's own import (an alias, say): importing it again would be unused.
  if (await hasImportedElement(source, element, context)) return source;
  const withImport = await ensureFromImport(source, { module: routes, names: [feature.module], package: routes, usedBy: ROUTERS_USE }, feature.packageName, context);
  return ensureCollectionElement(withImport, element, context);
}

/** domain/repositories/tables.py: import the ORM module so `metadata` knows its table; list it in `__all__`. */
export async function wireFeatureIntoTables(source: string, feature: FeatureWiring, context: EditContext): Promise<string> {
  const repositories = `${feature.packageName}.domain.repositories`;
  const withImport = await ensureFromImport(
    source,
    { module: repositories, names: [feature.module], package: repositories },
    feature.packageName,
    context,
  );
  return ensureCollectionElement(withImport, { variable: '__all__', element: JSON.stringify(feature.module), sorted: true }, context);
}

/** The feature's domain errors, in the app's AppError hierarchy. */
export function featureErrorClasses(feature: FeatureWiring): ClassSpec[] {
  const { className: name, label, module } = feature;
  const classes: ClassSpec[] = [
    {
      name: `${name}NotFoundError`,
      text: `class ${name}NotFoundError(NotFoundError):\n    code = "${module}_not_found"\n    title = "${capitalize(label)} not found"\n`,
    },
    {
      name: `Invalid${name}Error`,
      text: `class Invalid${name}Error(ValidationFailedError):\n    code = "${module}_invalid"\n    title = "Invalid ${label}"\n`,
    },
  ];
  if (feature.conflicts) {
    classes.push({
      name: `${name}ConflictError`,
      text: `class ${name}ConflictError(ConflictError):\n    code = "${module}_conflict"\n    title = "${capitalize(label)} conflicts with an existing one"\n`,
    });
  }
  return classes;
}

/** domain/errors.py: the feature's errors, appended after the app's own. */
export async function wireFeatureIntoErrors(source: string, feature: FeatureWiring, context: EditContext): Promise<string> {
  const bases = ['NotFoundError', 'ValidationFailedError', ...(feature.conflicts ? ['ConflictError'] : [])];
  return ensureClasses(source, featureErrorClasses(feature), context, bases);
}

function capitalize(text: string): string {
  return text[0].toUpperCase() + text.slice(1);
}
