export interface FeatureGeneratorSchema {
  name: string;
  project?: string;
  fields?: string;
  operations?: string;
  plural?: string;
  unique?: string;
  force?: boolean;
  skipFormat?: boolean;
}
