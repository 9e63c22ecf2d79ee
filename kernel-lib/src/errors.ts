/**
 * Typed errors of lowdose. Messages follow one formula:
 * `<function>: <parameter> must be <expectation>; got <value>.` plus how to fix it.
 */

/** Base class: every lowdose error is `instanceof LowdoseError` and has a stable `code`. */
export class LowdoseError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
    this.name = new.target.name;
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/** A file's bytes do not match its format; names the file, the field and the byte offset. */
export class FormatError extends LowdoseError {
  readonly file: string;
  readonly field: string;
  readonly offset: number;
  constructor(file: string, field: string, offset: number, message: string) {
    super('FORMAT', `${file}: ${field} at byte ${offset}: ${message}`);
    this.file = file;
    this.field = field;
    this.offset = offset;
  }
}

/** An array has the wrong number of dimensions or the wrong size. */
export class ShapeError extends LowdoseError {
  constructor(message: string) {
    super('SHAPE', message);
  }
}

/** A parameter is out of its valid range or of the wrong kind. */
export class ValueError extends LowdoseError {
  constructor(message: string) {
    super('VALUE', message);
  }
}

/** Calibration (pixel size, units, axes) is missing or inconsistent. */
export class CalibrationError extends LowdoseError {
  constructor(message: string) {
    super('CALIBRATION', message);
  }
}

/** An iterative method did not converge. */
export class ConvergenceError extends LowdoseError {
  constructor(message: string) {
    super('CONVERGENCE', message);
  }
}

/** A kernel-only feature (display) was used outside a running tslab kernel. */
export class KernelError extends LowdoseError {
  constructor(message: string) {
    super('KERNEL', message);
  }
}
