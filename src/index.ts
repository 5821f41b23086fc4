export { initGenerator } from './generators/init/generator';
export { applicationGenerator } from './generators/application/generator';
export { featureGenerator } from './generators/feature/generator';
