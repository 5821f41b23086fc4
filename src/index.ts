export { initGenerator } from './generators/init/generator';
export { applicationGenerator } from './generators/application/generator';
