export {
  frameDoses,
  FrameDosesOptions,
  FrameDosesResult,
  cumulativeDose,
  CumulativeDoseOptions,
  CumulativeDoseResult,
  probeDose,
  ProbeDoseOptions,
  ProbeDoseResult,
  ELEMENTARY_CHARGE_C,
  MAX_COUNTING_FLUX_E_PER_PX_PER_S
} from './frameDoses';
export { fitCriticalDose, FitCriticalDoseOptions, CriticalDoseFit } from './fitCriticalDose';
