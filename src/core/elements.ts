/**
 * Arrays whose elements kind never changes. V8 gives an empty array literal the kind of small
 * integers and moves it to the generic kind at its first object, boolean or non-integer; the
 * array's hidden class changes with it. Optimized code that met the array of an earlier call
 * (a trace's list of operations, the staging interpreter's constants) expects the generic one,
 * so each new empty array made it deoptimize and recompile once per program (bench/NOTES.md
 * §25). An array made generic from the start keeps one hidden class.
 * @module
 */

/** An empty array of V8's generic elements kind, for objects, booleans or mixed values. */
export const objectArray = <T>(): T[] => {
  const a: unknown[] = [undefined]
  a.pop()
  return a as T[]
}
