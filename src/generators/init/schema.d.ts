export interface InitGeneratorSchema {
  checkLayersTargetName?: string;
  skipFormat?: boolean;
}
