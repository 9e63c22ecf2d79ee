export { unitCell, UnitCell, UnitCellOptions, isAllowed, allowedPredicate } from './unitCell';
export { dSpacing, gLengthInvA } from './dSpacing';
export { interplanarAngleDeg } from './interplanarAngle';
export { zoneAxis } from './zoneAxis';
export { reflections, Reflection, ReflectionsOptions } from './reflections';
export { parseReflectionCondition, centringConditions, ReflectionCondition } from './reflectionConditions';
export { cells } from './cells';
