// A user's program, as test/package/package.test.ts installs and runs it: an ESM TypeScript
// project (strict, NodeNext, no path aliases) that imports the installed fluxion tarball, is
// type-checked against the shipped .d.ts, compiled by tsc and run by plain node. It prints JSON;
// the test compares every number with exact maths.
import { type Arbitrary, assert, property } from 'fast-check'
import { exp, grad, jacrev, jit, jvp, mul, sin, sum, type Tensor, tensor, vjp } from 'fluxion'
import { mse, relu, softmax } from 'fluxion/nn'
import { applyUpdates, sgd } from 'fluxion/optim'
import { checkGrads, tensorOf } from 'fluxion/testing'

const cube = (x: number) => mul(x, mul(x, x))
const d1: number = grad(cube)(2)
// @ts-expect-error the types are real, not `any`: a derivative of a number is a number
const notAString: string = grad(cube)(2)

const [y, yDot] = jvp((x: number) => exp(mul(2, x)), [0], [1])
const [out, pullback] = vjp((v: Tensor) => sum(mul(v, v)), tensor([1, 2, 3]))
const jacobian: Tensor = jacrev((v: Tensor) => mul(v, sum(v)))(tensor([1, 2, 3]))

type Params = { w: Tensor }
const squaredNorm = (p: Params) => sum(mul(p.w, p.w))
const optimizer = sgd(0.5)
const params: Params = { w: tensor([1, 2]) }
const [updates] = optimizer.update(grad(squaredNorm)(params), optimizer.init(params), params)
const stepped = applyUpdates(params, updates)

checkGrads((x: Tensor) => sum(mul(x, sin(x))), [tensor([1, 2, 3])], { order: 2 }) // throws if wrong
// fast-check from this project drives fluxion/testing's arbitraries: d‖v‖²/dv = 2v exactly
const vectors: Arbitrary<Tensor> = tensorOf([3])
let runs = 0
assert(
  property(vectors, (v) => {
    runs++
    const g = grad((u: Tensor) => sum(mul(u, u)))(v)
    return g.data.every((gi, i) => gi === 2 * v.data[i]!)
  }),
  { numRuns: 50 },
)

console.log(
  JSON.stringify({
    grad: d1,
    gradOfGrad: grad(grad(cube))(2),
    gradXSinX: grad((x: number) => mul(x, sin(x)))(2),
    jvp: [y, yDot],
    vjp: [out.item(), pullback(1)[0].toArray()],
    jacrev: jacobian.toArray(),
    jit: jit(grad(cube))(3),
    relu: relu(tensor([-1, 2])).toArray(),
    softmax: softmax(tensor([0, 0])).toArray(),
    mse: mse(tensor([1, 2]), tensor([1, 4])).item(),
    mseGrad: grad((p: Tensor) => mse(p, tensor([1, 4])))(tensor([1, 2])).toArray(),
    sgd: stepped.w.toArray(),
    propertyRuns: runs,
    typed: typeof notAString,
  }),
)
