export interface RemoveFeatureGeneratorSchema {
  name: string;
  project?: string;
  force?: boolean;
}
