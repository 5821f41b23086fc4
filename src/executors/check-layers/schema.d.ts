export interface CheckLayersExecutorSchema {
  format?: 'pretty' | 'json' | 'sarif' | 'github';
  outputFile?: string;
  graph?: string;
  baseline?: string;
  updateBaseline?: boolean;
  cache?: boolean;
  cacheDirectory?: string;
  daemon?: boolean;
}
