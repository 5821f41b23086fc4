export interface PythonExecutorSchema {
  module: string;
  args?: string[];
  cwd?: string;
  /** Filled by Nx with the command line's extra arguments. */
  passThrough?: string[];
}
