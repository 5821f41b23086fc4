export interface ApplicationGeneratorSchema {
  name: string;
  directory?: string;
  packageName?: string;
  tags?: string;
  envPrefix?: string;
  skipFormat?: boolean;
  skipInstall?: boolean;
}
